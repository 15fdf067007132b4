"""The tab's modules on their own, in Chromium: `frontend/*.js` served as they are (not the
bundle) beside real drawings of our renderer, imported into a blank page.

What is checked here is what the tab relies on but no click shows plainly: a box's place read
from the drawing's attributes (no layout) is where the browser lays it out, and an imported
drawing keeps what the tab reads (tooltips, edge ends) with fewer elements.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
from graphs import ffn_graph, series_graph, tangled_graph

from tb_scopegraph.drawing import dot, render
from tb_scopegraph.model.hierarchy import Hierarchy

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


def _drawings() -> dict[str, str]:
    """Drawings with closed and open groups (rounded frames), ops, series and fan-ins."""
    out = {}
    for name, graph in (
        ("ffn", ffn_graph()),
        ("series", series_graph(40)),
        ("tangled", tangled_graph(120)),
    ):
        h = Hierarchy(graph)
        views = (("closed", h.view(depth=0)), ("default", h.default_view()))
        for label, view in (*views, ("open", h.view(depth=3))):
            text = dot.to_dot(h, view, title=name)
            out[f"{name}-{label}.svg"] = render.render(text, fmt="svg").decode("utf-8")
    return out


class _Files(http.server.SimpleHTTPRequestHandler):
    drawings: dict[str, str] = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        name = self.path.lstrip("/")
        if name in self.drawings:
            self._answer(self.drawings[name].encode("utf-8"), "image/svg+xml")
        elif name == "page.html":
            self._answer(b"<!DOCTYPE html><html><head></head><body></body></html>", "text/html")
        else:
            super().do_GET()

    def _answer(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def modules_page(browser):
    handler = type("Files", (_Files,), {"drawings": _drawings()})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(FRONTEND))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/page.html")
        page.evaluate(
            """async () => {
              window.views = await import('./views.js');
              window.shapes = await import('./shapes.js');
            }"""
        )
        yield page, sorted(handler.drawings)
    finally:
        page.close()
        server.shutdown()
        server.server_close()
    assert not errors, errors


# Each box and open frame: its box from attributes and as the browser measures it (getBBox of
# its shapes, through its transforms into the drawing's units), at a view that is not the
# drawing's own (a viewBox moved and scaled).
_COMPARE = """async (name) => {
  const text = await (await fetch(name)).text();
  const {svg, bounds} = views.importGraphSvg(text);
  document.body.replaceChildren(svg);
  svg.style.width = '900px';
  svg.style.height = '700px';
  svg.setAttribute('viewBox', `${bounds.x + 13} ${bounds.y - 7} ${bounds.w / 2} ${bounds.h / 3}`);
  const rows = [];
  for (const element of svg.querySelectorAll('g.node, g.cluster')) {
    const read = shapes.shapeRect(element, svg);
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const shape of element.querySelectorAll('path, polygon, polyline, ellipse, rect')) {
      const box = shape.getBBox();
      const m = svg.getScreenCTM().inverse().multiply(shape.getScreenCTM());
      for (const [x, y] of [[box.x, box.y], [box.x + box.width, box.y + box.height],
                            [box.x, box.y + box.height], [box.x + box.width, box.y]]) {
        const p = new DOMPoint(x, y).matrixTransform(m);
        x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y);
        x1 = Math.max(x1, p.x); y1 = Math.max(y1, p.y);
      }
    }
    rows.push({id: element.id, read, measured: {x: x0, y: y0, w: x1 - x0, h: y1 - y0}});
  }
  return rows;
}"""


def test_a_boxs_place_read_from_the_drawing_is_where_the_browser_draws_it(modules_page):
    page, names = modules_page
    kinds = set()
    for name in names:
        rows = page.evaluate(_COMPARE, name)
        assert rows, name
        for row in rows:
            read, measured = row["read"], row["measured"]
            assert read is not None, (name, row["id"])
            for key in ("x", "y", "w", "h"):
                assert read[key] == pytest.approx(measured[key], abs=0.05), (name, row, key)
            kinds.add(row["id"].split("-")[0])
    assert {"cluster", "scope", "op", "series"} <= kinds


def test_a_box_drawn_some_other_way_is_not_guessed(modules_page):
    page, _ = modules_page
    found = page.evaluate(
        """() => {
          const ns = 'http://www.w3.org/2000/svg';
          const svg = document.createElementNS(ns, 'svg');
          document.body.replaceChildren(svg);
          const make = (html) => {
            const g = document.createElementNS(ns, 'g');
            g.innerHTML = html;
            svg.append(g);
            return shapes.shapeRect(g, svg);
          };
          return {
            relative: make('<path d="m 1,1 l 5,5"/>'),
            closed: make('<path d="M 1,1 L 5,5 Z"/>'),
            arc: make('<path d="M 1,1 A 5 5 0 0 1 9,9"/>'),
            text: make('<text x="3" y="4">only text</text>'),
            moved: make('<g transform="translate(10 20) scale(2)">' +
                        '<rect x="1" y="2" width="3" height="4"/></g>'),
            ellipse: make('<ellipse cx="5" cy="6" rx="2" ry="3"/>'),
            // Read, not rewritten: the transform attribute stays as written.
            transform: svg.querySelector('g > g').getAttribute('transform'),
          };
        }"""
    )
    for refused in ("relative", "closed", "arc", "text"):
        assert found[refused] is None, refused
    assert found["moved"] == {"x": 12, "y": 24, "w": 6, "h": 8}
    assert found["ellipse"] == {"x": 3, "y": 3, "w": 4, "h": 6}
    assert found["transform"] == "translate(10 20) scale(2)"


def test_an_imported_drawing_drops_graphvizs_tooltip_wrappers_and_keeps_what_they_said(
    modules_page,
):
    page, _ = modules_page
    seen = page.evaluate(
        """async () => {
          const text = await (await fetch('ffn-open.svg')).text();
          const raw = new DOMParser().parseFromString(text, 'image/svg+xml');
          const owners = 'g.node, g.edge, g.cluster';
          const wrapped = [...raw.querySelectorAll(owners)].filter((g) => g.querySelector('a'));
          const {svg} = views.importGraphSvg(text);
          const after = [...svg.querySelectorAll(owners)];
          return {
            wrapped: wrapped.length,
            owners: after.length,
            anchors: svg.querySelectorAll(':is(g.node, g.edge, g.cluster) a').length,
            tips: after.filter((g) => g.dataset.sgTip).length,
            ends: svg.querySelectorAll('g.edge[data-sg-ends]').length,
            edges: svg.querySelectorAll('g.edge').length,
            shapes: after.filter((g) => g.querySelector(':scope > :is(path, polygon, ellipse)'))
              .length,
            elements: [raw.querySelectorAll('*').length, svg.querySelectorAll('*').length],
          };
        }"""
    )
    assert seen["wrapped"] == seen["owners"] > 10
    assert seen["anchors"] == 0
    assert seen["tips"] == seen["owners"]  # every box, edge and frame keeps its tooltip
    assert seen["ends"] == seen["edges"]
    assert seen["shapes"] == seen["owners"]  # shapes sit right in their box
    raw, imported = seen["elements"]
    assert imported < raw * 0.7


def test_a_cards_names_of_identical_blocks_and_its_op_types_are_compact(modules_page):
    page, _ = modules_page
    names, types = page.evaluate(
        """async () => {
          const cards = await import('./cardviews.js');
          const names = cards.compactNames([
            'm/h/Block[1]', 'm/h/Block[2]', 'm/h/Block[3]', 'm/h/Block[7]', 'm/h/head',
            'm/h/layer_01', 'm/h/layer_02',
          ]);
          const types = cards.orderedTypes({
            'prim::Constant': 17, 'prim::GetAttr': 13, 'aten::linear': 4, Const: 9,
            'aten::add': 4, 'aten::gelu': 1,
          });
          return [names, types.map(([op]) => op)];
        }"""
    )
    # A numbered run becomes a range; a number written with a leading zero stays as it is.
    assert names == ["Block[1-3]", "Block[7]", "head", "layer_01", "layer_02"]
    # Computing types first, most first; then constants and accessors.
    assert types == [
        "aten::add",
        "aten::linear",
        "aten::gelu",
        "prim::Constant",
        "prim::GetAttr",
        "Const",
    ]
