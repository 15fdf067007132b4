"""tb_scopegraph.show(): inline, offline SVG of TensorFlow graphs, GraphDefs, paths and views."""

import html
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import graphs
import pytest
import tensorflow as tf
from IPython.core.formatters import DisplayFormatter
from tensorboard.compat.proto import node_def_pb2

import tb_scopegraph
from tb_scopegraph.drawing.dottext import element_id
from tb_scopegraph.errors import NotFound, RenderTimeout, SourceError
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.notebook import GraphView

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


def check_offline_svg(svg: str) -> ET.Element:
    """The SVG parses, holds no script, and names no URL but its own namespaces."""
    assert svg.lstrip().startswith("<svg")  # no XML prologue or DOCTYPE (it names a URL)
    root = ET.fromstring(svg)
    assert root.tag == f"{{{SVG_NS}}}svg"
    assert not [el for el in root.iter() if el.tag.rsplit("}", 1)[-1].lower() == "script"]
    assert set(re.findall(r"https?://[^\s\"'<>]*", svg)) <= {SVG_NS, XLINK_NS}
    for el in root.iter():
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (name, value)
            assert not name.endswith("href"), (name, value)  # nothing to fetch or follow
    return root


def ids_of(svg: str) -> set[str]:
    return {el.get("id") for el in ET.fromstring(svg).iter() if el.get("id")}


def texts_of(svg: str) -> str:
    return " ".join(el.text or "" for el in ET.fromstring(svg).iter())


def tf1_ffn() -> tf.Graph:
    graph = tf.Graph()
    with graph.as_default():
        h = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        for i, n in enumerate((8, 3), start=1):
            with tf.name_scope(f"layer{i}"):
                w = tf.compat.v1.Variable(tf.zeros([h.shape[1], n]), name="W")
                h = tf.nn.relu(tf.matmul(h, w))
    return graph


@tf.function(autograph=False)
def scaled(x):
    with tf.name_scope("scale"):
        return x * 3.0 + 1.0


def test_show_a_tf_graph_gives_offline_svg_holding_its_names():
    shown = tb_scopegraph.show(tf1_ffn(), open=["layer1"])
    root = check_offline_svg(shown._repr_svg_())
    assert shown.svg == shown._repr_svg_()
    ids = ids_of(shown.svg)
    assert element_id("op", "layer1/MatMul") in ids
    assert element_id("scope", "layer2") in ids
    assert "cluster-" + element_id("scope", "layer1") in ids
    assert "MatMul" in texts_of(shown.svg) and "layer2" in texts_of(shown.svg)
    assert root.get("viewBox")


@pytest.mark.parametrize(
    "make",
    [
        lambda: scaled.get_concrete_function(tf.TensorSpec([None], tf.float32)),
        lambda: scaled.get_concrete_function(tf.TensorSpec([None], tf.float32)).graph,
        lambda: scaled.get_concrete_function(
            tf.TensorSpec([None], tf.float32)
        ).graph.as_graph_def(),  # TensorFlow's own GraphDef class
    ],
    ids=["concrete_function", "func_graph", "tf_graph_def"],
)
def test_show_tensorflow_function_graphs(make):
    shown = tb_scopegraph.show(make(), depth=1)
    check_offline_svg(shown.svg)
    assert element_id("op", "scale/mul") in ids_of(shown.svg)


def test_show_a_graph_def_and_a_hierarchy():
    graph = graphs.ffn_graph(scoped=False)
    by_proto = tb_scopegraph.show(graph, depth=0)
    by_hierarchy = tb_scopegraph.show(Hierarchy(graph), depth=0)
    assert by_proto.dot == by_hierarchy.dot
    ids = ids_of(check_offline_svg(by_proto.svg) and by_proto.svg)
    assert {element_id("op", n) for n in ("MatMul", "MatMul_1", "W1", "b3")} <= ids


