"""Search over a graph's names: the joined-name index answers as a test per name would."""

from __future__ import annotations

import re

from graphs import graph_from_nodes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tb_scopegraph.model.hierarchy import Hierarchy

#: Name parts with the letters search has to get right: cases, a letter that lowers to two
#: characters, digits, regex metacharacters.
PART = st.text(alphabet="aAbBİiΣς1_.()+x\n", min_size=1, max_size=4)
NAME = st.lists(PART, min_size=1, max_size=3).map("/".join)
PATTERNS = (
    "a",
    "A",
    "^a",
    "b$",
    r"\d",
    "a.*b",
    "[^x]+x",
    r"(?s).\n?b",
    r"\Aa",
    r"b\Z",
    "(?<=/)a",
    "(?i)İ",
    r"a\nb",
    "x(?!b)",
    "",
)


def _names_in_order(graph) -> list[str]:
    h = Hierarchy(graph)
    model = h.graph
    scopes = [model.groups[g].key for g in model.order[1:] if model.groups[g].kind == "scope"]
    return [*scopes, *model.names], h


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NAME, min_size=1, max_size=25, unique=True), st.sampled_from(PATTERNS))
def test_the_index_finds_what_a_test_per_name_finds(names, query):
    graph = graph_from_nodes([(name, "NoOp", ()) for name in names])
    every, h = _names_in_order(graph)
    for limit in (1, 3, 1000):
        plain = [n for n in every if query.lower() in n.lower()][:limit]
        hits = h.search(query, limit=limit)
        assert [x["name"] for x in hits] == plain
        for hit in hits:  # what to open to see it: the groups above the op, or the scope
            kind = "group" if hit["kind"] == "scope" else None
            assert hit["reveal"] == h.ancestors(hit["name"], kind=kind)
        pattern = re.compile(query)
        matched = [n for n in every if pattern.search(n)][:limit]
        assert [x["name"] for x in h.search(query, regex=True, limit=limit)] == matched


def test_a_match_running_on_into_the_next_name_does_not_hide_that_name():
    # Joined, "a/b\ncx" holds one match of "[^/]*x" starting in "a/b": "cx" must still be found.
    h = Hierarchy(graph_from_nodes([("a/b", "NoOp", ()), ("cx", "NoOp", ())]))
    assert [x["name"] for x in h.search("[^/]*x", regex=True)] == ["cx"]
    assert [x["name"] for x in h.search("^c", regex=True)] == ["cx"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NAME, min_size=1, max_size=25, unique=True), st.data())
def test_a_text_spanning_scopes_and_labels_is_found_as_in_whole_names(names, data):
    # A text with "/" may end in a scope's key and start in an op's label; the index looks in
    # keys and labels apart, and must find what a test per whole name finds.
    graph = graph_from_nodes([(name, "NoOp", ()) for name in names])
    every, h = _names_in_order(graph)
    name = data.draw(st.sampled_from(every))
    start = data.draw(st.integers(0, len(name)))
    query = name[start : data.draw(st.integers(start, len(name)))]
    query = data.draw(st.sampled_from([query, query.upper(), query + "/", "/" + query]))
    plain = [n for n in every if query.lower() in n.lower()]
    assert [x["name"] for x in h.search(query, limit=1000)] == plain


def _texts_in(names: list[str]) -> set[str]:
    """Texts to search for: segments, labels, texts across a "/", case changed, misses."""
    texts = {"", "/", "zz_no_such", "a/", "/a", "_1/", "relu", "GRAD"}
    for name in names[:: max(1, len(names) // 60)]:
        parts = name.split("/")
        texts.update(parts[-1:] + parts[:1])
        texts.add(name.upper())
        if len(parts) > 1:
            texts.add(parts[-2][-3:] + "/" + parts[-1][:2])  # ends one segment, starts the next
            texts.add("/".join(parts[1:]))
            texts.add(name[len(name) // 3 : 2 * len(name) // 3])
    return texts


def test_search_on_real_graphs_finds_what_a_test_per_name_finds(
    written_graphs, training_graph, torch_cnn, keras_traces
):
    graphs = {**written_graphs, "training": training_graph, "torch": torch_cnn, **keras_traces}
    for graph in graphs.values():
        every, h = _names_in_order(graph)
        for query in sorted(_texts_in(every)):
            for limit in (3, 10_000):
                plain = [n for n in every if query.lower() in n.lower()][:limit]
                assert [x["name"] for x in h.search(query, limit=limit)] == plain, query


def test_the_child_process_matches_as_a_test_per_name_would():
    # Sent one a line when no name holds a line break, else as JSON: both read back whole.
    from graphs import HOSTILE

    from tb_scopegraph.service import search as name_search

    plain = [f"model/layer_{i}/MatMul" for i in range(5)] + ["", "ünï/cödé", "x\r", "\u2028"]
    for names in (plain, plain + HOSTILE, plain + ["lone\udc80surrogate"], []):
        for pattern in ("MatMul$", "^$", "^", "layer_[24]", r"\n", "\u2028", "é", "surrogate"):
            want = [i for i, name in enumerate(names) if re.search(pattern, name)][:3]
            assert name_search.match(pattern, names, 3) == want, (pattern, names[-1:])
