"""The Python reader of node names, op types, devices and inputs, and of each node's bytes."""

from __future__ import annotations

import pytest
from google.protobuf.message import DecodeError
from graphs import ffn_graph, field, graph_bytes, graph_from_nodes, varint
from hypothesis import given, settings
from hypothesis import strategies as st
from tensorboard.compat.proto import function_pb2, graph_pb2, node_def_pb2

from tb_scopegraph.model import _nodescan
from tb_scopegraph.model.hierarchy import Hierarchy


def by_protobuf(data: bytes) -> tuple[list, list, list, list]:
    graph = graph_pb2.GraphDef.FromString(data)
    nodes = graph.node
    return (
        [n.name for n in nodes],
        [n.op for n in nodes],
        [n.device for n in nodes],
        [list(n.input) for n in nodes],
    )


def by_scan(data: bytes) -> tuple[list, list, list, list]:
    nodes = _nodescan.scan(data)
    inputs, at = [], 0
    for count in nodes.input_counts.tolist():
        inputs.append(nodes.inputs[at : at + count])
        at += count
    assert at == len(nodes.inputs)
    return nodes.names, nodes.ops, nodes.devices, inputs


def assert_scans_as_protobuf(data: bytes) -> None:
    assert by_scan(data) == by_protobuf(data)
    # Given the parsed GraphDef, the same; each node's bytes are found in place or joined.
    parsed = graph_pb2.GraphDef.FromString(data)
    again = parsed.SerializeToString()
    assert by_scan(again) == by_protobuf(data)
    for nodes in (_nodescan.scan(data), _nodescan.scan(again, parsed)):
        for i in range(len(parsed.node)):
            assert nodes.node_def(i) == parsed.node[i]


@pytest.mark.parametrize("name", ["tf1", "keras", "ffn", "series", "hostile"])
def test_graphs_written_by_tensorflow_and_built_as_protos(written_graphs, name):
    graph = written_graphs[name]
    assert_scans_as_protobuf(graph.SerializeToString())


def test_a_library_and_versions_beside_the_nodes_are_passed_over():
    graph = ffn_graph()
    graph.library.function.add().signature.name = "f"
    graph.library.function[0].node_def.add(name="inside", op="Identity", input=["x"])
    graph.versions.producer = 1234
    data = graph.SerializeToString()
    assert_scans_as_protobuf(data)
    # Fields may come in any order: the library first, the versions between the nodes.
    library = field(2, graph.library.SerializeToString())
    nodes = [n.SerializeToString() for n in graph.node]
    mixed = library + graph_bytes(nodes[:2]) + field(4, graph.versions.SerializeToString())
    assert_scans_as_protobuf(mixed + graph_bytes(nodes[2:]))
    # A big library is not kept with the nodes' bytes.
    graph.library.function[0].attr["big"].s = b"x" * (2 << 20)
    scanned = _nodescan.scan(graph.SerializeToString())
    assert len(scanned.data) < 1 << 20 and scanned.names == [n.name for n in graph.node]


def test_empty_graphs_and_empty_nodes():
    assert_scans_as_protobuf(b"")
    assert_scans_as_protobuf(graph_pb2.GraphDef(versions={"producer": 3}).SerializeToString())
    assert_scans_as_protobuf(graph_bytes([b"", b"", field(1, b"only")]))
    assert by_scan(graph_bytes([b"", field(2, b"Op")]))[1] == ["", "Op"]


def test_unknown_fields_of_every_wire_type_are_skipped():
    node = node_def_pb2.NodeDef(name="a/b", op="Add", input=["x", "^y"], device="/cpu:0")
    extras = (
        field(9, 300, wire=0)
        + field(14, b"\x01" * 8, wire=1)
        + field(15, b"\x02" * 4, wire=5)
        + field(2000, b"far field number")
        + field(100, varint(2**63), wire=2)
        + field(1, 7, wire=0)  # a known field number with another wire type
        + field(3, b"\x00" * 4, wire=5)
    )
    data = graph_bytes([extras + node.SerializeToString() + extras, field(1, b"c")])
    assert_scans_as_protobuf(data)
    assert by_scan(data)[3] == [["x", "^y"], []]


def test_broken_bytes_are_refused_as_protobuf_refuses_them():
    overlong = b"\x0a" + b"\xff" * 9 + b"\x01"  # a name whose length needs 64 bits
    for node in (overlong, field(1, b"abc")[:-1], b"\x00\x01"):
        data = graph_bytes([field(1, b"fine"), node])
        with pytest.raises(DecodeError):
            graph_pb2.GraphDef.FromString(data)
        with pytest.raises(DecodeError):
            _nodescan.scan(data)


