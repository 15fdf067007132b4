"""Which GraphDef reader a benchmark measures, and its refusal to measure the slow one.

The benchmarks put this checkout first on ``sys.path``: where the C reader (``_fastscan``) is
not built in place, the package reads graphs through protobuf and numpy, 4-6 times as slow
end to end (9.8x ``FromString`` instead of 2.0x on the million-op graph), and figures taken
that way would not be the package's. No side effects on import (``bench_load.py`` takes it
without ``common``'s settings).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def reader() -> str:
    """Which GraphDef reader this checkout's package reads with: ``"C"`` (``_fastscan``) or
    ``"protobuf"`` (upb and numpy, 4-6 times as slow end to end)."""
    if str(ROOT) not in sys.path:  # the benchmarks measure this checkout
        sys.path.insert(0, str(ROOT))
    from tb_scopegraph.model import _nodescan

    return _nodescan.reader()


def require_fast_reader(allow_slow: bool) -> bool:
    """Says which GraphDef reader is measured; False (and why, on stderr) when it is the slow
    fallback and ``allow_slow`` is not set: the figures would not be the package's."""
    which = reader()
    if which == "C":
        print("GraphDef reader: C (_fastscan)", flush=True)
        return True
    print("GraphDef reader: protobuf (the slow fallback: _fastscan is not built)", flush=True)
    if allow_slow:
        return True
    print(
        "refusing to measure the slow reader: build the C reader in place "
        "(pip install -e . or python setup.py build_ext --inplace), or pass "
        "--allow-slow-reader",
        file=sys.stderr,
    )
    return False


def add_reader_option(parser) -> None:
    """``--allow-slow-reader``, which `require_fast_reader` reads."""
    parser.add_argument(
        "--allow-slow-reader",
        action="store_true",
        help="measure even when the C GraphDef reader is not built (the protobuf fallback)",
    )
