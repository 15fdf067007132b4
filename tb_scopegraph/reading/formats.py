"""The table of formats: every kind of graph reading knows, in a logdir or in a model file.

A kind stored in a logdir is read through its `Format` (`adapter`), a model file through its
`FileFormat`; `provider` and `local` look formats up here and hold no format of their own.
The order of `FORMATS` is the order in which a run's graphs are listed: graphs, then the
profiles drawn on them.
"""

from __future__ import annotations

import types
from collections.abc import Mapping

from tensorboard.compat.proto import graph_pb2

from tb_scopegraph.errors import NotFound
from tb_scopegraph.reading import (
    graph_file,
    keras_model,
    meta_graph,
    run_graph,
    run_metadata,
    saved_model,
)
from tb_scopegraph.reading.adapter import FileFormat, Format

FORMATS: Mapping[str, Format] = types.MappingProxyType(
    {
        fmt.kind: fmt
        for fmt in (
            run_graph.FORMAT,
            run_metadata.OP_GRAPH_FORMAT,
            keras_model.FORMAT,
            meta_graph.FORMAT,
            run_metadata.PROFILE_FORMAT,
        )
    }
)
"""Each kind of graph a logdir can hold, by kind name."""

FILE_FORMATS: tuple[FileFormat, ...] = (saved_model.FORMAT, graph_file.FILE_FORMAT)
"""The kinds of model file, in the order a path is matched against them."""

KINDS: tuple[str, ...] = tuple(FORMATS)
"""The kinds of graph this package can find in a logdir and parse."""

KIND_PLUGINS: Mapping[str, tuple[str, ...]] = types.MappingProxyType(
    {fmt.kind: fmt.plugin_names for fmt in FORMATS.values() if not fmt.local_only}
)
"""Each kind TensorBoard serves, with its plugin names (where its data is stored), in order."""

PLUGIN_NAMES: tuple[str, ...] = tuple(dict.fromkeys(p for k in KIND_PLUGINS.values() for p in k))
"""Every TensorBoard plugin name a graph this package reads can be stored under."""


def format_of(kind: str) -> Format:
    """The format of graphs of `kind`; NotFound naming the known kinds if there is none."""
    try:
        return FORMATS[kind]
    except KeyError:
        known = ", ".join(KINDS)
        raise NotFound(f"unknown graph kind {kind!r} (known: {known})") from None


def parse_graph(kind: str, data: bytes) -> graph_pb2.GraphDef:
    """Parse the bytes stored for a graph of `kind`; SourceError if they are not one.

    A profile's bytes are a RunMetadata: this gives the graphs it holds, if any (a profile
    written with `tagged_run_metadata` usually holds none; `provider.load_graph` then uses
    its run's graph).
    """
    return format_of(kind).parse(data)
