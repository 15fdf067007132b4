"""Drawings stored on disk: found again by another store on the same folder, never a failure."""

from __future__ import annotations

import errno
import logging
import subprocess
import sys

import diskcache
import pytest

from tb_scopegraph.drawing.render import Renderer
from tb_scopegraph.drawing.stored import DIR_VARIABLE, MB_VARIABLE, DrawingStore
from tb_scopegraph.errors import RenderTimeout

DOT = "digraph { a -> b }"
BIG = b"<svg>" + bytes(range(256)) * 400 + b"</svg>"  # past diskcache's 32 KiB: kept as a file


def test_a_second_process_finds_what_the_first_stored(tmp_path):
    DrawingStore(tmp_path, 1 << 24).put(DOT, "svg", BIG)
    code = (
        "import sys; from tb_scopegraph.drawing.stored import DrawingStore;"
        f"sys.stdout.buffer.write(DrawingStore({str(tmp_path)!r}, 1 << 24).get({DOT!r}, 'svg'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout
    assert out == BIG


def test_the_key_holds_the_dot_the_format_and_the_engine(tmp_path):
    store = DrawingStore(tmp_path, 1 << 24, engine="graphviz 1")
    store.put(DOT, "svg", b"<svg/>")
    assert store.get(DOT, "svg") == b"<svg/>"
    assert store.get(DOT, "png") is None
    assert store.get(DOT.replace("b", "c"), "svg") is None
    assert DrawingStore(tmp_path, 1 << 24, engine="graphviz 2").get(DOT, "svg") is None


def test_a_damaged_drawing_is_dropped_not_served(tmp_path, caplog):
    store = DrawingStore(tmp_path, 1 << 24)
    store.put(DOT, "svg", BIG)
    store.close()
    (value,) = [p for p in tmp_path.rglob("*.val")]
    data = bytearray(value.read_bytes())
    data[100] ^= 0xFF
    value.write_bytes(bytes(data))
    again = DrawingStore(tmp_path, 1 << 24)
    with caplog.at_level(logging.WARNING):
        assert again.get(DOT, "svg") is None
    assert "damaged" in caplog.text
    again.put(DOT, "svg", BIG)
    assert again.get(DOT, "svg") == BIG


@pytest.mark.parametrize("foreign", [b"not a database at all" * 100, b""])
def test_a_foreign_database_file_is_replaced(tmp_path, foreign, caplog):
    (tmp_path / "cache.db").write_bytes(foreign)
    (tmp_path / "notes.txt").write_text("the user's own file")
    store = DrawingStore(tmp_path, 1 << 24)
    with caplog.at_level(logging.WARNING):
        store.put(DOT, "svg", b"<svg/>")
    assert store.get(DOT, "svg") == b"<svg/>"
    assert (tmp_path / "notes.txt").read_text() == "the user's own file"


def test_a_full_disk_fails_no_request(tmp_path, monkeypatch, caplog):
    store = DrawingStore(tmp_path, 1 << 24)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(diskcache.Disk, "store", full)
    with caplog.at_level(logging.WARNING):
        store.put(DOT, "svg", BIG)
    assert "No space left" in caplog.text
    assert store.get(DOT, "svg") is None


def test_a_folder_that_cannot_be_made_stores_nothing(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder would go")
    store = DrawingStore(blocker / "drawings", 1 << 24)
    with caplog.at_level(logging.WARNING):
        store.put(DOT, "svg", b"<svg/>")
        assert store.get(DOT, "svg") is None
    assert "not storing drawings" in caplog.text


def test_the_store_keeps_to_its_size(tmp_path):
    store = DrawingStore(tmp_path, 1 << 20)
    for i in range(40):
        store.put(f"digraph {{ n{i} }}", "svg", bytes(100_000))
    assert store.get("digraph { n39 }", "svg") == bytes(100_000)
    assert store.get("digraph { n0 }", "svg") is None
    assert diskcache.Cache(str(tmp_path)).volume() < 2 << 20


def test_the_environment_chooses_the_folder_and_size(tmp_path, monkeypatch):
    monkeypatch.setenv(DIR_VARIABLE, str(tmp_path / "here"))
    monkeypatch.setenv(MB_VARIABLE, "3")
    store = DrawingStore.from_environment()
    assert store.directory == tmp_path / "here" and store.max_bytes == 3 << 20
    monkeypatch.setenv(DIR_VARIABLE, "off")
    assert DrawingStore.from_environment() is None


def test_a_restarted_renderer_answers_from_the_store_without_a_layout(tmp_path):
    dot = "digraph { restart -> store }"
    first = Renderer(workers=1, store=DrawingStore(tmp_path, 1 << 24))
    try:
        drawn = first.render(dot, "svg")
    finally:
        first.close()
    assert b"restart" in drawn and first.stats["stored"] == 0
    # A renderer whose every layout would run out of time: what it answers was not laid out.
    again = Renderer(workers=1, timeout=1e-6, store=DrawingStore(tmp_path, 1 << 24))
    try:
        assert again.render(dot, "svg") == drawn
        assert again.stats["stored"] == 1
        with pytest.raises(RenderTimeout):
            again.render("digraph { never -> drawn }", "svg")
    finally:
        again.close()
