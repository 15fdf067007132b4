"""What `drawing.auxiliary` draws of a graph's summaries (folded into the box of the value they
summarise, no stub naming their merge, with the badges of real links or with none) and of its
step counter."""

from graphs import graph_from_nodes

from tb_scopegraph.drawing import auxiliary, dot
from tb_scopegraph.drawing.dottext import element_id
from tb_scopegraph.model import summaries
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.model.roles import COUNTER

#: The tags a TF1 writer logs for the summary ops below (named as the ops).
TAGS = {"layer1/weights": summaries.HISTOGRAM, "loss": summaries.SCALAR}


def _summarised_graph() -> Hierarchy:
    """TF1's shape: a layer whose weights have a histogram in its scope, a loss scalar at the
    top level, and ``merge_all`` of the two (a merge fed by two boxes)."""
    return Hierarchy(
        graph_from_nodes(
            [
                ("x", "Placeholder"),
                ("layer1/W", "VariableV2"),
                ("layer1/W/read", "Identity", ["layer1/W"]),
                ("layer1/MatMul", "MatMul", ["x", "layer1/W/read"]),
                ("layer1/Relu", "Relu", ["layer1/MatMul"]),
                ("layer1/weights/tag", "Const", [], {"dtype": "string"}),
                ("layer1/weights", "HistogramSummary", ["layer1/weights/tag", "layer1/W/read"]),
                ("loss/tags", "Const", [], {"dtype": "string"}),
                ("loss", "ScalarSummary", ["loss/tags", "layer1/Relu"]),
                ("Merge/MergeSummary", "MergeSummary", ["layer1/weights", "loss"]),
            ]
        )
    )


def _labels(text: str) -> dict[str, list[str]]:
    """element id -> the lines of its label, for every box the DOT draws."""
    found = {}
    for line in text.splitlines():
        if " [id=" in line and ' label="' in line and " -> " not in line:
            eid = line.split('"')[1]
            found[eid] = line.split(' label="', 1)[1].split('"', 1)[0].split("\\n")
    return found


def _drawn(h: Hierarchy, view, badged: bool) -> dict[str, list[str]]:
    badges = summaries.link(h, TAGS).held() if badged else None
    return _labels(dot.to_dot(h, view, badges=badges))


def test_no_stub_names_the_merge_of_summaries_however_few_boxes_feed_it():
    h = _summarised_graph()
    for badged in (True, False):
        labels = _drawn(h, h.view(depth=0), badged)
        # The merge stands apart, fed by two boxes; none of them names it.
        assert element_id("scope", "Merge") in labels
        stubs = [line for lines in labels.values() for line in lines if "\u2192" in line]
        assert not [s for s in stubs if "Merge" in s], (badged, stubs)
        # It says what it does: "Merge" and "1 op" alone tell a model's reader nothing.
        assert labels[element_id("scope", "Merge")][-1] == auxiliary.MERGE_NOTE


def test_a_summary_in_the_frame_of_its_value_is_folded_into_the_box_that_feeds_it():
    h = _summarised_graph()
    w, summary = element_id("op", "layer1/W"), element_id("op", "layer1/weights")
    badged = _drawn(h, h.view(open=["layer1"]), True)
    # Not drawn: the variable's badge says it, with no stub saying it again.
    assert summary not in badged
    assert badged[w][-1] == f"{dot.BADGE} 1 histogram"
    assert not [line for line in badged[w] if "\u2192" in line]
    # Without badges (the command line) it stands apart, and the variable's stub names it.
    plain = _drawn(h, h.view(open=["layer1"]), False)
    assert summary in plain and "\u2192 weights" in plain[w]


def test_a_top_level_summary_is_folded_into_the_box_whose_value_it_logs():
    h = _summarised_graph()
    layer1, loss = element_id("scope", "layer1"), element_id("op", "loss")
    badged = _drawn(h, h.view(depth=0), True)
    assert loss not in badged
    assert badged[layer1][-1] == f"{dot.BADGE} 1 histogram, 1 scalar"
    assert not [line for line in badged[layer1] if "\u2192" in line]
    plain = _drawn(h, h.view(depth=0), False)
    assert loss in plain and "\u2192 loss" in plain[layer1]


def test_a_summary_of_a_value_in_another_frame_is_drawn_and_named_by_a_stub():
    h = Hierarchy(
        graph_from_nodes(
            [
                ("x", "Placeholder"),
                ("layer1/MatMul", "MatMul", ["x", "x"]),
                ("layer1/Relu", "Relu", ["layer1/MatMul"]),
                ("logs/act/tag", "Const", [], {"dtype": "string"}),
                ("logs/act", "HistogramSummary", ["logs/act/tag", "layer1/Relu"]),
            ]
        )
    )
    tags = {"logs/act": summaries.HISTOGRAM}
    labels = _labels(dot.to_dot(h, h.view(open=["logs"]), badges=summaries.link(h, tags).held()))
    # Badged or not, it ties the value in `layer1` to the summary in `logs`, which stands apart.
    assert element_id("op", "logs/act") in labels
    assert "\u2192 act" in labels[element_id("scope", "layer1")]


def test_a_view_counts_the_boxes_it_draws_with_its_summaries_folded():
    # The depth control says how many boxes a view shows before it is drawn (`views`).
    h = _summarised_graph()
    for view in (h.view(depth=0), h.view(open=["layer1"]), h.view(depth=9)):
        labels = _drawn(h, view, True)
        boxes = [eid for eid in labels if eid != "scopegraph" and not eid.startswith("cluster")]
        assert view.boxes == len(boxes), (view.open, sorted(boxes))
    assert summaries.folded_in(h.graph) == {h.graph.group_id("layer1"): 1, 0: 1}


def test_a_training_steps_counter_says_what_it_is(keras_training_step):
    h = Hierarchy(keras_training_step)
    layout = h.layout(h.default_view())
    _, notes = auxiliary.set_aside(layout)
    counters = [b for b, box in enumerate(layout.boxes) if box.aux == COUNTER]
    assert counters, [box.name for box in layout.boxes]
    assert {notes[b] for b in counters} == {"step counter"}
    text = dot.to_dot(h, h.default_view())
    for b in counters:
        eid = element_id("op", layout.boxes[b].name)
        assert _labels(text)[eid][-1] == "step counter"
    others = [notes.get(b, "") for b in range(len(layout.boxes)) if b not in counters]
    assert not [note for note in others if "step counter" in note]
