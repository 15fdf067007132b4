"""GraphDefs checked, repaired and finished: what every format adapter does to a GraphDef read.

Checking: protobuf parses almost any bytes as almost any message, so a GraphDef is refused
when it holds fields a GraphDef does not have. Repairing (`repair`): a node without a name
or repeating a name is skipped, one without an op is kept, bytes protobuf refuses are read
field by field, each reported as a warning; a graph is refused only when nothing of it can be
read. Finishing puts a GraphDef in the shape the engine draws: its function library's bodies
become scopes of their own, linked from their call sites (`function_library`), and a PyTorch
graph's scopes follow its module tree (`pytorch`).
"""

from __future__ import annotations

from typing import Any

from google.protobuf import unknown_fields
from tensorboard.compat.proto import graph_pb2

from tb_scopegraph.errors import SourceError, TooDeep
from tb_scopegraph.reading import repair
from tb_scopegraph.reading.depth import decode_message
from tb_scopegraph.reading.function_library import expand_function_library
from tb_scopegraph.reading.pytorch import is_pytorch_op, tidy_pytorch_graph


def parse_graph_def(data: bytes) -> graph_pb2.GraphDef:
    """A serialized GraphDef, checked, repaired and finished; SourceError if nothing of the
    bytes is a GraphDef."""
    return finish(decode_graph_def(data))


def decode_graph_def(data: bytes, repair_nodes: bool = True) -> graph_pb2.GraphDef:
    """A serialized GraphDef, checked and (its nodes too unless `repair_nodes` is false) repaired,
    unfinished."""
    graph, _ = decode_or_salvage(data)
    if repair_nodes:
        repair.repair_nodes(graph)
    return graph


def decode_or_salvage(data: bytes) -> tuple[graph_pb2.GraphDef, bool]:
    """A serialized GraphDef and whether it had to be salvaged (`repair.salvage_graph_def`)
    because protobuf refuses the bytes; the nodes are not repaired yet. SourceError (protobuf's
    own reason) if not one node with a name and an op can be read, or if the bytes hold fields
    no GraphDef has; TooDeep if they nest past protobuf's limit."""
    try:
        graph = decode_message(graph_pb2.GraphDef, data, "GraphDef")
    except TooDeep:
        raise
    except SourceError as refused:
        # What salvaging reports counts only if the salvaged graph is kept: a caller may try
        # the bytes as something else next (a graph file as text).
        with repair.collecting() as found:
            graph = repair.salvage_graph_def(data)
        if not any(node.name and node.op for node in graph.node):
            raise refused from None
        repair.report_found(found)
        return graph, True
    check_fields(graph)
    return graph, False


def repair_graph(graph: graph_pb2.GraphDef) -> None:
    """Check a parsed GraphDef and repair its nodes in place (see the module docstring)."""
    check_fields(graph)
    repair.repair_nodes(graph)


def check_fields(graph: graph_pb2.GraphDef) -> None:
    """Refuse a GraphDef holding fields no GraphDef has (the bytes were another message)."""
    if len(unknown_fields.UnknownFieldSet(graph)):
        raise SourceError("not a valid GraphDef (unknown fields: another kind of protobuf?)")


def finish(graph: graph_pb2.GraphDef) -> graph_pb2.GraphDef:
    """A checked GraphDef in the shape the engine draws (see the module docstring)."""
    return tidy_pytorch_graph(expand_function_library(graph))


def needs_finishing(graph: graph_pb2.GraphDef) -> bool:
    """Whether `finish` would change the graph: it has a function library, or is PyTorch's."""
    return bool(graph.library.function) or any(is_pytorch_op(n.op) for n in graph.node)


def graph_from_object(obj: Any) -> graph_pb2.GraphDef:
    """A GraphDef from a GraphDef of any protobuf runtime or an object with `as_graph_def()`.

    Accepts TensorFlow's own GraphDef class (or a tf.Graph) without importing TensorFlow,
    by round-tripping through the wire format. Library functions become scopes; a GraphDef
    passed in is not changed (its repairs are made on a copy).
    """
    if isinstance(obj, graph_pb2.GraphDef):
        copy = graph_pb2.GraphDef()
        copy.CopyFrom(obj)
        repair_graph(copy)
        return finish(copy) if needs_finishing(copy) else copy
    if hasattr(obj, "as_graph_def"):
        obj = obj.as_graph_def()
    serialize = getattr(obj, "SerializeToString", None)
    if serialize is None or type(obj).__name__ != "GraphDef":
        raise SourceError(f"not a graph: {type(obj).__name__}")
    return parse_graph_def(serialize())
