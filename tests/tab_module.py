"""The tab's module as the plugin's `tab.js` route serves it: one statement that carries the
stylesheet and the `first` answer, then `bundle.js` (see `WarmUp.tab_module`), the tab, which
starts with what that statement carries (see index.js)."""

from __future__ import annotations

import json

PREFIX = b"const SCOPEGRAPH_INLINE = "


def split(body: bytes) -> tuple[dict, bytes]:
    """(what the module carries, the code after it); fails on any other shape."""
    head, newline, code = body.partition(b";\n")
    assert head.startswith(PREFIX) and newline, body[:200]
    return json.loads(head[len(PREFIX) :]), code


def join(inline: dict, code: bytes) -> bytes:
    """A module carrying `inline` before `code`, as the route writes it."""
    return PREFIX + json.dumps(inline).encode() + b";\n" + code
