"""The executed course as a static website (``make site``, :mod:`course_utils.site`).

The site is built once from the committed notebooks into a temporary folder. Without a browser:
its chapter table says what the README's says, every executed notebook has a page with the right
previous / next links, every widget output is drawn (from its saved state, or as its picture or
text), and no page loads anything from the network. In headless Chromium (marked ``browser``),
served over HTTP on 127.0.0.1: every page loads without an error in the console, every link
inside the site leads to a page (and an anchor) that exists, every image loads, and every widget
is visible with its figure. A screenshot of one chapter page goes to ``tests/artifacts/site/``.
"""

from __future__ import annotations

import functools
import html
import http.server
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlparse

import nbformat
import pytest

from course_utils import site
from course_utils.course_map import chapter_table, measured_run_times

ROOT = Path(__file__).parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "tests" / "artifacts" / "site"
SCREENSHOT_CHAPTER = "01_sigmoid"  # the first chapter with a figure widget
WIDGET_VIEW = site.WIDGET_VIEW

pytestmark = pytest.mark.skipif(not site.written_chapters(NOTEBOOKS), reason="no notebooks yet")


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The notebooks as they were when the site was built (they may be re-executed meanwhile)."""
    folder = tmp_path_factory.mktemp("snapshot") / "notebooks"
    shutil.copytree(NOTEBOOKS, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.tmp"))
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, snapshot: Path) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    start = time.perf_counter()
    site.build_site(snapshot, out)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"\nsite: {size / 1e6:.1f} MB built in {time.perf_counter() - start:.1f} s")
    return out


def _cells(row: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[dh]>(.*?)</t[dh]>", row, re.S)]


def _saved_views(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    return [o["data"] for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if WIDGET_VIEW in o.get("data", {})]


# --- without a browser ------------------------------------------------------------------------

def test_index_table_says_what_the_readme_says(built: Path, snapshot: Path) -> None:
    """The same rows as the README's table (tests/infrastructure/test_readme.py keeps the README
    equal to chapter_table(), made from the same course map and measured times)."""
    table = chapter_table().splitlines()
    readme_rows = [[re.sub(r"\[(.*?)\]\(.*?\)", r"\1", cell).strip()
                    for cell in line.strip("|").split("|")]
                   for line in table if not line.startswith("|---")]
    index = (built / "index.html").read_text()
    site_rows = [_cells(row) for row in re.findall(r"<tr>(.*?)</tr>", index, re.S)]
    assert site_rows == readme_rows
    for ch in site.written_chapters(snapshot):
        if ch.notebook in measured_run_times():
            assert f'<a href="{site.page_name(ch)}">{html.escape(ch.title)}</a>' in index


def test_every_executed_notebook_has_a_page_with_previous_and_next(built: Path,
                                                                   snapshot: Path) -> None:
    chapters = site.written_chapters(snapshot)
    assert sorted(p.name for p in built.glob("*.html")) == sorted(
        ["index.html", *(site.page_name(ch) for ch in chapters)])
    for i, ch in enumerate(chapters):
        page = (built / site.page_name(ch)).read_text()
        assert f"<title>{ch.number:02d} · {html.escape(ch.title)}" in page
        prev = re.findall(r'<a class="prev"[^>]*href="([^"]+)"', page)
        following = re.findall(r'<a class="next"[^>]*href="([^"]+)"', page)
        assert prev == ([site.page_name(chapters[i - 1])] * 2 if i else [])
        assert following == ([site.page_name(chapters[i + 1])] * 2 if i + 1 < len(chapters) else [])


def test_every_widget_is_drawn_and_every_figure_kept(built: Path, snapshot: Path) -> None:
    for ch in site.written_chapters(snapshot):
        nb = nbformat.read(snapshot / ch.notebook, as_version=4)
        page = (built / site.page_name(ch)).read_text()
        views = _saved_views(nb)
        drawn = re.findall(r'<div class="course-widget" data-model-id="([0-9a-f]*)" '
                           r'data-shown="(\w+)">', page)
        assert [m for m, _ in drawn] == [v[WIDGET_VIEW]["model_id"] for v in views], ch.notebook
        assert WIDGET_VIEW not in page and "widget-state+json" not in page
        figures = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
                      for o in c.get("outputs", []) if WIDGET_VIEW not in o.get("data", {}))
        widget_figures = sum("image/png" in v for v in views)
        assert page.count('src="data:image/png;base64,') >= figures + widget_figures, ch.notebook


def test_pages_load_nothing_from_the_network(built: Path) -> None:
    for page in built.glob("*.html"):
        text = page.read_text()
        assert "<script" not in text, f"{page.name} has a script"
        remote = (re.findall(r'\bsrc="((?:https?:)?//[^"]+)"', text)
                  + re.findall(r'<link[^>]*href="((?:https?:)?//[^"]+)"', text))
        assert not remote, f"{page.name} loads {remote[:3]}"


def test_a_widget_of_unknown_kind_falls_back_to_its_picture_or_text() -> None:
    state = {"w": {"model_name": "SomeNewWidgetModel", "state": {}}}
    picture = site.static_widget({WIDGET_VIEW: {"model_id": "w"}, "image/png": "iVBORw0KGgo=",
                                  "text/plain": "SomeNewWidget()"}, state)
    assert 'data-shown="picture"' in picture and "data:image/png;base64,iVBORw0KGgo=" in picture
    text = site.static_widget({WIDGET_VIEW: {"model_id": "w"}, "text/plain": "Slider(<3>)"}, state)
    assert 'data-shown="text"' in text and "Slider(&lt;3&gt;)" in text
    missing = site.static_widget({WIDGET_VIEW: {"model_id": "gone"}, "text/plain": "x"}, state)
    assert 'data-shown="text"' in missing
    with pytest.raises(ValueError, match="widget output"):
        site.static_widget({"text/plain": "not a widget"}, state)


def test_a_slider_is_drawn_at_its_saved_value() -> None:
    state = {"box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_s", "IPY_MODEL_o"]}},
             "s": {"model_name": "FloatSliderModel", "state": {
                 "description": "w", "value": 0.25, "min": -1.0, "max": 1.0, "step": 0.05,
                 "readout_format": ".2f"}},
             "o": {"model_name": "OutputModel", "state": {"outputs": [
                 {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo="}}]}}}
    drawn = site.static_widget({WIDGET_VIEW: {"model_id": "box"}}, state)
    assert 'data-shown="state"' in drawn
    assert 'value="0.25"' in drawn and "<output>0.25</output>" in drawn and ">w</span>" in drawn
    assert "data:image/png;base64,iVBORw0KGgo=" in drawn


def test_build_refuses_to_empty_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not part of a built site"):
        site.build_site(NOTEBOOKS, tmp_path, times={})
    assert (tmp_path / "notes.txt").read_text() == "mine"


# --- in headless Chromium ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[str]:
    """The site served over HTTP on 127.0.0.1 (a missing file is a 404, as on a web host)."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(Quiet, directory=str(built)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


