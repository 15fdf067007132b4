"""A layout worker: reads DOT jobs on stdin, draws them with pygraphviz, answers on stdout.

Run by `tb_scopegraph.drawing.render` as ``python -m tb_scopegraph.drawing._worker``; killed
when a layout runs past its time, which is why it lives in a process of its own. It runs at a
lower priority than the server (`NICENESS`): while layouts fill every core, the server still
answers what needs no layout (details, search, views drawn before) at once.
"""

from __future__ import annotations

import json
import os
from multiprocessing.connection import Connection

#: Added to the worker's niceness: the server's own threads come first for the CPU.
NICENESS = 10


def draw(dot: bytes, fmt: str, attrs: dict[str, str], cheap_edges: bool) -> bytes:
    """Lay out and draw one DOT text with extra graph attributes."""
    import pygraphviz

    graph = pygraphviz.AGraph(string=dot.decode("utf-8"))
    for key, value in attrs.items():
        graph.graph_attr[key] = value
    if cheap_edges:
        # Straight edges, and labels placed after the layout instead of ranked as nodes.
        graph.graph_attr["splines"] = "line"
        for edge in graph.edges_iter():
            label = edge.attr.get("label")
            if label:
                edge.attr["xlabel"] = label
                edge.attr["label"] = ""
    graph.layout(prog="dot")
    return graph.draw(format=fmt)


def main() -> None:
    try:
        os.nice(NICENESS)
    except (AttributeError, OSError):  # not on this platform, or not allowed: run as is
        pass
    jobs = Connection(os.dup(0), writable=False)
    answers = Connection(os.dup(1), readable=False)
    # Graphviz writes warnings to fd 2; keep them, and anything else, off the protocol's pipes.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    while True:
        try:
            job = json.loads(jobs.recv_bytes())
            dot = jobs.recv_bytes()
        except EOFError:
            return
        try:
            status, payload = b"+", draw(dot, job["format"], job["attrs"], job["cheap"])
        except Exception as error:  # any failure is reported, never kills the worker
            status, payload = b"-", f"{type(error).__name__}: {error}".encode()
        answers.send_bytes(status + payload)


if __name__ == "__main__":
    main()
