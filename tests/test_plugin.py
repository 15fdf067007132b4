"""The TensorBoard plugin's routes, through TensorBoard's own WSGI app and data providers.

Logdirs are written here with TensorFlow (a TF1 FileWriter graph and a TF2 `tf.summary.graph`
of the same scoped feed-forward net) and read back by both of TensorBoard's data providers:
the event multiplexer (`--load_fast=false`) and the Rust data server (`--load_fast=true`).
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import graphs
import pytest
import tab_module
from harness import (
    PROVIDERS,
    Api,
    CountingProvider,
    Multiplexer,
    parked,
    runs_with_graphs,
    start,
    svg_ids,
    wait_for,
)
from tensorboard import context as tb_context
from tensorboard import errors as tb_errors
from tensorboard.backend import application
from tensorboard.compat.proto import event_pb2
from tensorboard.plugins import base_plugin
from tensorboard.summary.writer.event_file_writer import EventFileWriter
from werkzeug.test import Client

from tb_scopegraph import caching, plugin
from tb_scopegraph.drawing import dot, dottext, render
from tb_scopegraph.errors import LayoutBusy, RenderTimeout
from tb_scopegraph.model import rolls
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.plugin import warmup
from tb_scopegraph.reading.formats import FORMATS, PLUGIN_NAMES
from tb_scopegraph.service import graphs as service_graphs
from tb_scopegraph.service.query import ViewQuery

SIZES = (784, 128, 64, 10)
PREFIX = "/data/plugin/scopegraph"
SVG_NS = "{http://www.w3.org/2000/svg}"


# --- logdirs -------------------------------------------------------------------------------


def _write_tf1_run(run_dir: str) -> None:
    """A TF1 graph-mode net under `model/dense_N` variable scopes, written by FileWriter."""
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        h = tf.compat.v1.placeholder(tf.float32, [None, SIZES[0]], name="x")
        with tf.compat.v1.variable_scope("model"):
            for i in range(3):
                with tf.compat.v1.variable_scope(f"dense_{i + 1}"):
                    w = tf.compat.v1.get_variable("kernel", [SIZES[i], SIZES[i + 1]])
                    b = tf.compat.v1.get_variable(
                        "bias", [SIZES[i + 1]], initializer=tf.compat.v1.zeros_initializer()
                    )
                    h = tf.matmul(h, w) + b
                    if i < 2:
                        h = tf.nn.relu(h)
        tf.identity(h, name="logits")
        writer = tf.compat.v1.summary.FileWriter(run_dir, graph=graph)
        writer.close()


def _write_tf2_run(run_dir: str) -> None:
    """The same net as a traced tf.function, written by `tf.summary.graph`."""
    import tensorflow as tf

    class Dense(tf.Module):
        def __init__(self, n_in: int, n_out: int, name: str):
            super().__init__(name=name)
            self.kernel = tf.Variable(tf.zeros([n_in, n_out]), name="kernel")
            self.bias = tf.Variable(tf.zeros([n_out]), name="bias")

        def __call__(self, x):
            with tf.name_scope(self.name):
                return tf.matmul(x, self.kernel) + self.bias

    layers = [Dense(SIZES[i], SIZES[i + 1], f"dense_{i + 1}") for i in range(3)]

    @tf.function
    def model(x):
        with tf.name_scope("model"):
            for i, layer in enumerate(layers):
                x = layer(x)
                if i < 2:
                    x = tf.nn.relu(x)
        return x

    traced = model.get_concrete_function(tf.TensorSpec([None, SIZES[0]], tf.float32))
    writer = tf.summary.create_file_writer(run_dir)
    with writer.as_default():
        tf.summary.graph(traced.graph)
        # A run with graphs may hold other data too.
        tf.summary.scalar("loss", 0.5, step=0)
    writer.close()


def _write_scalars_run(run_dir: str) -> None:
    import tensorflow as tf

    writer = tf.summary.create_file_writer(run_dir)
    with writer.as_default():
        tf.summary.scalar("loss", 0.25, step=1)
    writer.close()


@pytest.fixture(scope="session")
def tf_logdir(tmp_path_factory) -> str:
    pytest.importorskip("tensorflow")
    logdir = tmp_path_factory.mktemp("tf_logdir")
    _write_tf1_run(str(logdir / "tf1"))
    _write_tf2_run(str(logdir / "tf2"))
    _write_scalars_run(str(logdir / "scalars_only"))
    return str(logdir)


@pytest.fixture(scope="session")
def scalars_logdir(tmp_path_factory) -> str:
    pytest.importorskip("tensorflow")
    logdir = tmp_path_factory.mktemp("scalars_logdir")
    _write_scalars_run(str(logdir / "train"))
    return str(logdir)


# --- data providers ------------------------------------------------------------------------


@pytest.fixture(scope="module", params=PROVIDERS)
def provider(request, tf_logdir):
    source = start(request.param, tf_logdir)
    wait_for(lambda: runs_with_graphs(source.provider) == {"tf1", "tf2"}, "both graph runs")
    yield source.provider
    source.close()


@pytest.fixture
def api(provider) -> Api:
    return Api(provider)


# --- TensorBoard integration ---------------------------------------------------------------


def test_plugin_metadata():
    p = plugin.ScopeGraphPlugin(base_plugin.TBContext())
    assert p.plugin_name == "scopegraph"
    assert set(p.data_plugin_names()) == {
        "graphs",
        "graph_run_metadata",
        "graph_run_metadata_graph",
        "graph_keras_model",
        "graph_tagged_run_metadata",
    }
    meta = p.frontend_metadata()
    assert meta.es_module_path == "/tab.js"
    assert meta.tab_name == "Scope Graph"
    assert "/static/*" in p.get_plugin_apps()


def test_tab_is_listed_exactly_when_the_logdir_has_graphs(provider, scalars_logdir):
    listing = Api(provider).client.get("/data/plugins_listing").get_json()
    assert listing["scopegraph"]["enabled"] is True
    assert listing["scopegraph"]["tab_name"] == "Scope Graph"

    source = Multiplexer(scalars_logdir)
    listing = Api(source.provider).client.get("/data/plugins_listing").get_json()
    assert listing["scopegraph"]["enabled"] is False


def test_tab_is_enabled_by_every_plugin_a_graph_can_be_stored_under():
    assert set(PLUGIN_NAMES) <= set(plugin.ScopeGraphPlugin.data_plugin_names(None))


def test_routes_work_under_a_path_prefix_and_an_experiment(provider):
    api = Api(provider)
    app = application.TensorBoardWSGI([api.plugin], path_prefix="/tb", data_provider=provider)
    client = Client(app)
    response = client.get(
        "/tb/experiment/x/data/plugin/scopegraph/hierarchy", query_string={"run": "tf1"}
    )
    assert response.status_code == 200
    assert client.get("/tb/data/plugin/scopegraph/static/../plugin.py").status_code == 404


def test_plugin_entry_page_loads_the_module(api):
    page = api.client.get("/data/plugin_entry.html?name=scopegraph").get_data(as_text=True)
    assert "./tab.js" in page


# --- routes --------------------------------------------------------------------------------


def test_graphs_lists_every_graph_and_no_other_run(api):
    listed = api.json("graphs")
    assert [(g["run"], g["kind"]) for g in listed] == [("tf1", "run_graph"), ("tf2", "run_graph")]
    assert all(set(g) == {"run", "kind", "tag", "op_count"} for g in listed)


def test_graphs_reports_op_counts_of_graphs_it_has_read(api):
    tree = api.json("hierarchy", run="tf1")
    counts = {g["run"]: g["op_count"] for g in api.json("graphs")}
    assert counts["tf1"] == tree["op_count"] > 50


def test_graphs_impl(api):
    ctx = tb_context.RequestContext()
    assert {g["run"] for g in api.plugin.graphs_impl(ctx, "")} == {"tf1", "tf2"}


@pytest.mark.parametrize("run", ["tf1", "tf2"])
def test_hierarchy_shows_the_layer_scopes(api, run):
    tree = api.json("hierarchy", run=run, kind="run_graph", tag="__run_graph__")
    assert tree["kind"] == "root"
    (model,) = [c for c in tree["children"] if c["name"] == "model"]
    assert model["kind"] == "scope"
    layers = {c["name"] for c in model["children"]}
    assert {"model/dense_1", "model/dense_2", "model/dense_3"} <= layers
    assert all(c["op_count"] > 0 and "child_count" in c for c in model["children"])


def test_kind_and_tag_may_be_left_out_when_the_run_has_one_graph(api):
    assert api.json("hierarchy", run="tf1") == api.json(
        "hierarchy", run="tf1", kind="run_graph", tag="__run_graph__"
    )


def test_view_resolves_the_default_and_asked_views(api):
    default = api.json("view", run="tf1")
    assert "model" in default["open"] and default["boxes"] > 0
    closed = api.json("view", run="tf1", depth="0")
    assert closed["open"] == []
    opened = api.json("view", run="tf1", open=["model", "model/dense_2"])
    assert {"model", "model/dense_2"} <= set(opened["open"])
    assert opened["boxes"] > closed["boxes"]


def test_view_and_first_answers_say_which_colourings_have_data(api):
    # The graphs written here name no device and come with no profile: the tab's colour
    # picker learns it from these answers, not by drawing the graph in each colouring.
    assert api.json("view", run="tf1", depth="0")["colourings"] == ["op", "structure"]
    assert api.json("view", run="tf2")["colourings"] == ["op", "structure"]
    assert api.json("first")["view"]["colourings"] == ["op", "structure"]


@pytest.mark.parametrize("run", ["tf1", "tf2"])
def test_dot_holds_the_layer_scopes(api, run):
    response = api.get("dot", run=run, open="model")
    assert response.status_code == 200
    assert response.mimetype == "text/vnd.graphviz"
    text = response.get_data(as_text=True)
    assert text.lstrip().startswith(("digraph", "strict digraph"))
    for layer in ("model/dense_1", "model/dense_2", "model/dense_3"):
        assert dottext.element_id("scope", layer) in text


def test_dot_impl_matches_the_route(api):
    ctx = tb_context.RequestContext()
    text = api.plugin.dot_impl(ctx, "", ViewQuery("tf1", open=("model",)))
    assert text == api.get("dot", run="tf1", open="model").get_data(as_text=True)


def test_svg_parses_and_names_every_box(api):
    response = api.get("svg", run="tf1", open="model")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    nodes = svg_ids(response.data, "node")
    assert {dottext.element_id("scope", f"model/dense_{i}") for i in (1, 2, 3)} <= nodes
    assert dottext.element_id("op", "x") in nodes
    assert dottext.element_id("scope", "model") in {
        i.removeprefix("cluster-") for i in svg_ids(response.data, "cluster")
    }


def test_opening_a_scope_adds_its_ops(api):
    closed = svg_ids(api.get("svg", run="tf1", open="model").data, "node")
    opened = svg_ids(api.get("svg", run="tf1", open=["model", "model/dense_1"]).data, "node")
    matmul = dottext.element_id("op", "model/dense_1/MatMul")
    assert matmul not in closed and matmul in opened


def test_png(api):
    response = api.get("png", run="tf1", depth="1")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG\r\n\x1a\n")


def test_node_details_of_an_op(api):
    details = api.json("node", run="tf1", name="model/dense_1/MatMul")
    assert details["kind"] == "op"
    assert details["op"] == "MatMul"
    assert [i["shape"] for i in details["inputs"]] == ["[?,784]", "[784,128]"]
    assert details["inputs"][0]["name"] == "x"
    assert details["inputs"][0]["dtype"] == "float"
    assert details["outputs"][0]["shape"] == "[?,128]"
    assert "model/dense_1/add" in details["outputs"][0]["consumers"]
    assert "transpose_a" in details["attrs"]


def test_node_details_of_a_scope(api):
    details = api.json("node", run="tf1", name="model/dense_1", kind_of="scope")
    assert details["kind"] == "scope"
    assert details["op_types"]["MatMul"] == 1
    assert details["op_types"]["VarHandleOp"] == 2
    assert details["parameters"] == SIZES[0] * SIZES[1] + SIZES[1]
    assert details["op_count"] == sum(details["op_types"].values())


def test_node_impl(api):
    ctx = tb_context.RequestContext()
    details = api.plugin.node_impl(ctx, "", "tf2", name="model/dense_2/MatMul")
    assert details["op"] == "MatMul"
    assert details["outputs"][0]["shape"] == "[?,64]"


def test_search_finds_and_reveals_a_hidden_node(api):
    found = api.json("search", run="tf1", q="dense_2/matmul")
    # TF names ops under an op's name (`MatMul/ReadVariableOp`): a scope of the same name.
    hit = next(f for f in found if f["name"] == "model/dense_2/MatMul" and f["kind"] == "op")
    assert hit["op"] == "MatMul"
    assert set(hit["reveal"]) == {"model", "model/dense_2"}
    shown = svg_ids(api.get("svg", run="tf1", open=hit["reveal"]).data, "node")
    assert dottext.element_id("op", "model/dense_2/MatMul") in shown


def test_search_by_regex(api):
    found = api.json("search", run="tf1", q=r"dense_[13]/MatMul$", regex="1")
    assert {f["name"] for f in found} == {"model/dense_1/MatMul", "model/dense_3/MatMul"}
    assert len(api.json("search", run="tf1", q="ReadVariableOp", limit="2")) == 2


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "route", "params", "says"),
    [
        (400, "hierarchy", {}, "run"),
        (400, "svg", {"kind": "run_graph"}, "run"),
        (404, "hierarchy", {"run": "nope"}, "nope"),
        (404, "hierarchy", {"run": "scalars_only"}, "scalars_only"),
        (404, "dot", {"run": "tf1", "kind": "keras_model"}, "keras_model"),
        (404, "dot", {"run": "tf1", "tag": "other"}, "other"),
        (400, "dot", {"run": "tf1", "depth": "two"}, "depth"),
        (400, "svg", {"run": "tf1", "depth": "-1"}, "depth"),
        (404, "svg", {"run": "tf1", "open": "no/such/scope"}, "no/such/scope"),
        (404, "view", {"run": "tf1", "open": "model/dense_9"}, "model/dense_9"),
        (400, "node", {"run": "tf1"}, "name"),
        (404, "node", {"run": "tf1", "name": "model/nothing"}, "model/nothing"),
        (404, "node", {"run": "tf1", "name": "model/dense_1", "kind_of": "op"}, "dense_1"),
        (400, "node", {"run": "tf1", "name": "x", "kind_of": "tensor"}, "kind_of"),
        (400, "search", {"run": "tf1"}, '"q"'),
        (400, "search", {"run": "tf1", "q": "(unclosed", "regex": "1"}, "regular expression"),
        (400, "search", {"run": "tf1", "q": "x", "regex": "maybe"}, "regex"),
        (400, "search", {"run": "tf1", "q": "x", "limit": "0"}, "limit"),
    ],
)
def test_bad_requests_answer_json_errors(api, code, route, params, says):
    assert says in api.error(code, route, **params)


def test_impl_raises_what_the_route_reports(api):
    ctx = tb_context.RequestContext()
    with pytest.raises(tb_errors.NotFoundError):
        api.plugin.hierarchy_impl(ctx, "", "nope")
    with pytest.raises(tb_errors.InvalidArgumentError):
        api.plugin.hierarchy_impl(ctx, "", None)


def test_render_timeout_answers_503_with_advice(api, monkeypatch):
    def too_slow(text, fmt="svg", timeout=None):
        raise RenderTimeout("the layout took too long; close model/dense_1")

    monkeypatch.setattr(render, "render", too_slow)
    response = api.get("svg", run="tf1", open="model")
    assert response.status_code == 503
    assert response.get_json() == {
        "error": "the layout took too long; close model/dense_1",
        "timeout": True,
    }


def test_first_is_the_listing_and_the_first_graphs_default_view(api):
    first = api.json("first")
    names = [(g["run"], g["kind"], g["tag"]) for g in first["graphs"]]
    assert names == [(g["run"], g["kind"], g["tag"]) for g in api.json("graphs")]
    listed = first["graphs"][0]
    view = first["view"]
    assert {k: view[k] for k in ("run", "kind", "tag")} == {
        k: listed[k] for k in ("run", "kind", "tag")
    }
    svg = api.get("svg", run=listed["run"], kind=listed["kind"], tag=listed["tag"])
    assert svg.status_code == 200 and view["svg"] == svg.get_data(as_text=True)


def test_first_carries_the_first_views_error_and_still_lists(api, monkeypatch):
    def too_slow(text, fmt="svg", timeout=None):
        raise RenderTimeout("the layout took too long; close model")

    monkeypatch.setattr(render, "render", too_slow)
    first = api.json("first")
    assert len(first["graphs"]) == 2
    assert first["view"]["status"] == 503 and first["view"]["timeout"] is True
    assert first["view"]["error"].startswith("the layout took too long")
    assert "svg" not in first["view"]


def test_first_says_when_to_ask_again_for_a_view_the_queue_was_full_for(api, monkeypatch):
    def full(text, fmt="svg", timeout=None):
        raise LayoutBusy("64 drawings are waiting for the 2 layout workers; try again in 7 s", 7)

    monkeypatch.setattr(render, "render", full)
    view = api.json("first")["view"]
    assert view["status"] == 503 and view["timeout"] is False
    assert view["retry_after"] == 7


def test_first_hides_a_bug_in_the_first_view_as_routes_do(api, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ValueError("secret internals")

    monkeypatch.setattr(dot, "to_dot", broken)
    first = api.json("first")
    assert first["view"]["status"] == 500 and first["view"]["error"] == "internal error"
    assert "secret internals" in caplog.text and "secret" not in json.dumps(first)


def test_first_does_not_hold_the_listing_for_a_slow_drawing(api, monkeypatch):
    release = threading.Event()
    drawn = []
    real = render.render

    def slow(text, fmt="svg", timeout=None):
        release.wait(10)
        drawn.append(real(text, fmt, timeout))
        return drawn[-1]

    monkeypatch.setattr(warmup, "FIRST_VIEW_WAIT_SECONDS", 0.2)
    monkeypatch.setattr(render, "render", slow)
    first = api.json("first")
    assert first["view"] is None and len(first["graphs"]) == 2
    assert drawn == []  # answered while the drawing was still held
    release.set()


def test_the_first_view_is_drawn_ahead_as_the_plugin_starts(provider, monkeypatch):
    monkeypatch.setattr(warmup, "STEADY_SECONDS", 0.4)  # the listing does not change here
    api = Api(provider, prepare_first_view=True)
    watcher = api.plugin.warmup.watcher
    watcher.join(60)
    assert not watcher.is_alive()  # drawn once, and done
    reads = api.provider.calls["read_blob"]

    def no_new_drawing(*args, **kwargs):
        raise AssertionError("the first view was not drawn ahead")

    monkeypatch.setattr(dot, "to_dot", no_new_drawing)
    # TensorBoard lists its tabs as its page loads and reloads: that starts nothing.
    listing = api.client.get("/data/plugins_listing").get_json()
    assert listing["scopegraph"]["enabled"] is True
    assert api.provider.calls["read_blob"] == reads
    first = api.json("first")
    assert first["view"]["svg"].startswith("<?xml"), first["view"]
    inline, _ = _tab_module(api)
    assert inline["first"]["view"]["svg"] == first["view"]["svg"]
    for fact in ("warnings", "colourings"):
        assert inline["first"]["view"][fact] == first["view"][fact]
    assert api.provider.calls["read_blob"] == reads


def test_drawing_ahead_waits_for_a_graph_and_keeps_its_failures_to_itself(
    provider, tmp_path, monkeypatch, caplog
):
    assert plugin.ScopeGraphPlugin(base_plugin.TBContext()).warmup.watcher is None
    empty = Multiplexer(str(tmp_path))
    waiting = Api(empty.provider, prepare_first_view=True)
    try:
        # Nothing there to draw: it looks again (once the listing is older than the few
        # seconds it is trusted), and goes on waiting.
        look = sum(len(f.plugin_names) for f in FORMATS.values())  # provider calls per look
        calls = waiting.provider.calls
        wait_for(lambda: calls["list_blob_sequences"] >= 2 * look, "a second look")
        assert waiting.plugin.warmup.watcher.is_alive()
        assert waiting.plugin.warmup.run() is False
    finally:
        waiting.plugin.warmup.stop()
        waiting.plugin.warmup.watcher.join(60)
        empty.close()

    tried = []

    def broken(*args, **kwargs):
        tried.append(args)
        raise ValueError("secret internals")

    monkeypatch.setattr(dot, "to_dot", broken)
    caplog.set_level(logging.DEBUG, logger=warmup.logger.name)
    monkeypatch.setattr(warmup, "STEADY_SECONDS", 0.4)
    api = Api(provider, prepare_first_view=True)
    api.plugin.warmup.watcher.join(60)
    # Tried, and said nothing: the tab asks for the view and reports what went wrong.
    assert len(tried) == 1 and "drawing the first view ahead failed" in caplog.text
    inline, _ = _tab_module(api)
    assert inline["first"]["view"] is None and inline["first"]["graphs"]
    # The same graph is not tried again (a layout that runs out of time would take a layout
    # worker each time).
    assert api.plugin.warmup.run() is True
    assert len(tried) == 1
    first = api.json("first")
    assert first["view"]["status"] == 500 and first["view"]["error"] == "internal error"


def _first_hierarchy(api):
    first = api.json("graphs")[0]
    ctx = tb_context.RequestContext()
    return api.plugin.service.hierarchy(ctx, "", first["run"], first["kind"], first["tag"])[1]


def test_the_graph_drawn_ahead_is_readied_for_search_before_it_is_searched(api, monkeypatch):
    # Read by the warm-up, readied by the service's own thread: no search waits for it.
    monkeypatch.setattr(service_graphs, "PREPARE_MIN_OPS", 1)  # as if it were big
    assert api.plugin.warmup.run() is True
    model = _first_hierarchy(api).graph
    wait_for(model.has_name_index, "the name index made after the warm-up read the graph")
    wait_for(lambda: model.nodes.blocks is not None, "the NodeDefs compressed")
    assert model.nodes.data == b""


def test_a_graph_read_is_readied_in_the_background(api, monkeypatch):
    # Not drawn ahead: read for a request, readied after it by the service's own thread.
    monkeypatch.setattr(service_graphs, "PREPARE_MIN_OPS", 1)  # as if it were big
    listed = api.json("graphs")[-1]
    assert (
        api.get("svg", run=listed["run"], kind=listed["kind"], tag=listed["tag"]).status_code == 200
    )
    ctx = tb_context.RequestContext()
    args = (listed["run"], listed["kind"], listed["tag"])
    model = api.plugin.service.hierarchy(ctx, "", *args)[1].graph
    wait_for(model.has_name_index, "the name index made in the background")
    wait_for(lambda: model.nodes.blocks is not None, "the NodeDefs compressed")
    hits = api.json("search", run=listed["run"], kind=listed["kind"], tag=listed["tag"], q="a")
    assert hits and all("a" in hit["name"].lower() for hit in hits)


def test_a_graph_readied_knows_which_series_roll_before_a_search_asks(monkeypatch):
    hierarchy = Hierarchy(graphs.series_graph(6))
    service_graphs.tell_rolls(hierarchy)
    told = []
    identical = rolls.Rolls._identical
    monkeypatch.setattr(
        rolls.Rolls, "_identical", lambda self, gid: told.append(gid) or identical(self, gid)
    )
    # Each block found is a member of a series: whether that is rolled was told already.
    hits = [h for h in hierarchy.search("layer_") if h["kind"] == "scope"]
    assert [h["reveal"] for h in hits] == [["layer_[0-5]"]] * 6
    assert told == []


def test_a_small_graph_is_not_readied_ahead(api):
    listed = api.json("graphs")[-1]
    assert (
        api.get("svg", run=listed["run"], kind=listed["kind"], tag=listed["tag"]).status_code == 200
    )
    ctx = tb_context.RequestContext()
    args = (listed["run"], listed["kind"], listed["tag"])
    model = api.plugin.service.hierarchy(ctx, "", *args)[1].graph
    assert model.op_count < service_graphs.PREPARE_MIN_OPS
    assert not model.has_name_index() and model.nodes.blocks is None


def test_drawing_ahead_looks_again_while_the_provider_cannot_list(provider, monkeypatch):
    real = provider.list_blob_sequences
    failures = []

    def not_up_yet(*args, **kwargs):
        if len(failures) < 2:
            failures.append(args)
            raise OSError("the data server is not up yet")
        return real(*args, **kwargs)

    monkeypatch.setattr(provider, "list_blob_sequences", not_up_yet)
    monkeypatch.setattr(warmup, "STEADY_SECONDS", 0.4)
    api = Api(provider, prepare_first_view=True)
    watcher = api.plugin.warmup.watcher
    watcher.join(60)
    assert not watcher.is_alive() and len(failures) == 2
    inline, _ = _tab_module(api)
    assert inline["first"]["view"]["svg"].startswith("<?xml")


def test_drawing_ahead_follows_the_first_graph_while_the_logdir_is_read(provider, monkeypatch):
    real = service_graphs.GraphService.listing
    looks = []

    def reading(self, ctx, experiment, stale_ok=True):
        listed = real(self, ctx, experiment, stale_ok)
        looks.append(listed)
        # TensorBoard has read the last run only, at the first look.
        return listed[-1:] if len(looks) == 1 else listed

    monkeypatch.setattr(service_graphs.GraphService, "listing", reading)
    monkeypatch.setattr(warmup, "STEADY_SECONDS", 0.4)
    api = Api(provider, prepare_first_view=True)
    watcher = api.plugin.warmup.watcher
    watcher.join(60)
    assert not watcher.is_alive()
    listed = api.json("graphs")
    assert len(listed) > 1 and listed[0]["run"] != looks[0][-1]["run"]
    inline, _ = _tab_module(api)
    view = inline["first"]["view"]
    assert view["run"] == listed[0]["run"] and view["svg"].startswith("<?xml")


def test_a_bug_answers_500_without_a_traceback(api, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ValueError("secret internals")

    monkeypatch.setattr(dot, "to_dot", broken)
    response = api.get("dot", run="tf1", depth="1")
    assert response.status_code == 500
    assert response.get_json() == {"error": "internal error"}
    assert "secret internals" in caplog.text  # logged for the operator, not sent


def test_provider_errors_keep_their_code(api, monkeypatch):
    def denied(*args, **kwargs):
        raise tb_errors.PermissionDeniedError("not yours")

    monkeypatch.setattr(api.provider._inner, "list_blob_sequences", denied)
    assert "not yours" in api.error(403, "graphs")


# --- static files --------------------------------------------------------------------------


@pytest.fixture
def static_api(provider, tmp_path) -> Api:
    root = tmp_path / "static"
    (root / "sub").mkdir(parents=True)
    (root / "index.js").write_text("export function render() {}\n")
    (root / "sub" / "style.css").write_text("body {}\n")
    (root / "logo.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("TOP-SECRET")
    (root / "inside.js").symlink_to(root / "index.js")
    (root / "outside.js").symlink_to(tmp_path / "secret.txt")
    api = Api(provider)
    api.plugin.static_root = root
    return api


@pytest.mark.parametrize(
    ("path", "mime"),
    [
        ("index.js", "text/javascript"),
        ("inside.js", "text/javascript"),
        ("sub/style.css", "text/css"),
        ("logo.svg", "image/svg+xml"),
    ],
)
def test_static_files_are_served_with_their_type(static_api, path, mime):
    response = static_api.get(f"static/{path}")
    assert response.status_code == 200
    assert response.mimetype == mime


@pytest.mark.parametrize(
    "path",
    [
        "../secret.txt",
        "%2e%2e/secret.txt",
        "..%2fsecret.txt",
        "%252e%252e/secret.txt",
        "sub/../../secret.txt",
        "sub/%2e%2e/%2e%2e/secret.txt",
        "/etc/passwd",
        "%2fetc%2fpasswd",
        "outside.js",
        "missing.js",
        "sub",
        "sub/",
        "index.js%00.png",
        "..\\secret.txt",
    ],
)
def test_static_refuses_anything_outside_its_folder(static_api, path):
    response = static_api.client.get(f"{PREFIX}/static/{path}")
    assert response.status_code == 404
    assert b"TOP-SECRET" not in response.data
    assert response.get_json()["error"]


def test_static_impl_refuses_traversal(static_api):
    with pytest.raises(tb_errors.NotFoundError):
        static_api.plugin.static_impl("../secret.txt")
    assert static_api.plugin.static_impl("index.js")[1] == "text/javascript"


def _tab_module(api) -> tuple[dict, bytes]:
    """The tab's module: (what it carries, the code after it)."""
    response = api.get("tab.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    return tab_module.split(response.data)


def test_the_tab_module_is_the_first_module_with_its_stylesheet_and_first_answer(api, monkeypatch):
    # Before the first view is drawn ahead: the listing alone, and nothing laid out for it.
    real = render.render
    monkeypatch.setattr(render, "render", None)
    inline, _ = _tab_module(api)
    assert inline["first"]["view"] is None and inline["first"]["graphs"]
    monkeypatch.setattr(render, "render", real)
    assert api.plugin.warmup.run() is True
    listed = api.json("graphs")[0]
    svg = api.get("svg", run=listed["run"], kind=listed["kind"], tag=listed["tag"])
    inline, code = _tab_module(api)  # the first view was drawn ahead: it comes along
    # The tab's one module, bundled: it starts with what the statement carries.
    assert code == api.get("static/bundle.js").data and b"SCOPEGRAPH_INLINE" in code
    assert inline["style"] == api.get("static/style.css").get_data(as_text=True)
    first = inline["first"]
    names = [(g["run"], g["kind"], g["tag"]) for g in first["graphs"]]
    assert names == [(g["run"], g["kind"], g["tag"]) for g in api.json("graphs")]
    assert first["view"]["svg"] == svg.get_data(as_text=True)
    assert {k: first["view"][k] for k in ("run", "kind", "tag")} == {
        k: listed[k] for k in ("run", "kind", "tag")
    }


def test_the_tab_module_does_not_wait_for_a_slow_or_failed_listing(api, monkeypatch):
    release = threading.Event()
    listed = []
    real = api.plugin.graphs_impl

    def slow(*args, **kwargs):
        release.wait(10)
        listed.append(real(*args, **kwargs))
        return listed[-1]

    monkeypatch.setattr(warmup, "MODULE_LISTING_WAIT_SECONDS", 0.1)
    monkeypatch.setattr(api.plugin, "graphs_impl", slow)
    inline, code = _tab_module(api)
    assert listed == [] and code  # answered while the listing was still held
    assert inline["first"] is None  # the tab asks for the listing and its view at once
    release.set()

    def broken(*args, **kwargs):
        raise OSError("the data provider is gone")

    monkeypatch.setattr(api.plugin, "graphs_impl", broken)
    inline, code = _tab_module(api)
    assert inline["first"] is None and inline["style"] and code  # the tab asks, and says why


def test_the_tab_module_is_served_gzipped_to_a_client_that_takes_it(api):
    assert api.plugin.warmup.run() is True
    response = api.client.get(f"{PREFIX}/tab.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Content-Encoding"] == "gzip"
    module = gzip.decompress(response.data)
    assert tab_module.split(module)[0]["first"]["view"]["svg"]
    # A client that takes no gzip gets the same module as it is.
    plain = api.get("tab.js")
    assert "Content-Encoding" not in plain.headers and plain.data == module


def test_the_tab_module_is_compressed_once_for_what_it_carries(api, monkeypatch):
    packed = []
    real = gzip.compress

    def counting(data, *args, **kwargs):
        packed.append(len(data))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(warmup.gzip, "compress", counting)
    assert api.plugin.warmup.run() is True
    assert len(packed) == 1  # by the drawing ahead, before any click on the tab
    headers = {"Accept-Encoding": "gzip"}
    bodies = [api.client.get(f"{PREFIX}/tab.js", headers=headers).data for _ in range(3)]
    assert len(packed) == 1 and bodies[0] == bodies[1] == bodies[2]
    # What it carries changed (a new listing): compressed again, once.
    monkeypatch.setattr(api.plugin, "graphs_impl", lambda *args, **kwargs: [])
    changed = api.client.get(f"{PREFIX}/tab.js", headers=headers).data
    assert len(packed) == 2 and tab_module.split(gzip.decompress(changed))[0]["first"] == {
        "graphs": [],
        "view": None,
    }


def test_the_tab_modules_first_view_carries_the_graphs_warnings(api):
    assert api.plugin.warmup.run() is True
    view = _tab_module(api)[0]["first"]["view"]
    graph = {k: view[k] for k in ("run", "kind", "tag")}
    assert view["warnings"] == api.json("view", **graph, depth="0")["warnings"]


def test_static_root_is_the_frontend_folder_in_a_checkout():
    package = Path(plugin.__file__).resolve().parent.parent
    expected = package / "static" if (package / "static").is_dir() else package.parent / "frontend"
    assert plugin.ScopeGraphPlugin(base_plugin.TBContext()).static_root == expected


# --- caching -------------------------------------------------------------------------------


def test_opening_scopes_does_not_reread_the_logdir(api):
    api.json("hierarchy", run="tf1")
    assert api.provider.calls["read_blob"] == 1
    api.get("svg", run="tf1", open="model")
    api.get("svg", run="tf1", open=["model", "model/dense_1"])
    api.json("node", run="tf1", name="model/dense_1/MatMul")
    api.json("search", run="tf1", q="Relu")
    assert api.provider.calls["read_blob"] == 1


def test_a_burst_of_requests_looks_blobs_up_once(api):
    api.json("view", run="tf1")
    before = sum(api.provider.calls.values())
    for depth in range(4):
        api.json("view", run="tf1", depth=str(depth))
    # Within the lookup's few seconds, the provider is not asked again.
    assert sum(api.provider.calls.values()) == before


def test_dot_is_cached_per_view(api, monkeypatch):
    api.get("dot", run="tf1", open="model")
    calls = []
    to_dot = dot.to_dot
    monkeypatch.setattr(dot, "to_dot", lambda *a, **k: calls.append(a) or to_dot(*a, **k))
    api.get("dot", run="tf1", open="model")
    assert calls == []
    api.get("dot", run="tf1", open=["model", "model/dense_3"])
    assert len(calls) == 1


def test_a_view_is_worked_out_once_per_graph_and_query(api, monkeypatch):
    made = []
    view_of = ViewQuery.view_of
    monkeypatch.setattr(ViewQuery, "view_of", lambda q, h: made.append(q) or view_of(q, h))
    default = api.json("view", run="tf1")
    assert api.json("view", run="tf1") == default
    # The same graph named in full, the view drawn, coloured: the same view, not made again.
    assert api.json("view", run="tf1", kind="run_graph", tag="__run_graph__") == default
    api.ok("svg", run="tf1")
    api.ok("dot", run="tf1", colour="op")
    assert len(made) == 1
    # Another area, unrolled series, other groups open: views of their own.
    api.json("view", run="tf1", width="600")
    api.json("view", run="tf1", roll="0")
    api.json("view", run="tf1", open="model")
    api.json("view", run="tf2")
    assert len(made) == 5


def test_concurrent_requests_parse_a_graph_once(provider):
    class Slow(CountingProvider):
        def read_blob(self, ctx, *, blob_key):
            self.calls["read_blob"] += 1
            # Held until every other request waits (for this read, if it is parsed once).
            others = [t for t in threads if t is not threading.current_thread()]
            wait_for(
                lambda: all(t.ident and (parked(t) or not t.is_alive()) for t in others),
                "the other requests to wait",
            )
            return self._inner.read_blob(ctx, blob_key=blob_key)

    api = Api(provider)
    api.provider = Slow(provider)
    api.plugin.service.provider = api.provider
    results = []

    def ask():
        results.append(api.get("hierarchy", run="tf2").status_code)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 8
    assert api.provider.calls["read_blob"] == 1


def _write_graph(run_dir: Path, graph, step: int, wall_time: float, suffix: str) -> None:
    """A graph event in a new event file, as a second run of a training script writes it."""
    writer = EventFileWriter(str(run_dir), filename_suffix=suffix)
    writer.add_event(
        event_pb2.Event(wall_time=wall_time, step=step, graph_def=graph.SerializeToString())
    )
    writer.close()


def _top_names(api: Api, run: str) -> set[str]:
    return {c["name"] for c in api.json("hierarchy", run=run)["children"]}


@pytest.mark.parametrize(
    ("kind", "second_step"),
    [
        ("multiplexer", 1),
        ("data_server", 1),
        # The data server keeps the last graph of a step, under the same blob key.
        ("data_server", 0),
    ],
)
def test_a_newer_graph_replaces_the_cached_one(tmp_path, monkeypatch, kind, second_step):
    monkeypatch.setattr(service_graphs, "LOOKUP_TTL_SECONDS", 0.0)
    monkeypatch.setattr(service_graphs, "LOOKUP_STALE_SECONDS", 0.0)
    run_dir = tmp_path / "run"
    _write_graph(run_dir, graphs.ffn_graph(), step=0, wall_time=10.0, suffix=".first")
    source = start(kind, str(tmp_path), reload_interval=1)
    try:
        wait_for(lambda: runs_with_graphs(source.provider) == {"run"}, "the first graph")
        api = Api(source.provider)
        assert {"layer1", "layer2", "layer3"} <= _top_names(api, "run")
        before = api.json("view", run="run")

        _write_graph(run_dir, graphs.series_graph(6), second_step, wall_time=20.0, suffix=".second")
        source.reload()
        second = wait_for(lambda: "layer1" not in _top_names(api, "run"), "the newer graph")
        assert second and any("layer_" in name for name in _top_names(api, "run"))
        assert api.provider.calls["read_blob"] == 2
        assert len(api.plugin.service.graphs) == 1
        # Its default view is its own, not the one kept for the graph before.
        after = api.json("view", run="run")
        assert after != before and after == Api(source.provider).json("view", run="run")
    finally:
        source.close()


@pytest.mark.parametrize("kind", ["multiplexer", "data_server"])
def test_a_corrupt_graph_is_a_json_error(tmp_path, kind):
    writer = EventFileWriter(str(tmp_path / "bad"))
    writer.add_event(event_pb2.Event(wall_time=1.0, step=0, graph_def=b"\xff\xff not a graph"))
    writer.close()
    source = start(kind, str(tmp_path))
    try:
        wait_for(lambda: runs_with_graphs(source.provider) == {"bad"}, "the graph")
        api = Api(source.provider)
        assert [g["run"] for g in api.json("graphs")] == ["bad"]
        assert "GraphDef" in api.error(422, "svg", run="bad")
    finally:
        source.close()


def test_future_cache_is_bounded_and_retries_failures():
    cache = caching.lru(2)
    assert cache.get("a", lambda: 1) == 1
    assert cache.get("b", lambda: 2) == 2
    assert cache.get("a", lambda: 0) == 1  # a is now the most recent
    cache.get("c", lambda: 3)
    assert cache.get("b", lambda: 20) == 20  # b was evicted
    with pytest.raises(KeyError):
        cache.get("d", lambda: {}["missing"])
    assert cache.get("d", lambda: 4) == 4


def test_ttl_cache_expires():
    now = [0.0]
    cache = caching.Lookups(3.0, clock=lambda: now[0])
    assert cache.get("k", lambda: 1) == 1
    now[0] = 2.9
    assert cache.get("k", lambda: 2) == 1
    now[0] = 3.0
    assert cache.get("k", lambda: 3) == 3


def test_ttl_cache_answers_a_stale_value_at_once_and_looks_it_up_again_in_the_background():
    now = [0.0]
    refresh = ThreadPoolExecutor(max_workers=1)
    cache = caching.Lookups(3.0, clock=lambda: now[0], stale=30.0, refresh=refresh)
    assert cache.get("k", lambda: 1) == 1
    release = threading.Event()
    loads = []

    def slow_load():
        loads.append(threading.current_thread().name)
        release.wait(5)
        return 2

    now[0] = 10.0
    assert cache.get("k", slow_load) == 1  # answered while the lookup waits
    assert cache.get("k", slow_load) == 1
    release.set()
    cache.settle(5)
    assert len(loads) == 1 and loads[0] != threading.current_thread().name  # once, elsewhere
    assert cache.get("k", lambda: 3) == 2  # the looked-up value, trusted from when it was asked
    # Past ttl + stale, the request itself looks the value up.
    now[0] = 10.0 + 33.0
    assert cache.get("k", lambda: 4) == 4
    refresh.shutdown()


def test_ttl_cache_keeps_the_later_lookup_when_a_slow_one_ends_after_it():
    now = [0.0]
    refresh = ThreadPoolExecutor(max_workers=1)
    cache = caching.Lookups(3.0, clock=lambda: now[0], stale=30.0, refresh=refresh)
    cache.get("k", lambda: "first")
    release = threading.Event()

    def slow_load():
        release.wait(5)
        return "begun at 5"

    now[0] = 5.0
    assert cache.get("k", slow_load) == "first"  # looked up again in the background
    now[0] = 6.0
    assert cache.get("k", lambda: "begun at 6", stale_ok=False) == "begun at 6"
    release.set()
    cache.settle(5)
    now[0] = 7.0
    assert cache.get("k", lambda: "not asked") == "begun at 6"
    refresh.shutdown()


def test_ttl_cache_keeps_a_stale_value_when_looking_it_up_again_fails():
    now = [0.0]
    refresh = ThreadPoolExecutor(max_workers=1)
    cache = caching.Lookups(3.0, clock=lambda: now[0], stale=30.0, refresh=refresh)
    cache.get("k", lambda: 1)
    now[0] = 5.0
    assert cache.get("k", lambda: {}["provider down"]) == 1
    cache.settle(5)
    now[0] = 20.0
    assert cache.get("k", lambda: {}["provider down"]) == 1
    cache.settle(5)
    now[0] = 34.0  # too old to answer: the failure is the request's
    with pytest.raises(KeyError):
        cache.get("k", lambda: {}["provider down"])
    refresh.shutdown()


def test_a_request_after_a_pause_does_not_wait_on_lookups(api):
    """The plugin's lookups (listing, blob, summary tags) answer from what was looked up a
    while ago and are made again in the background; the next request sees the new answers."""
    now = [1000.0]
    api.clock_lookups(now)
    here = threading.current_thread().name
    assert api.get("svg", run="tf1").status_code == 200
    assert set(api.provider.threads) == {here}

    now[0] += service_graphs.LOOKUP_TTL_SECONDS + 1
    api.provider.threads.clear()
    assert api.get("svg", run="tf1").status_code == 200
    api.settle_lookups()
    assert api.provider.threads and here not in api.provider.threads  # looked up elsewhere
    api.provider.threads.clear()
    assert api.get("svg", run="tf1").status_code == 200
    assert api.provider.threads == []  # what was looked up in the background is trusted

    now[0] += service_graphs.LOOKUP_TTL_SECONDS + service_graphs.LOOKUP_STALE_SECONDS
    assert api.get("svg", run="tf1").status_code == 200
    assert here in api.provider.threads  # too old: the request looks it up itself


def test_the_listing_route_and_the_view_drawn_ahead_do_not_take_a_stale_listing(api):
    """What asks to see what changed (the tab's refresh of its pickers, the first view drawn
    ahead for the module) looks the listing up again once it is older than the few seconds."""
    now = [1000.0]
    api.clock_lookups(now, ("listings", "blobs"))
    here = threading.current_thread().name
    api.json("graphs")
    now[0] += service_graphs.LOOKUP_TTL_SECONDS + 1
    api.provider.threads.clear()
    api.json("graphs")
    assert api.provider.threads and set(api.provider.threads) == {here}
    api.json("view", run="tf1")  # a view takes the listing as it is
    now[0] += service_graphs.LOOKUP_TTL_SECONDS + 1
    api.provider.threads.clear()
    api.plugin.warmup.run()
    lookups = [t for t in api.provider.threads if t.startswith("scopegraph-lookup")]
    assert api.provider.threads and lookups == []  # looked up by the drawing itself


@pytest.fixture(autouse=True, scope="module")
def _quiet_tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def test_views_can_be_coloured_by_op_type(api):
    plain = api.get("dot", run="tf1", open="model").get_data(as_text=True)
    coloured = api.get("dot", run="tf1", open="model", colour="op").get_data(as_text=True)
    assert "op type" in coloured and "op type" not in plain
    assert api.get("svg", run="tf1", open="model", color="device").status_code == 200
    bad = api.get("svg", run="tf1", colour="rainbow")
    assert bad.status_code == 400 and "colour must be one of" in bad.get_json()["error"]


# --- structure and paths -------------------------------------------------------------------


@pytest.fixture(scope="module")
def resnet_api(tmp_path_factory) -> Api:
    """The plugin over a logdir of one TF1 run graph of residual blocks (tests/tf_graphs.py)."""
    from tf_graphs import resnet_graph

    logdir = tmp_path_factory.mktemp("resnet")
    graphs.write_run_graph(str(logdir / "resnet"), resnet_graph())
    return Api(Multiplexer(str(logdir)).provider)


def test_a_scope_card_names_its_identical_blocks(resnet_api):
    details = resnet_api.json("node", run="resnet", name="block2")
    assert details["structure"]["identical"] == 3
    assert set(details["structure"]["others"]) == {"block1", "block4"}
    rewired = resnet_api.json("node", run="resnet", name="block3")["structure"]
    assert rewired["identical"] == 1 and rewired["others"] == []
    assert "structure" not in resnet_api.json("node", run="resnet", name="block2/add")


def test_views_can_be_coloured_by_structure(resnet_api):
    text = resnet_api.get("dot", run="resnet", depth="0", colour="structure").get_data(as_text=True)
    fills = {
        line.split('"')[1]: line.rsplit('fillcolor="', 1)[1][:7]
        for line in text.splitlines()
        if line.lstrip().startswith('"scope-block') and " -> " not in line
    }
    assert fills["scope-block1"] == fills["scope-block2"] == fills["scope-block4"]
    assert fills["scope-block3"] != fills["scope-block1"]
    assert "identical blocks" in text
    svg = resnet_api.get("svg", run="resnet", depth="0", colour="structure")
    assert svg.status_code == 200 and b"block1 \xc3\x973" in svg.get_data()


def test_trace_answers_the_paths_ops_and_the_view_that_shows_them(resnet_api):
    found = resnet_api.json("trace", run="resnet", name="block3/add", direction="in", depth="1")
    assert set(found["ops"]) == {"block3/add", "block3/Conv2D_1", "block3/Relu"}
    assert found["open"] == ["block3"]
    assert {(b["kind"], b["name"]) for b in found["boxes"]} == {
        ("op", name) for name in found["ops"]
    }
    assert found["origin"] == {"kind": "op", "name": "block3/add"}
    assert found["complete"] and found["closed"] == 0 and found["reached"] == 1
    # Kept where it is: the view given, with closed boxes standing for the path's ops.
    kept = resnet_api.json(
        "trace", run="resnet", name="output", depth="3", open="block4", expand="0"
    )
    assert kept["open"] == ["block4"]
    assert {"kind": "scope", "name": "block3"} in kept["boxes"]
    # The view it names can be drawn.
    drawn = resnet_api.get("svg", run="resnet", open=found["open"])
    assert drawn.status_code == 200


@pytest.mark.parametrize(
    ("params", "code", "says"),
    [
        ({}, 400, '"name"'),
        ({"name": "nothing"}, 404, "nothing"),
        ({"name": "block1", "direction": "in"}, 404, "block1"),  # a scope, not an op
        ({"name": "output", "direction": "up"}, 400, "direction"),
        ({"name": "output", "depth": "-1"}, 400, "depth"),
        ({"name": "output", "depth": "100000"}, 400, "depth"),
        ({"name": "output", "control": "maybe"}, 400, "control"),
        ({"name": "output", "open": "block9"}, 404, "block9"),
    ],
)
def test_bad_traces_answer_json_errors(resnet_api, params, code, says):
    assert says in resnet_api.error(code, "trace", run="resnet", **params)


def test_the_http_api_routes_table_lists_every_route_and_the_trace_parameters(resnet_api):
    http_api = Path(__file__).resolve().parent.parent / "docs" / "http_api.md"
    lines = http_api.read_text(encoding="utf-8").splitlines()
    start = lines.index("| route | answer |")
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    listed = {}
    for row in rows:
        cell = row.split("` |", 1)[0].strip("| `")
        for name in cell.split("`, `"):
            listed[name.split("?")[0].split("[")[0]] = cell
    routes = {r.strip("/") for r in resnet_api.plugin.get_plugin_apps() if r != "/static/*"}
    assert routes <= set(listed), routes - set(listed)
    for parameter in ("name=", "direction=", "depth=", "control=", "open=", "expand="):
        assert parameter in listed["trace"], parameter
    # Nothing after the table's end is another row.
    assert not any(line.startswith("| `trace") for line in lines[start + 2 + len(rows) :])
