"""Read the graphs in a logdir's event files ourselves, past damage that stops other readers.

The command line and the notebook read logdirs with this module instead of TensorBoard's
event multiplexer, for two reasons. It keeps what both TensorBoard data providers drop: a
run's `meta_graph_def`. And it reads around damage: a record whose checksum fails, whose
length header claims more bytes than the file holds, or whose payload is not an Event is
skipped with a warning, and the records after it are still found.

`EventFileProvider` answers the three blob-sequence calls of TensorBoard's `DataProvider`
that `data_provider` makes, so the same code lists and reads graphs from it and from TensorBoard.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import message
from tensorboard.compat.proto import event_pb2
from tensorboard.plugins.graph import metadata as graph_metadata

from tb_scopegraph.errors import SourceError
from tb_scopegraph.reading import storage

# Where TensorBoard stores each kind of graph record (its graph plugin's metadata, and
# dataclass_compat.py for the events), and the tag of a run graph.
GRAPHS_PLUGIN = graph_metadata.PLUGIN_NAME
RUN_GRAPH_TAG = graph_metadata.RUN_GRAPH_NAME
TAGGED_RUN_METADATA_PLUGIN = graph_metadata.PLUGIN_NAME_TAGGED_RUN_METADATA
SUMMARY_GRAPH_PLUGINS = frozenset(
    {
        graph_metadata.PLUGIN_NAME_RUN_METADATA,
        graph_metadata.PLUGIN_NAME_RUN_METADATA_WITH_GRAPH,
        graph_metadata.PLUGIN_NAME_KERAS_MODEL,
    }
)
META_GRAPH_PLUGIN = "scopegraph_meta_graph"
"""Where this reader files a run's `meta_graph_def`; no TensorBoard provider has it."""
META_GRAPH_TAG = "__meta_graph__"

KEEP_PER_TAG = 10
"""Graphs kept per run and tag, newest last (TensorBoard keeps 10 too)."""

_HEADER = struct.Struct("<QI")  # length, masked CRC-32C of the length
_CRC = struct.Struct("<I")


@dataclass(frozen=True)
class Record:
    """One record of an event file: its payload, and the checksum the file gives for it."""

    offset: int
    data: bytes
    crc: int

    def intact(self) -> bool:
        """Whether the payload matches its checksum (computed on demand: it is slow in Python)."""
        return _masked_crc32c(self.data) == self.crc


def _masked_crc32c(data: bytes) -> int:
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    return masked_crc32c(data)


def read_records(path: str, warnings: list[str]) -> Iterator[Record]:
    """The records of a TFRecord file in order, skipping damaged stretches.

    Every record's length header is checked against its checksum before it is trusted. A
    damaged header, or a length running past the end of the file, is reported in `warnings`
    and reading resumes at the next offset holding a valid header. Payload checksums are
    left to the caller (`Record.intact`), which checks the records it keeps. A URL
    (`storage`) is read whole; a local file is mapped into memory.
    """
    if storage.is_url(path):
        try:
            data = storage.read_bytes(path)
        except SourceError as e:  # it names the URL and why
            warnings.append(str(e))
            return
        yield from _scan(path, data, len(data), warnings)
        return
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size == 0:
                return
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
                yield from _scan(path, buf, len(buf), warnings)
    except (OSError, ValueError) as e:
        warnings.append(f"{path}: cannot read ({getattr(e, 'strerror', None) or e})")


def _scan(path: str, buf: Any, size: int, warnings: list[str]) -> Iterator[Record]:
    pos = 0
    while pos < size:
        if size - pos < _HEADER.size:
            warnings.append(f"{path}: {size - pos} bytes at byte {pos} are cut short of a record")
            return
        length, crc = _HEADER.unpack_from(buf, pos)
        problem = None
        if _masked_crc32c(buf[pos : pos + 8]) != crc:
            problem = "its length header fails its checksum"
        elif pos + _HEADER.size + length + _CRC.size > size:
            problem = (
                f"its header claims {length} bytes, more than the file holds "
                f"({size - pos - _HEADER.size - _CRC.size} after it)"
            )
        if problem is None:
            start = pos + _HEADER.size
            (data_crc,) = _CRC.unpack_from(buf, start + length)
            yield Record(pos, bytes(buf[start : start + length]), data_crc)
            pos = start + length + _CRC.size
            continue
        resume = _next_header(buf, pos + 1, size)
        where = "no record follows" if resume is None else f"reading resumes at byte {resume}"
        warnings.append(f"{path}: skipped the record at byte {pos}: {problem}; {where}")
        if resume is None:
            return
        pos = resume


