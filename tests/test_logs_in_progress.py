"""A log still being written: a real TensorBoard shows the graph before a record cut short, then
the whole next one once the record is complete and TensorBoard has reloaded.

The event file is written in two halves, as a training job's writer leaves it between two
flushes: a complete graph record and the first half of the next, then the rest appended. Both
data providers are tried (`--load_fast=false`: TensorBoard's Python multiplexer;
`--load_fast=true`: its Rust data server), each reloading every second, through the plugin's
`graphs`, `view` and `svg` routes. Every step waits for what it expects to see; nothing is timed.

The small `tensorboard` launcher and `wait_for` here stand in for the helpers of tests/e2e and
tests/test_hostile.py while those move into a shared harness.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from graphs import graph_from_nodes, record
from tensorboard.compat.proto import event_pb2

PREFIX = "/data/plugin/scopegraph"
SVG_G = "{http://www.w3.org/2000/svg}g"
FILE_NAME = "events.out.tfevents.0000000001.in_progress"

BEFORE = graph_from_nodes([("x", "Placeholder"), ("before/relu", "Relu", ("x",))])
AFTER = graph_from_nodes(
    [
        ("x", "Placeholder"),
        ("after/matmul", "MatMul", ("x", "x")),
        ("after/relu", "Relu", ("after/matmul",)),
        ("after/out", "Identity", ("after/relu",)),
    ]
)


def event_records() -> tuple[bytes, bytes]:
    """The file as two writes: the first graph's record and half the next; then the rest."""
    first = event_pb2.Event(wall_time=1.0, file_version="brain.Event:2")
    graphs = [
        event_pb2.Event(wall_time=2.0 + step, step=step, graph_def=graph.SerializeToString())
        for step, graph in enumerate((BEFORE, AFTER))
    ]
    head = record(first.SerializeToString()) + record(graphs[0].SerializeToString())
    last = record(graphs[1].SerializeToString())
    cut = len(last) // 2
    return head + last[:cut], last[cut:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError:
        return 0, b""


@contextlib.contextmanager
def tensorboard(logdir: Path, load_fast: bool, log: Path) -> Iterator[str]:
    """`tensorboard --logdir` on 127.0.0.1, reloading every second; yields its URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "tensorboard.main",
        f"--logdir={logdir}",
        "--host=127.0.0.1",
        f"--port={port}",
        f"--load_fast={'true' if load_fast else 'false'}",
        "--reload_interval=1",
    ]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: get(f"{url}/data/plugins_listing")[0] == 200, "TensorBoard", process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(predicate, what: str, process=None, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise AssertionError(f"tensorboard exited ({process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def op_count(url: str) -> int | None:
    """The op count the `graphs` route lists for the run, None while it lists none."""
    status, body = get(f"{url}{PREFIX}/graphs")
    if status != 200:
        return None
    counts = [g["op_count"] for g in json.loads(body) if g["run"] == "train"]
    return counts[0] if counts else None


def listed_runs(url: str) -> list[str]:
    status, body = get(f"{url}{PREFIX}/graphs")
    return [g["run"] for g in json.loads(body)] if status == 200 else []


def drawn_ops(url: str) -> set[str]:
    """The ops the `svg` route draws for the run with every scope open."""
    status, body = get(f"{url}{PREFIX}/svg?run=train&depth=9")
    assert status == 200, body[:500]
    ids = (g.get("id", "") for g in ET.fromstring(body).iter(SVG_G))
    return {i.removeprefix("op-") for i in ids if i.startswith("op-")}


def boxes(url: str) -> int:
    status, body = get(f"{url}{PREFIX}/view?run=train&depth=9")
    assert status == 200, body[:500]
    return json.loads(body)["boxes"]


@pytest.mark.parametrize("load_fast", [False, True], ids=["load_fast=false", "load_fast=true"])
def test_a_graph_cut_short_shows_the_one_before_then_the_whole_one(tmp_path, load_fast):
    logdir = tmp_path / "logs"
    (logdir / "train").mkdir(parents=True)
    path = logdir / "train" / FILE_NAME
    head, tail = event_records()
    path.write_bytes(head)
    with tensorboard(logdir, load_fast, tmp_path / "tensorboard.log") as url:
        # Before the cut: the graph whose record is complete, and nothing of the cut one.
        wait_for(lambda: listed_runs(url) == ["train"], "the run listed")
        assert drawn_ops(url) == {"x", "before.2Frelu"}
        assert boxes(url) == 2 and op_count(url) == len(BEFORE.node)
        with open(path, "ab") as f:
            f.write(tail)
        # After the next reload: the whole graph, in every route. The listing counts the ops
        # of the graph last read, so it follows once a drawing route has read the new one.
        after = {"x", "after.2Fmatmul", "after.2Frelu", "after.2Fout"}
        wait_for(lambda: drawn_ops(url) == after, "the whole graph drawn after a reload")
        assert boxes(url) == 4 and op_count(url) == len(AFTER.node)


def test_the_command_line_reads_the_graph_before_the_cut_then_the_whole_one(tmp_path, capsys):
    from tb_scopegraph import cli

    path = tmp_path / "train" / FILE_NAME
    path.parent.mkdir()
    head, tail = event_records()
    path.write_bytes(head)
    assert cli.main(["render", str(tmp_path), "--depth", "9", "--format", "dot"]) == 0
    out, err = capsys.readouterr()
    assert '"op-before.2Frelu"' in out and "after" not in out
    assert "more than the file holds" in err  # the half record, named as a warning
    with open(path, "ab") as f:
        f.write(tail)
    assert cli.main(["render", str(tmp_path), "--depth", "9", "--format", "dot"]) == 0
    out, err = capsys.readouterr()
    assert '"op-after.2Fout"' in out and "before" not in out and err == ""
