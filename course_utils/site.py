"""The executed course as a static website: ``make site`` writes ``site/``.

For readers who want to see the course without installing anything. ``site/index.html`` holds
the chapter table (the README's table, made by :func:`course_utils.course_map.chapter_table`
from the course map and the measured run times, so the two cannot disagree); every committed,
executed notebook becomes one page with its text, code, printouts and figures, and links to the
previous and next chapter.

Widgets need a kernel to move, and the JavaScript library that draws them from their saved
state is not installed with the course, so a page could not load it offline. Each widget is
therefore drawn from the state ``make execute`` saved in the notebook, as plain HTML: its
controls at their saved values (greyed out) and its saved figure. A widget of a kind this
module does not know is shown as its saved picture (the ``image/png`` every figure widget
carries), or its text when it has no picture. The pages load no script and nothing from the
network.

    python -m course_utils.site                    # notebooks/ -> site/
    python -m course_utils.site --out public       # elsewhere
"""

from __future__ import annotations

import argparse
import copy
import html
import re
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat

from .course_map import CHAPTERS, Chapter, chapter_table, format_run_time, measured_run_times
from .data.paths import PROJECT_ROOT

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
STYLE_FILE = Path(__file__).with_name("site.css")
LAB_CSS = "lab.css"
COURSE_CSS = "course.css"
COURSE_TITLE = "Sigmoid to GPT"

#: The chapter template: JupyterLab's look, but no script (no require.js, MathJax, Mermaid or
#: widget manager from a CDN), the stylesheets linked once for the whole site, and navigation.
PAGE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block notebook_css -%}
<link rel="icon" href="data:,">
<link rel="stylesheet" href="LAB_CSS">
<link rel="stylesheet" href="COURSE_CSS">
{%- endblock notebook_css -%}
{%- block body_header -%}
{{ super() }}
{{ resources.course_nav }}
{%- endblock body_header -%}
{%- block body_footer -%}
{{ resources.course_nav }}
{{ super() }}
{%- endblock body_footer -%}
""".replace("LAB_CSS", LAB_CSS).replace("COURSE_CSS", COURSE_CSS)


def page_name(chapter: Chapter) -> str:
    """The file name of a chapter's page: ``06_backprop.html``."""
    return f"{chapter.name}.html"


def written_chapters(notebooks: Path) -> list[Chapter]:
    """The chapters of the course map whose notebook exists in ``notebooks``, in course order."""
    notebooks = Path(notebooks)
    if not notebooks.is_dir():
        raise FileNotFoundError(f"no notebook folder at {notebooks}")
    return [ch for ch in CHAPTERS if (notebooks / ch.notebook).is_file()]


# --- widgets drawn from their saved state -----------------------------------------------------

def _model_id(reference: Any) -> str | None:
    if isinstance(reference, str) and reference.startswith("IPY_MODEL_"):
        return reference[len("IPY_MODEL_"):]
    return None


class _UnknownWidget(Exception):
    """A saved model this renderer cannot draw: the caller falls back to the picture."""


def _readout(value: Any, fmt: str) -> str:
    try:
        return format(value, fmt or "")
    except (TypeError, ValueError):
        return str(value)


def _description(state: dict[str, Any]) -> str:
    text = state.get("description") or ""
    return f'<span class="cw-description">{html.escape(text)}</span>' if text else ""


def _output_html(output: dict[str, Any], state: dict[str, Any], depth: int) -> str:
    """One saved output (as in a notebook cell) as HTML."""
    kind = output.get("output_type")
    if kind == "stream":
        return f'<pre class="cw-stream">{html.escape("".join(output.get("text", "")))}</pre>'
    if kind == "error":
        return f'<pre class="cw-stream">{html.escape(output.get("ename", "error"))}</pre>'
    data = output.get("data", {})
    if WIDGET_VIEW in data:
        return _widget_html(data[WIDGET_VIEW].get("model_id", ""), state, depth + 1)
    if "image/png" in data:
        png = "".join(data["image/png"]).replace("\n", "")
        return f'<img class="cw-figure" alt="figure" src="data:image/png;base64,{png}">'
    if "text/html" in data:
        return "".join(data["text/html"])
    if "text/plain" in data:
        return f'<pre class="cw-stream">{html.escape("".join(data["text/plain"]))}</pre>'
    return ""


