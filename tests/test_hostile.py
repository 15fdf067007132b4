"""Hostile strings in names, op types, devices and attribute values: text everywhere, never markup.

tests/test_dot.py shows that such names give valid DOT and show as SVG text. This file carries
them through every other surface: node details and search in the engine, the command line, and
the plugin's routes inside TensorBoard's own WSGI app (SVG, DOT, node, search, hierarchy).

The hostile strings and their graph are in graphs.py (the browser test draws them too).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tab_module
from graphs import (
    HOSTILE,
    HOSTILE_RUN,
    PWNED,
    RAW_SHOWN,
    graph_from_nodes,
    hostile_graph,
    write_run_graph,
)
from harness import SVG, Api, dot_node_ids, multiplexer, plain, run_cli, svg_ids, svg_problems

from tb_scopegraph.drawing import colour
from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.drawing.dottext import element_id, parse_element_id
from tb_scopegraph.drawing.render import Renderer
from tb_scopegraph.model import structure
from tb_scopegraph.model.hierarchy import Hierarchy

XLINK = "{http://www.w3.org/1999/xlink}"


def op_type(name: str) -> str:
    return "Op" + HOSTILE[(HOSTILE.index(name) + 1) % len(HOSTILE)][:300]


def scopes_of(name: str) -> list[str]:
    """The scopes that hold `name + "/inner"`, outermost first (a name may hold slashes)."""
    parts = name.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def device(name: str) -> str:
    return HOSTILE[(HOSTILE.index(name) + 1) % len(HOSTILE)]


# --- the engine ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hierarchy() -> Hierarchy:
    return Hierarchy(hostile_graph())


@pytest.fixture(scope="module")
def renderer():
    r = Renderer(workers=2, timeout=60)
    yield r
    r.close()


def test_every_hostile_view_draws_every_box_as_inert_text(hierarchy, renderer):
    for view in (hierarchy.default_view(), hierarchy.view(depth=0), hierarchy.view(depth=3)):
        text = to_dot(hierarchy, view, title=HOSTILE[0])
        layout = hierarchy.layout(view)
        expected = {element_id(b.kind, b.name) for b in layout.boxes}
        assert dot_node_ids(text) == expected
        svg = renderer.render(text)
        assert svg_problems(svg) == []
        assert svg_ids(svg, "node") == expected
    # Opened all the way, every hostile name is a box of its own.
    shown = {parse_element_id(i)[1] for i in svg_ids(svg, "node")}
    assert set(HOSTILE) <= shown


def test_details_give_every_string_back_exactly(hierarchy):
    for name in HOSTILE:
        details = hierarchy.details(name, kind="op")
        assert details["name"] == name
        assert details["op"] == op_type(name)
        assert details["device"] == device(name)
        attrs = details["attrs"]
        note = attrs["note"]
        assert note["value"] == (name if len(name) <= 400 else name[:400] + "…")
        assert note["clipped"] == (len(name) > 400) and note["size"] == len(name)
        assert attrs["raw"] == {"value": RAW_SHOWN, "size": len(RAW_SHOWN), "clipped": False}
        # An input names a node by its whole text first: "^caret" is the node, not "caret".
        consumers = {c for o in details["outputs"] for c in o["consumers"]}
        assert consumers == {f"{name}/inner", f"use_{HOSTILE.index(name)}"}
        json.loads(json.dumps(details))  # JSON-ready as it is


def test_search_finds_every_hostile_name_by_substring_and_by_regex(hierarchy):
    for name in HOSTILE:
        hits = hierarchy.search(name, limit=1000)
        assert {"name": name, "kind": "op"} in [{k: h[k] for k in ("name", "kind")} for h in hits]
        exact = hierarchy.search(f"^{re.escape(name)}$", regex=True)
        assert [h["name"] for h in exact if h["kind"] == "op"] == [name]
        inner = hierarchy.search(f"{name}/inner")
        assert any(h["name"] == f"{name}/inner" and h["reveal"] == scopes_of(name) for h in inner)


# --- the routes ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def logdir(tmp_path_factory) -> Path:
    logdir = tmp_path_factory.mktemp("hostile")
    write_run_graph(logdir / "hostile", hostile_graph())
    write_run_graph(logdir / HOSTILE_RUN, graph_from_nodes([("<b>", '"Op"', ())]))
    return logdir


@pytest.fixture(scope="module")
def routes(logdir) -> Api:
    return Api(multiplexer(logdir))


def test_graphs_lists_a_hostile_run_name_exactly(routes):
    assert sorted(g["run"] for g in routes.json("graphs")) == ["hostile", HOSTILE_RUN]
    assert routes.json("hierarchy", run=HOSTILE_RUN)["op_count"] == 1
    svg = routes.ok("svg", run=HOSTILE_RUN).data
    assert svg_problems(svg) == [] and svg_ids(svg, "node") == {element_id("op", "<b>")}


def test_the_tab_module_carries_hostile_names_and_drawings_as_data(routes):
    drawn = routes.ok("svg", run="hostile").get_data(as_text=True)  # the first graph's view
    assert routes.plugin.warmup.run() is True
    response = routes.ok("tab.js")
    assert response.mimetype == "text/javascript"
    inline, code = tab_module.split(response.data)
    # One statement of ASCII JSON (U+2028 and U+2029 escaped too), whatever the names hold.
    head = response.data[: len(response.data) - len(code)]
    assert head.isascii() and head.count(b"\n") == 1
    assert sorted(g["run"] for g in inline["first"]["graphs"]) == ["hostile", HOSTILE_RUN]
    assert inline["first"]["view"]["svg"] == drawn
    assert code == routes.ok("static/bundle.js").data


def test_svg_and_dot_routes_draw_every_hostile_box(routes, hierarchy):
    response = routes.ok("svg", run="hostile", depth="3")
    assert response.mimetype == "image/svg+xml"
    # Opened on its own (not through the tab), the drawing may run nothing.
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert svg_problems(response.data) == []
    expected = {element_id(b.kind, b.name) for b in hierarchy.layout(hierarchy.view(depth=3)).boxes}
    assert svg_ids(response.data, "node") == expected
    dot = routes.ok("dot", run="hostile", depth="3")
    assert dot.mimetype == "text/vnd.graphviz"
    assert dot_node_ids(dot.get_data(as_text=True)) == expected


def test_svg_tooltips_hold_the_names_as_text(routes):
    svg = routes.ok("svg", run="hostile", depth="3").data
    root = ET.fromstring(svg)
    tips = "\n".join(el.get(f"{XLINK}title", "") for el in root.iter())
    assert f"<script>window.{PWNED}=1<" in tips  # the scope of "…</script>", as text
    assert f'"><img src=x onerror="window.{PWNED}=1">' in tips
    assert "&amp;&lt;b&gt;" in tips  # entities in a name are shown, not decoded


def test_node_route_gives_every_string_back_exactly(routes):
    for name in HOSTILE:
        details = routes.json("node", run="hostile", name=name, kind_of="op")
        assert (details["name"], details["op"], details["device"]) == (
            name,
            op_type(name),
            device(name),
        )
        assert details["attrs"]["raw"]["value"] == RAW_SHOWN
        assert details["attrs"]["listed"]["value"].startswith(f"[{name[:100]}")
    for scope in ("emoji😀", "%3Cscript%3E", f"<script>window.{PWNED}=1<", "new\nline\r\nand\ttab"):
        details = routes.json("node", run="hostile", name=scope, kind_of="scope")
        assert details["name"] == scope and details["kind"] == "scope"


def test_search_route_finds_and_reveals_hostile_names(routes):
    for name in HOSTILE:
        found = routes.json("search", run="hostile", q=name[:200], limit="1000")
        assert name in [f["name"] for f in found if f["kind"] == "op"]
        regex = routes.json("search", run="hostile", q=f"^{re.escape(name)}/inner$", regex="1")
        assert [(f["name"], f["reveal"]) for f in regex] == [(f"{name}/inner", scopes_of(name))]
        # What search reveals opens a view that shows the node.
        svg = routes.ok("svg", run="hostile", open=regex[0]["reveal"]).data
        assert element_id("op", f"{name}/inner") in svg_ids(svg, "node")


def test_views_open_hostile_scopes_named_in_the_query(routes):
    scopes = ["emoji😀", "%3Cscript%3E", "new\nline\r\nand\ttab", HOSTILE[-2]]
    view = routes.json("view", run="hostile", open=scopes + scopes)  # repeated: no matter
    assert sorted(view["open"]) == sorted(scopes)
    svg = routes.ok("svg", run="hostile", open=scopes).data
    frames = {i.removeprefix("cluster-") for i in svg_ids(svg, "cluster")}
    assert {element_id("scope", s) for s in scopes} == frames


def test_errors_about_hostile_names_are_json(routes):
    for name in HOSTILE[:4]:
        assert "no " in routes.error(404, "node", run="hostile", name=name + "x")
        routes.error(404, "svg", run="hostile", open=name + "x")
        routes.error(404, "hierarchy", run=name)


# --- the command line ----------------------------------------------------------------------


def test_cli_list_keeps_each_hostile_run_on_one_plain_line(logdir, capsys):
    status, out, err = run_cli(["list", logdir], capsys)
    assert status == 0 and err == ""
    assert plain(out) and len(out.splitlines()) == 3  # a header and two runs
    assert "run \"<b>&amp;'\\" in out


def test_cli_scopes_prints_hostile_scope_names_escaped(logdir, capsys):
    status, out, err = run_cli(["scopes", logdir, "--run", "hostile"], capsys)
    assert status == 0 and err == ""
    assert plain(out)
    assert "new\\nline\\r\\nand\\ttab" in out and "emoji😀" in out
    assert f"<script>window.{PWNED}=1<" in out


def test_cli_renders_hostile_names_as_dot_and_svg(logdir, hierarchy, tmp_path, capsys):
    expected = {element_id(b.kind, b.name) for b in hierarchy.layout(hierarchy.view(depth=3)).boxes}
    status, out, err = run_cli(
        ["render", logdir, "--run", "hostile", "--depth", "3", "--format", "dot"], capsys
    )
    assert status == 0 and err == ""
    assert dot_node_ids(out) == expected
    target = tmp_path / "hostile.svg"
    status, _, err = run_cli(
        ["render", logdir, "--run", "hostile", "--depth", "3", "-o", target], capsys
    )
    assert status == 0 and err == ""
    assert svg_problems(target.read_bytes()) == []
    assert svg_ids(target.read_bytes(), "node") == expected
    scope = "new\nline\r\nand\ttab"
    status, out, err = run_cli(
        ["render", logdir, "--run", "hostile", "--open", scope, "--format", "dot"], capsys
    )
    assert status == 0 and err == ""
    assert element_id("op", f"{scope}/inner") in dot_node_ids(out)


def test_cli_errors_about_hostile_names_are_one_plain_line(logdir, capsys):
    status, out, err = run_cli(["render", logdir, "--run", "new\nrun\x1b[31m"], capsys)
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and plain(err.rstrip("\n"))


def test_identical_hostile_scopes_colour_and_name_their_class_as_inert_text(renderer):
    names = [name for name in HOSTILE if "/" not in name and len(name) < 100]
    nodes = [("input", "Placeholder")]
    for name in names:
        nodes.append((f"{name}/a", "Relu", ("input",)))
        nodes.append((f"{name}/b", "Identity", (f"{name}/a",)))
    h = Hierarchy(graph_from_nodes(nodes))
    found = structure.structures(h).details(names[0])
    assert found["identical"] == len(names) == len(found["others"]) + found["more"] + 1
    assert set(found["others"]) < set(names[1:])
    view = h.view(depth=0)
    text = to_dot(h, view, colour="structure")
    assert dot_node_ids(text) == {element_id(b.kind, b.name) for b in h.layout(view).boxes}
    svg = renderer.render(text)
    assert svg_problems(svg) == []
    # The legend names the class by its first block, as text.
    first = h.graph.groups[
        structure.structures(h).block(h.graph.group_id(names[0])).members[0]
    ].label
    shown = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert colour._clip(f"{first} ×{len(names)}") in shown


def test_trace_route_gives_every_hostile_name_back_exactly(routes):
    for i, name in enumerate(HOSTILE):
        found = routes.json("trace", run="hostile", name=f"use_{i}", direction="in", depth="1")
        assert found["ops"] == [f"use_{i}", name]
        boxes = {(b["kind"], b["name"]) for b in found["boxes"]}
        assert boxes == {("op", f"use_{i}"), ("op", name)}
