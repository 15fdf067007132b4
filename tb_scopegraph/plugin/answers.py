"""The one shape of every route: parse the query, call an `*_impl`, answer; failures as JSON.

A route method decorated with `route(mime)` takes (request, ctx, experiment) and returns the
body (or an `Answer` when its type depends on the query). Every failure is answered as JSON
`{"error": ...}` (with `"timeout": true` for a layout that ran out of time, `"busy": true` and
`"retry_after"` for one that found the layout queue full), never as a traceback:
`tensorboard.errors` keep their status codes, the engine's errors get theirs (`failure`), and
anything else is a 500 whose details go to the log only.

Each route runs as its client's (`drawing.layouts.asking`): the layouts it waits for are shared
fairly between clients, and dropped when the client closes its connection.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tensorboard import errors as tb_errors
from tensorboard import plugin_util
from tensorboard.backend import http_util
from tensorboard.util import tb_logging
from werkzeug import wrappers

from tb_scopegraph.drawing import layouts
from tb_scopegraph.errors import (
    InvalidQuery,
    InvalidView,
    LayoutBusy,
    LayoutCancelled,
    NotFound,
    RenderError,
    RenderTimeout,
    SourceError,
)

logger = tb_logging.get_logger()

JSON = "application/json"
DOT = "text/vnd.graphviz; charset=utf-8"
SVG = "image/svg+xml"
PNG = "image/png"
# A drawing opened on its own (not through the tab) runs no script, whatever it holds.
SVG_HEADERS = (("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),)
# What a failure that is not the caller's says (the traceback goes to the log).
INTERNAL_ERROR = "internal error"
#: A request header naming the client (a tab, a script) to share layout workers fairly
#: between; without it, the client is the remote address.
CLIENT_HEADER = "X-Scopegraph-Client"
# Graphviz writes an SVG's root element at the start of a line, after its prolog and comments
# (which hold no name of the graph: its title is always "scopegraph").
_SVG_ROOT = re.compile(rb"^<svg\b", re.MULTILINE)


@dataclass(frozen=True)
class Answer:
    """A body with its own type, for a route whose type depends on the query."""

    body: Any
    mime: str
    headers: tuple[tuple[str, str], ...] = ()
    #: "gzip" for a body compressed already (TensorBoard unpacks it for a client that takes
    #: no gzip).
    encoding: str | None = None


def drawing(body: bytes, fmt: str) -> Answer:
    """A view drawn as `fmt` ("svg", "png") or written as DOT ("dot"), with its type."""
    if fmt == "png":
        return Answer(body, PNG)
    if fmt == "dot":
        return Answer(body, DOT)
    return Answer(body, SVG, SVG_HEADERS)


def with_depth(svg: bytes, depth: int, deepest: int) -> bytes:
    """An SVG drawing with the depth of its view on its root, where the tab reads it beside
    the open groups (its frames): `data-depth`, the depth asked for (else the view's own),
    and `data-deepest`, the scope level of its deepest open group."""
    root = _SVG_ROOT.search(svg)
    if root is None:
        return svg
    at = root.end()
    return b'%s data-depth="%d" data-deepest="%d"%s' % (svg[:at], depth, deepest, svg[at:])


def failure(e: Exception) -> tuple[int, str, bool]:
    """The HTTP status, message and whether it is a layout time-out, for a route's failure."""
    if isinstance(e, RenderTimeout):
        return 503, str(e), True
    if isinstance(e, (LayoutBusy, LayoutCancelled)):
        return 503, str(e), False
    if isinstance(e, NotFound):
        return 404, str(e), False
    if isinstance(e, (InvalidView, InvalidQuery)):
        return 400, str(e), False
    if isinstance(e, SourceError):
        return 422, str(e), False
    if isinstance(e, RenderError):
        return 500, f"Graphviz could not draw this view: {e}", False
    if isinstance(e, tb_errors.PublicError):
        return e.http_code, str(e), False
    return 500, INTERNAL_ERROR, False


def route(mime: str | None = None, headers: tuple[tuple[str, str], ...] = ()) -> Callable:
    """A route method answering its body as `mime` (or as the `Answer` it returns)."""

    def decorate(method: Callable) -> Callable:
        @wrappers.Request.application
        @functools.wraps(method)
        def serve(self, request):
            try:
                ctx = plugin_util.context(request.environ)
                with layouts.asking(*_asker(request)):
                    body = method(self, request, ctx, plugin_util.experiment_id(request.environ))
            except Exception as e:
                return _error(request, e)
            if isinstance(body, Answer):
                return http_util.Respond(
                    request,
                    body.body,
                    body.mime,
                    headers=list(body.headers),
                    content_encoding=body.encoding,
                )
            return http_util.Respond(request, body, mime, headers=list(headers))

        return serve

    return decorate


def _asker(request) -> tuple[str | None, Callable[[], bool]]:
    """(client, gone) of a request: who asks, and a test of whether it closed its connection
    (none under a server that does not hand out its socket)."""
    client = request.headers.get(CLIENT_HEADER) or request.remote_addr
    sock = request.environ.get("werkzeug.socket")
    return client, (layouts.connection_closed(sock) if sock is not None else layouts.never)


def _error(request, e: Exception):
    code, message, timeout = failure(e)
    if message is INTERNAL_ERROR:
        logger.exception("scopegraph: %s failed", request.full_path)
    body: dict[str, Any] = {"error": message}
    headers = e.headers if isinstance(e, tb_errors.PublicError) else None
    if timeout:
        body["timeout"] = True
    if isinstance(e, LayoutBusy):
        body["busy"] = True
        body["retry_after"] = e.retry_after
        headers = [("Retry-After", str(e.retry_after))]
    return http_util.Respond(request, body, JSON, code=code, headers=headers)