def test_show_paths_logdir_and_graph_files(tmp_path):
    graphs.write_run_graph(tmp_path / "logs" / "a", graphs.add_graph())
    graphs.write_run_graph(tmp_path / "logs" / "nested" / "b", graphs.series_graph(3))
    (tmp_path / "g.pb").write_bytes(graphs.ffn_graph().SerializeToString())

    shown = tb_scopegraph.show(tmp_path / "logs", run="a")
    assert shown.title == "a"
    assert {element_id("op", n) for n in "abc"} <= ids_of(shown.svg)
    nested = tb_scopegraph.show(os.fspath(tmp_path / "logs"), run="nested/b", depth=0)
    assert element_id("op", "input") in ids_of(nested.svg)
    from_file = tb_scopegraph.show(tmp_path / "g.pb", depth=0)
    assert element_id("scope", "layer1") in ids_of(from_file.svg)

    # Several graphs and none picked: the first, as the tab shows it, naming the others.
    first = tb_scopegraph.show(tmp_path / "logs")
    assert first.title == "a" and first.others == ("run='nested/b'",)
    assert {element_id("op", n) for n in "abc"} <= ids_of(first.svg)
    shown_html = first._repr_html_()
    assert first.svg in shown_html and "run=&#x27;nested/b&#x27;" in shown_html
    assert "1 other graphs beside it" in repr(first)
    assert shown._repr_html_() is not None and from_file._repr_html_() is None
    with pytest.raises(NotFound, match="no run 'zz' in .*runs with graphs: 'a', 'nested/b'"):
        tb_scopegraph.show(tmp_path / "logs", run="zz")
    with pytest.raises(SourceError, match="holds one graph: run=, kind=, tag= do not apply"):
        tb_scopegraph.show(tmp_path / "g.pb", run="a")
    with pytest.raises(SourceError, match="no such file or directory"):
        tb_scopegraph.show(tmp_path / "missing")


def test_the_other_graphs_are_named_each_by_the_fewest_arguments_that_show_it(tmp_path):
    from tensorboard.compat.proto import config_pb2, event_pb2

    graphs.write_run_graph(tmp_path / "a", graphs.add_graph())
    profile = event_pb2.TaggedRunMetadata(
        tag="step1", run_metadata=config_pb2.RunMetadata().SerializeToString()
    )
    graphs.write_events(
        tmp_path / "b",
        [
            event_pb2.Event(step=0, graph_def=graphs.ffn_graph().SerializeToString()),
            event_pb2.Event(step=1, tagged_run_metadata=profile),
        ],
    )
    first = tb_scopegraph.show(tmp_path)
    # Run b alone shows its op graph (its profile gives way); its profile needs its kind.
    assert first.others == ("run='b'", "run='b', kind='profile'")
    shown_html = first._repr_html_()
    for arguments in first.others:  # one call a line, each as it is typed
        assert f"<li><code>show(path, {html.escape(arguments)})</code></li>" in shown_html
    assert tb_scopegraph.show(tmp_path, run="b").title == "b"
    assert tb_scopegraph.show(tmp_path, run="b", kind="profile").title == "b · step1"


def test_views_are_values_open_close_depth_return_new_ones():
    closed = tb_scopegraph.show(graphs.ffn_graph(), depth=0)
    assert closed.view.open == frozenset()
    opened = closed.open("layer1/W")  # opens its parent too
    assert opened.view.open == {"layer1", "layer1/W"}
    assert closed.view.open == frozenset()
    assert "cluster-" + element_id("scope", "layer1/W") in ids_of(opened.svg)
    assert opened.close("layer1").view.open == frozenset()
    assert closed.depth(1).view.open == {"layer1", "layer2", "layer3"}
    assert closed.depth(1).hierarchy is closed.hierarchy
    # A depth opens the model's scopes; all_scopes every scope that deep, variables too.
    layers = {"layer1", "layer2", "layer3"}
    every = layers | {f"layer{i}/{v}" for i in (1, 2, 3) for v in ("W", "b")}
    assert closed.depth(9).view.open == layers
    assert closed.depth(9, all_scopes=True).view.open == every
    assert closed.depth(1, all_scopes=True).view.open == layers
    assert closed.depth(None, all_scopes=True).view.open == every
    assert tb_scopegraph.show(graphs.ffn_graph(), depth=9).view.open == layers
    assert tb_scopegraph.show(graphs.ffn_graph(), all_scopes=True).view.open == every
    shown = tb_scopegraph.show(graphs.ffn_graph(), open=["layer1/W"], depth=1, all_scopes=True)
    assert shown.view.open == layers | {"layer1/W"}
    assert "layer2/b" in closed.scopes
    assert repr(closed) == "<GraphView 21 ops, 4 boxes, open: nothing>"
    # Errors speak Python: where the names are, what a depth must be.
    with pytest.raises(NotFound, match=r"no node or scope 'zz' .*\(a view's \.scopes lists"):
        closed.open("zz")
    with pytest.raises(NotFound, match=r"zz.*\.scopes"):
        tb_scopegraph.show(graphs.ffn_graph(), open=["zz"])
    with pytest.raises(NotFound, match=r"no scope 'zz' .*\.scopes"):
        opened.close("zz")
    for bad in ("2", 2.0, True):
        with pytest.raises(TypeError, match="depth must be a whole number or None, not"):
            tb_scopegraph.show(graphs.ffn_graph(), depth=bad)
        with pytest.raises(TypeError, match="depth must be a whole number"):
            closed.depth(bad)


