"""What the corpus benchmarks share: the corpus's graphs and how a run's figures are saved."""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Benchmarks time layouts: none comes from the drawings an earlier run kept on disk (this
# process's and the TensorBoard processes it starts).
os.environ.setdefault("TB_SCOPEGRAPH_CACHE_DIR", "off")
CORPUS = HERE / "corpus"
GRAPHS = ("mobilenetv2", "resnet50", "inceptionv3", "resnet50_train", "synthetic_100k")
# The demo's small graphs (demo/make_demo_logdir.py), each its run of the demo logdir as its
# writer wrote it: a logdir of its own under corpus/logs. The browser bench times them too.
DEMO_GRAPHS = {
    "demo_ffn_flat": "ffn_flat",  # TF1 FileWriter, 60 ops, no scopes
    "demo_ffn_scoped": "ffn_scoped",  # TF1, one scope per layer, trained: 165 ops and a profile
    "demo_pytorch": "pytorch/torch",  # PyTorch's SummaryWriter.add_graph, 90 ops
}
BROWSER_GRAPHS = GRAPHS + tuple(DEMO_GRAPHS)


def missing_graphs(names) -> list[str]:
    """The corpus GraphDefs among ``names`` not written yet, said on stderr when there are any."""
    missing = [n for n in names if not (CORPUS / f"{n}.pb").exists()]
    if missing:
        print(f"missing corpus graphs {missing}: run python3 bench/make_corpus.py", file=sys.stderr)
    return missing


def write_results(path: Path, args, load_before, results: list, machine: dict, **more) -> None:
    """A run's figures as JSON: the machine (with the load average before and after), the
    settings, each graph's results and whatever else the benchmark keeps."""
    payload = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
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
