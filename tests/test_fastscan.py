"""The C reader of a GraphDef gives a Hierarchy exactly what the Python reader gives.

Every comparison builds the same graph twice, through ``_fastscan`` and through the Python
path (``fast=False``), and checks every array and group the Hierarchy keeps, the default
view and its layout. Bytes the C reader calls unusual go to Python; arbitrary bytes never
crash it.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from google.protobuf.message import DecodeError
from graphs import (
    ffn_graph,
    field,
    graph_bytes,
    graph_from_nodes,
    node_names,
    series_graph,
    varint,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tensorboard.compat.proto import graph_pb2, node_def_pb2

from tb_scopegraph.errors import SourceError
from tb_scopegraph.model import _nodescan
from tb_scopegraph.model.hierarchy import MAX_CHILDREN, Hierarchy
from tb_scopegraph.reading.graph_file import load_graph_file
from tb_scopegraph.reading.local import LocalGraphs
from tb_scopegraph.reading.run_graph import read_run_graph


def snapshot(h: Hierarchy) -> dict:
    view = h.default_view()
    model = h.graph
    return {
        "names": model.names,
        "types": model.op_types,
        "devices": model.devices,
        "real": model.op_count,
        "edges": [
            a.tolist()
            for a in (model.edge_src, model.edge_dst, model.edge_slot, model.edge_control)
        ],
        "op_parent": model.op_group.tolist(),
        "groups": model.groups,
        "by_key": {key: model.group_id(key) for key in model.group_keys()},
        "order": model.order,
        "view": view,
        "layout": h.layout(view),
    }


def assert_same_both_ways(data: bytes, fast_path: bool | None = True) -> Hierarchy:
    """Build ``data`` in C and in Python and compare; ``fast_path`` says whether the C
    reader should take these bytes (None: either)."""
    if fast_path is not None:
        assert (_nodescan._fastscan.scan(data) is not None) == fast_path
    fast, slow = Hierarchy(data), Hierarchy(data, fast=False)
    assert snapshot(fast) == snapshot(slow)
    # Keys and names are looked up through the lazily made index.
    for name in fast.graph.names[:50]:
        assert fast.ancestors(name) == slow.ancestors(name)
    return fast


def test_the_c_reader_is_built():
    # `pip install` compiles it (setup.py); without a compiler the package still works, in
    # Python, but this project's CI must run the fast path.
    assert _nodescan._fastscan is not None


@pytest.mark.parametrize("name", ["tf1", "keras", "ffn", "series", "hostile"])
def test_graphs_written_by_tensorflow_and_built_as_protos(written_graphs, name):
    h = assert_same_both_ways(written_graphs[name].SerializeToString())
    assert h.op_count == len(written_graphs[name].node)


def test_series_chunks_and_missing_inputs_come_out_the_same():
    nodes = [("input", "Placeholder")]
    for b in range(12):  # a series of scopes holding series of ops
        for i in range(6):
            nodes.append((f"net/block_{b}/relu_{i}", "Relu", (f"net/block_{b}/w:{i}",)))
        nodes.append((f"net/block_{b}/w", "Const", ("^input",)))
    nodes += [(f"flat/op{i}", "Add", ("input", f"ghost/in_{i % 7}:1")) for i in range(1200)]
    nodes += [(f"mixed/x_{i}", "Relu" if i % 2 else "Add") for i in range(12)]
    nodes += [(f"pt/Conv2d[{i}]", "aten::conv") for i in range(7)]
    nodes += [(f"pt/Conv2d[{i}]/inner", "aten::relu") for i in range(7)]
    data = graph_from_nodes(nodes).SerializeToString()
    h = assert_same_both_ways(data)
    keys = h.graph.group_keys()
    assert {"net/block_[0-11]", "pt/Conv2d[0-6]", "ghost/in_[0-6]"} <= keys
    assert {"mixed/x_[1-11]", "mixed/x_[0-10]"} <= keys  # one series per op type
    assert any(g.kind == "chunk" for g in h.graph.groups)
    assert max(len(g.children) + len(g.ops) for g in h.graph.groups) <= MAX_CHILDREN
    assert h.graph.op_count == len(nodes) and len(h.graph.names) == len(nodes) + 7


def test_names_scopes_and_numbers_at_the_edges():
    nodes = [
        ("a//b", "Op", ("a//b:0",)),
        ("trailing/", "Op", ("^trailing/",)),
        ("/lead", "Op", ("/lead:3", "lead:", ":7")),
        ("x:1", "Op", ("x:1", "x:1:2")),  # a name with a colon is looked up whole first
        ("é/ü_1", "Op", ("é/ü_1:12",)),
        ("9", "Op", ("9:9",)),
        ("n]", "Op"),
        ("deep/" * 300 + "end", "Op", ("deep/" * 300 + "end",)),
        ("big", "Op", ("big:" + "9" * 20, "a//b:" + "9" * 20)),
    ]
    nodes += [(f"s/layer_{i:03d}", "Op") for i in range(6)]  # numbers with leading zeros
    nodes += [(f"s/layer_{i}]", "Op") for i in range(5)]
    h = assert_same_both_ways(graph_from_nodes(nodes).SerializeToString())
    assert {"s/layer_[0-5]", "s/layer_0-4]"} <= h.graph.group_keys()
    # An index past 64 bits is part of the name: a missing input, not a crash.
    assert {"big:" + "9" * 20, "a//b:" + "9" * 20} <= set(h.graph.names[h.graph.op_count :])


def test_a_number_past_18_digits_in_a_label_goes_to_python():
    nodes = [(f"s/v_{10**20 + i}", "Op") for i in range(6)] + [("t/w_1", "Op")]
    h = assert_same_both_ways(graph_from_nodes(nodes).SerializeToString(), fast_path=False)
    assert f"s/v_[{10**20}-{10**20 + 5}]" in h.graph.group_keys()


def test_repeated_names_and_unusual_fields_go_to_python():
    twice = graph_from_nodes([("a", "Op"), ("b", "Op", ("a",)), ("a", "Other")])
    h = assert_same_both_ways(twice.SerializeToString(), fast_path=False)
    assert h.graph.names == ("a", "b", "a (2)")
    node = node_def_pb2.NodeDef(name="n", op="Op").SerializeToString()
    for odd in (
        node + field(1, b"again"),  # a singular field twice: protobuf keeps the last
        node + field(2, 5, wire=0),  # a known field with another wire type
        node + varint(10 << 3 | 3) + varint(10 << 3 | 4),  # a group
        field(1, b"\xff\xfe") + field(2, b"Op"),  # not UTF-8 (protobuf refuses it)
    ):
        data = graph_bytes([field(1, b"first"), odd])
        assert _nodescan._fastscan.scan(data) is None
    assert_same_both_ways(graph_bytes([node, node[:0] + field(1, b"m")]))


def test_fields_in_any_order_and_beside_the_nodes():
    graph = ffn_graph()
    graph.library.function.add().signature.name = "f"
    graph.versions.producer = 7
    nodes = [n.SerializeToString() for n in graph.node]
    library = field(2, graph.library.SerializeToString())
    versions = field(4, graph.versions.SerializeToString())
    reversed_fields = [
        b"".join(
            field(number, payload)
            for number, payload in reversed(
                [(1, n.name.encode()), (2, n.op.encode())] + [(3, i.encode()) for i in n.input]
            )
        )
        + field(9, 1, wire=0)
        for n in graph.node
    ]
    for data in (
        library + graph_bytes(nodes[:2]) + versions + graph_bytes(nodes[2:]),
        graph_bytes(reversed_fields),
    ):
        assert_same_both_ways(data)


def test_a_big_library_after_the_nodes_is_not_kept():
    graph = ffn_graph()
    graph.library.function.add().attr["big"].s = b"x" * (2 << 20)
    h = Hierarchy(graph.SerializeToString())
    assert len(h.graph.nodes.data) < 1 << 20
    assert h.node_def(graph.node[-1].name) == graph.node[-1]


def test_a_plain_run_graph_is_read_once_and_draws_as_its_graphdef():
    graph = series_graph(30)
    read = read_run_graph(graph.SerializeToString())
    assert read.scanned is not None and read.graph_def == graph
    drawn = snapshot(Hierarchy(read.drawable))
    assert drawn == snapshot(Hierarchy(graph))
    assert drawn == snapshot(Hierarchy(read.drawable))  # what was read can be built again


def test_a_binary_graph_file_is_read_once_and_draws_as_its_graphdef(tmp_path):
    graph = series_graph(30)
    path = tmp_path / "model.pb"
    path.write_bytes(graph.SerializeToString())
    graphs = LocalGraphs(path)
    read = graphs.load_graph(graphs.select())
    assert read.scanned is not None and read.graph_def == graph
    assert load_graph_file(path) == graph
    assert snapshot(Hierarchy(read.drawable)) == snapshot(Hierarchy(graph))
    # A file the C reader leaves (a library to finish) is read the full way, as before.
    function = graph.library.function.add()
    function.signature.name = "f"
    function.node_def.add(name="inside", op="Identity")
    path.write_bytes(graph.SerializeToString())
    graphs = LocalGraphs(path)
    read = graphs.load_graph(graphs.select())
    assert read.scanned is None
    assert any(n.name.startswith("__function_library__/f") for n in read.graph_def.node)
    # Two nodes of one name: the C reader leaves it, the full way renames the second.
    path.write_bytes(graph_from_nodes([("a", "Op"), ("a", "Op")]).SerializeToString())
    read = LocalGraphs(path).load_graph(LocalGraphs(path).select())
    assert read.scanned is None and node_names(read.graph_def) == ["a", "a (2)"]
    assert [w.kind for w in read.warnings] == ["duplicate_name"]


def test_a_plain_run_graph_is_not_parsed_by_protobuf_until_asked():
    graph = series_graph(30)
    graph.versions.producer = 27
    read = read_run_graph(graph.SerializeToString())
    assert read.parsed is None and read.scanned is not None
    assert read.op_count == len(graph.node) and read.graph_def == graph


def test_a_node_whose_attrs_protobuf_refuses_is_drawn_and_shown_with_its_own_fields():
    good = node_def_pb2.NodeDef(name="x", op="Const", input=["^y"], device="/cpu:0")
    odd = good.SerializeToString() + field(5, field(1, b"\xff") + field(2, b""))
    data = graph_bytes([odd, node_def_pb2.NodeDef(name="y", op="NoOp").SerializeToString()])
    with pytest.raises(DecodeError):  # protobuf checks the attr's key as UTF-8
        graph_pb2.GraphDef.FromString(data)
    read = read_run_graph(data)
    assert read.scanned is not None
    h = Hierarchy(read.drawable)
    assert h.graph.names == ("x", "y")
    assert h.node_def("x") == good


def test_attrs_nesting_deep_are_left_to_protobuf():
    deep = b""
    for _ in range(60):  # AttrValue.func (10) -> NameAttrList.attr (2) -> entry value (2)
        deep = field(10, field(2, field(1, b"k") + field(2, deep)))
    node = node_def_pb2.NodeDef(name="x", op="Op").SerializeToString()
    node += field(5, field(1, b"f") + field(2, deep))
    assert _nodescan.scan_fast(graph_bytes([node])) is None
    shallow = graph_from_nodes([("x", "Op")])
    shallow.node[0].attr["f"].func.attr["k"].list.i.extend([1, 2])
    assert _nodescan.scan_fast(shallow.SerializeToString()) is not None


def test_run_graphs_to_finish_or_to_refuse_take_the_full_path():
    with_library = ffn_graph()
    function = with_library.library.function.add()
    function.signature.name = "f"
    function.node_def.add(name="inside", op="Identity")
    pytorch = graph_from_nodes([("input/x", "IO Node"), ("Net/Linear[fc]/x.1", "aten::linear")])
    for graph in (with_library, pytorch):
        read = read_run_graph(graph.SerializeToString())
        assert read.scanned is None and read.drawable is read.graph_def
    names = Hierarchy(read_run_graph(with_library.SerializeToString()).drawable).graph.names
    assert any(name.startswith("__function_library__/f") for name in names)
    # Nodes to repair (reading.repair) take it too; a graph with nothing to draw is refused.
    repaired = [
        (graph_from_nodes([("a", "Op"), ("b", "Op"), ("a", "Op")]), ["a", "b", "a (2)"]),
        (graph_from_nodes([("a", "Op"), ("b", "")]), ["a", "b"]),
    ]
    for graph, names in repaired:
        read = read_run_graph(graph.SerializeToString())
        assert read.scanned is None and node_names(read.graph_def) == names
    with pytest.raises(SourceError, match="no node has both a name and an op"):
        read_run_graph(graph_from_nodes([("", "Op")]).SerializeToString())
    with pytest.raises(SourceError, match="unknown fields"):
        read_run_graph(ffn_graph().SerializeToString() + field(9, b"other"))


segments = st.one_of(
    st.sampled_from(["a", "b", "é", "", "7", "c]", "[3]", "x" * 9, "^", ":1"]),
    st.builds(
        lambda prefix, number, closed: f"{prefix}{number}{']' if closed else ''}",
        st.sampled_from(["layer_", "Conv2d[", "blk", "é_"]),
        st.integers(0, 9),
        st.booleans(),
    ),
)
names = st.lists(segments, min_size=1, max_size=4).map("/".join)


@st.composite
def graphs(draw) -> bytes:
    specs = draw(st.lists(st.tuples(names, st.sampled_from(["Add", "Relu", ""])), max_size=40))
    known = [name for name, _ in specs] or ["a"]
    source = st.one_of(st.sampled_from(known), names)
    decorated = st.one_of(
        source,
        source.map(lambda n: "^" + n),
        st.tuples(source, st.integers(0, 3)).map(lambda t: f"{t[0]}:{t[1]}"),
    )
    nodes = [(name, op, tuple(draw(st.lists(decorated, max_size=3))), {}) for name, op in specs]
    return graph_from_nodes(nodes).SerializeToString()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_any_graph_builds_the_same_in_c_and_in_python(data):
    assert_same_both_ways(data, fast_path=None)


def test_arbitrary_bytes_never_crash_the_c_reader():
    base = graph_from_nodes(
        [("in", "Placeholder"), ("a/b_1", "Add", ("in", "^in")), ("a/b_2", "Relu", ("a/b_1:0",))]
    ).SerializeToString()
    rng = random.Random(7)
    took = 0
    for _ in range(4000):
        data = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            what = rng.random()
            at = rng.randrange(len(data) + 1)
            if what < 0.5 and data:
                data[min(at, len(data) - 1)] = rng.randrange(256)
            elif what < 0.75:
                del data[at : at + rng.randint(1, 8)]
            else:
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        data = bytes(data)
        got = _nodescan._fastscan.scan(data)
        try:
            graph_pb2.GraphDef.FromString(data)
        except Exception:
            continue  # bytes protobuf refuses are never given to a Hierarchy
        if got is not None:
            took += 1
            assert_same_both_ways(data)
    assert took > 100  # most small changes still parse: the comparison ran


def test_inputs_name_edges_as_protobuf_lists_them():
    h = assert_same_both_ways(ffn_graph().SerializeToString())
    graph = ffn_graph()
    pairs = {
        (h.graph.names[s], h.graph.names[d])
        for s, d in zip(h.graph.edge_src.tolist(), h.graph.edge_dst.tolist(), strict=True)
    }
    expected = {
        (text.lstrip("^").rsplit(":", 1)[0] if ":" in text else text.lstrip("^"), node.name)
        for node in graph.node
        for text in node.input
    }
    assert pairs == expected
    assert np.all(
        h.graph.edge_control == np.asarray([t.startswith("^") for n in graph.node for t in n.input])
    )


def test_what_is_read_is_held_narrow_and_shared_with_the_model():
    # What the C reader gives is held beside the GraphDef's bytes until the tree is built
    # (the peak of a graph's reading): its ids come as int32, and the model's columns of op
    # paths and op types are the read's own arrays, read-only, not copies.
    nodes = [("input", "Placeholder")]
    nodes += [(f"net/layer_{i}/relu_{i}", "Relu", ("input", "^input")) for i in range(6)]
    nodes += [("net/out", "AddN", ("ghost:1", "^ghost2", "net/layer_0/relu_0:0"))]
    data = graph_from_nodes(nodes).SerializeToString()
    read = _nodescan.scan_fast(data)
    for column in _nodescan._NARROWED:
        assert getattr(read, column).dtype == np.int32, column
    assert read.op_path.tolist() == [0] + [2 + i for i in range(6)] + [1]
    assert read.op_number.tolist() == [0] + list(range(6)) + [0]
    path = np.asarray(read.names.path)
    assert np.shares_memory(path, read.op_path)
    assert np.shares_memory(np.asarray(read.ops.ids), read.type_ids)
    with pytest.raises(ValueError):
        read.op_path[0] = 1
    # A control input is one whose slot is -1; inputs naming no node are left to Python.
    assert read.e_ctrl.tolist() == [False, True] * 6 + [False, False, False]
    assert read.e_slot.tolist() == [0, -1] * 6 + [0, 0, 0]
    assert read.unresolved == [(12, "ghost:1"), (13, "^ghost2")]
    h = assert_same_both_ways(data)
    out = h.graph.op_id("net/out")
    ghosts = h.graph.edge_src[h.graph.edge_dst == out].tolist()
    assert [h.graph.names[g] for g in ghosts] == ["ghost", "ghost2", "net/layer_0/relu_0"]
    assert h.graph.edge_control[h.graph.edge_dst == out].tolist() == [False, True, False]
