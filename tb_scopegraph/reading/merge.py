"""Several GraphDefs merged into one, each under a `graph_<n>` scope (a trace's function graphs)."""

from __future__ import annotations

from collections.abc import Mapping

from tensorboard.compat.proto import graph_pb2


def merge_graph_defs(
    graphs: list[graph_pb2.GraphDef], outer: Mapping[int, str] | None = None
) -> graph_pb2.GraphDef:
    """Several GraphDefs as one, each under a `graph_<n>` scope, as TensorBoard merges them.

    Like TensorBoard's `graph_util.merge_graph_defs` (one graph comes back as it is; library
    functions become `graph_<n>_<name>`), but control inputs keep their `^` in front of the
    prefix, and every reference to a renamed function follows it, not only PartitionedCall's.
    Graphs of different producer versions are merged too. ``outer`` puts graphs (by their
    place in ``graphs``, from 0) inside a scope, `<scope>/graph_<n>`, numbered as without it:
    a name TensorBoard shows is still found by searching for it.
    """
    outer = outer or {}
    if len(graphs) == 1:
        return graphs[0]
    merged = graph_pb2.GraphDef()
    if graphs and graphs[0].versions.producer:
        merged.versions.CopyFrom(graphs[0].versions)
    for index, graph in enumerate(graphs, start=1):
        prefix = f"graph_{index}"
        renamed = {f.signature.name: f"{prefix}_{f.signature.name}" for f in graph.library.function}
        if index - 1 in outer:
            prefix = f"{outer[index - 1]}/{prefix}"
        for node in graph.node:
            new = merged.node.add()
            new.CopyFrom(node)
            new.name = f"{prefix}/{node.name}"
            new.input[:] = [_prefixed_input(prefix, text) for text in node.input]
            _rename_functions(new, renamed)
        for function in graph.library.function:
            new_function = merged.library.function.add()
            new_function.CopyFrom(function)
            new_function.signature.name = renamed[function.signature.name]
            for node in new_function.node_def:
                _rename_functions(node, renamed)
        for gradient in graph.library.gradient:
            new_gradient = merged.library.gradient.add()
            new_gradient.CopyFrom(gradient)
            new_gradient.function_name = renamed.get(gradient.function_name, gradient.function_name)
            new_gradient.gradient_func = renamed.get(gradient.gradient_func, gradient.gradient_func)
    return merged


def _prefixed_input(prefix: str, text: str) -> str:
    if text.startswith("^"):
        return f"^{prefix}/{text[1:]}"
    return f"{prefix}/{text}"


def _rename_functions(node, renamed: Mapping[str, str]) -> None:
    """Point a node's function references (its op, func attrs) at renamed functions."""
    if not renamed:
        return
    if node.op in renamed:
        node.op = renamed[node.op]
    for value in node.attr.values():
        if value.HasField("func") and value.func.name in renamed:
            value.func.name = renamed[value.func.name]
        for func in value.list.func:
            if func.name in renamed:
                func.name = renamed[func.name]
