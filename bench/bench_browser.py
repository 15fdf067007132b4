"""Browser figures: with TensorBoard loaded, how long our tab and TensorBoard's Graphs tab take.

For each corpus graph, starts a real TensorBoard on 127.0.0.1 over ``bench/corpus/logs/<name>``,
waits until it lists the graph and, when our tab is timed, until our plugin has read it and
drawn its first view ahead (printed: how long after the listing; a click before then waits for
the read), and, in a fresh Chromium each time and alternating the two tabs, times:

- ``first``: from the click on the tab to its first drawing. TensorBoard's Graphs tab
  (``#graphs``): its scene's SVG holds node groups; ours (``#scopegraph``): its iframe shows an
  SVG with ``g.node``; the tab's ``drawn`` mark, when its drawing went into the page, is
  printed too: "the tab's own drawing".
- ``open``: ours: a click on the closed group in view with the most ops (the run-th most, so
  each run lays out a view not drawn before, unless fewer are in view than runs) until a new
  drawing shows it open; TensorBoard: a click on its biggest metanode's expand button until the
  scene shows it expanded.
- ``close``: a click on that group's frame (ours) or its collapse button, until it is closed;
  ours goes back to a view drawn before.
- ``reopen``: opening it again: a view drawn before.

With ``--tabs tensorboard scopegraph floor``, TensorBoard also shows ``floor_plugin.py``'s tab,
whose module draws one box at once: its ``first`` is TensorBoard's own cost of showing a tab in
an iframe, as ours is shown, on that page (the floor under our first view).

With ``--base DIR`` (a copy of another version of this repository, such as ``git archive main``
unpacked, with its C extension built or copied in), a second TensorBoard serves that version's
plugin, and its tab is timed as ``base``, alternating with the others: a before and after
measured in the same run, on the same machine load.

Each measurement runs inside the page: the click starts the clock (at its ``pointerdown``), and
a ``requestAnimationFrame`` loop stops it at the first frame where the drawing is there (a
frame the browser could not paint, because its main thread was busy, does not count).
Prints one table with the medians and ratios and writes ``bench/results.json``.

    python3 bench/bench_browser.py [--only NAME ...] [--repeat 7] [--limit 120] [--first-only]
        [--tabs tensorboard scopegraph [floor] [base]] [--base DIR] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from pathlib import Path

from common import BIG, BROWSER_GRAPHS, CORPUS, HERE, logdir, missing_graphs, reader, write_results
from page_probes import (
    FLOOR_READY,
    OURS_CLOSED,
    OURS_OPENED,
    OURS_OWN,
    PAGE_JS,
    SCOPEGRAPH_READY,
    TB_COLLAPSED,
    TB_EXPANDED,
    TENSORBOARD_READY,
)
from tbprocess import free_port

ROOT = HERE.parent
LOGS = CORPUS / "logs"
RESULTS = HERE / "results.json"
CHROMIUM = os.environ.get("SCOPEGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}


def switch_to(page, label: str, ready_js: str, limit: float) -> dict:
    """Click the tab named ``label``; ms until ``ready_js`` first holds in an animation frame."""
    page.evaluate(f"(limit) => window.__bench.arm({ready_js}, limit)", limit * 1000)
    name = re.compile(rf"^\s*{re.escape(label)}\s*$", re.IGNORECASE)
    page.get_by_role("tab", name=name).click(timeout=10_000)
    result = page.evaluate("() => window.__bench.result")
    result["requests"] = page.evaluate("() => window.__bench.timeline()")
    return result


def _click_step(page, point: dict, ready_js: str, box: str, limit: float) -> dict:
    """A real click at ``point`` (page pixels); ms until ``ready_js({id: box, shown})`` holds,
    ``shown`` being our tab's count of drawings shown before the click."""
    shown = page.evaluate(
        "() => window.__bench.ours().contentDocument.querySelector('.sg-app').dataset.shown"
    )
    arg = {"id": box, "shown": shown}
    page.evaluate(
        f"([limit, arg]) => window.__bench.arm({ready_js}, limit, arg)", [limit * 1000, arg]
    )
    page.mouse.click(point["x"], point["y"])
    result = page.evaluate("() => window.__bench.result")
    result["requests"] = page.evaluate("() => window.__bench.timeline()")
    return result


