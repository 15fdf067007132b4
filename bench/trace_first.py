"""Where a first drawing's time goes: Chromium's trace of a switch to our tab and to the floor's.

For each graph, starts TensorBoard with the floor's tab (``floor_plugin.py``, as
``bench_browser.py --tabs floor scopegraph`` does), waits until our plugin has read the graph and
drawn its first view ahead (as ``bench_browser.py`` does) and, in a fresh Chromium each run,
alternating the two tabs, records Chromium's trace (``devtools.timeline``, ``v8``, ``loading``,
``blink.user_timing``) of the click on the tab until its drawing is there, then reads it:

- the requests, in order, from the click: the entry page TensorBoard writes, the tab's module;
- from the module's arrival to the tab's ``drawn`` mark (the floor: to the frame it drew in),
  the main thread's CPU time (the trace's thread durations), split into compiling scripts,
  parsing the stylesheet, recalculating styles, layout, TensorBoard's own event handlers run
  inside our task (``blur``, ``focus``), and the rest (running scripts).

Tracing slows the page: the wall times here are not the benchmark's (``bench_browser.py``
measures those untraced); the CPU split says which part of ours is worth cutting.

With ``--base DIR`` (as ``bench_browser.py --base``), the tab of that copy is traced too, as
``base``, on a TensorBoard of its own.

    python3 bench/trace_first.py [--only NAME ...] [--repeat 3] [--keep DIR] [--base DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import bench_browser as bb
from common import BROWSER_GRAPHS, logdir, missing_graphs
from page_probes import FLOOR_READY, OURS_OWN, SCOPEGRAPH_READY

CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "blink.user_timing",
    "loading",
    "v8",
    "v8.execute",
    "disabled-by-default-v8.compile",
]
#: What the tab's module is, per tab: the end of the request the split starts from.
MODULES = {"scopegraph": "/scopegraph/tab.js", "floor": "/floor/floor.js"}
LABELS = {
    "scopegraph": ("Scope Graph", SCOPEGRAPH_READY),
    "base": ("Scope Graph", SCOPEGRAPH_READY),
    "floor": ("Floor", FLOOR_READY),
}


def _category(name: str, args: dict) -> str | None:
    """Which part of the split a trace event is, when it starts one."""
    if name.startswith(("V8.Compile", "V8.ParseFunction", "V8.CollectSource", "v8.compile")):
        return "compile"
    if name.startswith("CSSParserImpl"):
        return "stylesheet"
    if name == "UpdateLayoutTree":
        return "style"
    if name == "Layout":
        return "layout"
    if name == "EventDispatch" and (args.get("data") or {}).get("type") in ("blur", "focus"):
        return "TensorBoard's handlers"
    if name in ("ParseHTML", "Document::Document"):
        return "parsing the SVG"
    return None


def breakdown(events: list[dict]) -> dict:
    """The requests after the click and the main thread's CPU split (see the docstring)."""
    threads = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M" and e.get("name") == "thread_name"
        if e["args"]["name"] == "CrRendererMain"
    }
    click = min(
        e["ts"]
        for e in events
        if e.get("name") == "EventDispatch"
        and (e.get("args", {}).get("data") or {}).get("type") == "pointerdown"
    )
    urls = {
        e["args"]["data"]["requestId"]: e["args"]["data"]["url"]
        for e in events
        if e.get("name") == "ResourceSendRequest"
    }
    requests: dict[str, dict] = {}
    for e in sorted(events, key=lambda e: e["ts"]):
        if e.get("name") not in ("ResourceSendRequest", "ResourceFinish") or e["ts"] < click:
            continue
        url = urls.get(e["args"]["data"].get("requestId"), "")
        row = requests.setdefault(url, {"url": url.split("/data/")[-1][:80]})
        row["start" if e["name"] == "ResourceSendRequest" else "end"] = (e["ts"] - click) / 1000
    module = next((r for url, r in requests.items() if url.endswith(tuple(MODULES.values()))), {})
    drawn = [e["ts"] for e in events if e.get("name") == "scopegraph:drawn"]
    begin = click + module.get("end", 0) * 1000
    main = sorted(
        (e for e in events if (e.get("pid"), e.get("tid")) in threads and e.get("ph") == "X"),
        key=lambda e: (e["ts"], -e.get("dur", 0)),
    )
    # The floor draws in the task that runs its module: its end is that task's.
    end = drawn[0] if drawn else _module_task_end(main, begin)
    split: dict[str, float] = {}
    cpu = 0.0
    open_until: list[tuple[float, bool]] = []  # (end, categorised) of the enclosing events
    for e in main:
        if e["ts"] > end:
            break
        while open_until and open_until[-1][0] <= e["ts"]:
            open_until.pop()
        part = _category(e["name"], e.get("args", {}))
        inside = any(categorised for _, categorised in open_until)
        took = e.get("tdur", e.get("dur", 0)) / 1000
        if e["ts"] >= begin:
            if not open_until:
                cpu += took
            if part and not inside:
                split[part] = split.get(part, 0.0) + took
        open_until.append((e["ts"] + e.get("dur", 0), part is not None or inside))
    split["scripts and the rest"] = max(0.0, cpu - sum(split.values()))
    return {
        "requests": sorted(requests.values(), key=lambda r: r.get("start", 0)),
        "module_end_ms": module.get("end"),
        "to_drawn_ms": (end - begin) / 1000,
        "cpu_ms": cpu,
        "split_ms": split,
    }