def _next_header(buf: Any, start: int, size: int) -> int | None:
    """The first offset from `start` holding a record header that checks out and fits.

    Every offset is a candidate, so the header checksums of a window of offsets are
    computed at once with numpy (a Python loop would take minutes on a big file).
    """
    last = size - _HEADER.size - _CRC.size  # the last offset a record can start at
    pos = start
    while pos <= last:
        end = min(last + 1, pos + _WINDOW)
        found = _first_header(bytes(buf[pos : end + _HEADER.size - 1]), end - pos, last - pos)
        if found is not None:
            return pos + found
        pos = end
    return None


_WINDOW = 1 << 20


def _first_header(data: bytes, n: int, room: int) -> int | None:
    """The first of offsets 0..n-1 of `data` where a header's checksum holds and its record fits
    in `room` bytes past the offset (less the header and footer)."""
    import numpy as np

    raw = np.frombuffer(data, dtype=np.uint8)
    crc = np.full(n, 0xFFFFFFFF, dtype=np.uint32)
    table = _crc_table()
    for k in range(8):
        crc = table[(crc ^ raw[k : k + n]) & 0xFF] ^ (crc >> np.uint32(8))
    crc ^= np.uint32(0xFFFFFFFF)
    masked = ((crc >> np.uint32(15)) | (crc << np.uint32(17))) + np.uint32(0xA282EAD8)
    lengths = np.ndarray((n,), dtype="<u8", buffer=data, strides=(1,))
    stored = np.ndarray((n,), dtype="<u4", buffer=data, offset=8, strides=(1,))
    fits = lengths <= (room - np.arange(n, dtype=np.int64)).astype(np.uint64)
    hits = np.flatnonzero((masked == stored) & fits)
    return int(hits[0]) if hits.size else None


_CRC_TABLE: list = []


def _crc_table():
    if not _CRC_TABLE:
        import numpy as np
        from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import CRC_TABLE

        _CRC_TABLE.append(np.asarray(CRC_TABLE, dtype=np.uint32))
    return _CRC_TABLE[0]


def is_event_file(name: str) -> bool:
    """Whether TensorBoard would read a file of this name as an event file."""
    return "tfevents" in name


@dataclass
class _Series:
    plugin_content: bytes
    description: str
    display_name: str
    data: list[tuple[int, float, tuple[str, ...]]] = field(default_factory=list)


