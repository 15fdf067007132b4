"""The run picker on a sweep's logdir: filtered by regex (or text) as TensorBoard's run selector
is, with the filter kept in the URL, in a real TensorBoard and Chromium."""

from __future__ import annotations

import pytest
from graphs import ffn_graph, write_run_graph
from tbharness import Tab, tensorboard

RUNS = [f"lr_{lr}_bs_{bs}" for lr in ("0.1", "0.01", "0.001") for bs in (16, 32, 64, 128)]
RUNS.append("baseline (no dropout)")


@pytest.fixture(scope="module")
def sweep_url(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("sweep") / "logs"
    for run in RUNS:
        write_run_graph(logdir / run, ffn_graph(sizes=(8, 4, 2)))
    with tensorboard(logdir) as url:
        yield url


@pytest.fixture
def sweep_tab(browser, sweep_url):
    tab = Tab(browser, sweep_url)
    yield tab
    problems = tab.unexpected_problems()
    tab.close()
    assert not problems, "\n".join(problems)


def listed_runs(tab: Tab) -> list[str]:
    return tab.frame.eval_on_selector_all("#sg-run option", "options => options.map(o => o.text)")


def filter_runs(tab: Tab, text: str) -> None:
    tab.frame.fill("#sg-run-filter", text)
    tab.frame.wait_for_function(
        "(text) => new URLSearchParams(location.hash.slice(1)).get('run_filter') === text",
        arg=text,
    )


def test_the_run_picker_lists_the_runs_a_regex_matches(sweep_tab):
    tab = sweep_tab
    tab.open()
    picked = tab.frame.eval_on_selector("#sg-run", "s => s.selectedOptions[0].text")
    assert sorted(listed_runs(tab)) == sorted(RUNS)
    filter_runs(tab, "BS_(32|64)$")  # case is ignored, as in TensorBoard's run selector
    wanted = [r for r in RUNS if r.endswith(("bs_32", "bs_64"))]
    shown = listed_runs(tab)
    assert set(shown) - {picked} == set(wanted) - {picked} and set(wanted) <= set(shown)
    status = tab.frame.inner_text(".sg-run-filter-status")
    assert "6 of 13 runs match" in status
    # Picking a listed run draws it; the filter stays.
    tab.select_run("lr_0.01_bs_64")
    assert tab.frame.input_value("#sg-run-filter") == "BS_(32|64)$"
    assert sorted(listed_runs(tab)) == sorted(wanted)


def test_a_filter_that_is_not_a_regex_matches_as_text(sweep_tab):
    tab = sweep_tab
    tab.open()
    tab.select_run("lr_0.1_bs_16")
    filter_runs(tab, "(NO DROP")
    assert sorted(listed_runs(tab)) == ["baseline (no dropout)", "lr_0.1_bs_16"]
    assert "not a regular expression" in tab.frame.inner_text(".sg-run-filter-status")
    assert "the picked run is listed too" in tab.frame.inner_text(".sg-run-filter-status")


def test_the_filter_survives_a_reload_through_the_url(sweep_tab):
    tab = sweep_tab
    tab.open()
    tab.select_run("lr_0.1_bs_32")
    filter_runs(tab, "lr_0\\.1_")
    assert "scopegraph=" in tab.page.url and "run_filter" in tab.page.url
    tab.page.reload()
    tab.frame = None
    from tbharness import tab_frame

    tab.frame = tab_frame(tab.page)
    tab.wait_ready()
    assert tab.frame.input_value("#sg-run-filter") == "lr_0\\.1_"
    assert sorted(listed_runs(tab)) == sorted(r for r in RUNS if r.startswith("lr_0.1_"))
    assert tab.frame.eval_on_selector("#sg-run", "s => s.selectedOptions[0].text") == "lr_0.1_bs_32"


def test_tensorboards_own_run_filter_is_where_the_picker_starts(sweep_tab):
    tab = sweep_tab
    tab.open(path="/?runFilter=bs_128#scopegraph")
    assert tab.frame.input_value("#sg-run-filter") == "bs_128"
    picked = tab.frame.eval_on_selector("#sg-run", "s => s.selectedOptions[0].text")
    assert set(listed_runs(tab)) - {picked} == {r for r in RUNS if r.endswith("bs_128")} - {picked}
