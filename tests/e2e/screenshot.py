"""Take docs/screenshot.png: the Scope Graph tab in TensorBoard on the demo's name-scoped net.

    python tests/e2e/screenshot.py [--logdir DIR] [--out docs/screenshot.png] [--dark]

Without --logdir the demo logdir is written to a temporary folder first (needs TensorFlow).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright
from tbharness import REPO, Tab, launch_chromium, tensorboard, write_demo_logdir


def take(url: str, out: Path, dark: bool) -> None:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        tab = Tab(browser, url)
        try:
            tab.open("ffn_scoped", path="/?darkMode=true#scopegraph" if dark else "/#scopegraph")
            tab.close_all()
            tab.run_and_wait(lambda: tab.box("scope", "layer2").click())
            tab.frame.locator(".sg-viewport").press("f")
            tab.wait_still()
            tab.box("op", "layer2/MatMul").hover()
            tab.frame.locator(".sg-card .sg-consumers").wait_for()
            tab.page.wait_for_timeout(300)  # the hover outline's transition
            out.parent.mkdir(parents=True, exist_ok=True)
            tab.page.screenshot(path=str(out))
            problems = tab.unexpected_problems()
        finally:
            tab.close()
            browser.close()
    if problems:
        raise SystemExit("\n".join(problems))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logdir", type=Path, help="a logdir with the demo's runs")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot.png")
    parser.add_argument("--dark", action="store_true", help="TensorBoard's dark theme")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        logdir = args.logdir or write_demo_logdir(Path(tmp) / "logs")
        with tensorboard(logdir.resolve()) as url:
            take(url, args.out, args.dark)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
