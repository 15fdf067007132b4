"""Browser figures: with TensorBoard loaded, how long a switch to a graph tab takes to draw.

For each corpus graph, starts a real TensorBoard on 127.0.0.1 over ``bench/corpus/logs/<name>``
and, in a fresh Chromium each time and alternating the two, times from the click on a tab to
its first drawing:

- ``tensorboard``: TensorBoard's own Graphs tab (``#graphs``), until its scene's SVG holds
  node groups;
- ``scopegraph``: our tab (``#scopegraph``), until its iframe shows an SVG with ``g.node``.

Each measurement runs inside the page: the click and the clock start in one script, and a
``requestAnimationFrame`` loop stops the clock at the first frame where the drawing is there
(a frame the browser could not paint, because its main thread was busy, does not count).
Prints one table with the ratios and writes ``bench/results.json``.

    python3 bench/bench_browser.py [--only NAME ...] [--repeat 3] [--limit 120]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LOGS = HERE / "corpus" / "logs"
RESULTS = HERE / "results.json"
GRAPHS = ("mobilenetv2", "resnet50", "inceptionv3", "resnet50_train", "synthetic_100k")
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
#: The switch to our tab must be at least this many times faster than TensorBoard's (issue 7).
RATIO_TARGET = 3.0

# Shared page-side helpers: find elements through open shadow roots, and time a switch.
_PAGE_JS = r"""
window.__bench = {
  deepAll(selector, root = document) {
    const out = [...root.querySelectorAll(selector)];
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) out.push(...this.deepAll(selector, el.shadowRoot));
    }
    return out;
  },
  tab(label) {
    const want = label.trim().toLowerCase();
    return this.deepAll('[role=tab]').find((t) => t.textContent.trim().toLowerCase() === want);
  },
  // Start the clock at the next pointerdown (the real click on a tab, sent by Playwright:
  // Angular Material ignores synthetic clicks) and stop it at the first painted frame where
  // `ready()` holds; `this.result` resolves with the milliseconds.
  arm(ready, limitMs) {
    this.result = new Promise((resolve) => {
      const begin = () => {
        const start = (this.start = performance.now());
        const poll = () => {
          const now = performance.now();
          let ok = false;
          try { ok = ready(); } catch (e) { ok = false; }
          if (ok) return resolve({ms: now - start});
          if (now - start > limitMs) return resolve({timeout: true, ms: now - start});
          requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
      };
      window.addEventListener('pointerdown', begin, {capture: true, once: true});
    });
  },
  // Requests made since the click, in ms from it: where the time of a switch went.
  timeline() {
    const rows = [];
    const add = (win) => {
      const shift = win.performance.timeOrigin - performance.timeOrigin - this.start;
      for (const e of win.performance.getEntriesByType('resource')) {
        const begin = e.startTime + shift;
        if (begin < 0) continue;
        const url = new URL(e.name);
        rows.push({url: url.pathname.replace(/^.*\/data\/plugin\//, '') + url.search.slice(0, 80),
                   start: Math.round(begin), end: Math.round(e.responseEnd + shift),
                   bytes: e.encodedBodySize});
      }
    };
    add(window);
    for (const frame of this.deepAll('iframe')) {
      try { add(frame.contentWindow); } catch (e) { /* another origin */ }
    }
    return rows.sort((a, b) => a.start - b.start);
  },
};
"""

# TensorBoard's Graphs tab: its scene has drawn node groups.
_TENSORBOARD_READY = """() => {
  const scene = window.__bench.deepAll('tf-graph-scene')[0];
  return !!(scene && scene.shadowRoot && scene.shadowRoot.querySelector('svg g.node'));
}"""

# Our tab: inside its iframe, the drawn view's SVG with its boxes.
_SCOPEGRAPH_READY = """() => {
  for (const frame of window.__bench.deepAll('iframe')) {
    let doc = null;
    try { doc = frame.contentDocument; } catch (e) { continue; }
    if (doc && doc.querySelector('svg g.node')) return true;
  }
  return false;
}"""


def switch_to(page, label: str, ready_js: str, limit: float) -> dict:
    """Click the tab named ``label``; ms until ``ready_js`` first holds in a painted frame."""
    page.evaluate(f"(limit) => window.__bench.arm({ready_js}, limit)", limit * 1000)
    name = re.compile(rf"^\s*{re.escape(label)}\s*$", re.IGNORECASE)
    page.get_by_role("tab", name=name).click(timeout=10_000)
    result = page.evaluate("() => window.__bench.result")
    result["requests"] = page.evaluate("() => window.__bench.timeline()")
    return result


def measure_tensorboard(page, limit: float) -> dict:
    """Switch to TensorBoard's Graphs tab; ms until its first drawn graph."""
    return switch_to(page, "Graphs", _TENSORBOARD_READY, limit)


def measure_scopegraph(page, limit: float) -> dict:
    """Switch to our tab; ms until its iframe shows the first view's SVG."""
    return switch_to(page, "Scope Graph", _SCOPEGRAPH_READY, limit)


#: What is timed, in the order it alternates; each is (page, limit seconds) -> {"ms": ...}.
TABS: dict[str, Callable] = {
    "tensorboard": measure_tensorboard,
    "scopegraph": measure_scopegraph,
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read()
    except OSError:
        return None


def _tensorboard_command() -> list[str]:
    """`tensorboard` itself when the plugin is installed; otherwise the same program plus it."""
    from importlib.metadata import entry_points

    installed = any(e.name == "scopegraph" for e in entry_points(group="tensorboard_plugins"))
    if installed:
        return ["tensorboard"]
    return [sys.executable, str(ROOT / "tests" / "e2e" / "launch_tensorboard.py")]


@contextmanager
def tensorboard(logdir: Path, timeout: float = 120):
    """A TensorBoard on 127.0.0.1 and a free port that lists the logdir's graph; its URL."""
    port = _free_port()
    log_path = HERE / "corpus" / f"tensorboard-{logdir.name}.log"
    command = _tensorboard_command() + [
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


def _loaded_page(browser, url: str):
    """A page with TensorBoard loaded on another tab, its tab bar drawn and idle."""
    page = browser.new_page(viewport=VIEWPORT)
    page.add_init_script(_PAGE_JS)
    page.goto(f"{url}/#timeseries", wait_until="networkidle")
    page.wait_for_function("() => !!window.__bench.tab('graphs')", timeout=30_000)
    page.wait_for_timeout(500)
    return page


def one_switch(playwright, url: str, tab: str, limit: float) -> dict:
    """A fresh browser, TensorBoard loaded, one switch to ``tab`` timed."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = _loaded_page(browser, url)
        result = TABS[tab](page, limit)
    except Exception as error:  # a failed run is a figure too, never the end of the bench
        result = {"error": f"{type(error).__name__}: {str(error)[:200]}"}
    finally:
        browser.close()
    return result


def bench_graph(playwright, name: str, args) -> dict:
    runs: dict[str, list[dict]] = {tab: [] for tab in args.tabs}
    with tensorboard(LOGS / name) as url:
        for i in range(args.repeat):
            order = args.tabs if i % 2 == 0 else list(reversed(args.tabs))
            for tab in order:
                result = one_switch(playwright, url, tab, args.limit)
                runs[tab].append(result)
                print(f"  [{name}] {tab:<12} run {i + 1}: {_show(result)}", flush=True)
    out: dict = {"graph": name, "runs": runs}
    for tab, results in runs.items():
        times = [r["ms"] / 1000 for r in results if "ms" in r and not r.get("timeout")]
        out[tab] = {
            "median_s": statistics.median(times) if len(times) == len(results) else None,
            "timeouts": sum(1 for r in results if r.get("timeout")),
            "errors": sum(1 for r in results if "error" in r),
        }
    ours, theirs = out.get("scopegraph", {}), out.get("tensorboard", {})
    if ours.get("median_s") and (theirs.get("median_s") or theirs.get("timeouts")):
        # A TensorBoard that never drew counts as the limit: the ratio is then a lower bound.
        base = theirs["median_s"] or args.limit
        out["ratio"] = base / ours["median_s"]
        out["ratio_is_lower_bound"] = theirs["median_s"] is None
    return out


def _show(result: dict) -> str:
    if "error" in result:
        return f"error {result['error']}"
    if result.get("timeout"):
        return f"no drawing within {result['ms'] / 1000:.0f} s"
    return f"{result['ms'] / 1000:.3f} s"


def _table(results: list[dict], args) -> str:
    def cell(figures: dict) -> str:
        if figures.get("median_s") is not None:
            return f"{figures['median_s']:.2f} s"
        if figures.get("timeouts"):
            return f"> {args.limit:.0f} s"
        return "error"

    lines = [f"{'graph':<16}" + "".join(f"{tab:>14}" for tab in args.tabs) + f"{'ratio':>10}"]
    for r in results:
        ratio = r.get("ratio")
        shown = "-" if ratio is None else f"{'>' if r['ratio_is_lower_bound'] else ''}{ratio:.1f}x"
        lines.append(
            f"{r['graph']:<16}"
            + "".join(f"{cell(r[tab]):>14}" for tab in args.tabs)
            + f"{shown:>10}"
        )
    lines.append(
        f"median of {args.repeat}, fresh Chromium each run, alternating; target ratio >= "
        f"{RATIO_TARGET:.0f}x (TensorBoard's time / ours)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=GRAPHS, help="bench only these graphs")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tab (median)")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds before giving up")
    parser.add_argument(
        "--tabs", nargs="+", choices=sorted(TABS), default=list(TABS), help="tabs to time"
    )
    args = parser.parse_args(argv)
    names = args.only or GRAPHS
    missing = [n for n in names if not (LOGS / n).is_dir()]
    if missing:
        print(f"missing logdirs {missing}: run python3 bench/make_corpus.py", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    results = []
    with sync_playwright() as playwright:
        for name in names:
            results.append(bench_graph(playwright, name, args))
    print()
    print(_table(results, args))
    RESULTS.write_text(
        json.dumps(
            {
                "machine": {
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "chromium": CHROMIUM,
                    "loadavg_before": load_before,
                    "loadavg_after": os.getloadavg(),
                },
                "settings": vars(args),
                "graphs": results,
            },
            indent=1,
        )
        + "\n"
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
