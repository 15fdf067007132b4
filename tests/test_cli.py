"""The tb-scopegraph command line, run in-process (main) and as `python -m tb_scopegraph`."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import graphs
import pytest
from google.protobuf import text_format
from tensorboard.compat.proto import event_pb2

import tb_scopegraph
from tb_scopegraph import cli
from tb_scopegraph.drawing.dottext import element_id

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SVG = "{http://www.w3.org/2000/svg}"
ERROR = "tb-scopegraph: error: "


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    """Three runs at different depths, plus a run with no graph."""
    root = tmp_path_factory.mktemp("logdir")
    graphs.write_run_graph(root / "add", graphs.add_graph())
    graphs.write_run_graph(root / "nets" / "ffn_scoped", graphs.ffn_graph(scoped=True))
    graphs.write_run_graph(root / "nets" / "deeper" / "series", graphs.series_graph(7))
    graphs.write_events(root / "scalars", [event_pb2.Event(step=1, wall_time=2.0)])
    return root


def run(argv, capsys):
    """main() in-process: (status, stdout, stderr)."""
    status = cli.main([os.fspath(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def run_subprocess(argv, block_tensorflow=False, **kwargs):
    """`python -m tb_scopegraph` in a fresh interpreter."""
    if block_tensorflow:
        code = (
            "import sys; sys.modules['tensorflow'] = None; "
            "from tb_scopegraph.cli import main; sys.exit(main(sys.argv[1:]))"
        )
        command = [sys.executable, "-c", code]
    else:
        command = [sys.executable, "-m", "tb_scopegraph"]
    return subprocess.run(
        command + [os.fspath(a) for a in argv],
        capture_output=True,
        cwd=REPO,
        timeout=120,
        **kwargs,
    )


def assert_one_error_line(err: str, *parts: str) -> None:
    assert err.startswith(ERROR), err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    for part in parts:
        assert part in err, err


def svg_ids(data: bytes) -> set[str]:
    root = ET.fromstring(data)
    assert root.tag == SVG + "svg"
    return {el.get("id") for el in root.iter() if el.get("id")}


# -- list ------------------------------------------------------------------------------------


def test_list_prints_an_aligned_table_of_graphs(logdir, capsys):
    status, out, err = run(["list", logdir], capsys)
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert [line.split() for line in lines] == [
        ["RUN", "KIND", "TAG", "OPS"],
        ["add", "run_graph", "__run_graph__", "3"],
        ["nets/deeper/series", "run_graph", "__run_graph__", "16"],
        ["nets/ffn_scoped", "run_graph", "__run_graph__", "21"],
    ]
    # Columns line up: each starts at the same offset on every line; counts are right-aligned.
    for word in ("KIND", "TAG"):
        column = lines[0].index(word)
        assert all(line[column - 2 : column] == "  " and line[column] != " " for line in lines)
    assert len({len(line) for line in lines}) == 1


def test_list_marks_an_unreadable_graph_with_a_question_mark(tmp_path, capsys):
    graphs.write_events(tmp_path / "bad", [event_pb2.Event(step=0, graph_def=b"\xff\x01")])
    status, out, _ = run(["list", tmp_path], capsys)
    assert status == 0
    assert out.splitlines()[1].split() == ["bad", "run_graph", "__run_graph__", "?"]


def test_list_of_a_graph_file_and_of_an_event_file(tmp_path, logdir, capsys):
    path = tmp_path / "model.pbtxt"
    path.write_text(text_format.MessageToString(graphs.ffn_graph(scoped=False)))
    status, out, _ = run(["list", path], capsys)
    assert status == 0
    assert out.splitlines()[1].split() == ["model.pbtxt", "file", "-", "21"]

    event_file = next((logdir / "add").iterdir())
    status, out, _ = run(["list", event_file], capsys)
    assert status == 0
    assert out.splitlines()[1].split() == [".", "run_graph", "__run_graph__", "3"]


# -- render ----------------------------------------------------------------------------------


def test_render_svg_to_stdout(logdir, capsysbinary):
    status = cli.main(["render", os.fspath(logdir), "--run", "nets/ffn_scoped", "--depth", "0"])
    out, err = capsysbinary.readouterr()
    assert status == 0 and err == b""
    ids = svg_ids(out)
    assert {element_id("scope", f"layer{i}") for i in (1, 2, 3)} <= ids
    assert element_id("op", "x") in ids
    assert not any(i.startswith("cluster-") for i in ids)


def test_render_opens_the_scopes_asked_for(logdir, tmp_path, capsys):
    out_file = tmp_path / "view.svg"
    argv = ["render", logdir, "--run", "nets/ffn_scoped", "--open", "layer1", "layer2/", "-o"]
    status, out, err = run(argv + [out_file], capsys)
    assert (status, out, err) == (0, "", "")
    ids = svg_ids(out_file.read_bytes())
    assert "cluster-" + element_id("scope", "layer1") in ids
    assert "cluster-" + element_id("scope", "layer2") in ids
    assert "cluster-" + element_id("scope", "layer3") not in ids
    assert element_id("op", "layer1/MatMul") in ids
    assert element_id("scope", "layer3") in ids


def _open_frames(dot: str) -> set[str]:
    """The keys of the scopes a view's DOT draws open (as frames)."""
    frames = {line.split('"')[1] for line in dot.splitlines() if "subgraph" in line}
    return {name.removeprefix("cluster_cluster-scope-").replace(".2F", "/") for name in frames}


