"""The Keras model format: a model's layers, from the JSON config of Keras' TensorBoard callback.

Keras writes no op graph (Keras 3 writes only this); TensorBoard's own `keras_util` turns the
config into a GraphDef of one node per layer, which is drawn as the `conceptual` kind.
"""

from __future__ import annotations

from tensorboard.compat.proto import graph_pb2
from tensorboard.plugins.graph import metadata as graph_metadata

from tb_scopegraph.errors import SourceError
from tb_scopegraph.reading.adapter import Format, known_version
from tb_scopegraph.reading.depth import load_json
from tb_scopegraph.reading.graph_def import repair_graph

CONCEPTUAL = "conceptual"
"""A Keras model's layers, from the JSON config Keras' TensorBoard callback writes."""
KERAS_MODEL_PLUGIN = graph_metadata.PLUGIN_NAME_KERAS_MODEL
"""The TensorBoard plugin name Keras model configs are stored under."""


def parse_keras_config(data: bytes) -> graph_pb2.GraphDef:
    """A Keras model config (JSON) as a GraphDef of its layers; SourceError if it is not one."""
    from tensorboard.plugins.graph import keras_util

    try:
        config = load_json(data, "Keras model config")
        graph = keras_util.keras_model_to_graph_def(config)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as e:
        raise SourceError(f"not a Keras model config TensorBoard can read ({e!r})") from None
    for node in graph.node:
        # Layers have no op; their Keras class says what they are.
        node.op = node.op or node.attr["keras_class"].s.decode("utf-8", "replace") or "Layer"
    repair_graph(graph)
    return graph


FORMAT = Format(
    kind=CONCEPTUAL,
    plugin_names=(KERAS_MODEL_PLUGIN,),
    has_tag=known_version,
    parse=parse_keras_config,
)