def _widget_html(model_id: str, state: dict[str, Any], depth: int = 0) -> str:
    """A saved widget model (and its children) as static HTML; raises _UnknownWidget."""
    if depth > 50 or model_id not in state:
        raise _UnknownWidget(model_id)
    entry = state[model_id]
    name, s = entry.get("model_name", ""), entry.get("state", {})
    layout = state.get(_model_id(s.get("layout")) or "", {}).get("state", {})
    if layout.get("display") == "none" or layout.get("visibility") == "hidden":
        return ""
    if name in ("VBoxModel", "HBoxModel", "BoxModel", "GridBoxModel"):
        kind = "cw-hbox" if name == "HBoxModel" else "cw-vbox"
        children = "".join(_widget_html(_model_id(c) or "", state, depth + 1)
                           for c in s.get("children", []))
        return f'<div class="{kind}">{children}</div>'
    if name in ("IntSliderModel", "FloatSliderModel"):
        value = s.get("value", 0)
        low, high, step = s.get("min", 0), s.get("max", 100), s.get("step", 1)
        shown = _readout(value, s.get("readout_format", "d" if name == "IntSliderModel" else ".2f"))
        return (f'<label class="cw-control">{_description(s)}<input type="range" disabled '
                f'min="{low}" max="{high}" step="{step or "any"}" value="{value}">'
                f'<output>{html.escape(shown)}</output></label>')
    if name in ("DropdownModel", "SelectModel", "ToggleButtonsModel", "RadioButtonsModel"):
        labels, index = s.get("_options_labels", []), s.get("index")
        options = "".join(f'<option{" selected" if i == index else ""}>{html.escape(str(lab))}'
                          f"</option>" for i, lab in enumerate(labels))
        return f'<label class="cw-control">{_description(s)}<select disabled>{options}</select></label>'
    if name == "CheckboxModel":
        ticked = " checked" if s.get("value") else ""
        return (f'<label class="cw-control"><input type="checkbox" disabled{ticked}>'
                f'{_description(s)}</label>')
    if name in ("FloatProgressModel", "IntProgressModel"):
        return (f'<label class="cw-control">{_description(s)}<progress max="{s.get("max", 100)}"'
                f' value="{s.get("value", 0)}"></progress></label>')
    if name in ("HTMLModel", "HTMLMathModel"):
        return f'<span class="cw-html">{_description(s)}{s.get("value", "")}</span>'
    if name in ("LabelModel", "TextModel", "IntTextModel", "FloatTextModel",
                "BoundedIntTextModel", "BoundedFloatTextModel"):
        return f'<span class="cw-html">{_description(s)}{html.escape(str(s.get("value", "")))}</span>'
    if name == "ButtonModel":
        return f'<button disabled>{html.escape(s.get("description", ""))}</button>'
    if name == "OutputModel":
        body = "".join(_output_html(o, state, depth) for o in s.get("outputs", [])
                       if isinstance(o, dict))
        return f'<div class="cw-output">{body}</div>'
    raise _UnknownWidget(f"{model_id} ({name})")


def static_widget(data: dict[str, Any], state: dict[str, Any]) -> str:
    """HTML for one widget output: drawn from its saved state, else its picture or text.

    ``data`` is the output's mime bundle (with ``application/vnd.jupyter.widget-view+json``),
    ``state`` the notebook's saved widget models. The result is one
    ``<div class="course-widget">`` whose ``data-shown`` says what it shows: ``state`` (the
    controls and figure drawn from the saved state), ``picture`` or ``text`` (fallbacks).
    """
    if not isinstance(data, dict) or WIDGET_VIEW not in data:
        raise ValueError("static_widget needs a widget output's data: a dict with an "
                         f"{WIDGET_VIEW!r} entry, as saved in a notebook")
    model_id = data[WIDGET_VIEW].get("model_id", "")
    try:
        body, shown = _widget_html(model_id, state), "state"
    except _UnknownWidget:
        if "image/png" in data:
            png = "".join(data["image/png"]).replace("\n", "")
            body, shown = f'<img class="cw-figure" alt="widget" src="data:image/png;base64,{png}">', "picture"
        else:
            body, shown = f'<pre>{html.escape("".join(data.get("text/plain", "")))}</pre>', "text"
    if shown != "state":
        note = "saved picture of an interactive widget"
    elif re.search(r"<(input|select|button)\b", body):
        note = "saved view: run the notebook in JupyterLab to move the controls"
    else:
        note = ""  # nothing to move (a progress bar, say)
    note = f'<div class="cw-note">{note}</div>' if note else ""
    return (f'<div class="course-widget" data-model-id="{html.escape(model_id)}" '
            f'data-shown="{shown}">{body}{note}</div>')