PAGE_FACTS_JS = """() => ({
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  brokenImages: [...document.images].filter(i => !i.complete || i.naturalWidth === 0)
                  .map(i => i.src.slice(0, 80)),
  images: document.images.length,
  widgets: [...document.querySelectorAll('.course-widget')].map(w => {
    const r = w.getBoundingClientRect();
    const imgs = [...w.querySelectorAll('img')];
    return {id: w.dataset.modelId, shown: w.dataset.shown, width: r.width, height: r.height,
            controls: w.querySelectorAll('input, select, progress, button').length,
            figures: imgs.filter(i => i.complete && i.naturalWidth > 0).length};
  }),
})"""


@pytest.mark.browser
def test_every_page_loads_cleanly_with_working_links_images_and_widgets(
        browser: Any, server: str, built: Path, snapshot: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    facts: dict[str, Any] = {}
    try:
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and problems.append(
            f"console: {m.text} ({m.location.get('url', '')})"))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
        page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
        names = sorted(p.name for p in built.glob("*.html"))
        for name in names:
            response = page.goto(urljoin(server, name), wait_until="load")
            assert response is not None and response.ok, f"{name} did not load"
            facts[name] = page.evaluate(PAGE_FACTS_JS)
            problems += [f"{name}: image did not load: {src}" for src in facts[name]["brokenImages"]]
        # every link inside the site leads to one of its pages, and to an anchor that exists there
        for name, found in facts.items():
            for link in found["links"]:
                target, anchor = urldefrag(link)
                if urlparse(target).netloc != urlparse(server).netloc:
                    continue  # a link out of the course (it cannot be followed offline)
                target_name = urlparse(target).path.lstrip("/") or "index.html"
                if target_name not in facts:
                    problems.append(f"{name}: link to missing {target_name}")
                elif anchor and anchor not in facts[target_name]["ids"]:
                    problems.append(f"{name}: link to missing anchor {target_name}#{anchor}")
        for ch in site.written_chapters(snapshot):
            nb = nbformat.read(snapshot / ch.notebook, as_version=4)
            views = _saved_views(nb)
            widgets = facts[site.page_name(ch)]["widgets"]
            assert len(widgets) == len(views), f"{ch.notebook}: {len(widgets)} of {len(views)} widgets"
            for view, widget in zip(views, widgets, strict=True):
                where = f"{ch.notebook}: widget {widget['id']}"
                if widget["width"] < 50 or widget["height"] < 20:
                    problems.append(f"{where} is not visible ({widget['width']}x{widget['height']})")
                if "image/png" in view and widget["figures"] < 1:
                    problems.append(f"{where} shows no figure")
                if widget["shown"] == "state" and widget["controls"] < 1:
                    problems.append(f"{where} shows none of its controls")
        # one chapter page, as a reader sees it around its first widget
        chapters = site.written_chapters(snapshot)
        shot = next((ch for ch in chapters if ch.name == SCREENSHOT_CHAPTER), chapters[0])
        page.goto(urljoin(server, site.page_name(shot)), wait_until="load")
        first = page.locator(".course-widget").first
        if first.count():
            first.scroll_into_view_if_needed()
            page.evaluate("() => window.scrollBy(0, -250)")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{shot.name}.png"))
        page.goto(urljoin(server, "index.html"), wait_until="load")
        page.screenshot(path=str(ARTIFACTS / "index.png"), full_page=True)
    finally:
        context.close()
    assert not problems, "the site has problems:\n  " + "\n  ".join(problems[:30])
    assert (ARTIFACTS / f"{shot.name}.png").stat().st_size > 10_000


def test_links_between_notebooks_point_at_their_pages() -> None:
    from course_utils.course_map import chapter

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "See [chapter 03](03_one_neuron.ipynb#Section) and [chapter 99](99_none.ipynb).")])
    page = site.chapter_page(nb, chapter(4), chapter(3), chapter(5), pages={"03_one_neuron.html"})
    assert 'href="03_one_neuron.html#Section"' in page
    assert 'href="99_none.ipynb"' in page  # no page to point at: left as it is (and reported)
    with pytest.raises(TypeError, match="notebook read with nbformat"):
        site.chapter_page({"cells": []}, chapter(4))  # type: ignore[arg-type]