def test_groups_go_through_protobuf():
    group = varint(10 << 3 | 3) + field(1, b"in a group") + varint(10 << 3 | 4)
    data = graph_bytes([field(1, b"a") + group + field(2, b"Op"), field(1, b"b")])
    assert_scans_as_protobuf(data)
    assert by_scan(data)[:2] == (["a", "b"], ["Op", ""])


def test_a_repeated_name_op_or_device_keeps_the_last_as_protobuf_does():
    node = field(1, b"first") + field(2, b"Op") + field(1, b"second") + field(3, b"in")
    plain = [field(1, f"n{i}".encode()) + field(3, b"in") for i in range(30)]
    odd = [node, node + field(4, b"d1") + field(4, b"d2") + field(2, b"Op2")]
    data = graph_bytes(plain[:10] + odd + plain[10:])
    assert_scans_as_protobuf(data)
    names, ops, devices, inputs = by_scan(data)
    assert names[10:12] == ["second", "second"] and ops[10:12] == ["Op", "Op2"]
    assert devices[10:12] == ["", "d2"] and inputs[9:13] == [["in"]] * 4


def test_huge_attrs_long_names_and_many_inputs():
    big = graph_from_nodes(
        [
            ("a" * 70_000, "Const", (), {"value": "x" * 3_000_000}),
            ("many", "AddN", tuple(f"in_{i}" for i in range(5_000))),
            ("after", "Identity", ("many",)),
        ]
    )
    data = big.SerializeToString()
    assert_scans_as_protobuf(data)
    assert len(by_scan(data)[3][1]) == 5_000


def test_strings_holding_newlines_nul_and_any_unicode():
    graph = graph_from_nodes(
        [
            ("line\nbreak", "Op\n", ("x\n:1",)),
            ("nul\x00name", "\x00", ("é/ü", "^\U0001f600")),
            ("\u2028/\r\n/\x85", "Ident", ()),
        ]
    )
    assert_scans_as_protobuf(graph.SerializeToString())


texts = st.text(max_size=12)
nodes = st.lists(
    st.tuples(texts, texts, st.lists(texts, max_size=4), texts, st.integers(0, 3)),
    max_size=20,
)


@settings(max_examples=150, deadline=None)
@given(nodes)
def test_any_nodes_scan_as_protobuf_reads_them(specs):
    serialized = []
    for name, op, inputs, device, extras in specs:
        node = node_def_pb2.NodeDef(name=name, op=op, input=inputs, device=device)
        node.attr["k"].i = len(name)
        raw = node.SerializeToString()
        if extras & 1:
            raw = field(9, extras, wire=0) + raw
        if extras & 2:
            raw += field(1, name.encode() + b"!")
        serialized.append(raw)
    assert_scans_as_protobuf(graph_bytes(serialized))


def test_a_hierarchy_from_bytes_is_the_hierarchy_from_the_graph_def(written_graphs):
    for graph in written_graphs.values():
        from_proto = Hierarchy(graph)
        from_bytes = Hierarchy(graph.SerializeToString())
        assert from_bytes.tree() == from_proto.tree()
        view = from_proto.default_view()
        assert from_bytes.default_view() == view
        assert from_bytes.layout(view) == from_proto.layout(view)
        name = graph.node[len(graph.node) // 2].name
        assert from_bytes.details(name) == from_proto.details(name)


def test_function_library_graph_keeps_its_nodes_readable():
    library = function_pb2.FunctionDefLibrary()
    library.function.add().signature.name = "f"
    graph = graph_pb2.GraphDef(node=[node_def_pb2.NodeDef(name="x", op="Placeholder")])
    graph.library.CopyFrom(library)
    h = Hierarchy(graph)
    assert h.details("x")["op"] == "Placeholder"


def test_nodes_compressed_read_back_as_written_across_blocks():
    # Long names and shapes: about 220 KB of NodeDefs, so nodes straddle the 64 KiB blocks.
    specs = [(f"model/layer_{i // 40}/op_{i}_" + "x" * 80, "Relu", ()) for i in range(1500)]
    graph = graph_from_nodes(specs)
    data = graph.SerializeToString()
    assert len(data) > 3 * _nodescan.BLOCK
    h = Hierarchy(data)
    model = h.graph
    before = [model.nodes.node_bytes(i) for i in range(model.op_count)]
    hits = h.search("op_7")
    model.prepare()
    nodes = model.nodes
    assert nodes.data == b"" and len(nodes.blocks) > 3
    assert sum(map(len, nodes.blocks)) < len(data) // 4
    assert [nodes.node_bytes(i) for i in range(model.op_count)] == before
    assert [nodes.node_def(i) for i in (0, 700, 1499)] == [graph.node[i] for i in (0, 700, 1499)]
    model.prepare()  # once: a second call changes nothing
    assert [nodes.node_bytes(i) for i in (3, 999)] == [before[3], before[999]]
    assert h.search("op_7") == hits and model.has_name_index()