def test_render_depth_opens_every_scope_that_deep_with_all_scopes(logdir, capsys):
    argv = ["render", logdir, "--run", "nets/ffn_scoped", "--format", "dot"]
    layers = {"layer1", "layer2", "layer3"}
    every = layers | {f"layer{i}/{v}" for i in (1, 2, 3) for v in ("W", "b")}
    for extra, opened in [
        # A depth opens the model's scopes; a variable's scope (layer1/W) stays one box.
        (["--depth", "99"], layers),
        (["--depth", "99", "--all-scopes"], every),
        (["--depth", "1", "--all-scopes"], layers),
        (["--all-scopes"], every),
        (["--depth", "1", "--all-scopes", "--open", "layer2/W"], layers | {"layer2/W"}),
    ]:
        status, out, err = run([*argv, *extra], capsys)
        assert (status, err) == (0, ""), extra
        assert _open_frames(out) == opened, extra


@pytest.mark.parametrize(
    ("name", "extra", "check"),
    [
        ("g.dot", [], lambda data: data.startswith(b"digraph")),
        ("g.gv", [], lambda data: data.startswith(b"digraph")),
        ("g.png", [], lambda data: data.startswith(b"\x89PNG\r\n\x1a\n")),
        ("g.svg", [], lambda data: b"<svg" in data),
        ("g.out", ["--format", "png"], lambda data: data.startswith(b"\x89PNG")),
    ],
)
def test_render_format_follows_the_output_suffix(logdir, tmp_path, capsys, name, extra, check):
    status, _, err = run(["render", logdir, "--run", "add", "-o", tmp_path / name, *extra], capsys)
    assert status == 0, err
    assert check((tmp_path / name).read_bytes())
    assert os.listdir(tmp_path) == [name]  # no temporary file left behind


def test_render_dot_to_stdout_names_every_op(logdir, capsys):
    status, out, _ = run(["render", logdir, "--run", "add", "--format", "dot"], capsys)
    assert status == 0
    for name in ("a", "b", "c"):
        assert f'"{element_id("op", name)}"' in out


def test_render_a_pb_file(tmp_path, capsysbinary):
    path = tmp_path / "series.pb"
    path.write_bytes(graphs.series_graph(7).SerializeToString())
    assert cli.main(["render", os.fspath(path), "--depth", "0"]) == 0
    ids = svg_ids(capsysbinary.readouterr().out)
    assert element_id("op", "input") in ids and element_id("op", "output") in ids


def test_scopes_prints_the_keys_open_takes(logdir, capsys):
    status, out, _ = run(["scopes", logdir, "--run", "nets/ffn_scoped"], capsys)
    assert status == 0
    lines = out.splitlines()
    assert "layer1  7 ops" in lines
    assert "  layer1/W  1 op" in lines


def test_scopes_shows_series(logdir, capsys):
    status, out, _ = run(["scopes", logdir, "--run", "nets/deeper/series"], capsys)
    assert status == 0
    assert "(series)" in out.splitlines()[0]


@pytest.fixture(scope="module")
def blocks_pb(tmp_path_factory):
    """Eight identical blocks in a series, `block_[0-7]`, as a .pb file."""
    path = tmp_path_factory.mktemp("blocks") / "blocks.pb"
    path.write_bytes(graphs.blocks_graph(8).SerializeToString())
    return path


@pytest.mark.parametrize(
    "extra, rolled",
    [
        ((), True),
        (("--no-roll",), False),
        (("--unroll", "block_[0-7]"), False),
        (("--unroll", "block_[0-7]", "--open", "block_2"), False),
    ],
)
def test_render_rolls_identical_blocks_unless_asked_not_to(blocks_pb, capsys, extra, rolled):
    # As the tab's roll=0 and unroll=SERIES: rolled, the series is one block marked x8 with a
    # loop-back edge (its tooltip: 7 times); unrolled, its blocks are drawn side by side.
    status, out, err = run(["render", blocks_pb, "--format", "dot", *extra], capsys)
    assert status == 0, err
    assert ("block_[0-7] ×8" in out) is rolled and ("to the next, 7 times" in out) is rolled