class EventFileProvider:
    """Graph data of a logdir, read from its event files with `read_records`.

    Runs are the folders holding event files, named by their path relative to the logdir
    ("." for the logdir itself); files are read in name order, as TensorBoard reads them.
    A graph written again at the same or an earlier step replaces the ones from that step
    on (a restarted job). `warnings` lists every record that was skipped, and why.
    """

    def __init__(self, logdir: str) -> None:
        self.logdir = logdir
        self.warnings: list[str] = []
        self._series: dict[str, dict[str, dict[str, _Series]]] = {}
        self._blobs: dict[str, bytes] = {}
        self.runs: list[str] = []
        for run, paths in _runs(logdir):
            self.runs.append(run)
            first_metadata: dict[str, tuple[str, bytes, str, str]] = {}
            for path in paths:
                self._read_file(run, path, first_metadata)
        # TensorBoard shows a meta graph's graph only when its run has no graph of its own.
        graphs = self._series.get(GRAPHS_PLUGIN, {})
        metas = self._series.get(META_GRAPH_PLUGIN, {})
        for run in [r for r in metas if r in graphs]:
            del metas[run]

    @property
    def blob_count(self) -> int:
        """How many blobs are held: those of at most `KEEP_PER_TAG` graphs per run and tag."""
        return len(self._blobs)

    # -- reading ----------------------------------------------------------------------------

    def _read_file(self, run: str, path: str, first_metadata: dict) -> None:
        for record in read_records(path, self.warnings):
            try:
                event = event_pb2.Event.FromString(record.data)
            except message.DecodeError:
                self.warnings.append(
                    f"{path}: skipped the record at byte {record.offset}: it is not an Event"
                )
                continue
            for plugin, tag, blobs, metadata in _graph_values(event, first_metadata):
                if not record.intact():
                    self.warnings.append(
                        f"{path}: skipped the record at byte {record.offset}: "
                        "its data fails its checksum"
                    )
                    break
                self._add(plugin, run, tag, event, blobs, metadata)

    def _add(self, plugin: str, run: str, tag: str, event, blobs, metadata) -> None:
        tags = self._series.setdefault(plugin, {}).setdefault(run, {})
        series = tags.get(tag)
        if series is None:
            content, description, display_name = metadata
            series = tags[tag] = _Series(content, description, display_name)
        step = int(event.step)
        # A step at or before the last one means the job restarted: its graphs win.
        kept = [d for d in series.data if d[0] < step][-(KEEP_PER_TAG - 1) :]
        for _, _, keys in series.data:
            if keys not in (d[2] for d in kept):
                for key in keys:
                    del self._blobs[key]
        series.data = kept
        keys = []
        for index, blob in enumerate(blobs):
            key = json.dumps([plugin, run, tag, step, len(self._blobs), index])
            self._blobs[key] = blob
            keys.append(key)
        series.data.append((step, float(event.wall_time), tuple(keys)))

    # -- TensorBoard's DataProvider calls --------------------------------------------------

    def list_blob_sequences(
        self, ctx=None, *, experiment_id, plugin_name, run_tag_filter=None
    ) -> dict:
        from tensorboard.data import provider

        result: dict = {}
        for run, tag, series in self._matching(plugin_name, run_tag_filter):
            if not series.data:
                continue
            result.setdefault(run, {})[tag] = provider.BlobSequenceTimeSeries(
                max_step=max(d[0] for d in series.data),
                max_wall_time=max(d[1] for d in series.data),
                max_length=max(len(d[2]) for d in series.data),
                plugin_content=series.plugin_content,
                description=series.description,
                display_name=series.display_name,
            )
        return result

    def read_blob_sequences(
        self, ctx=None, *, experiment_id, plugin_name, downsample=None, run_tag_filter=None
    ) -> dict:
        from tensorboard.data import provider

        result: dict = {}
        for run, tag, series in self._matching(plugin_name, run_tag_filter):
            data = series.data if not downsample else series.data[-downsample:]
            result.setdefault(run, {})[tag] = [
                provider.BlobSequenceDatum(
                    step=step,
                    wall_time=wall_time,
                    values=tuple(provider.BlobReference(key) for key in keys),
                )
                for step, wall_time, keys in data
            ]
        return result

    def read_blob(self, ctx=None, *, blob_key: str) -> bytes:
        try:
            return self._blobs[blob_key]
        except KeyError:
            from tensorboard import errors

            raise errors.NotFoundError(f"no blob {blob_key!r}") from None

    def _matching(self, plugin_name: str, run_tag_filter) -> Iterator[tuple[str, str, _Series]]:
        runs = getattr(run_tag_filter, "runs", None)
        tags = getattr(run_tag_filter, "tags", None)
        for run, by_tag in self._series.get(plugin_name, {}).items():
            if runs is not None and run not in runs:
                continue
            for tag, series in by_tag.items():
                if tags is None or tag in tags:
                    yield run, tag, series


def _graph_values(event, first_metadata: dict) -> Iterator[tuple[str, str, list[bytes], tuple]]:
    """(plugin, tag, blobs, (content, description, display name)) for each graph in `event`."""
    what = event.WhichOneof("what")
    none = (b"", "", "")
    if what == "graph_def":
        yield GRAPHS_PLUGIN, RUN_GRAPH_TAG, [event.graph_def], none
    elif what == "meta_graph_def":
        yield META_GRAPH_PLUGIN, META_GRAPH_TAG, [event.meta_graph_def], none
    elif what == "tagged_run_metadata":
        tagged = event.tagged_run_metadata
        yield TAGGED_RUN_METADATA_PLUGIN, tagged.tag, [tagged.run_metadata], none
    elif what == "summary":
        for value in event.summary.value:
            # As in TensorBoard, a tag's first metadata says what all its values are.
            if value.tag not in first_metadata:
                meta = value.metadata
                first_metadata[value.tag] = (
                    meta.plugin_data.plugin_name,
                    meta.plugin_data.content,
                    meta.summary_description,
                    meta.display_name,
                )
            plugin, content, description, display_name = first_metadata[value.tag]
            if plugin in SUMMARY_GRAPH_PLUGINS and value.HasField("tensor"):
                blobs = list(value.tensor.string_val)
                if blobs:
                    yield plugin, value.tag, blobs, (content, description, display_name)


def _runs(logdir: str) -> Iterator[tuple[str, list[str]]]:
    """(run name, event file paths in name order) for each folder holding event files."""
    found = []
    for folder, files in storage.walk(logdir):
        events = sorted(name for name in files if is_event_file(name))
        if events:
            run = storage.relative(folder, logdir)
            found.append((run, [storage.join(folder, name) for name in events]))
    yield from sorted(found)
