"""Regular-expression search over a graph's names, in a child process stopped after a while.

Python's `re` holds the interpreter while it matches, and some patterns backtrack for hours
(`(a|aa)+$` against a long run of `a`s and a `!`): a server matching in its own process would
stop answering. The `regex` package's `timeout=` (with `concurrent=True`, which lets other
threads run) was measured as the alternative and is not used, for two reasons (figures in
bench/README.md, "regex search: a child process"; bench/bench_regex.py):

- its limit is the process's CPU time (`clock()` in its C source), not the wall clock: with
  `timeout=2` on that pattern, a match on a busy machine (2 cores, load average 9-14) stopped
  after 2.0 s of CPU and 9.8 s of wall clock, where this child process is stopped when the
  wall clock says so;
- it costs about 10 µs a call: matching each of the 100,002 names of bench's 100k-op graph
  with a timeout took 0.7-1.8 s, against 0.25-0.47 s for this child process (starting it
  and sending the names included) and 0.01-0.08 s for `re` in-process.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Sequence

from tb_scopegraph.errors import InvalidQuery

#: How long one search may match, over all of a graph's names.
SECONDS = 5.0
#: Names joined at a time to be sent.
_CHUNK = 1 << 16

# The job: a line of JSON (pattern, limit, how the names come), then the names, each on a line
# of its own, or, when a name holds a line break, as a JSON list.
_MATCHER = """
import json, re, sys
data = sys.stdin.buffer.read()
head, _, rest = data.partition(b"\\n")
job = json.loads(head)
names = json.loads(rest) if job["json"] else rest.decode("utf-8").split("\\n")
pattern = re.compile(job["pattern"])
found = []
for i, name in enumerate(names):
    if pattern.search(name):
        found.append(i)
        if len(found) >= job["limit"]:
            break
json.dump(found, sys.stdout)
"""


def match(pattern: str, names: Sequence[str], limit: int) -> list[int]:
    """The indices of the first `limit` names matching `pattern`, found by a child process
    that is killed after `SECONDS`."""
    seconds = SECONDS
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", _MATCHER],
            input=job(pattern, names, limit),
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


def job(pattern: str, names: Sequence[str], limit: int) -> bytes:
    """What the child process reads: the names one a line, joined a chunk at a time. As a
    JSON list of them all, each search of the 100,002 names of bench's 100k-op graph held
    the server's interpreter for 150-250 ms (a list of every name, then its 5 MB of JSON),
    and under fifty clients made the search route's tail. Names that a line break (or a
    lone surrogate) would garble go as JSON."""
    parts = []
    it = iter(names)
    while chunk := list(itertools.islice(it, _CHUNK)):
        text = "\n".join(chunk)
        if text.count("\n") != len(chunk) - 1:  # a name holds a line break
            return _json_job(pattern, names, limit)
        try:
            parts.append(text.encode("utf-8"))
        except UnicodeEncodeError:
            return _json_job(pattern, names, limit)
    if not parts:
        return _json_job(pattern, names, limit)
    head = json.dumps({"pattern": pattern, "limit": limit, "json": False}).encode()
    return b"\n".join([head, *parts])


def _json_job(pattern: str, names: Sequence[str], limit: int) -> bytes:
    head = json.dumps({"pattern": pattern, "limit": limit, "json": True}).encode()
    return head + b"\n" + json.dumps(list(names)).encode()
