"""Regular-expression search over a graph's names, in a child process stopped after a while.

Python's `re` holds the interpreter while it matches, and some patterns backtrack for hours
(`(a+)+$` against a long run of `a`s): a server matching in its own process would stop
answering. The `regex` package's `timeout=` is no substitute here: it counts the process's CPU
time, not the wall clock, so on a busy machine `(a|aa)+$` against 40 `a`s and a `!` with
`timeout=2` ran 7.8 s (1 s of CPU: 3.4-5 s; 2 cores shared by several jobs), where a child
process is stopped when the wall clock says so.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tb_scopegraph.errors import InvalidQuery

#: How long one search may match, over all of a graph's names.
SECONDS = 5.0

_MATCHER = """
import json, re, sys
job = json.load(sys.stdin)
pattern = re.compile(job["pattern"])
found = []
for i, name in enumerate(job["names"]):
    if pattern.search(name):
        found.append(i)
        if len(found) >= job["limit"]:
            break
json.dump(found, sys.stdout)
"""


def match(pattern: str, names: list[str], limit: int) -> list[int]:
    """The indices of the first `limit` names matching `pattern`, found by a child process
    that is killed after `SECONDS`."""
    seconds = SECONDS
    job = json.dumps({"pattern": pattern, "names": names, "limit": limit}).encode()
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", _MATCHER],
            input=job,
            capture_output=True,
            timeout=seconds,
            check=True,
        )
    except subprocess.TimeoutExpired:
        raise InvalidQuery(
            f"the regular expression ran past {seconds:g} s over this graph's names; "
            "try a simpler one (nested repeats like (a+)+ backtrack without end)"
        ) from None
    except subprocess.CalledProcessError as e:
        error = e.stderr.decode("utf-8", errors="replace").strip().splitlines()[-1:]
        raise InvalidQuery(f"the regular expression failed: {' '.join(error)}") from None
    return json.loads(done.stdout)
