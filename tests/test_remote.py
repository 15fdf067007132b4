"""Logdirs and model files at URLs: S3 (moto's server on 127.0.0.1), and any fsspec URL.

The command line and the notebook read `s3://` through fsspec's s3fs, pointed at the local
server the standard way (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`),
as a user points them at MinIO or another S3-compatible store. Listing, rendering, a missing
bucket, a missing folder, a permission error and a file that vanishes between listing and
reading each give the graph or one clear line. `memory://` stands for any other fsspec URL.

The fixtures here (the moto server, the environment) are this file's own.
"""

from __future__ import annotations

import socket

import pytest
from graphs import ffn_graph, graph_from_nodes, write_run_graph

from tb_scopegraph import cli, notebook
from tb_scopegraph.drawing.dottext import element_id
from tb_scopegraph.reading import storage

boto3 = pytest.importorskip("boto3")
s3fs = pytest.importorskip("s3fs")
moto_server = pytest.importorskip("moto.server")

BUCKET = "experiments"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint():
    """moto's S3 (and IAM) server on a free port of 127.0.0.1; its URL."""
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws(endpoint, monkeypatch, tmp_path):
    """The environment a user sets for an S3-compatible endpoint; no ~/.aws is read."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    # s3fs keeps one filesystem per set of arguments, credentials included: start afresh.
    s3fs.S3FileSystem.clear_instance_cache()
    yield boto3.client("s3")
    s3fs.S3FileSystem.clear_instance_cache()


@pytest.fixture
def logdir(aws, tmp_path, request):
    """`s3://experiments/<test name>`: runs `train` and `eval/deep` with graphs, and a file
    that is no event file; made afresh for each test."""
    prefix = request.node.name
    try:
        aws.create_bucket(Bucket=BUCKET)
    except aws.exceptions.BucketAlreadyOwnedByYou:
        pass
    local = tmp_path / "local"
    write_run_graph(local / "train", ffn_graph())
    small = graph_from_nodes([("x", "Placeholder"), ("eval/y", "Identity", ("x",))])
    write_run_graph(local / "eval" / "deep", small)
    (local / "notes.txt").write_text("not a graph")
    for path in sorted(local.rglob("*")):
        if path.is_file():
            key = f"{prefix}/{path.relative_to(local).as_posix()}"
            aws.upload_file(str(path), BUCKET, key)
    return f"s3://{BUCKET}/{prefix}"


def run_cli(argv, capsys) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def one_line_error(argv, capsys) -> str:
    status, out, err = run_cli(argv, capsys)
    assert status == 1 and out == "", err
    assert err.count("\n") == 1 and err.startswith("tb-scopegraph: error: "), err
    assert "Traceback" not in err and "internal error" not in err
    return err


def test_cli_lists_the_runs_of_an_s3_logdir(logdir, capsys):
    status, out, err = run_cli(["list", logdir], capsys)
    assert status == 0 and err == ""
    rows = {line.split()[0]: line.split()[-1] for line in out.splitlines()[1:]}
    assert rows == {"eval/deep": "2", "train": str(len(ffn_graph().node))}


def test_cli_renders_a_graph_of_an_s3_logdir(logdir, capsys, tmp_path):
    out_file = tmp_path / "train.svg"
    status, out, err = run_cli(["render", logdir, "--run", "train", "-o", out_file], capsys)
    assert status == 0 and err == "", err
    assert "<svg" in out_file.read_text()
    status, out, err = run_cli(
        ["render", logdir, "--run", "eval/deep", "--depth", "5", "--format", "dot"], capsys
    )
    assert status == 0 and f'"{element_id("op", "eval/y")}"' in out


def test_cli_reads_an_event_file_and_a_graph_file_by_url(logdir, aws, capsys):
    listing = aws.list_objects_v2(Bucket=BUCKET, Prefix=logdir.split("/", 3)[3] + "/train/")
    event_file = f"s3://{BUCKET}/{listing['Contents'][0]['Key']}"
    status, out, err = run_cli(["list", event_file], capsys)
    assert status == 0 and out.splitlines()[1].split()[0] == "."
    aws.put_object(Bucket=BUCKET, Key="files/ffn.pb", Body=ffn_graph().SerializeToString())
    status, out, err = run_cli(["list", f"s3://{BUCKET}/files/ffn.pb"], capsys)
    assert status == 0 and out.splitlines()[1].split()[:2] == ["ffn.pb", "file"]


def test_the_notebook_shows_a_graph_of_an_s3_logdir(logdir):
    view = notebook.show(logdir, run="train")
    assert "<svg" in view._repr_svg_()


def test_a_missing_bucket_is_one_line(aws, capsys):
    err = one_line_error(["list", "s3://no-such-bucket/logs"], capsys)
    assert "no such file or directory: s3://no-such-bucket/logs" in err


def test_a_missing_folder_is_one_line(logdir, capsys):
    err = one_line_error(["list", f"{logdir}/nothing-here"], capsys)
    assert f"no such file or directory: {logdir}/nothing-here" in err


def test_a_permission_error_is_one_line(logdir, endpoint, monkeypatch, capsys):
    import requests

    # From now on the server checks credentials (moto counts unauthenticated actions:
    # none more are allowed), and these are not any user's.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIANOBODY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "nobody")
    requests.post(f"{endpoint}/moto-api/reset-auth", data=b"0", timeout=10).raise_for_status()
    try:
        err = one_line_error(["list", logdir], capsys)
    finally:
        requests.post(f"{endpoint}/moto-api/reset-auth", data=b"inf", timeout=10)
    assert f"permission denied: {logdir}" in err


def test_a_file_that_vanishes_between_listing_and_reading_is_one_warning(
    logdir, aws, monkeypatch, capsys
):
    walk = storage.walk
    prefix = logdir.split("/", 3)[3]

    def walk_then_delete(root):
        listed = list(walk(root))  # the run folders and their files, as listed
        gone = aws.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/train/")["Contents"]
        aws.delete_object(Bucket=BUCKET, Key=gone[0]["Key"])
        yield from listed

    monkeypatch.setattr(storage, "walk", walk_then_delete)
    status, out, err = run_cli(["list", logdir], capsys)
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["eval/deep"]
    assert err.count("\n") == 1 and "tb-scopegraph: warning: no such file or directory: " in err
    assert f"{logdir}/train/events.out.tfevents" in err


def test_any_fsspec_url_is_read(tmp_path, capsys):
    import fsspec

    write_run_graph(tmp_path / "run", ffn_graph())
    fs = fsspec.filesystem("memory")
    event_file = next((tmp_path / "run").iterdir())
    fs.pipe(f"/scopegraph-test/run/{event_file.name}", event_file.read_bytes())
    try:
        status, out, err = run_cli(["list", "memory://scopegraph-test"], capsys)
        assert status == 0 and out.splitlines()[1].split()[0] == "run", err
        status, out, err = run_cli(["list", f"file://{tmp_path}"], capsys)
        assert status == 0 and out.splitlines()[1].split()[0] == "run", err
    finally:
        fs.rm("/scopegraph-test", recursive=True)


def test_an_unknown_protocol_is_one_line(capsys):
    err = one_line_error(["list", "nosuchprotocol://bucket/logs"], capsys)
    assert "cannot read nosuchprotocol://bucket/logs" in err
