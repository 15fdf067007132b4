"""What the tests share: TensorBoard's data providers over a logdir, the plugin inside
TensorBoard's own WSGI app, waiting on a condition, and checks of drawings and CLI output.

The data providers are TensorBoard's two, built as TensorBoard builds them: the event
multiplexer (`--load_fast=false`, built as `graphs_plugin_test.py`'s `load_plugin()` does) and
the Rust data server (`--load_fast=true`, started as `tensorboard` starts it). Graph builders
live in graphs.py (protos) and tf_graphs.py (written by TensorFlow); the browser's side in
e2e/tbharness.py.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pygraphviz
from tensorboard import context as tb_context
from tensorboard.backend import application
from tensorboard.backend.event_processing import data_provider as mux_provider
from tensorboard.backend.event_processing import plugin_event_multiplexer
from tensorboard.plugins import base_plugin
from werkzeug.test import Client

from tb_scopegraph import caching, cli, plugin

PREFIX = "/data/plugin/scopegraph"
SVG = "{http://www.w3.org/2000/svg}"

# --- TensorBoard's data providers ----------------------------------------------------------


class Multiplexer:
    """TensorBoard's `--load_fast=false` provider over `logdir`, read once; `reload()` rereads."""

    def __init__(self, logdir):
        self.multiplexer = plugin_event_multiplexer.EventMultiplexer()
        self.multiplexer.AddRunsFromDirectory(str(logdir))
        self.multiplexer.Reload()
        self.provider = mux_provider.MultiplexerDataProvider(self.multiplexer, str(logdir))

    def reload(self) -> None:
        self.multiplexer.Reload()

    def close(self) -> None:
        pass


class DataServer:
    """TensorBoard's `--load_fast=true` provider: its Rust data server over `logdir`, started
    as `tensorboard` starts it. It rereads the logdir itself every `reload_interval` seconds
    (0: once)."""

    def __init__(self, logdir, reload_interval: int = 0):
        from tensorboard.data import server_ingester
        from tensorboard.util import grpc_util

        self._ingester = server_ingester.SubprocessServerDataIngester(
            server_ingester.get_server_binary(),
            str(logdir),
            reload_interval=reload_interval,
            channel_creds_type=grpc_util.ChannelCredsType.LOCAL,
        )
        self._ingester.start()
        self.provider = self._ingester.data_provider

    def reload(self) -> None:
        pass  # the server rereads on its own, every `reload_interval` seconds

    def close(self) -> None:
        # Started with --die-after-stdin: closing its stdin ends the server. The ingester has
        # no public way to stop it.
        self._ingester._stdin_handle.close()  # noqa: SLF001


PROVIDERS = ("multiplexer", "data_server")
"""The two providers, by the names `start` takes (and tests parametrize over)."""


def start(kind: str, logdir, **kwargs) -> Multiplexer | DataServer:
    """TensorBoard's provider of `kind` (one of PROVIDERS) over `logdir`; `close()` it after."""
    return Multiplexer(logdir) if kind == "multiplexer" else DataServer(logdir, **kwargs)


def multiplexer(logdir) -> mux_provider.MultiplexerDataProvider:
    """TensorBoard's `--load_fast=false` data provider over `logdir`, read once."""
    return Multiplexer(logdir).provider


@contextlib.contextmanager
def data_server(logdir, reload_interval: int = 0) -> Iterator[Any]:
    """TensorBoard's `--load_fast=true` data provider over `logdir`, stopped afterwards."""
    server = DataServer(logdir, reload_interval=reload_interval)
    try:
        yield server.provider
    finally:
        server.close()


def runs_with_graphs(provider) -> set[str]:
    """The runs the provider lists with a graph (the data server reads the logdir on its own:
    wait on this before asking for a run)."""
    ctx = tb_context.RequestContext()
    return set(provider.list_blob_sequences(ctx, experiment_id="", plugin_name="graphs"))


