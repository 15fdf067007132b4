"""Every route fuzzed over real HTTP: random, malformed, repeated, huge and unicode parameters.

The plugin runs inside TensorBoard's WSGI app behind a threaded werkzeug server (what
`tensorboard` serves with) on 127.0.0.1. Whatever is asked, the answer is 2xx or 4xx (503 only
for a layout past its time limit), every error is JSON, and the server keeps answering.
`static/` serves files of its folder and nothing else, however the path is spelled.
"""

from __future__ import annotations

import http.client
import json
import threading
import urllib.parse

import pytest
from graphs import (
    HOSTILE,
    ffn_graph,
    graph_from_nodes,
    hostile_graph,
    write_events,
    write_run_graph,
)
from harness import PREFIX, Api, multiplexer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tensorboard.backend import application
from tensorboard.compat.proto import event_pb2
from werkzeug.serving import make_server

from tb_scopegraph.service import search as name_search

ROUTES = (
    "graphs",
    "first",
    "hierarchy",
    "view",
    "dot",
    "svg",
    "png",
    "node",
    "search",
    "diff",
    "diff_view",
    "diff_node",
    "steps",
    "summaries",
    "trace",
)
JSON_ROUTES = (
    "graphs",
    "first",
    "hierarchy",
    "view",
    "node",
    "search",
    "diff_view",
    "diff_node",
    "steps",
    "summaries",
    "trace",
)
RUNS = ("ffn", "hostile", "garbage", "catastrophe")
# A name that `(a+)+$` backtracks on for hours in Python's re.
CATASTROPHE = "a" * 40 + "!"


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("fuzz")
    write_run_graph(logdir / "ffn", ffn_graph())
    write_run_graph(logdir / "hostile", hostile_graph())
    write_events(logdir / "garbage", [event_pb2.Event(step=0, graph_def=b"\x08\xff\xff\xff")])
    write_run_graph(logdir / "catastrophe", graph_from_nodes([(CATASTROPHE, "Const")]))
    return logdir


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """A static folder with a file, a subfolder, and symlinks that lead in and out of it."""
    base = tmp_path_factory.mktemp("static")
    root = base / "static"
    (root / "sub").mkdir(parents=True)
    (root / "index.js").write_text("export function render() {}\n")
    (root / "sub" / "style.css").write_text("body {}\n")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP-SECRET")
    (base / "secret.txt").write_text("TOP-SECRET")
    (root / "in.js").symlink_to(root / "index.js")
    (root / "out.txt").symlink_to(base / "secret.txt")
    (root / "outdir").symlink_to(outside, target_is_directory=True)
    (root / "indir").symlink_to(root / "sub", target_is_directory=True)
    return root


