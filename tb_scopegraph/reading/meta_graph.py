"""The MetaGraphDef format: a run's `meta_graph_def` event, read from event files only.

TensorBoard's data providers drop `Event.meta_graph_def`, so `event_files` files it under a
plugin name of its own (for a run without a run graph) and only the command line and the
notebook see it.
A `.meta` file (`graph_file`) and a SavedModel (`saved_model`) hold the same message.
"""

from __future__ import annotations

from google.protobuf import unknown_fields
from tensorboard.compat.proto import graph_pb2

from tb_scopegraph.errors import SourceError
from tb_scopegraph.reading import event_files
from tb_scopegraph.reading.adapter import Format
from tb_scopegraph.reading.depth import decode_message
from tb_scopegraph.reading.graph_def import finish, repair_graph

META_GRAPH = "meta_graph"
"""A run's `meta_graph_def` (read from event files only: TensorBoard's providers drop it)."""
META_GRAPH_TAG = event_files.META_GRAPH_TAG


def parse_meta_graph(data: bytes) -> graph_pb2.GraphDef:
    """The GraphDef of a serialized MetaGraphDef, checked and finished; SourceError if not one."""
    from tensorboard.compat.proto import meta_graph_pb2

    meta_graph = decode_message(meta_graph_pb2.MetaGraphDef, data, "MetaGraphDef")
    if len(unknown_fields.UnknownFieldSet(meta_graph)):
        raise SourceError("not a valid MetaGraphDef (unknown fields: another kind of protobuf?)")
    repair_graph(meta_graph.graph_def)
    return finish(meta_graph.graph_def)


FORMAT = Format(
    kind=META_GRAPH,
    plugin_names=(event_files.META_GRAPH_PLUGIN,),
    has_tag=lambda _plugin, tag, _series: tag == META_GRAPH_TAG,
    parse=parse_meta_graph,
    local_only=True,
)