def with_static_widgets(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose widget outputs are static HTML and which saves no widget state."""
    nb = copy.deepcopy(nb)
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data:
                output["data"] = {"text/html": static_widget(data, state)}
    nb.metadata.pop("widgets", None)
    return nb


# --- pages ------------------------------------------------------------------------------------

def _nav(previous: Chapter | None, following: Chapter | None) -> str:
    def link(ch: Chapter | None, rel: str, arrow: str) -> str:
        if ch is None:
            return f'<span class="{rel}"></span>'
        text = f"{ch.number:02d} · {html.escape(ch.title)}"
        text = f"{arrow} {text}" if rel == "prev" else f"{text} {arrow}"
        return f'<a class="{rel}" rel="{rel}" href="{page_name(ch)}">{text}</a>'

    return (f'<nav class="course-nav">{link(previous, "prev", "←")}'
            f'<a class="contents" href="index.html">{COURSE_TITLE}: contents</a>'
            f'{link(following, "next", "→")}</nav>')


def _relink(page: str, pages: set[str]) -> str:
    """Links between notebooks (``07_mnist.ipynb#section``) point at their pages."""
    def swap(match: re.Match[str]) -> str:
        target = f"{match.group(2)}.html"
        return f'{match.group(1)}{target if target in pages else match.group(2) + ".ipynb"}'

    return re.sub(r'(href=")(?:\./)?(\d\d_\w+)\.ipynb', swap, page)


def _exporter() -> Any:
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(extra_loaders=[DictLoader({"course_page.html.j2": PAGE_TEMPLATE})],
                        template_file="course_page.html.j2")


def chapter_page(nb: nbformat.NotebookNode, chapter: Chapter, previous: Chapter | None = None,
                 following: Chapter | None = None, pages: set[str] | None = None,
                 exporter: Any = None) -> str:
    """One chapter's page (HTML) from its executed notebook."""
    if not isinstance(nb, nbformat.NotebookNode):
        raise TypeError(f"chapter_page needs a notebook read with nbformat, got {type(nb).__name__}")
    exporter = exporter or _exporter()
    resources = {"metadata": {"name": f"{chapter.number:02d} · {chapter.title} · {COURSE_TITLE}"},
                 "course_nav": _nav(previous, following)}
    body, _ = exporter.from_notebook_node(with_static_widgets(nb), resources=resources)
    return _relink(body, pages or set())


def index_page(chapters: list[Chapter], times: dict[str, float]) -> str:
    """The site's front page: the chapter table, each written chapter linked to its page."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    written = {ch.number for ch in chapters}
    table = chapter_table(times, link=lambda ch: page_name(ch) if ch.number in written else None)
    total = sum(times.get(ch.notebook, 0.0) for ch in chapters)
    first = (f'<p>Start with <a href="{page_name(chapters[0])}">{chapters[0].number:02d} · '
             f"{html.escape(chapters[0].title)}</a>.</p>") if chapters else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{COURSE_TITLE}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{COURSE_CSS}">
</head>
<body class="course-index">
<main>
<h1>{COURSE_TITLE}</h1>
<p>An interactive deep-learning course in Jupyter: from the sigmoid function and a matrix
multiplication to a small GPT that you train and sample on a laptop. These pages show every
chapter as it ran: its text, code, printouts, figures, and each widget at its saved setting.
To run the code and move the widgets, install the course and open the notebooks in JupyterLab.</p>
{first}
<h2>Chapters</h2>
<p>Each chapter runs on its own; "assumes" lists the chapters whose ideas it uses. Run times
are measured executing the notebook top to bottom on a 2-core laptop CPU
({len(chapters)} chapters, {format_run_time(total) if total else "not yet measured"} in all).</p>
{markdown2html_mistune(table)}
</main>
</body>
</html>
"""


def build_site(notebooks: Path | str = PROJECT_ROOT / "notebooks",
               out: Path | str = PROJECT_ROOT / "site",
               times: dict[str, float] | None = None,
               progress: Callable[[str], None] | None = None) -> list[Path]:
    """Render every executed notebook in ``notebooks`` into ``out``; return the pages written.

    ``out`` is emptied first (it holds only generated files). ``times`` defaults to the measured
    run times in ``benchmarks/notebook_times.json``.
    """
    notebooks, out = Path(notebooks), Path(out)
    chapters = written_chapters(notebooks)
    if not chapters:
        raise FileNotFoundError(f"no chapter notebooks (NN_slug.ipynb) in {notebooks}")
    times = measured_run_times() if times is None else times
    if out.exists():
        foreign = [p.name for p in out.rglob("*") if p.is_file() and p.suffix not in (".html", ".css")]
        if foreign:
            raise FileExistsError(f"{out} holds files that are not part of a built site "
                                  f"({', '.join(sorted(foreign)[:3])}): choose an empty folder")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    exporter = _exporter()
    env = exporter.environment
    lab_css = "\n".join(env.loader.get_source(env, name)[0]
                        for name in ("static/index.css", "static/theme-light.css"))
    (out / LAB_CSS).write_text(lab_css, encoding="utf-8")
    shutil.copyfile(STYLE_FILE, out / COURSE_CSS)
    pages = {page_name(ch) for ch in chapters}
    written = [out / "index.html"]
    written[0].write_text(index_page(chapters, times), encoding="utf-8")
    for i, ch in enumerate(chapters):
        nb = nbformat.read(notebooks / ch.notebook, as_version=4)
        previous = chapters[i - 1] if i > 0 else None
        following = chapters[i + 1] if i + 1 < len(chapters) else None
        path = out / page_name(ch)
        path.write_text(chapter_page(nb, ch, previous, following, pages, exporter),
                        encoding="utf-8")
        written.append(path)
        if progress:
            progress(path.name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.site",
                                     description="Render the executed notebooks as a static website.")
    parser.add_argument("--notebooks", type=Path, default=PROJECT_ROOT / "notebooks",
                        help="folder of executed notebooks (default: notebooks/)")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "site",
                        help="folder to write (emptied first; default: site/)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    pages = build_site(args.notebooks, args.out, progress=lambda name: print("wrote", name))
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"{len(pages)} pages, {size / 1e6:.1f} MB in {args.out}, built in "
          f"{time.perf_counter() - start:.1f} s; open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
