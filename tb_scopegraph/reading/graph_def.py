"""GraphDefs checked and finished: what every format adapter does to the GraphDef it reads.

Checking: protobuf parses almost any bytes as almost any message, so a GraphDef is refused
when it holds fields a GraphDef does not have, a node without a name or op, or two nodes of
one name. Finishing puts a checked GraphDef in the shape the engine draws: its function
library's bodies become scopes of their own, linked from their call sites
(`function_library`), and a PyTorch graph's scopes follow its module tree (`pytorch`).
"""

from __future__ import annotations

from typing import Any

from google.protobuf import unknown_fields
from tensorboard.compat.proto import graph_pb2

from tb_scopegraph.errors import SourceError
from tb_scopegraph.reading.depth import decode_message
from tb_scopegraph.reading.function_library import expand_function_library
from tb_scopegraph.reading.pytorch import is_pytorch_op, tidy_pytorch_graph


def parse_graph_def(data: bytes) -> graph_pb2.GraphDef:
    """A serialized GraphDef, checked and finished; SourceError if the bytes are not one."""
    return finish(decode_graph_def(data))


def decode_graph_def(data: bytes, check_nodes: bool = True) -> graph_pb2.GraphDef:
    """A serialized GraphDef, checked (its nodes too unless `check_nodes` is false), unfinished."""
    graph = decode_message(graph_pb2.GraphDef, data, "GraphDef")
    check_fields(graph)
    if check_nodes:
        check_graph_nodes(graph)
    return graph


def check_graph(graph: graph_pb2.GraphDef) -> None:
    """Refuse bytes that parsed but are not a GraphDef (protobuf accepts a lot)."""
    check_fields(graph)
    check_graph_nodes(graph)


def check_fields(graph: graph_pb2.GraphDef) -> None:
    """Refuse a GraphDef holding fields no GraphDef has (the bytes were another message)."""
    if len(unknown_fields.UnknownFieldSet(graph)):
        raise SourceError("not a valid GraphDef (unknown fields: another kind of protobuf?)")


def check_graph_nodes(graph: graph_pb2.GraphDef) -> None:
    """Refuse a node without a name or an op, and two nodes of one name."""
    names: set[str] = set()
    for index, node in enumerate(graph.node):
        if not node.name or not node.op:
            raise SourceError(f"not a valid GraphDef (node #{index} has no name or no op)")
        if node.name in names:
            raise SourceError(f"not a valid GraphDef (two nodes are named {node.name!r})")
        names.add(node.name)


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
    passed in is not changed.
    """
    if isinstance(obj, graph_pb2.GraphDef):
        check_graph(obj)
        if not needs_finishing(obj):
            return obj
        copy = graph_pb2.GraphDef()
        copy.CopyFrom(obj)
        return finish(copy)
    if hasattr(obj, "as_graph_def"):
        obj = obj.as_graph_def()
    serialize = getattr(obj, "SerializeToString", None)
    if serialize is None or type(obj).__name__ != "GraphDef":
        raise SourceError(f"not a graph: {type(obj).__name__}")
    return parse_graph_def(serialize())