# --- waiting -------------------------------------------------------------------------------


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = 30.0):
    """The first true value of `predicate()`, asked every 0.1 s; fails after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def parked(thread: threading.Thread) -> bool:
    """Whether `thread` is waiting on something (an Event, a Condition, a Future), not running:
    its innermost Python frame is in `threading` or `concurrent.futures`."""
    frame = sys._current_frames().get(thread.ident)
    if frame is None:
        return False
    where = Path(frame.f_code.co_filename)
    return where.name == "threading.py" or where.parent.match("concurrent/futures")


# --- the plugin in TensorBoard's WSGI app --------------------------------------------------


class CountingProvider:
    """A data provider that counts the calls made to it."""

    def __init__(self, inner):
        self._inner = inner
        self.calls: Counter[str] = Counter()
        self.threads: list[str] = []  # the thread of each call, by name

    def __getattr__(self, name):
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def counted(*args, **kwargs):
            self.calls[name] += 1
            self.threads.append(threading.current_thread().name)
            return attr(*args, **kwargs)

        return counted


#: The plugin's short-lived lookups (see caching.Lookups), on its service.
LOOKUP_CACHES = ("summary_tags", "summary_reads", "listings", "blobs")


class Api:
    """The plugin inside TensorBoard's own WSGI app, as `tensorboard --logdir` serves it; the
    provider it reads counts its calls (`api.provider.calls`)."""

    def __init__(self, provider, logdir: str = "", prepare_first_view: bool = False):
        # Nothing drawn ahead in the background unless a test asks: each test sees the
        # requests it makes, and its monkeypatches, alone.
        self.provider = CountingProvider(provider)
        context = base_plugin.TBContext(data_provider=self.provider, logdir=logdir)
        self.plugin = plugin.ScopeGraphPlugin(context, prepare_first_view=prepare_first_view)
        app = application.TensorBoardWSGI([self.plugin], data_provider=self.provider)
        self.client = Client(app)

    def get(self, route: str, **params):
        return self.client.get(f"{PREFIX}/{route}", query_string=params)

    def ok(self, route: str, **params):
        response = self.get(route, **params)
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        return response

    def json(self, route: str, **params):
        response = self.ok(route, **params)
        assert response.mimetype == "application/json"
        return response.get_json()

    def error(self, code: int, route: str, **params) -> str:
        """The error text of a JSON error answer with status `code`."""
        response = self.get(route, **params)
        assert response.status_code == code, response.get_data(as_text=True)[:2000]
        return json_error(response)

    def clock_lookups(self, now: list[float], names=LOOKUP_CACHES) -> None:
        """The plugin's lookup caches `names`, as they are but read the time from `now[0]`."""
        service = self.plugin.service
        for name in names:
            old = getattr(service, name)
            cache = caching.Lookups(
                old.ttl, lambda: now[0], stale=old.stale, refresh=service.refresh
            )
            setattr(service, name, cache)

    def settle_lookups(self, timeout: float = 10) -> None:
        """Waits for the lookups the plugin is making again in the background."""
        for name in LOOKUP_CACHES:
            getattr(self.plugin.service, name).settle(timeout)


def json_error(response) -> str:
    """The error text of a JSON error answer: one message, never a traceback."""
    assert response.mimetype == "application/json", response.mimetype
    body = json.loads(response.get_data())
    assert set(body) <= {"error", "timeout"} and body["error"], body
    assert "Traceback" not in body["error"]
    return body["error"]


# --- drawings and command-line output ------------------------------------------------------


def drawn_label_px(dot: str) -> float:
    """How tall (CSS px) the labels of ``dot``, laid out by Graphviz as the tab lays it out,
    show where the tab shows it whole in the 1,400 x 900 window's drawing area."""
    from tb_scopegraph.drawing import proportions
    from tb_scopegraph.drawing.render import PRESETS
    from tb_scopegraph.model import views

    graph = pygraphviz.AGraph(string=dot)
    graph.graph_attr.update(dict(PRESETS[0].graph_attrs))
    graph.layout(prog="dot")
    _, _, w, h = map(float, graph.graph_attr["bb"].split(","))
    return proportions.scale((w, h), views.WINDOW_WIDTH, views.WINDOW_HEIGHT) * views.LABEL_PT


def svg_problems(svg: bytes) -> list[str]:
    """Anything in a drawing that a browser could run or load: [] for a safe one."""
    root = ET.fromstring(svg)
    problems = []
    for el in root.iter():
        tag = el.tag.rpartition("}")[2].lower()
        if tag in ("script", "foreignobject", "iframe", "object", "embed", "style", "image"):
            problems.append(f"<{tag}>")
        for attr, value in el.attrib.items():
            local = attr.rpartition("}")[2].lower()
            if local.startswith("on"):
                problems.append(f"{local}= on <{tag}>")
            if local == "href" and not value.startswith("#"):
                problems.append(f"href={value[:40]!r}")
    return problems


def svg_ids(svg: bytes, cls: str) -> set[str]:
    """The ids of the SVG's groups of class `cls` (node, cluster, missing…)."""
    root = ET.fromstring(svg)
    return {g.get("id") for g in root.iter(f"{SVG}g") if cls in g.get("class", "").split()}


def dot_node_ids(text: str) -> set[str]:
    return set(pygraphviz.AGraph(string=text).nodes())


def plain(text: str) -> bool:
    """Whether CLI output holds no control character but newlines (no terminal escapes)."""
    return not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202e]", text)


def run_cli(argv, capsys) -> tuple[int, str, str]:
    """`tb-scopegraph ARGV` in-process: (exit status, stdout, stderr)."""
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err
