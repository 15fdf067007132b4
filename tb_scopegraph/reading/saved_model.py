"""The SavedModel format: the meta graphs of a `saved_model.pb`/`.pbtxt`, or of its folder.

Read without TensorFlow: the SavedModel message is built at run time on TensorBoard's own
MetaGraphDef. Each meta graph is listed under its tags (`serve`).
"""

from __future__ import annotations

import os
from typing import Any

from google.protobuf import unknown_fields
from tensorboard.compat.proto import graph_pb2

from tb_scopegraph.errors import SourceError
from tb_scopegraph.reading import repair, storage
from tb_scopegraph.reading.adapter import FileFormat, with_warnings
from tb_scopegraph.reading.depth import decode_message
from tb_scopegraph.reading.graph import Graph, GraphInfo
from tb_scopegraph.reading.graph_def import finish, repair_graph
from tb_scopegraph.reading.graph_file import parse_text, read_file

SAVED_MODEL = "saved_model"
"""One meta graph of a SavedModel's `saved_model.pb`, tagged with its tags (`serve`)."""
SAVED_MODEL_FILES = ("saved_model.pb", "saved_model.pbtxt")


def _saved_model_class() -> Any:
    """TensorFlow's SavedModel message, built on TensorBoard's MetaGraphDef (no TensorFlow)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    from tensorboard.compat.proto import meta_graph_pb2

    pool = descriptor_pool.Default()
    full_name = "tb_scopegraph.SavedModel"
    try:
        descriptor = pool.FindMessageTypeByName(full_name)
    except KeyError:
        proto = descriptor_pb2.FileDescriptorProto(
            name="tb_scopegraph/saved_model.proto",
            package="tb_scopegraph",
            syntax="proto3",
            dependency=[meta_graph_pb2.DESCRIPTOR.name],
        )
        saved_model = proto.message_type.add(name="SavedModel")
        field = descriptor_pb2.FieldDescriptorProto
        saved_model.field.add(
            name="saved_model_schema_version",
            number=1,
            type=field.TYPE_INT64,
            label=field.LABEL_OPTIONAL,
        )
        saved_model.field.add(
            name="meta_graphs",
            number=2,
            type=field.TYPE_MESSAGE,
            label=field.LABEL_REPEATED,
            type_name=".tensorboard.MetaGraphDef",
        )
        pool.Add(proto)
        descriptor = pool.FindMessageTypeByName(full_name)
    return message_factory.GetMessageClass(descriptor)


def load_saved_model(path: str | os.PathLike[str]) -> list[tuple[str, graph_pb2.GraphDef]]:
    """The meta graphs of a SavedModel (its folder, or its `saved_model.pb`/`.pbtxt`).

    Each comes as (tags, GraphDef): tags joined with commas (`serve`), or `#<n>` for a meta
    graph without tags. A TF2 SavedModel's graph is mostly calls into its function library,
    which `expand_function_library` turns into scopes.
    """
    path = os.fspath(path)
    if storage.isdir(path):
        files = [storage.join(path, name) for name in SAVED_MODEL_FILES]
        found = [f for f in files if storage.isfile(f)]
        if not found:
            raise SourceError(f"no saved_model.pb in {path}")
        path = found[0]
    data = read_file(path)
    if path.endswith(".pbtxt"):
        saved_model = parse_text(path, data, _saved_model_class()())
    else:
        try:
            saved_model = decode_message(_saved_model_class(), data, "SavedModel")
        except SourceError as e:
            raise type(e)(f"{path}: {e}") from None
    if len(unknown_fields.UnknownFieldSet(saved_model)) or not saved_model.meta_graphs:
        raise SourceError(f"{path}: not a valid SavedModel (no meta graph)")
    found_graphs: list[tuple[str, graph_pb2.GraphDef]] = []
    for index, meta_graph in enumerate(saved_model.meta_graphs):
        tags = ",".join(meta_graph.meta_info_def.tags) or f"#{index}"
        if tags in (t for t, _ in found_graphs):
            tags = f"{tags}#{index}"
        try:
            repair_graph(meta_graph.graph_def)
        except SourceError as e:
            raise SourceError(f"{path}: meta graph {tags}: {e}") from None
        found_graphs.append((tags, finish(meta_graph.graph_def)))
    return found_graphs


def is_saved_model(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is a SavedModel folder or its `saved_model.pb`/`.pbtxt` file."""
    path = os.fspath(path)
    if storage.isdir(path):
        return any(storage.isfile(storage.join(path, name)) for name in SAVED_MODEL_FILES)
    return storage.basename(path) in SAVED_MODEL_FILES


def open_saved_model(path: str) -> dict[GraphInfo, Graph]:
    """The meta graphs of a SavedModel, each listed under its tags, in a run named after
    the SavedModel's folder."""
    name = storage.basename(path)
    if not storage.isdir(path):
        local = not storage.is_url(path)
        name = storage.basename(
            os.path.dirname(os.path.abspath(path)) if local else storage.dirname(path)
        )
    with repair.collecting() as found:
        graphs = load_saved_model(path)
    # What was repaired is told for the whole file: each meta graph shows it (most have one).
    return {
        GraphInfo(name, SAVED_MODEL, tags, len(graph.node)): with_warnings(Graph(graph), found)
        for tags, graph in graphs
    }


FORMAT = FileFormat(kind=SAVED_MODEL, match=is_saved_model, open=open_saved_model)
