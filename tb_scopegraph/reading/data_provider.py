"""Graphs read through a TensorBoard data provider: listed, found by step, read, ready to draw.

The plugin passes TensorBoard's own provider; the command line and the notebook pass one over
event files (`local.local_provider`). Only the blob-sequence calls of TensorBoard's
`DataProvider` are used, and no format is known here: each kind's plugin names, tags and
parsing come from its adapter in `formats`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tb_scopegraph.errors import NotFound, SourceError
from tb_scopegraph.reading.formats import FORMATS, format_of, parse_graph
from tb_scopegraph.reading.graph import Graph, GraphInfo, GraphRef
from tb_scopegraph.reading.run_graph import RUN_GRAPH, RUN_GRAPH_TAG


def list_graphs(
    provider: Any, ctx: Any, experiment_id: str, *, op_counts: bool = True
) -> list[GraphInfo]:
    """Every graph the provider holds, sorted by run, kind (graphs, then profiles) and tag.

    Counting ops reads and parses every graph; pass `op_counts=False` to skip that
    (then every `op_count` is None).
    """
    found: list[GraphInfo] = []
    for fmt in FORMATS.values():
        seen: set[tuple[str, str]] = set()
        for plugin_name in fmt.plugin_names:
            mapping = provider.list_blob_sequences(
                ctx, experiment_id=experiment_id, plugin_name=plugin_name
            )
            for run, tags in mapping.items():
                for tag, series in tags.items():
                    if (run, tag) in seen or not fmt.has_tag(plugin_name, tag, series):
                        continue
                    seen.add((run, tag))
                    ref = GraphRef(run, fmt.kind, tag)
                    count = _op_count(provider, ctx, experiment_id, ref) if op_counts else None
                    found.append(GraphInfo(run, fmt.kind, tag, count))
    # Within a run, graphs come before the profiles drawn on them (the order of FORMATS).
    order = {name: index for index, name in enumerate(FORMATS)}
    return sorted(found, key=lambda info: (info.run, order[info.kind], info.tag))


def _op_count(provider: Any, ctx: Any, experiment_id: str, ref: GraphRef) -> int | None:
    try:
        return load_graph(provider, ctx, experiment_id, ref).op_count
    except (SourceError, NotFound):
        return None


@dataclass(frozen=True)
class Blob:
    """Where the latest graph at a GraphRef is stored; a new key means a new graph."""

    blob_key: str
    step: int
    wall_time: float
    plugin_name: str = ""


def latest_blob(provider: Any, ctx: Any, experiment_id: str, ref: GraphRef) -> Blob:
    """The blob holding the latest graph at `ref`, found without reading it; NotFound if none.

    For a profile, the blob of its RunMetadata.
    """
    return _stored_blobs(provider, ctx, experiment_id, ref, downsample=1)[-1]


#: At most this many graphs of one tag are looked at by step; TensorBoard's data providers keep
#: 10 by default (`--samples_per_plugin=graphs=N` keeps more).
MAX_STEPS = 1000


def graph_blobs(provider: Any, ctx: Any, experiment_id: str, ref: GraphRef) -> list[Blob]:
    """Every graph the provider keeps at `ref`, oldest first: a graph written again during
    training (at another step) is one more; NotFound if none."""
    return _stored_blobs(provider, ctx, experiment_id, ref, downsample=MAX_STEPS)


def blob_at_step(provider: Any, ctx: Any, experiment_id: str, ref: GraphRef, step: int) -> Blob:
    """The blob of the graph at `ref` written at `step` (the last one, if two share it)."""
    blobs = graph_blobs(provider, ctx, experiment_id, ref)
    at_step = [b for b in blobs if b.step == step]
    if not at_step:
        steps = ", ".join(str(b.step) for b in blobs)
        raise NotFound(
            f"no {ref.kind} at step {step} in run {ref.run!r} with tag {ref.tag!r} "
            f"(steps with one: {steps})"
        )
    return at_step[-1]


def _stored_blobs(
    provider: Any, ctx: Any, experiment_id: str, ref: GraphRef, downsample: int
) -> list[Blob]:
    from tensorboard.data.provider import RunTagFilter

    fmt = format_of(ref.kind)
    only = RunTagFilter(runs=[ref.run], tags=[ref.tag])
    for plugin_name in fmt.plugin_names:
        if not fmt.has_tag(plugin_name, ref.tag, None):
            continue
        listed = provider.list_blob_sequences(
            ctx, experiment_id=experiment_id, plugin_name=plugin_name, run_tag_filter=only
        )
        series = listed.get(ref.run, {}).get(ref.tag)
        if series is None or not fmt.has_tag(plugin_name, ref.tag, series):
            continue  # not here, or in a form TensorBoard would not read either
        sequences = provider.read_blob_sequences(
            ctx,
            experiment_id=experiment_id,
            plugin_name=plugin_name,
            downsample=downsample,
            run_tag_filter=only,
        )
        data = sequences.get(ref.run, {}).get(ref.tag, ())
        blobs = [
            Blob(datum.values[0].blob_key, datum.step, datum.wall_time, plugin_name)
            for datum in data
            if datum.values
        ]
        if blobs and data[-1].values:
            return blobs
    raise NotFound(f"no {ref.kind} in run {ref.run!r} with tag {ref.tag!r}")


def read_graph(provider: Any, ctx: Any, experiment_id: str, ref: GraphRef) -> tuple[str, bytes]:
    """The blob key and serialized bytes of the latest graph at `ref`; NotFound if none."""
    blob = latest_blob(provider, ctx, experiment_id, ref)
    return blob.blob_key, read_blob(provider, ctx, blob, ref)


def read_blob(provider: Any, ctx: Any, blob: Blob, ref: GraphRef) -> bytes:
    """The bytes of `blob`, found at `ref`; NotFound if the provider let them go meanwhile."""
    from tensorboard import errors as tb_errors

    try:
        return provider.read_blob(ctx, blob_key=blob.blob_key)
    except tb_errors.NotFoundError:
        raise NotFound(f"the {ref.kind} of run {ref.run!r} is gone (tag {ref.tag!r})") from None


def load_graph(
    provider: Any, ctx: Any, experiment_id: str, ref: GraphRef, blob: Blob | None = None
) -> Graph:
    """The graph at `ref` ready to draw, with its stats when it is a profile.

    `blob` is where `latest_blob` found it (looked up when not given). A profile shows
    the graph it ran: for PyTorch's and TF1's `tagged_run_metadata`, the run graph of
    the same run (the graphs the RunMetadata holds if the run has none); for a
    `trace_export` RunMetadata, its function graphs (the run graph if it holds none);
    `run_metadata.load_profile` says how.
    """
    if blob is None:
        blob = latest_blob(provider, ctx, experiment_id, ref)
    data = read_blob(provider, ctx, blob, ref)
    return format_of(ref.kind).graph(
        data, ref, blob.plugin_name, lambda: _run_graph(provider, ctx, experiment_id, ref.run)
    )


def _run_graph(provider: Any, ctx: Any, experiment_id: str, run: str):
    ref = GraphRef(run, RUN_GRAPH, RUN_GRAPH_TAG)
    try:
        blob = latest_blob(provider, ctx, experiment_id, ref)
    except NotFound:
        return None
    return parse_graph(RUN_GRAPH, read_blob(provider, ctx, blob, ref))