def test_hostile_names_stay_text():
    names = ['<script>alert("x")</script>', "http://evil.example/a", 'q"uote', "amp&er/sand"]
    graph = graphs.graph_from_nodes([(name, "Const") for name in names])
    svg = tb_scopegraph.show(graph, depth=9).svg
    root = ET.fromstring(svg)
    assert not [el for el in root.iter() if el.tag.rsplit("}", 1)[-1].lower() == "script"]
    assert not [k for el in root.iter() for k in el.attrib if k.endswith("href")]
    ids = ids_of(svg)
    assert element_id("op", names[0]) in ids
    assert "cluster-" + element_id("scope", "amp&er") in ids
    assert "amp&er" in texts_of(svg)


def test_ipython_displays_it_as_svg():
    shown = tb_scopegraph.show(graphs.add_graph())
    data, _ = DisplayFormatter().format(shown)
    assert data["image/svg+xml"] == shown.svg
    assert data["text/plain"].startswith("<GraphView 3 ops")


def test_a_drawing_that_times_out_shows_why_instead():
    shown = tb_scopegraph.show(graphs.tangled_graph(), depth=1, timeout=0.5)
    note = shown._repr_svg_()
    check_offline_svg(note)
    assert "did not finish" in texts_of(note)
    with pytest.raises(RenderTimeout):
        shown.svg  # noqa: B018 - the property does the work


def test_save_writes_by_suffix(tmp_path):
    shown = tb_scopegraph.show(graphs.add_graph())
    shown.save(tmp_path / "g.svg")
    shown.save(tmp_path / "g.png")
    shown.save(tmp_path / "g.gv")
    assert (tmp_path / "g.svg").read_text() == shown.svg
    assert (tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "g.gv").read_text() == shown.dot
    with pytest.raises(ValueError, match="pass format="):
        shown.save(tmp_path / "g.txt")


def test_show_refuses_other_things():
    with pytest.raises(TypeError, match="not int"):
        tb_scopegraph.show(42)
    with pytest.raises(TypeError):
        tb_scopegraph.show(node_def_pb2.NodeDef(name="a", op="Const"))


def test_import_is_cheap_and_never_imports_tensorflow(tmp_path):
    (tmp_path / "g.pb").write_bytes(graphs.add_graph().SerializeToString())
    script = (
        "import sys; sys.modules['tensorflow'] = None\n"
        "import tb_scopegraph, tb_scopegraph.cli\n"
        "heavy = [m for m in ('numpy', 'tb_scopegraph.model.hierarchy', 'tb_scopegraph.notebook')"
        " if m in sys.modules]\n"
        "print(heavy)\n"
        "import xml.etree.ElementTree as ET\n"
        f"svg = tb_scopegraph.show({os.fspath(tmp_path / 'g.pb')!r}).svg\n"
        "print('op-c' in {el.get('id') for el in ET.fromstring(svg).iter()})\n"
        "print('tensorflow' in sys.modules and sys.modules['tensorflow'] is not None)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == ["[]", "True", "False"]


def test_graph_view_is_frozen():
    shown = tb_scopegraph.show(graphs.add_graph())
    assert isinstance(shown, GraphView)
    with pytest.raises(AttributeError):
        shown.view = None


def test_views_can_be_coloured_by_op_type():
    view = tb_scopegraph.show(graphs.ffn_graph(), depth=1)
    assert view.colour == "" and "op type" not in view.dot
    coloured = view.colour_by("op")
    assert coloured.colour == "op" and "op type" in coloured.dot
    assert coloured.open("layer1").colour == "op"  # views opened from it keep its colouring
    assert tb_scopegraph.show(graphs.ffn_graph(), colour="device").colour == "device"
    closed = tb_scopegraph.show(graphs.ffn_graph(), depth=0).colour_by("structure")
    assert "identical blocks" in closed.dot and "layer1 ×2" in closed.dot
    with pytest.raises(ValueError, match="colour must be one of"):
        view.colour_by("rainbow")


def test_series_of_identical_blocks_roll_unless_asked_not_to():
    graph = graphs.blocks_graph(8)
    assert "block_[0-7] ×8" in tb_scopegraph.show(graph).dot
    for view in (
        tb_scopegraph.show(graph, roll=False),
        tb_scopegraph.show(graph, unroll="block_[0-7]"),
        tb_scopegraph.show(graph, unroll=["block_[0-7]"]),
    ):
        assert "×8" not in view.dot
        # A view made from it keeps the series unrolled.
        for other in (view.open("block_2"), view.depth(1), view.close("block_0")):
            assert "×8" not in other.dot and "block_2" in other.dot
    with pytest.raises(NotFound, match="no_such"):
        tb_scopegraph.show(graph, unroll="no_such")
