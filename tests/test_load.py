"""What many users asking at once must not cost: graphs read again, caches past their bounds,
and cards that walk a whole graph (see bench/bench_load.py for the load itself)."""

from __future__ import annotations

import graphs
from harness import Api, Multiplexer

from tb_scopegraph.service import graphs as service_graphs

RUNS = 12


def test_every_graph_of_a_logdir_is_read_once_asked_for_round_and_round(tmp_path):
    # More small graphs than a cache kept by number held: each read again by the next
    # request for it, seconds of CPU on a large graph, under load, for every pass.
    for n in range(RUNS):
        graphs.write_run_graph(tmp_path / f"run{n:02d}", graphs.ffn_graph())
    api = Api(Multiplexer(tmp_path).provider)
    for _ in range(3):
        for n in range(RUNS):
            answer = api.json("node", run=f"run{n:02d}", name="layer1", kind_of="scope")
            assert answer["name"] == "layer1"
    assert api.provider.calls["read_blob"] == RUNS
    assert len(api.plugin.service.graphs) == RUNS


def test_a_large_graph_stays_cached_beside_small_ones(monkeypatch):
    # Weighed past half of the cache, a graph would be handed out and never kept: read again
    # for every request. It is kept, as heavy as half of the cache.
    service = service_graphs.GraphService(provider=None)

    class Parsed:
        def __init__(self, op_count):
            self.op_count = op_count

    huge = Parsed(service_graphs.GRAPH_CACHE_BYTES)  # estimated far past the whole cache
    service.graphs.put("huge", huge)
    for n in range(service_graphs.GRAPH_CACHE_SIZE // 2 - 1):
        service.graphs.put(n, Parsed(10))
    assert service.graphs.peek("huge") is huge
    assert len(service.graphs) == service_graphs.GRAPH_CACHE_SIZE // 2
    # Small graphs weigh their share: no more than GRAPH_CACHE_SIZE are kept.
    for n in range(2 * service_graphs.GRAPH_CACHE_SIZE):
        service.graphs.put(("small", n), Parsed(10))
    assert len(service.graphs) == service_graphs.GRAPH_CACHE_SIZE


def test_a_big_graphs_cards_are_counted_before_they_are_asked_for(
    tmp_path, monkeypatch, parsed_nodes
):
    # Its first view asked for, a big graph's top groups' cards are worked out off the
    # request path: a card asked for then parses no NodeDef (each parses its variables').
    monkeypatch.setattr(service_graphs, "PREPARE_MIN_OPS", 1)
    graphs.write_run_graph(tmp_path / "run", graphs.ffn_graph())
    api = Api(Multiplexer(tmp_path).provider)
    api.json("view", run="run")
    api.plugin.service.preparing.submit(lambda: None).result()  # what was submitted is done
    parsed_nodes.clear()
    card = api.json("node", run="run", name="layer2", kind_of="scope")
    assert card["parameters"] > 0 and not parsed_nodes
