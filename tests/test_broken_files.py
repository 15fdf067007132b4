"""Damaged event files: cut mid-record, a failed checksum, a bad length header, a payload that is
no Event, zero bytes, and a file still being written while it is read.

Through TensorBoard's two data providers, the plugin shows whatever TensorBoard's reader
recovers and nothing fails. The command line reads event files itself
(tb_scopegraph.reading.event_files) and reads past the damage, with a warning naming the file.

Not tested through TensorBoard: a record whose length header claims a terabyte makes
TensorBoard's Rust data server abort ("memory allocation of 1099511627780 bytes failed"), and a
payload that is no Event stops the event multiplexer's reload with a DecodeError. Both are
TensorBoard's own readers; the command line's reader is tested on them below.
"""

from __future__ import annotations

import struct
import threading
import time

import pytest
from graphs import add_graph, ffn_graph, series_graph
from harness import Api, Multiplexer, data_server, multiplexer, run_cli, runs_with_graphs, wait_for
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

from tb_scopegraph.service import graphs as service_graphs

FILE = "events.out.tfevents.0000000001.local"


def record(data: bytes) -> bytes:
    """One TFRecord: length, its masked CRC, the data, the data's masked CRC."""
    length = struct.pack("<Q", len(data))
    crc = struct.pack("<I", masked_crc32c(length))
    return length + crc + data + struct.pack("<I", masked_crc32c(data))


def graph_record(graph, step: int) -> bytes:
    event = event_pb2.Event(wall_time=1.0 + step, step=step, graph_def=graph.SerializeToString())
    return record(event.SerializeToString())


VERSION = record(event_pb2.Event(wall_time=1.0, file_version="brain.Event:2").SerializeToString())
A = graph_record(add_graph(), 0)  # 3 ops
B = graph_record(ffn_graph(), 1)  # 21 ops
C = graph_record(series_graph(6), 2)  # 14 ops
OPS = {"A": 3, "B": 21, "C": 14}


def flip(data: bytes, at: int) -> bytes:
    damaged = bytearray(data)
    damaged[at] ^= 0xFF
    return bytes(damaged)


def huge_header(claims: int = 1 << 40) -> bytes:
    """A length header with a valid checksum that claims far more bytes than the file holds."""
    length = struct.pack("<Q", claims)
    return length + struct.pack("<I", masked_crc32c(length)) + b"\x00\x01"


