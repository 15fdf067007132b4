"""What the text on a drawing says (`drawing.labels`), on graphs from the real writers."""

from graphs import graph_from_nodes

from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.drawing.dottext import element_id
from tb_scopegraph.model.hierarchy import Hierarchy


def _label(text: str, eid: str) -> list[str]:
    """The lines of the label of box ``eid`` in DOT ``text``."""
    line = next(line for line in text.splitlines() if line.lstrip().startswith(f'"{eid}" [id='))
    return line.split(' label="', 1)[1].split('"', 1)[0].split("\\n")


def test_a_noop_named_for_its_job_shows_no_type_line(training_graph):
    # TF1's minimize(): the NoOp GradientDescent waits on every update; "NoOp" under its
    # name read as "does nothing". The tooltip still gives the type.
    h = Hierarchy(training_graph)
    text = to_dot(h, h.view(open=["train"]))
    eid = element_id("op", "train/GradientDescent")
    assert _label(text, eid) == ["GradientDescent"]
    line = next(line for line in text.splitlines() if f'"{eid}" [id=' in line)
    assert 'tooltip="train/GradientDescent\\nNoOp' in line


def test_a_placeholder_reads_as_an_input():
    # TF1's feeds and Keras's `args_0`: "Placeholder" under their name said nothing to a
    # newcomer where the other graphs' inputs read "input".
    h = Hierarchy(graph_from_nodes([("args_0", "Placeholder"), ("y", "Relu", ["args_0"])]))
    assert _label(to_dot(h, h.view(depth=0)), element_id("op", "args_0")) == ["args_0", "input"]