def _wait_ours_still(page, limit: float) -> None:
    page.wait_for_function("() => window.__bench.oursStill()", timeout=limit * 1000, polling="raf")


def measure_tensorboard(page, limit: float, run: int, steps: bool, out: dict) -> None:
    """TensorBoard's Graphs tab: the switch until its first drawing; then expanding its
    biggest metanode (its expand button) until the scene shows it open, collapsing it, and
    expanding it again."""
    out["first"] = switch_to(page, "Graphs", TENSORBOARD_READY, limit)
    if not steps or out["first"].get("timeout"):
        return
    page.wait_for_timeout(1500)  # the scene settles (labels, minimap)
    target = page.evaluate("() => window.__bench.pickMetanode()")
    if not target:
        return
    for step, ready in (("open", TB_EXPANDED), ("close", TB_COLLAPSED), ("reopen", TB_EXPANDED)):
        page.evaluate(
            f"([name, limit]) => window.__bench.toggleMetanode(name, {ready}, limit)",
            [target["name"], limit * 1000],
        )
        result = page.evaluate("() => window.__bench.result")
        result["target"] = target
        out[step] = result
        if result.get("timeout"):
            return
        page.wait_for_timeout(800)


def measure_scopegraph(page, limit: float, run: int, steps: bool, out: dict) -> None:
    """Our tab: the switch until its first view's SVG; then a click on the closed group in
    view with the most ops (the run-th most) until the new drawing shows it open, a click on
    its frame until it is closed again (a view drawn before), and opening it again."""
    first = out["first"] = switch_to(page, "Scope Graph", SCOPEGRAPH_READY, limit)
    if not first.get("timeout"):
        # The tab's own drawing: its marks are all in once it is there.
        page.wait_for_function(OURS_OWN, timeout=limit * 1000, polling="raf")
    first["marks"] = page.evaluate("() => window.__bench.marks()")
    if not steps or first.get("timeout"):
        return
    _wait_ours_still(page, limit)
    target = page.evaluate("(i) => window.__bench.pickGroup(i)", run)
    if not target:
        return
    out["open"] = _click_step(page, target, OURS_OPENED, target["id"], limit)
    out["open"]["target"] = target
    if out["open"].get("timeout"):
        return
    _wait_ours_still(page, limit)
    point = page.evaluate("(id) => window.__bench.framePoint(id)", target["id"])
    if not point:
        return
    out["close"] = _click_step(page, point, OURS_CLOSED, target["id"], limit)
    if out["close"].get("timeout"):
        return
    _wait_ours_still(page, limit)
    again = page.evaluate("(id) => window.__bench.boxPoint(id)", target["id"])
    if again:
        out["reopen"] = _click_step(page, again, OURS_OPENED, target["id"], limit)


def measure_floor(page, limit: float, run: int, steps: bool, out: dict) -> None:
    """The floor's tab (floor_plugin.py): the switch until its one box is there."""
    out["first"] = switch_to(page, "Floor", FLOOR_READY, limit)


#: What is timed, in the order it alternates; each is (page, limit s, run, steps, out) and fills
#: out[step] with {"ms": ...} (or {"timeout": True}) as it goes. `base`: our tab as the
#: `--base` copy serves it, on a TensorBoard of its own.
TABS: dict[str, Callable] = {
    "tensorboard": measure_tensorboard,
    "scopegraph": measure_scopegraph,
    "floor": measure_floor,
    "base": measure_scopegraph,
}
#: The steps each tab times, and what each must meet: first view against TensorBoard's,
#: open within 1 s, steps to views drawn before within 50 ms (issue 7).
STEPS = ("first", "open", "close", "reopen")
TARGETS = {"first": ">= 3x TB", "open": "<= 1 s", "close": "<= 50 ms", "reopen": "<= 50 ms"}


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read()
    except OSError:
        return None


