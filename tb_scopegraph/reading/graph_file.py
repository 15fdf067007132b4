"""The graph file format: a GraphDef in a binary `.pb` or text `.pbtxt` file, or a `.meta` file.

Any file that is not an event file and not a SavedModel is read as one: by its suffix, and
a name with another suffix is tried as binary, then as text. The bytes of a plain binary
GraphDef are read for drawing at once, as a stored run graph's are (`run_graph`).
"""

from __future__ import annotations

import os
from typing import Any

from tensorboard.compat.proto import graph_pb2

from tb_scopegraph.errors import SourceError, TooDeep
from tb_scopegraph.reading import event_files, repair, storage
from tb_scopegraph.reading.adapter import FileFormat, with_warnings
from tb_scopegraph.reading.depth import parse_text_message
from tb_scopegraph.reading.graph import Graph, GraphInfo
from tb_scopegraph.reading.graph_def import finish, repair_graph
from tb_scopegraph.reading.meta_graph import parse_meta_graph
from tb_scopegraph.reading.run_graph import read_run_graph
from tb_scopegraph.reading.text_salvage import salvage_text_graph_def

FILE_GRAPH = "file"
"""The kind of the one graph of a `.pb`/`.pbtxt` file opened with `LocalGraphs`."""
_TEXT_SUFFIXES = (".pbtxt", ".txt", ".pbtext")


def read_file(path: str) -> bytes:
    """The bytes of the file at `path`; SourceError saying why if it cannot be read."""
    try:
        return storage.read_bytes(path)
    except FileNotFoundError:
        raise SourceError(f"no such file: {path}") from None
    except OSError as e:
        raise SourceError(f"cannot read {path}: {e.strerror or e}") from None


def load_graph_file(path: str | os.PathLike[str]) -> graph_pb2.GraphDef:
    """Read a GraphDef from a binary `.pb` or a text `.pbtxt` file (any other name: try both).

    A `.meta` file (a MetaGraphDef, as `tf.compat.v1.train.Saver` writes) gives its graph.
    """
    return read_graph_file(path).graph_def


def read_graph_file(path: str | os.PathLike[str]) -> Graph:
    """`load_graph_file`'s graph; a plain binary one also read for drawing (as a run graph),
    with what was skipped or repaired to read it as warnings."""
    with repair.collecting() as found:
        graph = _read_graph_file(os.fspath(path))
    return with_warnings(graph, found)


def _read_graph_file(path: str) -> Graph:
    data = read_file(path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".meta":
        try:
            return Graph(parse_meta_graph(data))
        except SourceError as e:
            raise type(e)(f"{path}: {e}") from None
    if suffix in _TEXT_SUFFIXES:
        return Graph(finish(parse_text(path, data)))
    try:
        # Kept apart: what reading the bytes as binary reported is void if they are text.
        with repair.collecting() as binary_found:
            graph = read_run_graph(data)
        repair.report_found(binary_found)
        return graph
    except SourceError as binary_error:
        if suffix == ".pb":
            raise type(binary_error)(f"{path}: {binary_error}") from None
        try:
            return Graph(finish(parse_text(path, data)))
        except SourceError:
            raise type(binary_error)(f"{path}: {binary_error}") from None


def parse_text(path: str, data: bytes, proto: Any = None) -> Any:
    """Text-format `data` read from `path` into `proto` (a GraphDef, checked, when None)."""
    graph = graph_pb2.GraphDef() if proto is None else proto
    what = "GraphDef" if proto is None else type(proto).__name__
    try:
        text = data.decode("utf-8")
        parse_text_message(text, graph, what)
    except UnicodeDecodeError as e:
        raise SourceError(f"{path}: not a valid text {what} ({e})") from None
    except TooDeep as e:
        raise TooDeep(f"{path}: {e}") from None
    except SourceError as e:
        if proto is not None:
            raise type(e)(f"{path}: {e}") from None
        # What salvaging reports counts only if what it read is kept.
        with repair.collecting() as found:
            graph = salvage_text_graph_def(text)
        if not any(node.name and node.op for node in graph.node):
            raise type(e)(f"{path}: {e}") from None
        repair.report_found(found)
    if proto is None:
        try:
            repair_graph(graph)
        except SourceError as e:
            raise type(e)(f"{path}: {e}") from None
    return graph


def is_graph_file(path: str) -> bool:
    """Whether `path` is a file to read as a graph: any file but an event file."""
    return storage.isfile(path) and not event_files.is_event_file(storage.basename(path))


def open_graph_file(path: str) -> dict[GraphInfo, Graph]:
    """The one graph of a graph file, listed under the file's name."""
    graph = read_graph_file(path)
    return {GraphInfo(storage.basename(path), FILE_GRAPH, "", graph.op_count): graph}


FILE_FORMAT = FileFormat(kind=FILE_GRAPH, match=is_graph_file, open=open_graph_file)
