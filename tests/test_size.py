"""Graphs too big, too wide or too deep to draw whole, through the engine and the routes.

Every view stays bounded (boxes, open levels), details clip what is huge and say how big it
was, and a layout that will not end answers 503 while other requests are still served.
"""

from __future__ import annotations

import json
import threading

import pytest
from graphs import (
    BIG_BYTES,
    BIG_STRING,
    DEEP_PATH,
    DEPTH,
    FLAT,
    SIBLINGS,
    const_graph,
    deep_graph,
    flat_graph,
    siblings_graph,
    wide_graph,
    write_run_graph,
)
from harness import (
    Api,
    data_server,
    json_error,
    multiplexer,
    runs_with_graphs,
    svg_ids,
    wait_for,
)

from tb_scopegraph import cli
from tb_scopegraph.drawing import render
from tb_scopegraph.drawing.dottext import element_id
from tb_scopegraph.drawing.render import Renderer
from tb_scopegraph.model.hierarchy import MAX_BOXES, MAX_CHILDREN, MAX_NESTING, Hierarchy

DEEP_LEAF = DEEP_PATH + "/op"


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("size")
    write_run_graph(logdir / "const50mb", const_graph())
    write_run_graph(logdir / "flat200k", flat_graph())
    write_run_graph(logdir / "deep5000", deep_graph())
    write_run_graph(logdir / "siblings10k", siblings_graph())
    write_run_graph(logdir / "wide", wide_graph())
    return logdir


@pytest.fixture(scope="module")
def routes(logdir) -> Api:
    return Api(multiplexer(logdir))


# --- a 50 MB constant ----------------------------------------------------------------------


def check_big_constant(routes: Api) -> None:
    response = routes.ok("node", run="const50mb", name="weights/big")
    assert len(response.data) < 10_000  # not 50 MB of JSON
    value = response.get_json()["attrs"]["value"]
    assert value == {
        "value": "float [13107200] <52428800 bytes>",
        "size": BIG_BYTES,
        "clipped": False,
    }
    label = routes.json("node", run="const50mb", name="use")["attrs"]["label"]
    assert label["clipped"] and len(label["value"]) <= 401
    assert label["value"].startswith("\\xff<b>\\xff<b>")
    assert label["size"] == BIG_STRING // 4 * len("\\xff<b>")  # as many characters as shown whole
    svg = routes.ok("svg", run="const50mb", depth="1").data
    # Drawn folded into the one op it feeds, as TensorBoard embeds a constant in its reader.
    assert svg_ids(svg, "node") == {element_id("op", "use")}


def test_a_50_mb_constant_is_clipped_in_details_with_its_size_and_dtype(routes):
    check_big_constant(routes)


def test_a_50_mb_constant_through_the_rust_data_server(tmp_path):
    write_run_graph(tmp_path / "const50mb", const_graph())
    with data_server(tmp_path) as provider:
        wait_for(lambda: runs_with_graphs(provider) == {"const50mb"}, "the graph")
        check_big_constant(Api(provider))


def test_hovering_a_huge_string_attr_again_gives_the_same_clipped_details(routes):
    # How long a hover takes is measured by bench/bench_engine.py --limits.
    first = routes.json("node", run="const50mb", name="use")  # parsed and cached
    for _ in range(5):
        assert routes.json("node", run="const50mb", name="use") == first


# --- 200,000 ops, no scopes ----------------------------------------------------------------


def test_flat_graph_views_are_bounded_and_draw(routes):
    tree = routes.json("hierarchy", run="flat200k")
    assert tree["op_count"] == FLAT and len(tree["children"]) <= MAX_CHILDREN
    default = routes.json("view", run="flat200k")
    assert default["boxes"] <= MAX_BOXES
    svg = routes.ok("svg", run="flat200k").data
    assert len(svg_ids(svg, "node")) == default["boxes"]
    deep = routes.json("view", run="flat200k", depth="5")
    assert deep["boxes"] <= MAX_BOXES
    # Numbered ops fold into series, which split into parts: open them all and it is too many.
    everything, stack = [], list(tree["children"])
    while stack:
        group = stack.pop()
        everything.append(group["name"])
        stack.extend(group["children"])
    assert len(everything) > MAX_BOXES // MAX_CHILDREN
    assert "close some scopes" in routes.error(400, "view", run="flat200k", open=everything)


def test_flat_graph_search_and_details_reach_any_op(routes):
    (hit,) = routes.json("search", run="flat200k", q="^n199999$", regex="1")
    assert hit["kind"] == "op" and len(hit["reveal"]) >= 1
    svg = routes.ok("svg", run="flat200k", open=hit["reveal"]).data
    assert element_id("op", "n199999") in svg_ids(svg, "node")
    details = routes.json("node", run="flat200k", name="n123456")
    assert details["op"] in ("Relu", "AddV2") and details["inputs"]


# --- 5,000 levels deep ---------------------------------------------------------------------


def test_deep_path_default_and_depth_views_stop_at_the_nesting_bound(routes):
    for params in ({}, {"depth": "100000"}):
        view = routes.json("view", run="deep5000", **params)
        assert len(view["open"]) <= MAX_NESTING
        svg = routes.ok("svg", run="deep5000", **params).data  # timed by bench_engine --limits
        assert len(svg) < 5_000_000 and len(svg_ids(svg, "cluster")) == len(view["open"])