def _module_task_end(main: list[dict], begin: float) -> float:
    """The end of the main thread's task that runs the first module evaluated after `begin`."""
    run = next((e for e in main if e["ts"] >= begin and e["name"] == "v8.evaluateModule"), None)
    if run is None:
        return begin
    tasks = [e for e in main if e["ts"] <= run["ts"] and e["ts"] + e.get("dur", 0) >= run["ts"]]
    return max(e["ts"] + e.get("dur", 0) for e in tasks)


def traced_switch(playwright, url: str, tab: str, path: Path) -> dict:
    """One switch to `tab` in a fresh Chromium, traced into `path`; its breakdown."""
    browser = playwright.chromium.launch(executable_path=bb.CHROMIUM, args=bb.CHROMIUM_ARGS)
    try:
        page = bb.loaded_page(browser, url)
        browser.start_tracing(page=page, path=str(path), categories=CATEGORIES)
        label, ready = LABELS[tab]
        result = bb.switch_to(page, label, ready, 60)
        if tab != "floor":
            page.wait_for_function(OURS_OWN, timeout=60_000, polling="raf")
        page.wait_for_timeout(200)
        browser.stop_tracing()
    finally:
        browser.close()
    events = json.loads(path.read_text())["traceEvents"]
    return {"ms": result.get("ms"), **breakdown(events)}


def _print(name: str, tab: str, runs: list[dict]) -> None:
    median = lambda key: statistics.median(r[key] for r in runs if r.get(key) is not None)  # noqa: E731
    parts = sorted({p for r in runs for p in r["split_ms"]})
    split = {p: statistics.median(r["split_ms"].get(p, 0.0) for r in runs) for p in parts}
    shown = ", ".join(f"{p} {ms:.1f}" for p, ms in sorted(split.items(), key=lambda kv: -kv[1]))
    print(
        f"{name:<16}{tab:<11} traced first {median('ms'):6.0f} ms, module in at "
        f"{median('module_end_ms'):4.0f}, then {median('to_drawn_ms'):4.0f} ms to the drawing, "
        f"main-thread CPU {median('cpu_ms'):5.1f} ms: {shown}"
    )
    print(f"{'':<27}requests of the last run: {runs[-1]['requests']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=BROWSER_GRAPHS, default=["resnet50"])
    parser.add_argument("--repeat", type=int, default=3, help="traced runs per tab (median)")
    parser.add_argument("--keep", type=Path, help="keep the traces (JSON) in this folder")
    parser.add_argument("--base", type=Path, help="a copy of another version, traced as `base`")
    args = parser.parse_args(argv)
    if missing_graphs(args.only, logdirs=True):
        return 2
    from playwright.sync_api import sync_playwright

    folder = args.keep or Path(tempfile.mkdtemp(prefix="trace_first-"))
    folder.mkdir(parents=True, exist_ok=True)
    tabs = ["floor", "scopegraph"] + (["base"] if args.base else [])
    with sync_playwright() as playwright:
        for name in args.only:
            runs: dict[str, list[dict]] = {tab: [] for tab in tabs}
            with ExitStack() as stack:
                command = bb.tensorboard_command(floor=True)
                url = stack.enter_context(
                    bb.tensorboard(logdir(name), command=command, log_name=f"trace-{name}")
                )
                urls = {"floor": url, "scopegraph": url}
                if args.base:
                    command = bb.tensorboard_command(base=args.base)
                    urls["base"] = stack.enter_context(
                        bb.tensorboard(logdir(name), command=command, log_name=f"trace-base-{name}")
                    )
                for tab in tabs[1:]:  # our tab times a graph read already
                    bb.wait_drawn_ahead(urls[tab], 300)
                for i in range(args.repeat):
                    for tab in tabs if i % 2 == 0 else tabs[::-1]:
                        path = folder / f"{name}-{tab}-{i + 1}.json"
                        runs[tab].append(traced_switch(playwright, urls[tab], tab, path))
            for tab in tabs:
                _print(name, tab, runs[tab])
    print(f"traces in {folder}" if args.keep else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
