"""Every widget of every notebook, used in a real JupyterLab in headless Chromium.

For each course notebook (found by glob, so a new chapter is covered without editing this file):
open it in JupyterLab, run all cells from the Run menu, wait until every cell has run, and check
that no cell raised. Then, for every widget on the page: it rendered (the widget, not the
"Loading widget..." or "Error displaying widget" placeholder), there are as many widgets as the
committed notebook shows, and each of its controls, used as a learner uses it (drag a slider,
pick from a menu, click a button, tick a box), changes what the widget shows (its figure, or its
output text; a bare control must show its new value) without an error. Screenshots go to
``tests/artifacts/browser/``.

The server runs on a temporary copy of ``notebooks/`` with the course kernel and this process's
environment; it is shut down at the end, and the last test checks that no process it started
(server or kernel) is left. Without Chromium these tests are skipped with a hint how to install
it; ``.ci/run`` installs it and makes a missing browser an error.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import browser_support as bs
import nbformat
import pytest

NOTEBOOKS = bs.discover_notebooks()
#: Seconds a notebook may take to run all its cells in the browser (3 minutes is the course's
#: budget on 2 cores; the test machine may be busier).
RUN_TIMEOUT_S = float(os.environ.get("COURSE_BROWSER_RUN_TIMEOUT", "600"))
#: Seconds a widget may take to redraw after a control is used.
CHANGE_TIMEOUT_S = float(os.environ.get("COURSE_BROWSER_CHANGE_TIMEOUT", "120"))
VIEWPORT = {"width": 1400, "height": 1000}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def lab_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
               chromium_path: str) -> bs.JupyterServer:
    """JupyterLab on a copy of notebooks/, stopped (kernels included) when the session ends."""
    tmp = tmp_path_factory.mktemp("jupyterlab")
    committed = bs.copy_notebooks(bs.NOTEBOOK_DIR, tmp / "notebooks")
    server = bs.JupyterServer(root=tmp / "notebooks", workdir=tmp / "server", committed=committed)
    request.addfinalizer(server.stop)
    server.start()
    if bs.COURSE_KERNEL not in server.kernelspecs():
        pytest.fail(f"JupyterLab does not know the course kernel {bs.COURSE_KERNEL!r}: `make test` "
                    f"installs it into the environment (python -m ipykernel install --sys-prefix "
                    f"--name {bs.COURSE_KERNEL})", pytrace=False)
    return server


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    try:
        yield page
    finally:
        context.close()


def _console(page: Any) -> str:
    errors = getattr(page, "console_errors", [])[-5:]
    return ("\nbrowser console errors:\n  " + "\n  ".join(e[:300] for e in errors)) if errors else ""


def _wait_for_kernel(server: bs.JupyterServer, name: str, timeout: float) -> None:
    """Until the notebook's kernel is connected, started, idle, and is the course kernel."""
    deadline = time.monotonic() + timeout
    while True:
        session = next((s for s in server.sessions() if s["path"] == name), None)
        kernel = (session or {}).get("kernel") or {}
        if kernel.get("execution_state") == "idle" and kernel.get("connections", 0) > 0:
            assert kernel.get("name") == bs.COURSE_KERNEL, (
                f"{name} runs in kernel {kernel.get('name')!r}, not {bs.COURSE_KERNEL!r}")
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{name}: the kernel was not ready within {timeout:.0f} s "
                                 f"(session: {session})\n{server.log_tail(1500)}")
        time.sleep(0.5)


