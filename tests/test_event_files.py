"""event_files: event files read record by record, past damage, without TensorFlow."""

from __future__ import annotations

import struct

import graphs
import pytest
from harness import multiplexer, runs_with_graphs
from hypothesis import given, settings
from hypothesis import strategies as st
from tensorboard.compat.proto import event_pb2, meta_graph_pb2, summary_pb2

from tb_scopegraph import cli
from tb_scopegraph.reading import event_files
from tb_scopegraph.reading.data_provider import list_graphs, load_graph
from tb_scopegraph.reading.graph import GraphRef
from tb_scopegraph.reading.local import local_provider
from tb_scopegraph.reading.meta_graph import META_GRAPH, META_GRAPH_TAG
from tb_scopegraph.reading.run_graph import RUN_GRAPH, RUN_GRAPH_TAG

FILE_VERSION = event_pb2.Event(wall_time=1.0, file_version="brain.Event:2").SerializeToString()


def _graph_event(graph, step: int = 0, wall_time: float = 2.0) -> bytes:
    event = event_pb2.Event(step=step, wall_time=wall_time, graph_def=graph.SerializeToString())
    return event.SerializeToString()


def _write(path, *chunks: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(chunks))
    return str(path)


def _names(provider, run: str, kind: str = RUN_GRAPH, tag: str = RUN_GRAPH_TAG) -> list[str]:
    graph = load_graph(*provider, GraphRef(run, kind, tag)).graph_def
    return [node.name for node in graph.node]


def _lying_header(length: int) -> bytes:
    """A record header whose checksum is right but whose length is not."""
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    header = struct.pack("<Q", length)
    return header + struct.pack("<I", masked_crc32c(header))


def test_reads_what_tensorboard_writes(tmp_path):
    graphs.write_run_graph(tmp_path / "a", graphs.add_graph())
    graphs.write_run_graph(tmp_path / "b" / "c", graphs.ffn_graph())
    provider = local_provider(tmp_path)
    assert provider[0].runs == ["a", "b/c"]
    assert provider[0].warnings == []
    assert _names(provider, "a") == ["a", "b", "c"]


def test_a_length_past_the_end_of_the_file_is_skipped_and_later_records_read(tmp_path):
    path = _write(
        tmp_path / "run" / "events.out.tfevents.1",
        graphs.record(FILE_VERSION),
        _lying_header(10**9),
        graphs.record(_graph_event(graphs.add_graph())),
    )
    provider = local_provider(tmp_path)
    assert _names(provider, "run") == ["a", "b", "c"]
    (warning,) = provider[0].warnings
    assert warning.startswith(
        f"{path}: skipped the record at byte {len(graphs.record(FILE_VERSION))}"
    )
    assert "claims 1000000000 bytes, more than the file holds" in warning
    assert "reading resumes at byte" in warning


def test_tensorboards_reader_stops_at_that_damage(tmp_path):
    """Why we read event files ourselves: TensorBoard's loader gives up at the bad record."""

    _write(
        tmp_path / "run" / "events.out.tfevents.1",
        graphs.record(FILE_VERSION),
        _lying_header(10**9),
        graphs.record(_graph_event(graphs.add_graph())),
    )
    assert runs_with_graphs(multiplexer(tmp_path)) == set()
    ours = local_provider(tmp_path)[0]
    assert set(ours.list_blob_sequences(None, experiment_id="", plugin_name="graphs")) == {"run"}


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (b"\x00garbage bytes between records\xff", "its length header fails its checksum"),
        (graphs.record(b"\xff\xff\xff\xff"), "it is not an Event"),
    ],
)
def test_garbage_and_non_events_are_skipped(tmp_path, damage, message):
    _write(
        tmp_path / "run" / "events.out.tfevents.1",
        graphs.record(FILE_VERSION),
        damage,
        graphs.record(_graph_event(graphs.series_graph(2))),
    )
    provider = local_provider(tmp_path)
    assert _names(provider, "run") == graphs.node_names(graphs.series_graph(2))
    assert len(provider[0].warnings) == 1
    assert message in provider[0].warnings[0]


def test_a_graph_whose_data_fails_its_checksum_is_skipped(tmp_path):
    good = graphs.record(_graph_event(graphs.add_graph(), step=1))
    bad = bytearray(graphs.record(_graph_event(graphs.series_graph(2), step=2)))
    bad[-8] ^= 0xFF  # a byte of the data, not of the framing
    _write(tmp_path / "run" / "events.out.tfevents.1", graphs.record(FILE_VERSION), good, bad)
    provider = local_provider(tmp_path)
    assert _names(provider, "run") == ["a", "b", "c"]
    assert provider[0].warnings == [
        f"{tmp_path}/run/events.out.tfevents.1: skipped the record at byte "
        f"{len(graphs.record(FILE_VERSION)) + len(good)}: its data fails its checksum"
    ]


def test_a_file_cut_short_keeps_the_records_before_the_cut(tmp_path):
    whole = graphs.record(_graph_event(graphs.series_graph(3), step=2))
    _write(
        tmp_path / "run" / "events.out.tfevents.1",
        graphs.record(_graph_event(graphs.add_graph(), step=1)),
        whole[:-7],
    )
    provider = local_provider(tmp_path)
    assert _names(provider, "run") == ["a", "b", "c"]
    (warning,) = provider[0].warnings
    assert "more than the file holds" in warning and "no record follows" in warning


