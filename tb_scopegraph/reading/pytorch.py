"""PyTorch graphs tidied: scopes that follow the module tree, parameter inputs that name no node.

PyTorch (`SummaryWriter.add_graph`) and tensorboardX write a run graph (a GraphDef) whose ops
are TorchScript's (`aten::`, `prim::`, `onnx::`); `tidy_pytorch_graph` is the step that puts
such a graph in the shape the engine draws, and passes every other graph unchanged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

from tensorboard.compat.proto import graph_pb2

_PYTORCH_OP = re.compile(r"^(aten|prim|onnx)::|^IO Node$")


def is_pytorch_op(op: str) -> bool:
    """Whether an op type is one PyTorch's graph writers give (`aten::linear`, `IO Node`)."""
    return _PYTORCH_OP.match(op) is not None


def tidy_pytorch_graph(graph: graph_pb2.GraphDef) -> graph_pb2.GraphDef:
    """Make a PyTorch graph's scopes follow its module tree; other graphs pass unchanged.

    PyTorch (`SummaryWriter.add_graph`, tensorboardX) names an op after the modules whose
    `forward` ran it (`Net/Block[0]/Linear[fc]/input.3`) but a parameter after the attribute
    path that reaches it (`Net/ModuleList[blocks]/Block[0]/Linear[fc]/weight/weight.15`):
    containers that are never called (ModuleList, ModuleDict) appear only in the second.
    Ops move to the full path their parameters show, so each module is one scope. A
    parameter's input names the module object, which is no node: that input is dropped
    rather than drawn as a missing node. Changed in place and returned.
    """
    if not any(is_pytorch_op(node.op) for node in graph.node):
        return graph
    names = {node.name for node in graph.node}
    get_attrs = {node.name for node in graph.node if node.op == "prim::GetAttr"}
    for node in graph.node:
        if node.name in get_attrs:
            node.input[:] = [text for text in node.input if _input_node(text) in names]
    renames = _module_paths(graph, get_attrs)
    if not renames:
        return graph
    renamed: dict[str, str] = {}
    for name in names - get_attrs:
        scope, _, leaf = name.rpartition("/")
        new_scope = _longest_prefix(scope, renames)
        if new_scope is not None and new_scope != scope:
            new = f"{new_scope}/{leaf}"
            if new not in names:
                renamed[name] = new
    if len(set(renamed.values())) != len(renamed):
        return graph  # two ops would share a name: keep PyTorch's names
    for node in graph.node:
        node.name = renamed.get(node.name, node.name)
        node.input[:] = [_renamed_input(text, renamed) for text in node.input]
    return graph


def _input_node(text: str) -> str:
    """The node an input names: `^a`, `a:1` and `a` all name `a`."""
    name = text[1:] if text.startswith("^") else text
    base, colon, slot = name.rpartition(":")
    return base if colon and slot.isdigit() else name


def _module_paths(graph: graph_pb2.GraphDef, get_attrs: set[str]) -> dict[str, str]:
    """Op scope -> full module path, learnt from the ops that read each module's parameters."""
    votes: dict[str, Counter[str]] = {}
    for node in graph.node:
        if node.name in get_attrs:
            continue
        used = node.name.rpartition("/")[0].split("/")
        for text in node.input:
            source = text.lstrip("^")
            if source not in get_attrs or source.count("/") < 2:
                continue
            module = source.split("/")[:-2]  # drop `<attribute>/<value>`
            j = 0
            for i, part in enumerate(module):
                if j < len(used) and used[j] == part:
                    key = "/".join(used[: j + 1])
                    votes.setdefault(key, Counter())["/".join(module[: i + 1])] += 1
                    j += 1
    paths = {}
    for key, counter in votes.items():
        ranked = counter.most_common(2)
        if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            paths[key] = ranked[0][0]
    return paths


def _longest_prefix(scope: str, renames: Mapping[str, str]) -> str | None:
    parts = scope.split("/")
    for end in range(len(parts), 0, -1):
        key = "/".join(parts[:end])
        if key in renames:
            return "/".join([renames[key], *parts[end:]])
    return None


def _renamed_input(text: str, renamed: Mapping[str, str]) -> str:
    control = text.startswith("^")
    name = text[1:] if control else text
    slot = ""
    if name not in renamed:
        base, colon, number = name.rpartition(":")
        if colon and number.isdigit() and base in renamed:
            name, slot = base, f":{number}"
    if name not in renamed:
        return text
    return ("^" if control else "") + renamed[name] + slot
