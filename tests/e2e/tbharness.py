"""Helpers for the browser tests and the screenshot: a demo logdir, a real TensorBoard, Chromium."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = Path(__file__).with_name("launch_tensorboard.py")
CHROMIUM = os.environ.get("SCOPEGRAPH_CHROMIUM", "/usr/bin/chromium")
# Playwright's own browser download does not work everywhere; Debian's Chromium does.
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

# Runs in every frame, the tab's iframe included, before the page's own scripts.
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
});
"""


def element_id(kind: str, name: str) -> str:
    """The SVG element id of a box (see tb_scopegraph/drawing/dot.py): `<kind>-<enc>`, unsafe
    bytes as `.XX`. Written out here, so the browser tests check the ids against their rule."""
    safe = re.compile(rb"[A-Za-z0-9_-]")
    return f"{kind}-" + "".join(
        chr(b) if safe.match(bytes([b])) else f".{b:02X}" for b in name.encode("utf-8")
    )


def write_demo_logdir(logdir: Path) -> Path:
    """The demo's logdir (demo/make_demo_logdir.py) written into `logdir`."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    script = REPO / "demo" / "make_demo_logdir.py"
    spec = importlib.util.spec_from_file_location("make_demo_logdir", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_demo_logdir(str(logdir))
    return logdir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listed_graphs(url: str) -> list | None:
    """The plugin's listing of graphs, or None when it does not answer."""
    try:
        with urllib.request.urlopen(f"{url}/data/plugin/scopegraph/graphs", timeout=5) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


# TensorBoard reads a logdir a run at a time after it starts: the listing is taken as whole
# once it has held graphs and stayed the same this long.
STEADY_SECONDS = 2.0


@contextlib.contextmanager
def tensorboard(
    logdir: Path,
    *,
    load_fast: bool = False,
    path_prefix: str = "",
    timeout: float = 90,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """A `tensorboard --logdir` process on a free port; yields its URL, kills it afterwards.
    `env`: variables set for it besides this process's."""
    port = free_port()
    command = [
        sys.executable,
        str(LAUNCHER),
        "--logdir",
        str(logdir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        f"--load_fast={'true' if load_fast else 'false'}",
    ]
    if path_prefix:
        command.append(f"--path_prefix={path_prefix}")
    # Its output goes to a file (a pipe nobody reads could fill up and stall it).
    log = open(Path(tempfile.gettempdir()) / f"tb-scopegraph-e2e-{port}.log", "wb")  # noqa: SIM115
    environment = {**os.environ, **(env or {})}
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment)
    url = f"http://127.0.0.1:{port}{path_prefix}"
    try:
        deadline = time.monotonic() + timeout
        listed, since = None, time.monotonic()
        while True:
            now = listed
            listed = _listed_graphs(url)
            if listed != now:
                since = time.monotonic()
            elif listed and time.monotonic() - since >= STEADY_SECONDS:
                break
            if process.poll() is not None:
                raise RuntimeError(f"tensorboard exited ({process.returncode}); see {log.name}")
            if time.monotonic() > deadline:
                if listed:
                    break  # still growing: the tests wait for what they need
                raise RuntimeError(f"tensorboard did not answer in {timeout} s; see {log.name}")
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def poll(page, predicate, what: str, timeout: float = 20):
    """The first true value of `predicate()`, asked every 0.1 s while the page runs (Playwright
    delivers a page's events, e.g. to `page.on("request")`, only while it is called)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(100)


def rect(locator) -> dict:
    """The element's rect in its frame, in CSS px: {x, y, w, h}."""
    return locator.evaluate(
        "(e) => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y, w: r.width, h: r.height}; }"
    )


def inside(inner: dict, outer: dict) -> bool:
    """Whether rect ``inner`` lies within rect ``outer`` (half a pixel of rounding allowed)."""
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + 0.5
        and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + 0.5
    )


def tab_frame(page, timeout: float = 20):
    """The Scope Graph tab's iframe (TensorBoard's URL may name the plugin too: skip the page)."""

    def found():
        for frame in page.frames:
            if frame is not page.main_frame and "scopegraph" in frame.url:
                return frame
        return None

    return poll(page, found, "the Scope Graph iframe", timeout)


