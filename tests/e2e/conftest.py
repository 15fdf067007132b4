"""Browser tests of the Scope Graph tab: Debian's Chromium, driven by Playwright, against a real
TensorBoard process serving the demo logdir.

Every test gets a fresh browser context (so no localStorage carries over) and fails if the page
logs a console error, throws, or reports a Content-Security-Policy violation, in TensorBoard's
page or in the tab's iframe.
"""

from __future__ import annotations

import pytest
from tbharness import Tab, chromium_available, launch_chromium, tensorboard, write_demo_logdir


@pytest.fixture(scope="session")
def demo_logdir(tmp_path_factory):
    return write_demo_logdir(tmp_path_factory.mktemp("demo") / "logs")


@pytest.fixture(scope="session")
def tb_url(demo_logdir):
    with tensorboard(demo_logdir) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    # No skipping: the test command installs Playwright and Chromium, so a missing one is a failure.
    from playwright import sync_api

    assert chromium_available(), "no Chromium at /usr/bin/chromium (apt-get install chromium)"
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser, tb_url):
    t = Tab(browser, tb_url)
    yield t
    problems = t.unexpected_problems()
    t.close()
    assert not problems, "\n".join(problems)