#: What the plugin's `tab.js` route puts before the tab's module (see WarmUp.module).
_INLINE_PREFIX = b"const SCOPEGRAPH_INLINE = "


def wait_drawn_ahead(url: str, timeout: float) -> float:
    """Seconds until our plugin's module carries the first view (the plugin read the graph
    and drew its default view ahead, as it does once the graph is listed). A first click
    before that waits for the graph to be read (seconds on a million ops): the first view's
    target is for a graph read already."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        module = _get(f"{url}/data/plugin/scopegraph/tab.js") or b""
        if module.startswith(_INLINE_PREFIX):
            line = module[len(_INLINE_PREFIX) : module.index(b"\n")].rstrip(b";")
            first = json.loads(line).get("first")
            if first and first.get("view"):
                return time.monotonic() - start
        time.sleep(0.3)
    raise RuntimeError(f"the first view was not drawn ahead within {timeout:.0f} s")


# Runs `floor_plugin.py` of the copy given as argv[1] with that copy's package: the editable
# install of this checkout is taken off the import path first.
_BASE_LAUNCHER = """
import runpy, sys
base = sys.argv.pop(1)
sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in repr(f)]
sys.path.insert(0, base)
sys.argv[0] = base + "/bench/floor_plugin.py"
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def tensorboard_command(floor: bool = False, base: Path | None = None) -> list[str]:
    """`tensorboard` itself when the plugin is installed; otherwise the same program plus it;
    with `floor`, the same plus the floor's tab (floor_plugin.py); with `base`, the floor's
    program of that copy, serving its own plugin."""
    from importlib.metadata import entry_points

    if base is not None:
        return [sys.executable, "-c", _BASE_LAUNCHER, str(base.resolve())]
    if floor:
        return [sys.executable, str(HERE / "floor_plugin.py")]
    installed = any(e.name == "scopegraph" for e in entry_points(group="tensorboard_plugins"))
    if installed:
        return ["tensorboard"]
    return [sys.executable, str(ROOT / "tests" / "e2e" / "launch_tensorboard.py")]