class Tab:
    """One browser context on TensorBoard, with helpers for the Scope Graph iframe."""

    def __init__(self, browser, url: str):
        self.browser = browser
        self.url = url
        self.problems: list[str] = []
        self.allowed: list[str] = []
        self.contexts = []
        self.page = self.new_page()
        self.frame = None

    def new_page(self):
        context = self.browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        context.add_init_script(_CSP_LISTENER)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught error: {error}"))
        return page

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text} ({message.location.get('url')})")

    def allow_console_error(self, pattern: str) -> None:
        """A console error the test causes on purpose (e.g. a 400 the tab turns into a message)."""
        self.allowed.append(pattern)

    def unexpected_problems(self) -> list[str]:
        return [p for p in self.problems if not any(re.search(a, p) for a in self.allowed)]

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    # --- navigation ---

    def open(self, run: str | None = None, page=None, path: str = "/#scopegraph"):
        """Opens TensorBoard on the Scope Graph tab (and `run`); waits for the first drawing."""
        page = page or self.page
        page.goto(self.url + path)
        self.frame = tab_frame(page)
        self.wait_ready()
        if run is not None:
            self.select_run(run)
        return self.frame

    def wait_ready(self, timeout: float = 30_000) -> None:
        self.frame.wait_for_selector(".sg-app[data-state='ready'] svg.sg-graph", timeout=timeout)

    def select_run(self, run: str) -> None:
        self.frame.select_option("#sg-run", label=run)
        self.frame.wait_for_function(
            "(run) => document.querySelector('.sg-app').dataset.state === 'ready' &&"
            " location.hash.includes('run=' + encodeURIComponent(run))",
            arg=run,
        )

    def compare_with(self, prefix: str) -> None:
        """Picks, in "Compare with…", the first choice whose text starts with `prefix`, and
        waits until the new view is on screen."""
        value = self.frame.eval_on_selector(
            "#sg-compare",
            "(s, prefix) => [...s.options].find((o) => o.text.startsWith(prefix)).value",
            prefix,
        )
        self.run_and_wait(lambda: self.frame.select_option("#sg-compare", value=value))

    def run_and_wait(self, action) -> None:
        """Does `action` (which draws a new view) and waits until the new view is on screen."""
        before = self.showings()
        action()
        self.frame.wait_for_function(
            """(before) => {
              const app = document.querySelector('.sg-app');
              return app.dataset.state === 'ready' && (app.dataset.shown ?? null) !== before;
            }""",
            arg=before,
            timeout=30_000,
        )
        self.wait_still()

    def showings(self) -> str | None:
        """How many drawings the tab has put on screen (a parked one shown again counts too)."""
        return self.frame.evaluate("document.querySelector('.sg-app').dataset.shown ?? null")

    def wait_still(self) -> None:
        """Waits until the drawing stops gliding (the viewBox is the same for a few frames)."""
        self.frame.evaluate(
            """() => new Promise((resolve) => {
              let last = null, same = 0;
              const tick = () => {
                const svg = document.querySelector('svg.sg-graph');
                // Moving views are a transform until they rest and land in the viewBox.
                const now = svg.style.transform ? null : svg.getAttribute('viewBox');
                same = now !== null && now === last ? same + 1 : 0;
                last = now;
                if (same >= 5) resolve(); else requestAnimationFrame(tick);
              };
              tick();
            })"""
        )

    def close_all(self) -> None:
        self.run_and_wait(lambda: self.frame.click("text=Close all"))

    # --- the drawing ---

    def box(self, kind: str, name: str):
        return self.frame.locator(f'svg.sg-graph [id="{element_id(kind, name)}"]')

    def frame_of(self, kind: str, name: str):
        return self.frame.locator(f'svg.sg-graph [id="cluster-{element_id(kind, name)}"]')

    def wheel_on(self, locator, dy: float) -> None:
        """Turns the mouse wheel by `dy` with the pointer on the middle of `locator` (an
        element of the tab's frame), as a reader zooms in on a box, and waits till still."""
        at = rect(locator)
        iframe = self.page.locator("iframe").bounding_box()
        x, y = iframe["x"] + at["x"] + at["w"] / 2, iframe["y"] + at["y"] + at["h"] / 2
        self.page.mouse.move(x, y)
        self.page.mouse.wheel(0, dy)
        self.wait_still()

    def op_ids(self) -> set[str]:
        return set(
            self.frame.eval_on_selector_all("svg.sg-graph g.node.op", "ns => ns.map(n => n.id)")
        )