def test_render_unroll_names_a_series(blocks_pb, capsys):
    status, _, err = run(["render", blocks_pb, "--unroll", "block_3"], capsys)
    assert status != 0
    assert_one_error_line(err, "'block_3'", "series")
    status, _, err = run(["render", blocks_pb, "--unroll", "no_such"], capsys)
    assert status != 0
    assert_one_error_line(err, "'no_such'", "scopes")


# -- errors: one line, a status, nothing written ------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "status", "parts"),
    [
        (["render", "{logdir}/missing"], 1, ["no such file or directory"]),
        (["list", "{empty}"], 1, ["no event files under"]),
        (["list", "{logdir}/scalars"], 1, ["no graphs in"]),
        (["render", "{logdir}", "--run", "nope"], 1, ["no run 'nope'", "'add'"]),
        (["render", "{logdir}", "--run", "add", "--tag", "x"], 1, ["no tag 'x'"]),
        (["render", "{logdir}", "--run", "add", "--kind", "x"], 1, ["no kind 'x'"]),
        (
            ["render", "{logdir}", "--run", "add", "--open", "zz"],
            1,
            ["scope 'zz'", "scopes` lists"],
        ),
        (["render", "{corrupt}"], 1, ["corrupt.pb: not a valid GraphDef"]),
        (["render", "{good}", "--run", "add"], 1, ["--run, --kind, --tag do not apply"]),
        (["render", "{logdir}", "--run", "add", "-o", "{out}/g.txt"], 2, ["--format"]),
        (["render", "{logdir}", "--depth", "-1"], 2, ["--depth", "0 or more"]),
        (["render", "{logdir}", "--depth", "two"], 2, ["--depth"]),
        (["render", "{logdir}", "--format", "gif"], 2, ["--format"]),
        (["render", "{logdir}", "--timeout", "0"], 2, ["--timeout"]),
        (["render"], 2, ["PATH"]),
        (["draw", "{logdir}"], 2, ["invalid choice"]),
        ([], 2, ["COMMAND"]),
        (["render", "{logdir}", "--run", "add", "-o", "{out}/no/such/dir/g.svg"], 1, ["No such"]),
    ],
)
def test_bad_input_is_one_error_line_and_a_status(logdir, tmp_path, capsys, argv, status, parts):
    (tmp_path / "empty").mkdir()
    (tmp_path / "corrupt.pb").write_bytes(b"\xff\xfe\xfd not a graph")
    (tmp_path / "good.pb").write_bytes(graphs.add_graph().SerializeToString())
    (tmp_path / "out").mkdir()
    places = {
        "good": tmp_path / "good.pb",
        "logdir": logdir,
        "empty": tmp_path / "empty",
        "corrupt": tmp_path / "corrupt.pb",
        "out": tmp_path / "out",
    }
    argv = [a.format(**places) for a in argv]
    got, out, err = run(argv, capsys)
    assert got == status
    assert out == ""
    assert_one_error_line(err, *parts)
    assert os.listdir(tmp_path / "out") == []


def test_several_graphs_are_an_error_line_and_the_options_for_each_one_a_line(tmp_path, capsys):
    from tensorboard.compat.proto import config_pb2, summary_pb2, tensor_pb2, types_pb2

    graphs.write_run_graph(tmp_path / "a", graphs.add_graph())
    profile = event_pb2.TaggedRunMetadata(
        tag="step1", run_metadata=config_pb2.RunMetadata().SerializeToString()
    )
    graphs.write_events(
        tmp_path / "my run",
        [
            event_pb2.Event(step=0, graph_def=graphs.ffn_graph().SerializeToString()),
            event_pb2.Event(step=1, tagged_run_metadata=profile),
        ],
    )
    # A run graph and a trace (`tf.summary.trace_export`'s op graph) in one run.
    trace = config_pb2.RunMetadata()
    trace.function_graphs.add().pre_optimization_graph.CopyFrom(graphs.add_graph())
    value = summary_pb2.Summary.Value(
        tag="trace",
        metadata=summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(
                plugin_name="graph_run_metadata_graph", content=b"1"
            )
        ),
        tensor=tensor_pb2.TensorProto(
            dtype=types_pb2.DT_STRING, string_val=[trace.SerializeToString()]
        ),
    )
    graphs.write_events(
        tmp_path / "two",
        [
            event_pb2.Event(step=0, graph_def=graphs.add_graph().SerializeToString()),
            event_pb2.Event(step=0, summary=summary_pb2.Summary(value=[value])),
        ],
    )
    listed = {tuple(line.split()[:2]) for line in run(["list", tmp_path], capsys)[1].splitlines()}
    assert {("two", "run_graph"), ("two", "op_graph")} <= listed
    status, out, err = run(["render", tmp_path], capsys)
    assert status == 1 and out == ""
    # The profile gives way to the graph it annotates: its run alone picks the run graph.
    # A kind is named only where the run alone picks no one graph.
    assert err.splitlines() == [
        f"{ERROR}4 graphs in {tmp_path}; pick one:",
        "  --run a",
        "  --run 'my run'",
        "  --run two --kind run_graph",
        "  --run two --kind op_graph",
    ]
    # The other side of a comparison, by its own options.
    status, _, err = run(["diff", tmp_path, "--run-a", "a", "--run-b", "two"], capsys)
    assert status == 1
    assert err.splitlines() == [
        f"{ERROR}graph B: 2 graphs in {tmp_path}; pick one:",
        "  --run-b two --kind-b run_graph",
        "  --run-b two --kind-b op_graph",
    ]


