"""The benchmarks say which GraphDef reader they measure and refuse the slow fallback."""

import subprocess
import sys
from pathlib import Path

import pytest

from tb_scopegraph.model import _nodescan

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))
import graphdef_reader  # noqa: E402 (bench/ is not a package)

# Runs a benchmark's main as its command line does, with the C reader taken away (an import
# of a module set to None in sys.modules fails, as where the extension was never built).
_WITHOUT_C = """
import runpy, sys
sys.modules["tb_scopegraph.model._fastscan"] = None
sys.path.insert(0, {bench!r})
sys.argv = [{script!r}, *{args!r}]
runpy.run_path({script!r}, run_name="__main__")
"""


def _run_without_c(script: str, *args: str) -> subprocess.CompletedProcess:
    code = _WITHOUT_C.format(bench=str(BENCH), script=str(BENCH / script), args=list(args))
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=BENCH
    )


@pytest.mark.parametrize("script", ["bench_engine.py", "bench_load.py"])
def test_a_benchmark_refuses_the_slow_reader_unless_allowed(script):
    args = ("--seconds", "1") if script == "bench_load.py" else ("--only", "gpt2_torch")
    done = _run_without_c(script, *args)
    assert done.returncode == 2, done.stderr
    assert "GraphDef reader: protobuf" in done.stdout
    assert "--allow-slow-reader" in done.stderr


def test_the_reader_is_said_and_the_slow_one_allowed_when_asked(monkeypatch, capsys):
    assert graphdef_reader.require_fast_reader(False) is (_nodescan.reader() == "C")
    monkeypatch.setattr(_nodescan, "_fastscan", None)
    assert graphdef_reader.reader() == "protobuf"
    assert graphdef_reader.require_fast_reader(False) is False
    assert graphdef_reader.require_fast_reader(True) is True
    out = capsys.readouterr()
    assert out.out.count("GraphDef reader: protobuf") == 2
    assert out.err.count("refusing to measure the slow reader") == 1