def test_deep_path_hierarchy_search_and_details_answer(routes):
    tree = routes.json("hierarchy", run="deep5000")
    depth, group = 0, tree
    while group["children"]:
        (group,) = [c for c in group["children"] if c["kind"] == "scope"]
        depth += 1
    assert depth == MAX_NESTING  # pruned where no view may open further
    assert group["child_count"] >= 1 and group["op_count"] >= 1
    (hit,) = routes.json("search", run="deep5000", q="s4999/op")
    assert hit["name"] == DEEP_LEAF and len(hit["reveal"]) == MAX_NESTING
    svg = routes.ok("svg", run="deep5000", open=hit["reveal"]).data
    # The leaf sits in the innermost box the reveal can show.
    innermost = "/".join(DEEP_PATH.split("/")[: MAX_NESTING + 1])
    assert element_id("scope", innermost) in svg_ids(svg, "node")
    assert routes.json("node", run="deep5000", name=DEEP_LEAF)["name"] == DEEP_LEAF


def test_deep_path_views_opened_past_the_bound_are_refused(routes):
    too_deep = ["/".join(DEEP_PATH.split("/")[:n]) for n in range(1, MAX_NESTING + 2)]
    message = routes.error(400, "svg", run="deep5000", open=too_deep)
    assert f"{MAX_NESTING + 1} deep" in message and "close" in message


def test_deep_path_through_the_engine_stays_small():
    h = Hierarchy(deep_graph())
    for view in (h.default_view(), h.view(depth=DEPTH)):
        assert h.nesting(view) == MAX_NESTING == len(view.open)


# --- 10,000 sibling scopes -----------------------------------------------------------------


def test_ten_thousand_sibling_scopes_chunk_and_draw(routes):
    tree = routes.json("hierarchy", run="siblings10k")
    parts = [c for c in tree["children"] if c["kind"] == "chunk"]
    assert len(parts) == SIBLINGS // MAX_CHILDREN + 1  # x joins the last part
    assert sum(c["child_count"] for c in parts) == SIBLINGS + 1
    default = routes.json("view", run="siblings10k")
    # Nothing opens: each part would show 500 boxes.
    assert default["open"] == [] and default["boxes"] == len(tree["children"])
    assert len(svg_ids(routes.ok("svg", run="siblings10k").data, "node")) == default["boxes"]
    svg = routes.ok("svg", run="siblings10k", open=parts[3]["name"]).data
    assert len(svg_ids(svg, "node")) == len(parts) - 1 + MAX_CHILDREN
    (hit,) = routes.json("search", run="siblings10k", q="s9999x/b")
    assert routes.json("node", run="siblings10k", name="s9999x", kind_of="scope")["op_count"] == 2
    svg = routes.ok("svg", run="siblings10k", open=hit["reveal"]).data
    assert element_id("op", "s9999x/b") in svg_ids(svg, "node")


def test_cli_scopes_of_a_deep_path(tmp_path, capsys):
    path = tmp_path / "deep.pb"
    path.write_bytes(deep_graph().SerializeToString())
    status = cli.main(["scopes", str(path)])
    out, err = capsys.readouterr()
    assert (status, err) == (0, ""), err
    assert out.count("\n") == DEPTH


def test_cli_renders_the_default_view_of_a_deep_path(tmp_path, capsys):
    path = tmp_path / "deep.pb"
    path.write_bytes(deep_graph().SerializeToString())
    status = cli.main(["render", str(path), "--format", "dot"])
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert out.count("subgraph") == MAX_NESTING


# --- a layout that will not end ------------------------------------------------------------


@pytest.fixture
def slow_renderer(monkeypatch):
    """The plugin's drawings made by a renderer with a 4 s limit."""
    renderer = Renderer(workers=2, timeout=4)
    monkeypatch.setattr(render, "render", renderer.render)
    yield renderer
    renderer.close()


def test_a_layout_past_its_limit_answers_503_and_others_are_served(
    routes, slow_renderer, monkeypatch
):
    routes.json("view", run="wide", depth="1")  # parsed, so only the layout is slow
    # Parsed too, so that what is asked meanwhile waits on nothing but the stuck layout (a
    # first parse of 20,000 ops could itself outlast the 4 s limit on a busy machine).
    routes.json("view", run="siblings10k")
    answer = {}
    laying_out = threading.Event()

    def noted_render(*args, **kwargs):
        laying_out.set()
        return slow_renderer.render(*args, **kwargs)

    monkeypatch.setattr(render, "render", noted_render)

    def ask_slow():
        answer["response"] = routes.get("svg", run="wide", depth="1")

    slow = threading.Thread(target=ask_slow)
    slow.start()
    assert laying_out.wait(30)
    # Meanwhile: details, search, another drawing (the second worker) and the closed view.
    routes.json("node", run="wide", name="w700")
    routes.json("search", run="wide", q="w13")
    routes.json("hierarchy", run="siblings10k")
    assert svg_ids(routes.ok("svg", run="siblings10k").data, "node")
    assert routes.ok("dot", run="wide", depth="1").data
    assert slow.is_alive(), "the other requests waited for the stuck layout"
    slow.join(timeout=60)
    assert not slow.is_alive()  # stopped at its limit
    response = answer["response"]
    assert response.status_code == 503
    assert json.loads(response.get_data())["timeout"] is True
    message = json_error(response)
    assert "did not finish within 4 s" in message
    # It names what to close: the open parts that show the most boxes.
    assert "close some scopes" in message and "'w[0-1399]/[part 1 of 3]' shows 500" in message
    assert slow_renderer.stats["timeouts"] == 1
    # The server is still fine, and the closed view of the same graph draws.
    assert routes.ok("svg", run="wide", depth="0").data