@contextmanager
def tensorboard(
    logdir: Path, timeout: float = 120, command: list[str] | None = None, log_name: str = ""
):
    """A TensorBoard on 127.0.0.1 and a free port that lists the logdir's graph; its URL.
    `command`: the program to run (`tensorboard_command()`), given the logdir, host and port;
    its output goes to bench/corpus/tensorboard-<log_name or the logdir's name>.log."""
    port = free_port()
    log_path = CORPUS / f"tensorboard-{log_name or logdir.name}.log"
    command = (command or tensorboard_command()) + [
        "--logdir",
        str(logdir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                runs = _get(f"{url}/data/plugin/graphs/info")
                if runs and json.loads(runs):
                    break
                if process.poll() is not None:
                    raise RuntimeError(f"tensorboard exited; see {log_path}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"tensorboard did not list the graph; see {log_path}")
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def loaded_page(browser, url: str):
    """A page with TensorBoard loaded on another tab, its tab bar drawn and idle."""
    page = browser.new_page(viewport=VIEWPORT)
    page.add_init_script(PAGE_JS)
    page.goto(f"{url}/#timeseries", wait_until="networkidle")
    page.wait_for_function("() => !!window.__bench.tab('graphs')", timeout=30_000)
    page.wait_for_timeout(500)
    return page


def one_session(playwright, url: str, tab: str, run: int, args) -> dict:
    """A fresh browser, TensorBoard loaded, one switch to ``tab`` and its steps timed."""
    out: dict = {}
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = loaded_page(browser, url)
        TABS[tab](page, args.limit, run, not args.first_only, out)
    except Exception as error:  # a failed run is a figure too, never the end of the bench
        out["error"] = f"{type(error).__name__}: {str(error)[:200]}"
    finally:
        browser.close()
    return out


def _summary(results: list[dict], step: str, limit: float) -> dict:
    """Median seconds of one step over the runs; a run past the limit counts as the limit."""
    done = [r[step]["ms"] / 1000 for r in results if step in r and not r[step].get("timeout")]
    timeouts = sum(1 for r in results if step in r and r[step].get("timeout"))
    times = done + [limit] * timeouts
    return {
        "median_s": statistics.median(times) if times else None,
        "at_least": timeouts > 0,  # the median is a lower bound
        "runs": len(done),
        "timeouts": timeouts,
        "missing": len(results) - len(done) - timeouts,
    }


def bench_graph(playwright, name: str, args) -> dict:
    runs: dict[str, list[dict]] = {tab: [] for tab in args.tabs}
    with ExitStack() as stack:
        command = tensorboard_command("floor" in args.tabs)
        url = stack.enter_context(tensorboard(logdir(name), command=command))
        urls = {tab: url for tab in args.tabs}
        if "base" in args.tabs:
            command = tensorboard_command(base=args.base)
            urls["base"] = stack.enter_context(
                tensorboard(logdir(name), command=command, log_name=f"base-{name}")
            )
        read = {}
        for tab in ("scopegraph", "base"):
            if tab in args.tabs:
                read[tab] = wait_drawn_ahead(urls[tab], args.limit)
                print(f"  [{name}] {tab:<12} read and drawn ahead {read[tab]:.1f} s after listed")
        for i in range(args.repeat):
            order = args.tabs if i % 2 == 0 else list(reversed(args.tabs))
            for tab in order:
                result = one_session(playwright, urls[tab], tab, i, args)
                runs[tab].append(result)
                print(f"  [{name}] {tab:<12} run {i + 1}: {_show(result)}", flush=True)
    out: dict = {"graph": name, "runs": runs, "steps": {}, "drawn_ahead_s": read}
    for step in STEPS:
        figures = {tab: _summary(results, step, args.limit) for tab, results in runs.items()}
        ours, theirs = figures.get("scopegraph", {}), figures.get("tensorboard", {})
        if ours.get("median_s") and theirs.get("median_s") and not ours["at_least"]:
            figures["ratio"] = theirs["median_s"] / ours["median_s"]
            figures["ratio_is_lower_bound"] = theirs["at_least"]
        floor = figures.get("floor", {})
        if floor.get("median_s") and theirs.get("median_s") and not floor["at_least"]:
            figures["floor_ratio"] = theirs["median_s"] / floor["median_s"]
        # Our tab's time (and the base copy's) over the floor's: the first view's target.
        for tab in ("scopegraph", "base"):
            mine = figures.get(tab, {})
            if floor.get("median_s") and mine.get("median_s") and not floor["at_least"]:
                figures[f"{tab}_over_floor"] = mine["median_s"] / floor["median_s"]
        out["steps"][step] = figures
    # When the tab had its own drawing on screen (ms from the click, its `drawn` mark).
    for tab, key in (("scopegraph", "tab_drawn_s"), ("base", "base_drawn_s")):
        own = [r["first"]["marks"]["drawn"] for r in runs.get(tab, []) if _drawn(r)]
        if own:
            out[key] = statistics.median(own) / 1000
    return out


def _drawn(result: dict) -> bool:
    return "drawn" in result.get("first", {}).get("marks", {})


def _show(result: dict) -> str:
    parts = []
    for step in STEPS:
        if step not in result:
            continue
        r = result[step]
        seconds = f"{r['ms'] / 1000:.3f} s"
        parts.append(f"{step} {'> ' + seconds if r.get('timeout') else seconds}")
    if "error" in result:
        parts.append(f"error {result['error']}")
    return ", ".join(parts) or "nothing timed"


def _table(results: list[dict], args) -> str:
    def cell(figures: dict | None) -> str:
        if not figures or figures.get("median_s") is None:
            return "-"
        text = f"{'>' if figures['at_least'] else ''}{figures['median_s']:.3f} s"
        return text + ("*" if figures["missing"] else "")

    head = f"{'graph':<16}{'step':<8}" + "".join(f"{tab:>14}" for tab in args.tabs)
    lines = [head + f"{'ratio':>9}  target (ours)"]
    for r in results:
        for step in STEPS:
            figures = r["steps"][step]
            if all(figures.get(tab, {}).get("median_s") is None for tab in args.tabs):
                continue
            ratio = figures.get("ratio")
            shown = "-" if ratio is None else f"{'>' if figures['ratio_is_lower_bound'] else ''}"
            shown = shown if ratio is None else f"{shown}{ratio:.1f}x"
            lines.append(
                f"{r['graph']:<16}{step:<8}"
                + "".join(f"{cell(figures.get(tab)):>14}" for tab in args.tabs)
                + f"{shown:>9}  {TARGETS[step]}"
            )
    floors = [(r["graph"], r["steps"]["first"].get("floor_ratio")) for r in results]
    for graph, ratio in floors:
        if ratio is not None:
            lines.append(f"{graph:<16}first   TensorBoard's time / the floor's: {ratio:.1f}x")
    for r in results:
        for tab in ("scopegraph", "base"):
            ratio = r["steps"]["first"].get(f"{tab}_over_floor")
            if ratio is not None:
                lines.append(f"{r['graph']:<16}first   {tab}'s time / the floor's: {ratio:.2f}x")
    for r in results:
        if r.get("tab_drawn_s") is not None:
            lines.append(f"{r['graph']:<16}first   the tab's own drawing: {r['tab_drawn_s']:.3f} s")
        if r.get("base_drawn_s") is not None:
            lines.append(f"{r['graph']:<16}first   base's own drawing: {r['base_drawn_s']:.3f} s")
    lines.append(
        f"median of {args.repeat}, fresh Chromium each run, tabs alternating; ratio = "
        "TensorBoard's time / ours; * some runs did not get to this step; > ran past --limit"
    )
    lines.append(
        "steps: ours opens the closed group in view with the most ops (a different one each "
        "run), closes it, opens it again; TensorBoard expands its biggest metanode, collapses "
        "it, expands it again"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=BROWSER_GRAPHS, help="bench only these graphs")
    parser.add_argument("--big", action="store_true", help=f"also bench {', '.join(BIG)}")
    parser.add_argument("--repeat", type=int, default=7, help="runs per tab (median)")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds before giving up")
    parser.add_argument(
        "--tabs",
        nargs="+",
        choices=sorted(TABS),
        default=["tensorboard", "scopegraph"],
        help="tabs to time (floor: floor_plugin.py's tab, TensorBoard's least for a tab)",
    )
    parser.add_argument(
        "--base",
        type=Path,
        help="a copy of another version of this repository, timed as the tab `base`",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the figures")
    parser.add_argument(
        "--first-only", action="store_true", help="time the first view only, no open/close steps"
    )
    args = parser.parse_args(argv)
    if "base" in args.tabs and args.base is None:
        parser.error("the tab `base` needs --base DIR")
    if args.base is not None and "base" not in args.tabs:
        args.tabs.append("base")
    names = args.only or [n for n in BROWSER_GRAPHS if args.big or n not in BIG]
    if missing_graphs(names, logdirs=True):
        return 2
    print(f"GraphDef reader of the TensorBoard processes: {reader()}", flush=True)
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    results = []
    with sync_playwright() as playwright:
        for name in names:
            results.append(bench_graph(playwright, name, args))
    print()
    print(_table(results, args))
    write_results(args.out, args, load_before, results, {"chromium": CHROMIUM})
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