def test_render_timeout_is_an_error_and_keeps_the_old_output(tmp_path, capsys):
    out_file = tmp_path / "view.svg"
    out_file.write_text("old drawing")
    graph_file = tmp_path / "tangled.pb"
    graph_file.write_bytes(graphs.tangled_graph().SerializeToString())
    argv = ["render", graph_file, "--depth", "1", "--timeout", "0.5", "-o", out_file]
    status, _, err = run(argv, capsys)
    assert status == 1
    assert_one_error_line(err, "did not finish")
    assert out_file.read_text() == "old drawing"
    assert sorted(os.listdir(tmp_path)) == ["tangled.pb", "view.svg"]


def test_version(capsys):
    status, out, _ = run(["--version"], capsys)
    assert (status, out) == (0, f"tb-scopegraph {tb_scopegraph.__version__}\n")


def test_help_exits_zero(capsys):
    status, out, _ = run(["render", "--help"], capsys)
    assert status == 0
    assert "--open SCOPE" in out and "tb-scopegraph render" in out


# -- atomic output ---------------------------------------------------------------------------


def test_write_atomically_replaces_whole_or_not_at_all(tmp_path, monkeypatch):
    target = tmp_path / "out.svg"
    cli.write_atomically(target, b"first")
    assert target.read_bytes() == b"first"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    target.chmod(0o640)
    cli.write_atomically(target, b"second")
    assert target.read_bytes() == b"second"
    assert target.stat().st_mode & 0o777 == 0o640

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        cli.write_atomically(target, b"third")
    assert target.read_bytes() == b"second"
    assert os.listdir(tmp_path) == ["out.svg"]