def _wait_idle(server: bs.JupyterServer, name: str, timeout: float = CHANGE_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        session = next((s for s in server.sessions() if s["path"] == name), None)
        if (session or {}).get("kernel", {}).get("execution_state") == "idle":
            return
        time.sleep(0.25)


def _run_all(page: Any, server: bs.JupyterServer, name: str, nb: nbformat.NotebookNode) -> None:
    """Run > Run All Cells, then wait until every code cell has its execution count."""
    sources = bs.code_cell_sources(nb)
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    non_empty = [bool(s.strip()) for s in sources]
    start = time.monotonic()
    page.wait_for_function(bs.RUN_FINISHED_JS, arg=non_empty, timeout=RUN_TIMEOUT_S * 1000,
                           polling=500)
    seconds = time.monotonic() - start
    report = page.evaluate(bs.CELL_REPORT_JS)
    for i, (cell, source) in enumerate(zip(report, sources, strict=True)):
        first = source.strip().splitlines()[0][:70] if source.strip() else ""
        assert not cell["errors"], (
            f"{name}: code cell {i + 1} ({first!r}) raised when run in JupyterLab:\n"
            f"{cell['errors'][0][-2000:]}")
        if non_empty[i]:
            assert cell["prompt"][1:-2].isdigit(), (
                f"{name}: code cell {i + 1} ({first!r}) did not run (prompt {cell['prompt']!r})")
    print(f"{name}: ran all cells in JupyterLab in {seconds:.1f} s")


def _describe(name: str, saved: list[bs.SavedWidget], widget: dict[str, Any], total: int) -> str:
    where = next((w for w in saved if w.code_cell == widget["cell"]), None)
    shown = f" `{where.source}`" if where else ""
    return f"{name}, widget {widget['index'] + 1} of {total} (code cell {widget['cell'] + 1}{shown})"


def _use_control(page: Any, server: bs.JupyterServer, name: str, label: str,
                 w: int, control: dict[str, Any]) -> str:
    """Use one control; return what happened. Fails unless what the widget shows changed."""
    before = page.evaluate(bs.SNAPSHOT_JS, w)
    watch_own = not before["images"] and not before["outputs"]  # a bare control
    what = f"{label}: {control['kind']} {control['label']!r}"
    own = page.evaluate(bs.SNAPSHOT_KEY_JS, [w, True])
    target = page.evaluate(bs.SNAPSHOT_KEY_JS, [w, watch_own])
    takes_value = control["kind"] not in ("button",)
    action = ""
    for attempt in range(4 if control["kind"] == "slider" else 2):
        action = bs.drive_control(page, control, attempt)
        if not takes_value:
            break
        try:  # did the control itself take the input? (a slider at its end cannot move on)
            page.wait_for_function(bs.CHANGED_JS, arg=[w, own, True, 0], timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError; try the other way
            continue
    else:
        raise AssertionError(f"{what}: the control did not take the input ({action}){_console(page)}")
    shows = "its value" if watch_own else "its figure/output"
    try:
        page.wait_for_function(bs.CHANGED_JS, arg=[w, target, watch_own, len(before["images"])],
                               timeout=CHANGE_TIMEOUT_S * 1000, polling=250)
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError
        raise AssertionError(f"{what}: {action}, but {shows} did not change within "
                             f"{CHANGE_TIMEOUT_S:.0f} s: the widget does not respond to this "
                             f"control{_console(page)}") from None
    _wait_idle(server, name)
    after = page.evaluate(bs.SNAPSHOT_JS, w)
    assert not after["errors"], f"{what}: {action}, and the widget shows an error:\n{after['errors'][0]}"
    assert len(after["images"]) == len(before["images"]), (
        f"{what}: {action}, and the widget now shows {len(after['images'])} image(s) instead of "
        f"{len(before['images'])}")
    return f"{control['kind']} {control['label']!r}: {action} -> {shows} changed"


@pytest.mark.timeout(int(RUN_TIMEOUT_S + 900))
@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_widgets_work_in_jupyterlab(nb_path: Path, lab_server: bs.JupyterServer, page: Any) -> None:
    name = nb_path.name
    if name not in lab_server.committed:
        pytest.skip(f"{name} appeared after the test server started")
    nb = lab_server.committed[name]
    saved = bs.saved_widget_views(nb)
    shots = bs.ARTIFACTS / nb_path.stem
    shots.mkdir(parents=True, exist_ok=True)
    for old in [*shots.glob("*.png"), *bs.ARTIFACTS.glob(f"{nb_path.stem}*.png")]:
        old.unlink()
    code_cells = len(bs.code_cell_sources(nb))
    assert any(c.get("execution_count") for c in nb.cells if c.cell_type == "code"), (
        f"{name} is committed without outputs, so there is nothing to compare its widgets "
        f"with: execute it (make execute NB=notebooks/{name})")
    try:
        page.goto(lab_server.url(f"lab/tree/{name}", reset=""), wait_until="domcontentloaded")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator", timeout=120_000)
        page.wait_for_function(f"() => document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell')"
                               f".length === {code_cells}", timeout=60_000)
        _wait_for_kernel(lab_server, name, timeout=180)
        assert any("ipykernel" in cmd for cmd in lab_server.processes().values()), (
            "the kernel does not carry the test server's marker: the process check cannot see it")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status=idle]")
        _run_all(page, lab_server, name, nb)

        # Every widget the committed notebook shows is on the page, and rendered.
        widgets = page.evaluate(bs.WIDGETS_JS)
        shown_cells = [w["cell"] for w in widgets]
        saved_cells = [w.code_cell for w in saved]
        assert shown_cells == saved_cells, (
            f"{name}: widgets on the page are in code cells {[c + 1 for c in shown_cells]}, the "
            f"committed notebook has them in {[c + 1 for c in saved_cells]}: a widget did not "
            f"appear (or one appeared that was not saved: re-run `make execute`){_console(page)}")
        deadline = time.monotonic() + 60
        while not all(w["rendered"] for w in widgets) and time.monotonic() < deadline:
            time.sleep(0.5)
            widgets = page.evaluate(bs.WIDGETS_JS)
        for widget in widgets:
            assert widget["rendered"], (
                f"{_describe(name, saved, widget, len(widgets))} did not render: the page shows "
                f"{widget['placeholder'] or 'no widget'!r}{_console(page)}")

        # Every control of every widget changes what the widget shows.
        log: list[str] = []
        for widget in widgets:
            label = _describe(name, saved, widget, len(widgets))
            w = widget["index"]
            found = page.evaluate(bs.CONTROLS_JS, w)
            assert not found["unclaimed"], (
                f"{label}: has controls the browser test cannot drive yet (add a driver in "
                f"tests/browser_support.py): {found['unclaimed']}")
            view = page.locator(f'[data-course-widget="{w}"]')
            view.scroll_into_view_if_needed()
            view.screenshot(path=str(shots / f"widget{w + 1}-before.png"))
            first = page.evaluate(bs.SNAPSHOT_JS, w)
            assert not first["errors"], f"{label} shows an error before it is touched:\n{first['errors'][0]}"
            if saved[w].has_image:  # same order: the cells were compared above
                assert first["images"], f"{label} shows no figure (the committed notebook has one)"
            if not found["controls"]:
                log.append(f"{label}: no controls (display only)")
                continue
            for control in found["controls"]:
                if control["disabled"]:
                    log.append(f"{label}: {control['kind']} {control['label']!r} is disabled")
                    continue
                log.append(f"{label}: " + _use_control(page, lab_server, name, label, w, control))
            view.scroll_into_view_if_needed()
            view.screenshot(path=str(shots / f"widget{w + 1}-after.png"))
        page.screenshot(path=str(bs.ARTIFACTS / f"{nb_path.stem}.png"))
        print("\n".join(log))
    except BaseException:
        try:
            page.screenshot(path=str(bs.ARTIFACTS / f"{nb_path.stem}-failure.png"))
        except Exception:  # noqa: BLE001 - the page may be gone; the failure matters more
            pass
        raise
    finally:
        try:
            lab_server.shutdown_kernels()  # the next notebook gets a fresh kernel
        except Exception:  # noqa: BLE001 - the server may be the thing that failed
            pass


def test_server_leaves_no_processes(lab_server: bs.JupyterServer) -> None:
    """Stopping the server ends everything it started: the server and every kernel."""
    assert lab_server.proc is not None
    running = lab_server.processes()
    assert lab_server.proc.pid in running, "the process scan does not see the server it started"
    forced = lab_server.stop()
    left = lab_server.processes()
    assert not left, f"processes started by the test server are still running: {left}"
    if forced:
        warnings.warn(f"the server did not end these on shutdown; they were killed: {forced}",
                      stacklevel=1)
