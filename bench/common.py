"""What the corpus benchmarks share: the corpus's graphs and how a run's figures are saved."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from graphdef_reader import add_reader_option, reader, require_fast_reader

__all__ = ["add_reader_option", "reader", "require_fast_reader"]  # the benchmarks' one import

HERE = Path(__file__).resolve().parent
# Benchmarks time layouts: none comes from the drawings an earlier run kept on disk (this
# process's and the TensorBoard processes it starts).
os.environ.setdefault("TB_SCOPEGRAPH_CACHE_DIR", "off")
CORPUS = HERE / "corpus"
#: Graphs written by a real writer (or as protos, the million-op one) into a logdir of their
#: own, ``corpus/<name>/``: not under ``corpus/logs/``, which bench_load.py serves whole.
OWN_GRAPHS = ("transformer_1m", "gpt2_torch", "keras_transformer_train")
GRAPHS = ("mobilenetv2", "resnet50", "inceptionv3", "resnet50_train", "synthetic_100k", *OWN_GRAPHS)
#: Taken only when named (``--only``) or with ``--big``: building it takes a minute or two and
#: 2.3 GB of memory, and each benchmark spends minutes on it.
BIG = ("transformer_1m",)
#: What a benchmark takes when not told.
DEFAULT_GRAPHS = tuple(name for name in GRAPHS if name not in BIG)
# The demo's small graphs (demo/make_demo_logdir.py), each its run of the demo logdir as its
# writer wrote it: a logdir of its own under corpus/logs. The browser bench times them too.
DEMO_GRAPHS = {
    "demo_ffn_flat": "ffn_flat",  # TF1 FileWriter, 60 ops, no scopes
    "demo_ffn_scoped": "ffn_scoped",  # TF1, one scope per layer, trained: 165 ops and a profile
    "demo_pytorch": "pytorch/torch",  # PyTorch's SummaryWriter.add_graph, 90 ops
}
BROWSER_GRAPHS = GRAPHS + tuple(DEMO_GRAPHS)


def logdir(name: str) -> Path:
    """The logdir that holds corpus graph ``name`` (or demo graph) as its writer wrote it."""
    return CORPUS / name if name in OWN_GRAPHS else CORPUS / "logs" / name


def _built(name: str, logdirs: bool) -> bool:
    pb = CORPUS / f"{name}.pb"
    # A GraphDef of 0 bytes is one whose writing was cut short (or a placeholder).
    if name not in DEMO_GRAPHS and not (pb.is_file() and pb.stat().st_size):
        return False
    folder = logdir(name)
    return not logdirs or (folder.is_dir() and any(folder.iterdir()))


def missing_graphs(names, logdirs: bool = False, build: bool = True) -> list[str]:
    """The corpus graphs among ``names`` still missing (their ``.pb``, and with ``logdirs``
    their logdir) after building them with ``make_corpus.py --only`` (``build`` False: said
    on stderr, with the command that builds them)."""
    missing = [n for n in names if not _built(n, logdirs)]
    if not missing:
        return []
    command = [sys.executable, str(HERE / "make_corpus.py"), "--force", "--only", *missing]
    shown = f"python3 bench/make_corpus.py --force --only {' '.join(missing)}"
    if not build:
        print(f"missing corpus graphs {missing}: build them with {shown}", file=sys.stderr)
        return missing
    big = [n for n in missing if n in BIG]
    print(
        f"building the missing corpus graphs {missing} with {shown}"
        + (f" ({', '.join(big)}: a minute or two, 2.3 GB of memory)" if big else ""),
        file=sys.stderr,
        flush=True,
    )
    subprocess.run(command, check=False)
    missing = [n for n in missing if not _built(n, logdirs)]
    if missing:
        print(f"still missing {missing}: see make_corpus.py's output above", file=sys.stderr)
    return missing


def add_graph_options(parser, choices=GRAPHS) -> None:
    """``--only NAME ...`` and ``--big`` (also the graphs in `BIG`), which `chosen` reads."""
    parser.add_argument("--only", nargs="+", choices=choices, help="bench only these graphs")
    parser.add_argument(
        "--big", action="store_true", help=f"also bench {', '.join(BIG)} (named by --only too)"
    )


def chosen(args, default=DEFAULT_GRAPHS) -> tuple[str, ...]:
    """The graphs a run takes: those named by ``--only``, else ``default`` (and with ``--big``
    the big ones too)."""
    if args.only:
        return tuple(args.only)
    return tuple(default) + (BIG if args.big else ())


def write_results(path: Path, args, load_before, results: list, machine: dict, **more) -> None:
    """A run's figures as JSON: the machine (with the load average before and after), the
    settings, each graph's results and whatever else the benchmark keeps."""
    payload = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "graphdef_reader": reader(),
            **machine,
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
        },
        "settings": vars(args),
        "graphs": results,
        **more,
    }
    # default=str: paths among the settings are written as text.
    path.write_text(json.dumps(payload, indent=1, default=str) + "\n")