def test_failed_write_reports_one_line(logdir, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(os, "replace", lambda src, dst: (_ for _ in ()).throw(OSError(28, "Full")))
    status, _, err = run(["render", logdir, "--run", "add", "-o", tmp_path / "g.svg"], capsys)
    assert status == 1
    assert_one_error_line(err, "Full")
    assert os.listdir(tmp_path) == []


# -- as a subprocess ---------------------------------------------------------------------------


def test_python_m_renders_without_tensorflow(logdir):
    result = run_subprocess(["render", logdir, "--run", "add"], block_tensorflow=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    assert {element_id("op", n) for n in "abc"} <= svg_ids(result.stdout)


def test_python_m_error_is_one_line_without_traceback(logdir):
    result = run_subprocess(["render", logdir, "--run", "nope"])
    assert result.returncode == 1
    assert result.stdout == b""
    assert_one_error_line(result.stderr.decode(), "no run 'nope'")


def test_python_m_usage_error_exits_two(logdir):
    result = run_subprocess(["render", logdir, "--depth", "x"])
    assert result.returncode == 2
    assert_one_error_line(result.stderr.decode(), "--depth")


def test_closed_stdout_pipe_ends_quietly(tmp_path):
    """`... | head` closes the pipe early: exit 1, no traceback, no half-silent success."""
    big = tmp_path / "big.pb"
    nodes = [(f"a{i}_" + "n" * 300, "Const") for i in range(600)]  # ~650 kB of DOT
    big.write_bytes(graphs.graph_from_nodes(nodes).SerializeToString())
    argv = ["render", os.fspath(big), "--format", "dot", "--depth", "3"]
    process = subprocess.Popen(
        [sys.executable, "-m", "tb_scopegraph", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    assert process.stdout.read(10) == b"digraph sc"
    process.stdout.close()
    assert process.wait(timeout=60) == 1
    assert process.stderr.read() == b""
    process.stderr.close()


def test_demo_logdir_lists_and_renders(tmp_path):
    """The demo script (TensorFlow) writes the runs it promises, and the CLI draws them."""
    logdir = tmp_path / "demo"
    made = subprocess.run(
        [sys.executable, "demo/make_demo_logdir.py", "--logdir", os.fspath(logdir)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.split() == [
        "add",
        "circle",
        "ffn_flat",
        "ffn_grown",
        "ffn_scoped",
        "ffn_scoped_wider",
        "functions",
        "keras/fit/train",
        "keras/op_graph",
        "keras/trace",
        "meta_graph",
        "pytorch/tensorboardx",
        "pytorch/torch",
    ]
    listed = run_subprocess(["list", logdir], text=True)
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()[1:]]
    assert [row[:3] for row in rows] == [
        ["add", "run_graph", "__run_graph__"],
        ["circle", "run_graph", "__run_graph__"],
        ["ffn_flat", "run_graph", "__run_graph__"],
        ["ffn_grown", "run_graph", "__run_graph__"],
        ["ffn_scoped", "run_graph", "__run_graph__"],
        ["ffn_scoped", "profile", "step9"],
        ["ffn_scoped_wider", "run_graph", "__run_graph__"],
        ["ffn_scoped_wider", "profile", "step9"],
        ["functions", "run_graph", "__run_graph__"],
        ["keras/fit/train", "conceptual", "keras"],
        ["keras/op_graph", "run_graph", "__run_graph__"],
        ["keras/trace", "op_graph", "predict"],
        ["meta_graph", "meta_graph", "__meta_graph__"],
        ["pytorch/tensorboardx", "run_graph", "__run_graph__"],
        ["pytorch/tensorboardx", "profile", "profiler"],
        ["pytorch/torch", "run_graph", "__run_graph__"],
        ["pytorch/torch", "profile", "step1"],
    ]
    counts = {(row[0], row[1]): int(row[3]) for row in rows}
    assert counts["add", "run_graph"] == 3 and counts["circle", "run_graph"] == 5
    assert counts["keras/fit/train", "conceptual"] == 4
    assert counts["meta_graph", "meta_graph"] == 5  # the circle graph
    assert counts["ffn_scoped", "profile"] == counts["ffn_scoped", "run_graph"]
    saved = run_subprocess(["list", logdir / "saved_model"], text=True)
    assert saved.stdout.splitlines()[1].split()[:3] == ["saved_model", "saved_model", "serve"]

    library = run_subprocess(["scopes", logdir, "--run", "functions"], text=True)
    assert "__function_library__/while_body_" in library.stdout
    for run in ("ffn_scoped", "pytorch/torch", "meta_graph"):
        drawn = run_subprocess(["render", logdir, "--run", run, "--format", "dot"], text=True)
        assert drawn.returncode == 0, drawn.stderr

    layers = run_subprocess(["render", logdir, "--run", "keras/fit/train", "--depth", "9"])
    assert layers.returncode == 0, layers.stderr
    assert element_id("op", "classifier/hidden") in svg_ids(layers.stdout)

    drawn = run_subprocess(["render", logdir, "--run", "ffn_scoped", "--depth", "0"])
    assert drawn.returncode == 0, drawn.stderr
    ids = svg_ids(drawn.stdout)
    assert {element_id("scope", f"layer{i}") for i in (1, 2, 3)} <= ids
    flat = run_subprocess(["render", logdir, "--run", "ffn_flat", "--format", "dot"], text=True)
    for name in ("W1", "W2", "W3", "b1", "b2", "b3"):
        # The variable and the scope of its name (its read, assign, initializer): one box.
        assert f'"{element_id("op", name)}"' in flat.stdout
        assert f'"{element_id("scope", name)}"' not in flat.stdout

    # Running it again clears its own folder first and gives the same runs.
    again = subprocess.run(
        [sys.executable, "demo/make_demo_logdir.py", "--logdir", os.fspath(logdir)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert again.stdout == made.stdout
    assert len(list((logdir / "add").iterdir())) == 1


def test_render_coloured_by_structure(logdir, capsys):
    argv = ["render", logdir, "--run", "nets/ffn_scoped", "--depth", "0", "--format", "dot"]
    status, out, _ = run([*argv, "--colour", "structure"], capsys)
    assert status == 0
    # layer1 and layer2 (MatMul, add, Relu) are identical blocks; layer3 has no Relu.
    assert "identical blocks" in out and "layer1 ×2" in out