# Each damaged file: a good graph A, the damage, then graph C (and B where it is the damage).
DAMAGE = {
    "truncated": VERSION + A + B[: len(B) // 2],  # the writer stopped mid-record
    "bad_data_crc": VERSION + A + flip(B, 20) + C,  # a byte of B's payload flipped
    "bad_length_crc": VERSION + A + flip(B, 3) + C,  # a byte of B's length header flipped
    "huge_length": VERSION + A + huge_header() + C,
    "not_an_event": VERSION + A + record(b"\xff\xfe not an Event") + C,
}
# What TensorBoard's readers recover of each (op counts of the graph shown).
MULTIPLEXER_SHOWS = {"truncated": "A", "bad_data_crc": "A", "bad_length_crc": "A"}
DATA_SERVER_SHOWS = {
    "truncated": "A",
    "bad_data_crc": "C",
    "bad_length_crc": "A",
    "not_an_event": "A",
}
# What the command line's own reader recovers: everything but the damaged record.
CLI_SHOWS = {"truncated": "A", "bad_data_crc": "C", "bad_length_crc": "C", "huge_length": "C"}
CLI_SHOWS["not_an_event"] = "C"


def write_logdir(logdir, runs) -> None:
    for run in runs:
        (logdir / run).mkdir(parents=True)
        (logdir / run / FILE).write_bytes(DAMAGE[run])
    (logdir / "good").mkdir()
    (logdir / "good" / FILE).write_bytes(VERSION + B)
    (logdir / "zero").mkdir()
    (logdir / "zero" / FILE).write_bytes(b"")
    (logdir / "zero_beside_good").mkdir()
    (logdir / "zero_beside_good" / FILE).write_bytes(b"")
    (logdir / "zero_beside_good" / (FILE + "2")).write_bytes(VERSION + C)


def check_routes(routes: Api, shows: dict[str, str]) -> None:
    listed = {g["run"] for g in routes.json("graphs")}
    assert listed == set(shows) | {"good", "zero_beside_good"}  # a zero-byte run has no graph
    for run, graph in shows.items():
        assert routes.json("hierarchy", run=run)["op_count"] == OPS[graph], run
        assert routes.ok("svg", run=run).data.startswith(b"<?xml")
    assert routes.json("hierarchy", run="good")["op_count"] == OPS["B"]
    assert routes.json("hierarchy", run="zero_beside_good")["op_count"] == OPS["C"]
    assert "zero" in routes.error(404, "svg", run="zero")


def test_the_multiplexer_shows_what_it_recovers(tmp_path):
    write_logdir(tmp_path, MULTIPLEXER_SHOWS)
    check_routes(Api(multiplexer(tmp_path)), MULTIPLEXER_SHOWS)


def test_the_rust_data_server_shows_what_it_recovers(tmp_path):
    write_logdir(tmp_path, DATA_SERVER_SHOWS)
    with data_server(tmp_path) as provider:
        wait_for(lambda: len(runs_with_graphs(provider)) == len(DATA_SERVER_SHOWS) + 2, "runs")
        check_routes(Api(provider), DATA_SERVER_SHOWS)


def test_the_command_line_reads_past_every_damage_and_warns(tmp_path, capsys):
    write_logdir(tmp_path, CLI_SHOWS)
    status, out, err = run_cli(["list", tmp_path], capsys)
    assert status == 0
    rows = {line.split()[0]: int(line.split()[-1]) for line in out.splitlines()[1:]}
    expected = {run: OPS[graph] for run, graph in CLI_SHOWS.items()}
    assert rows == expected | {"good": OPS["B"], "zero_beside_good": OPS["C"]}
    warnings = err.splitlines()
    for run in CLI_SHOWS:
        assert any(f"{run}/{FILE}" in w and "warning" in w for w in warnings), (run, err)
    assert "Traceback" not in err and "internal error" not in err
    status, out, err = run_cli(
        ["render", tmp_path, "--run", "huge_length", "--format", "dot"], capsys
    )
    assert status == 0 and "layer_" in out  # graph C, read past the damage


# --- a file still being written --------------------------------------------------------------


@pytest.fixture
def fresh_lookups(monkeypatch):
    """No trusted listings: each request sees what the provider has now."""
    monkeypatch.setattr(service_graphs, "LOOKUP_TTL_SECONDS", 0.0)
    monkeypatch.setattr(service_graphs, "LOOKUP_STALE_SECONDS", 0.0)


def test_a_record_completed_after_a_read_shows_on_the_next_read(tmp_path, fresh_lookups):
    path = tmp_path / "growing" / FILE
    path.parent.mkdir()
    path.write_bytes(VERSION + A + B[:100])
    mux = Multiplexer(tmp_path)
    routes = Api(mux.provider)
    assert routes.json("hierarchy", run="growing")["op_count"] == OPS["A"]
    with path.open("ab") as f:
        f.write(B[100:])
    mux.reload()
    assert routes.json("hierarchy", run="growing")["op_count"] == OPS["B"]


def append_slowly(path, chunks: list[bytes], pause: float = 0.002) -> None:
    with path.open("ab", buffering=0) as f:
        for chunk in chunks:
            f.write(chunk)
            # The pause is what is tested, not a wait: a writer slow enough that readers
            # find the file ending mid-record, as a training script's event file does.
            time.sleep(pause)


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def hammer(routes: Api, run: str, until: threading.Event, seen: set[int]) -> list[str]:
    """Ask for every view of `run` until told to stop; the answers that are not 200 or 404.

    `seen` gathers the op counts of the graphs the answers showed on the way.
    """
    bad = []
    while not until.is_set():
        for route, params in (
            ("graphs", {}),
            ("hierarchy", {"run": run}),
            ("svg", {"run": run, "depth": "1"}),
            ("node", {"run": run, "name": "input"}),
            ("search", {"run": run, "q": "layer"}),
        ):
            response = routes.get(route, **params)
            if response.status_code not in (200, 404):
                bad.append(f"{route}: {response.status_code} {response.get_data(as_text=True)}")
            elif route == "hierarchy" and response.status_code == 200:
                seen.add(response.get_json()["op_count"])
    return bad


def test_a_file_appended_to_while_the_multiplexer_reads_it(tmp_path, fresh_lookups):
    path = tmp_path / "growing" / FILE
    path.parent.mkdir()
    path.write_bytes(VERSION)
    mux = Multiplexer(tmp_path)
    routes = Api(mux.provider)
    done = threading.Event()
    records = b"".join(graph_record(series_graph(n), n) for n in range(5, 12))
    writer = threading.Thread(target=append_slowly, args=(path, pieces(records, 97), 0.01))

    def reload_until_done():
        while not done.wait(0.02):  # as TensorBoard's reload loop, only more often
            mux.reload()

    reloader = threading.Thread(target=reload_until_done)
    writer.start()
    reloader.start()
    bad, seen = [], set()
    asker = threading.Thread(target=lambda: bad.extend(hammer(routes, "growing", done, seen)))
    asker.start()
    writer.join()
    done.set()
    reloader.join()
    asker.join()
    assert bad == []
    assert len(seen) >= 2  # the answers followed the file as it grew
    mux.reload()
    assert routes.json("hierarchy", run="growing")["op_count"] == 2 * 11 + 2  # the last one


def test_a_file_appended_to_while_the_rust_data_server_reads_it(tmp_path, fresh_lookups):
    path = tmp_path / "growing" / FILE
    path.parent.mkdir()
    path.write_bytes(VERSION + A)
    with data_server(tmp_path, reload_interval=1) as provider:
        routes = Api(provider)
        wait_for(lambda: runs_with_graphs(provider) == {"growing"}, "the first graph")
        done = threading.Event()
        bad, seen = [], set()
        asker = threading.Thread(target=lambda: bad.extend(hammer(routes, "growing", done, seen)))
        asker.start()
        records = b"".join(graph_record(series_graph(n), n) for n in range(5, 9))
        append_slowly(path, pieces(records, 211), pause=0.01)
        last = 2 * 8 + 2

        def shows_the_last():
            return routes.json("hierarchy", run="growing")["op_count"] == last

        wait_for(shows_the_last, "the last graph", timeout=30)
        done.set()
        asker.join()
        assert bad == [] and OPS["A"] in seen