class Server:
    """The plugin in TensorBoard's WSGI app, served over HTTP on 127.0.0.1 in threads."""

    def __init__(self, logdir, static_root):
        provider = multiplexer(logdir)
        self.routes = Api(provider)
        self.routes.plugin.static_root = static_root
        app = application.TensorBoardWSGI([self.routes.plugin], data_provider=provider)
        self.httpd = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def request(self, target: str) -> tuple[int, str, bytes]:
        """GET `target` exactly as written (no normalising): (status, content type, body)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.httpd.server_port, timeout=60)
        try:
            connection.putrequest("GET", target, skip_accept_encoding=True)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, response.getheader("Content-Type", ""), response.read()
        finally:
            connection.close()

    def get(self, route: str, pairs) -> tuple[int, str, bytes]:
        return self.request(f"{PREFIX}/{route}?{urllib.parse.urlencode(pairs)}")

    def close(self):
        self.httpd.shutdown()
        self.thread.join()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server(logdir, static_root):
    s = Server(logdir, static_root)
    yield s
    s.close()


def check_answer(status: int, content_type: str, body: bytes, route: str) -> None:
    assert 200 <= status < 300 or 400 <= status < 500 or status == 503, (status, body[:300])
    if status >= 400:
        assert content_type == "application/json", (status, content_type, body[:300])
        error = json.loads(body)
        assert set(error) <= {"error", "timeout"} and error["error"]
        assert status != 503 or error["timeout"] is True
    elif route in JSON_ROUTES:
        json.loads(body)


def still_answers(server: Server) -> None:
    status, _, body = server.get("hierarchy", [("run", "ffn")])
    assert status == 200 and {c["name"] for c in json.loads(body)["children"]} >= {"layer1"}


# --- parameters ----------------------------------------------------------------------------

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
numbers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["", "0", "1", "-1", "1e3", "0x10", " 3", "٣", "9" * 5000, "nan", "inf"]),
)
names = st.one_of(st.sampled_from(HOSTILE[:-2] + ["layer1", "layer1/MatMul", "x", "^x"]), text)
values = {
    "run": st.one_of(st.sampled_from(RUNS), text),
    "kind": st.one_of(st.sampled_from(["run_graph", "op_graph", "keras_model", ""]), text),
    "tag": st.one_of(st.sampled_from(["__run_graph__", ""]), text),
    "open": names,
    "depth": numbers,
    "name": names,
    "kind_of": st.one_of(st.sampled_from(["op", "scope", "series", "chunk", "missing"]), text),
    "q": st.one_of(names, st.sampled_from(["(", "[a-", "(?P<x>", "a{99999999999}", ".*"])),
    "regex": st.one_of(st.sampled_from(["1", "0", "true", "off", ""]), text),
    "limit": numbers,
    "colour": st.one_of(st.sampled_from(["op", "device", "compute", "memory", "structure"]), text),
    "direction": st.one_of(st.sampled_from(["in", "out", "both"]), text),
    "control": st.one_of(st.sampled_from(["1", "0", ""]), text),
    "expand": st.one_of(st.sampled_from(["1", "0", ""]), text),
    "base_run": st.one_of(st.sampled_from(RUNS), text),
    "base_kind": st.one_of(st.sampled_from(["run_graph", "op_graph", ""]), text),
    "base_tag": st.one_of(st.sampled_from(["__run_graph__", ""]), text),
    "step": numbers,
    "base_step": numbers,
    "format": st.one_of(st.sampled_from(["svg", "dot", "png"]), text),
}
pairs = st.lists(
    st.one_of(
        st.sampled_from(sorted(values)).flatmap(lambda key: st.tuples(st.just(key), values[key])),
        st.tuples(text, text),  # parameters nobody asked for
    ),
    max_size=8,
)
# Mostly a real run first, so that the fuzzing reaches the graph, the view and the drawing.
queries = st.tuples(
    st.lists(st.sampled_from(RUNS).map(lambda run: ("run", run)), max_size=1), pairs
).map(lambda parts: parts[0] + parts[1])

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("route", ROUTES)
@FUZZ
@given(query=queries)
def test_every_route_answers_any_query_with_2xx_or_json_4xx(server, route, query):
    check_answer(*server.get(route, query), route)


@FUZZ
@given(raw=st.binary(max_size=200), route=st.sampled_from(ROUTES))
def test_raw_query_strings_of_any_bytes(server, raw, route):
    # Any bytes, percent-encoded where HTTP demands it, including %-escapes of invalid UTF-8.
    query = urllib.parse.quote(raw, safe="=&;+%")
    check_answer(*server.request(f"{PREFIX}/{route}?{query}"), route)


def test_the_server_still_answers_after_the_fuzzing(server):
    still_answers(server)
    status, _, body = server.get("svg", [("run", "hostile"), ("depth", "3")])
    assert status == 200 and body.startswith(b"<?xml")


@pytest.mark.parametrize(
    ("route", "query"),
    [
        ("svg", [("run", "ffn"), ("depth", "9" * 5000)]),
        ("svg", [("run", "ffn"), ("depth", str(10**18))]),
        ("view", [("run", "ffn")] + [("open", f"layer{i % 4}") for i in range(2000)]),
        ("view", [("run", "ffn"), ("open", "x" * 20_000)]),
        ("search", [("run", "ffn"), ("q", "layer" * 4_000)]),
        ("search", [("run", "ffn"), ("q", "(" * 2000 + ")" * 2000), ("regex", "1")]),
        ("search", [("run", "ffn"), ("q", "a{4294967295}"), ("regex", "1")]),
        ("search", [("run", "ffn"), ("q", "x"), ("limit", str(10**40))]),
        ("node", [("run", "ffn"), ("name", "n" * 20_000)]),
        ("hierarchy", [("run", "r" * 20_000)]),
        ("graphs", [("x", "y")] * 2000),
    ],
)
def test_huge_and_repeated_parameters(server, route, query):
    # HTTP servers refuse a request line over 64 KB themselves; everything here fits.
    status, content_type, body = server.get(route, query)
    check_answer(status, content_type, body, route)
    still_answers(server)


def test_a_runaway_regex_is_stopped_and_does_not_hold_the_server(server, monkeypatch):
    # How long the others wait meanwhile is measured by bench/bench_engine.py --limits.
    monkeypatch.setattr(name_search, "SECONDS", 2.0)
    answer = {}
    searching = threading.Event()
    search_impl = server.routes.plugin.search_impl

    def search_impl_begun(*args, **kwargs):
        searching.set()
        return search_impl(*args, **kwargs)

    monkeypatch.setattr(server.routes.plugin, "search_impl", search_impl_begun)

    def search():
        answer["reply"] = server.get(
            "search", [("run", "catastrophe"), ("q", "(a+)+$"), ("regex", "1")]
        )

    thread = threading.Thread(target=search)
    thread.start()
    assert searching.wait(30)
    for _ in range(5):  # answered while the pattern backtracks
        still_answers(server)
    assert thread.is_alive()
    thread.join(timeout=30)
    assert not thread.is_alive()  # stopped, not left to backtrack
    status, content_type, body = answer["reply"]
    assert status == 400 and content_type == "application/json"
    assert "ran past 2 s" in json.loads(body)["error"]
    status, _, body = server.get("search", [("run", "catastrophe"), ("q", "^a+!$"), ("regex", "1")])
    assert status == 200 and [f["name"] for f in json.loads(body)] == [CATASTROPHE]


# --- static files --------------------------------------------------------------------------

SEGMENTS = [
    "..",
    ".",
    "",
    "%2e%2e",
    "%2E%2E",
    "%252e%252e",
    ".%2e",
    "..%2f",
    "%2f",
    "%5c",
    "\\",
    "..\\..",
    "%00",
    "%c0%ae%c0%ae",  # overlong UTF-8 for ".."
    "~",
    "etc",
    "passwd",
    "secret.txt",
    "outside",
    "outdir",
    "indir",
    "out.txt",
    "in.js",
    "index.js",
    "sub",
    "style.css",
    "static",
    "%2fetc%2fpasswd",
    "C:",
    "file:",
]


def check_static(status: int, content_type: str, body: bytes, root) -> None:
    assert b"TOP-SECRET" not in body and b"root:" not in body
    if status == 200:
        inside = {
            p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and p.resolve().is_relative_to(root)
        }
        assert body in inside
    else:
        assert status == 404, (status, body[:200])
        # The plugin's 404 is JSON; a path that reaches no route gets TensorBoard's own.
        assert content_type == "application/json" or body == b"Not found", body[:200]


@settings(max_examples=300, deadline=None)
@given(path=st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=6).map("/".join))
def test_static_serves_only_files_inside_its_folder(server, static_root, path):
    check_static(*server.request(f"{PREFIX}/static/{path}"), static_root)


@pytest.mark.parametrize(
    "path",
    [
        "../../../../../../etc/passwd",
        "..%2f..%2f..%2fetc%2fpasswd",
        "%2e%2e/%2e%2e/secret.txt",
        "/etc/passwd",
        "//etc/passwd",
        "sub/../../secret.txt",
        "outdir/secret.txt",
        "out.txt",
        "indir/../../secret.txt",
        "index.js/../../secret.txt",
        "index.js%2f..%2f..%2fsecret.txt",
    ],
)
def test_static_refuses_traversal_sent_raw(server, static_root, path):
    status, content_type, body = server.request(f"{PREFIX}/static/{path}")
    assert status == 404, (path, status)
    check_static(status, content_type, body, static_root)


def test_static_follows_symlinks_that_stay_inside(server):
    for path in ("in.js", "indir/style.css", "sub/style.css", "index.js"):
        status, _, body = server.request(f"{PREFIX}/static/{path}")
        assert status == 200 and body in (b"export function render() {}\n", b"body {}\n"), path