def test_empty_and_unreadable_files_are_no_runs_data(tmp_path):
    _write(tmp_path / "empty" / "events.out.tfevents.1")
    graphs.write_run_graph(tmp_path / "run", graphs.add_graph())
    provider = local_provider(tmp_path)
    assert provider[0].runs == ["empty", "run"]
    assert provider[0].warnings == []
    assert [g.run for g in list_graphs(*provider)] == ["run"]


def test_a_restarted_job_replaces_graphs_from_its_first_step_on(tmp_path):
    first = [
        event_pb2.Event(step=s, graph_def=graphs.add_graph().SerializeToString()) for s in (0, 5)
    ]
    graphs.write_events(tmp_path / "run", first, name="a")
    restarted = event_pb2.Event(step=3, graph_def=graphs.series_graph(2).SerializeToString())
    graphs.write_events(tmp_path / "run", [restarted], name="b")
    provider = local_provider(tmp_path)
    assert _names(provider, "run") == graphs.node_names(graphs.series_graph(2))
    data = provider[0].read_blob_sequences(experiment_id="", plugin_name="graphs")
    assert [d.step for d in data["run"][RUN_GRAPH_TAG]] == [0, 3]


def test_at_most_ten_graphs_are_kept_per_tag(tmp_path):
    events = [
        event_pb2.Event(step=s, graph_def=graphs.add_graph().SerializeToString()) for s in range(25)
    ]
    graphs.write_events(tmp_path / "run", events)
    provider = local_provider(tmp_path)[0]
    data = provider.read_blob_sequences(experiment_id="", plugin_name="graphs")["run"]
    assert [d.step for d in data[RUN_GRAPH_TAG]] == list(range(15, 25))
    assert provider.blob_count == event_files.KEEP_PER_TAG
    listed = provider.list_blob_sequences(experiment_id="", plugin_name="graphs")
    assert listed["run"][RUN_GRAPH_TAG].max_step == 24


def _meta_graph_event(graph) -> event_pb2.Event:
    meta = meta_graph_pb2.MetaGraphDef(graph_def=graph)
    return event_pb2.Event(step=0, meta_graph_def=meta.SerializeToString())


def test_a_meta_graph_shows_only_in_a_run_without_a_graph(tmp_path):
    graphs.write_events(tmp_path / "meta_only", [_meta_graph_event(graphs.ffn_graph())])
    both = [
        _meta_graph_event(graphs.ffn_graph()),
        event_pb2.Event(step=0, graph_def=graphs.add_graph().SerializeToString()),
    ]
    graphs.write_events(tmp_path / "both", both)
    provider = local_provider(tmp_path)
    listed = [(g.run, g.kind, g.tag) for g in list_graphs(*provider)]
    assert listed == [("both", RUN_GRAPH, RUN_GRAPH_TAG), ("meta_only", META_GRAPH, META_GRAPH_TAG)]
    assert _names(provider, "meta_only", META_GRAPH, META_GRAPH_TAG) == graphs.node_names(
        graphs.ffn_graph()
    )


def test_a_tags_first_metadata_says_what_its_values_are(tmp_path):
    """As TensorBoard does: later values of a tag keep the plugin its first value named."""
    plugin = summary_pb2.SummaryMetadata.PluginData(plugin_name="graph_keras_model", content=b"1")
    config = b'{"class_name": "Sequential", "config": {"name": "s", "layers": []}}'

    def value(metadata=None):
        tensor = {"dtype": 7, "string_val": [config]}
        return summary_pb2.Summary.Value(tag="keras", metadata=metadata, tensor=tensor)

    first = event_pb2.Event(
        step=0,
        summary=summary_pb2.Summary(value=[value(summary_pb2.SummaryMetadata(plugin_data=plugin))]),
    )
    later = event_pb2.Event(step=1, summary=summary_pb2.Summary(value=[value()]))
    graphs.write_events(tmp_path / "run", [first, later])
    provider = local_provider(tmp_path)[0]
    data = provider.read_blob_sequences(experiment_id="", plugin_name="graph_keras_model")
    assert [d.step for d in data["run"]["keras"]] == [0, 1]
    series = provider.list_blob_sequences(experiment_id="", plugin_name="graph_keras_model")
    assert series["run"]["keras"].plugin_content == b"1"


def test_cli_warns_about_damage_and_lists_what_it_could_read(tmp_path, capsys):
    path = _write(
        tmp_path / "run" / "events.out.tfevents.1",
        graphs.record(FILE_VERSION),
        _lying_header(10**9),
        graphs.record(_graph_event(graphs.add_graph())),
    )
    assert cli.main(["list", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[1].split() == ["run", RUN_GRAPH, RUN_GRAPH_TAG, "3"]
    (line,) = err.splitlines()
    assert line.startswith(f"tb-scopegraph: warning: {path}: skipped the record at byte ")
    assert cli.main(["render", str(tmp_path), "--format", "dot"]) == 0
    out, err = capsys.readouterr()
    assert '"c"' in out or "c" in out
    assert err.count("warning:") == 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.integers(min_value=0, max_value=400))
def test_any_damage_yields_only_whole_records_and_never_raises(noise, where):
    """Noise spliced into a good file: every record read back is intact, the last graph too."""
    good = graphs.record(FILE_VERSION) + graphs.record(_graph_event(graphs.add_graph()))
    data = good[: min(where, len(good))] + noise + good[min(where, len(good)) :]
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "events.out.tfevents.1")
        with open(path, "wb") as f:
            f.write(data)
        warnings: list[str] = []
        records = list(event_files.read_records(path, warnings))
    assert all(r.offset + len(r.data) + 16 <= len(data) for r in records)
    if not noise:
        assert [r.data for r in records] == [FILE_VERSION, _graph_event(graphs.add_graph())]
        assert warnings == []
