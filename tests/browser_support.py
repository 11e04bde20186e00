"""Helpers for the browser tests: find Chromium, run JupyterLab, and drive widgets like a learner.

``tests/test_browser_widgets.py`` uses these to open every course notebook in a real JupyterLab
in headless Chromium, run all its cells, and move every control of every widget.

* :func:`find_chromium` looks for the system Chromium (Playwright's browser downloads are not used).
* :class:`JupyterServer` runs ``jupyter lab`` on 127.0.0.1, on a free port, with token
  authentication, on a copy of the notebooks. Every process it starts (the server and the
  kernels the server starts, which run in their own process groups) carries a marker in its
  environment, so :meth:`JupyterServer.stop` can find and end all of them and report any that
  would have survived.
* The ``*_JS`` snippets and :func:`drive_control` find a widget's controls in the page and use
  them the way a learner does: drag a slider's handle, pick another entry of a menu, click a
  button, tick a box, type into a text field.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
ARTIFACTS = REPO / "tests" / "artifacts" / "browser"
COURSE_KERNEL = "sigmoid-to-gpt"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

#: Environment variable naming the Chromium executable to use instead of the system one.
CHROMIUM_ENV = "COURSE_CHROMIUM"
#: Set to ``required`` (``.ci/run`` does) to fail, not skip, when no browser can be found.
REQUIRE_ENV = "COURSE_BROWSER_TESTS"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "/usr/bin/chromium",
                       "/usr/lib/chromium/chromium")
INSTALL_HINT = (f"install Debian's Chromium with `sudo apt-get install -y chromium` "
                f"(or point {CHROMIUM_ENV} at a Chromium executable), then run `make test-browser`")
#: The machine may have no network: nothing in the browser should try to reach it.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-default-apps",
                 "--disable-dev-shm-usage"]

#: Marker put into the environment of every process the server fixture starts.
MARKER_ENV = "COURSE_BROWSER_TEST_RUN"

#: JupyterLab settings for the test server: every cell in the DOM (no windowing, so widgets
#: further down the page exist before they are scrolled to), no news or update checks, no
#: extension manager, no toast popups covering the page, no autosave.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False,
                                                    "doNotDisturbMode": True},
    "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def find_chromium() -> str | None:
    """The Chromium executable: ``$COURSE_CHROMIUM`` if set, else the system one, else None."""
    override = os.environ.get(CHROMIUM_ENV, "").strip()
    if override:
        found = shutil.which(override)
        return found if found else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_args() -> list[str]:
    # Chromium's sandbox needs user namespaces, which root in a container does not get.
    return [*CHROMIUM_ARGS, *(["--no-sandbox"] if is_root() else [])]


@contextmanager
def launched_chromium(executable: str) -> Iterator[Any]:
    """Headless Chromium through Playwright, closed (with Playwright) however the block ends.

    The caller checks first that Playwright imports (``sync_playwright``) and that ``executable``
    exists, and skips or fails with its own message when not."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=chromium_args(), timeout=120_000)
    except Exception:
        playwright.stop()
        raise
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


def browser_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip().lower() == "required"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def discover_notebooks(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The course notebooks, ``NN_slug.ipynb``, in chapter order."""
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


# --- what the committed notebooks say ---------------------------------------------------------

@dataclass(frozen=True)
class SavedWidget:
    """A widget view in a committed notebook's outputs."""

    cell: int  # index among the notebook's cells
    code_cell: int  # index among its code cells
    model_id: str
    source: str  # the cell's last line, to name the widget in messages
    has_image: bool  # saved with an image/png fallback: a figure widget


def saved_widget_views(nb: nbformat.NotebookNode) -> list[SavedWidget]:
    """The widget views a notebook displays at top level (outputs of its code cells)."""
    found: list[SavedWidget] = []
    code_index = -1
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code_index += 1
        last = next((line for line in reversed(cell.source.splitlines()) if line.strip()), "")
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view:
                found.append(SavedWidget(i, code_index, view.get("model_id", ""), last.strip(),
                                         "image/png" in output.get("data", {})))
    return found


def code_cell_sources(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def copy_notebooks(source: Path, dest: Path) -> dict[str, nbformat.NotebookNode]:
    """Copy the notebooks folder to ``dest``, outputs, counts and widget state cleared.

    The server works on this copy, so running cells never touches the committed notebooks.
    Clearing the outputs makes every widget and every execution count on the page come from
    this run, not from what was saved. Returns the committed notebooks as they were copied,
    by file name (what the page is compared with, even if a file changes meanwhile).
    """
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.tmp",
                                                                  "__pycache__"))
    committed: dict[str, nbformat.NotebookNode] = {}
    for path in discover_notebooks(dest):
        nb = nbformat.read(path, as_version=4)
        committed[path.name] = copy.deepcopy(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        nb.metadata.pop("widgets", None)
        nbformat.write(nb, path)
    return committed


# --- the JupyterLab server --------------------------------------------------------------------

def marked_processes(marker: str) -> dict[int, str]:
    """``{pid: command line}`` of live processes whose environment carries ``marker`` (Linux)."""
    needle = f"{MARKER_ENV}={marker}".encode()
    found: dict[int, str] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            status = (entry / "stat").read_text()
            if status[status.rindex(")") + 2:].startswith("Z"):
                continue  # a zombie has ended; only its exit status is left to collect
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            continue  # it ended while we looked, or is not ours to read
        found[int(entry.name)] = cmdline.strip()
    return found


def _end_with_parent() -> None:
    """In the server's child process: get SIGTERM when the test process dies (Linux).

    If pytest itself is killed, no finalizer runs; this makes the server shut its kernels
    down and exit anyway.
    """
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@dataclass
class JupyterServer:
    """``jupyter lab`` on a temporary copy of the notebooks; :meth:`stop` ends all it started."""

    root: Path  # the folder the server serves (a copy of notebooks/)
    workdir: Path  # settings, workspaces, runtime files and the log
    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_hex(24))
    marker: str = field(default_factory=lambda: secrets.token_hex(8))
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    force_killed: dict[int, str] = field(default_factory=dict)
    #: the committed notebooks the copy was made from, by file name
    committed: dict[str, nbformat.NotebookNode] = field(default_factory=dict)

    # addresses
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, **query: str) -> str:
        extra = "".join(f"&{k}={v}" if v else f"&{k}" for k, v in query.items())
        return f"{self.base_url}/{path.lstrip('/')}?token={self.token}{extra}"

    def api(self, method: str, path: str, timeout: float = 30) -> Any:
        request = urllib.request.Request(f"{self.base_url}/api/{path.lstrip('/')}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - localhost
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, chars: int = 4000) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no server log)"
        return self.log_path.read_text(errors="replace")[-chars:]

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "jupyterlab",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", "--ServerApp.open_browser=False", "--no-browser",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={self.workdir / 'settings'}",
            f"--LabApp.workspaces_dir={self.workdir / 'workspaces'}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            "--ServerApp.terminals_enabled=False",
            *(["--allow-root"] if is_root() else []),
        ]

    def start(self, ready_timeout: float = 180) -> None:
        for plugin, values in LAB_SETTINGS.items():
            path = self.workdir / "settings" / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        (self.workdir / "workspaces").mkdir(parents=True, exist_ok=True)
        for name in ("runtime", "config"):
            (self.workdir / name).mkdir(parents=True, exist_ok=True)
        # The notebooks run with the test process's environment (COURSE_DATA_PATH, PYTHONHASHSEED
        # from the Makefile's TEST_ENV ...), plus the marker and private Jupyter folders, so a
        # learner's own Jupyter configuration cannot change what is tested.
        env = dict(os.environ, **{MARKER_ENV: self.marker,
                                  "JUPYTER_RUNTIME_DIR": str(self.workdir / "runtime"),
                                  "JUPYTER_CONFIG_DIR": str(self.workdir / "config")})
        env.pop("JUPYTER_TOKEN", None)
        self.port = self.port or free_port()
        self.log_path = self.workdir / "jupyter-server.log"
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(self.command(), cwd=self.root, env=env, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=_end_with_parent if sys.platform == "linux" else None)
        deadline = time.monotonic() + ready_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with status {self.proc.returncode} before "
                                   f"it was ready:\n{self.log_tail()}")
            try:
                self.api("GET", "status", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"jupyter lab did not answer on {self.base_url} within "
                                       f"{ready_timeout:.0f} s:\n{self.log_tail()}") from None
                time.sleep(0.5)

    def kernelspecs(self) -> set[str]:
        return set(self.api("GET", "kernelspecs")["kernelspecs"])

    def sessions(self) -> list[dict[str, Any]]:
        return self.api("GET", "sessions")

    def shutdown_kernels(self) -> None:
        """Shut down every running kernel (each notebook gets a fresh one)."""
        for session in self.sessions():
            self.api("DELETE", f"sessions/{session['id']}")

    def processes(self) -> dict[int, str]:
        """Live processes started by this server (itself included), by pid."""
        return marked_processes(self.marker)

    def stop(self, grace: float = 20) -> dict[int, str]:
        """End the server and its kernels; return those that had to be killed by force.

        Asks the server to shut down (it shuts its kernels down first), then ends the server's
        process group, then kills any process still carrying the marker. Safe to call twice.
        """
        if self.proc is None:
            return self.force_killed
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            try:
                self.api("POST", "shutdown", timeout=10)
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            if proc.poll() is not None:
                break
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                pass
        deadline = time.monotonic() + 10  # kernels end shortly after the server
        while (left := self.processes()) and time.monotonic() < deadline:
            time.sleep(0.25)
        for pid, cmdline in left.items():
            self.force_killed[pid] = cmdline
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while self.processes() and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.force_killed


# --- the page ---------------------------------------------------------------------------------

#: True once every code cell that has code shows an execution count and the kernel is idle,
#: or once an error has stopped the run (the rest of the cells then stay unnumbered).
RUN_FINISHED_JS = """
(nonEmpty) => {
  const cells = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')];
  if (cells.length !== nonEmpty.length) return false;
  const status = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
  const idle = !status || status.getAttribute('data-status') === 'idle';
  const prompts = cells.map(c => (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '');
  if (prompts.some(p => p.includes('*'))) return false;
  const done = cells.every((c, i) => !nonEmpty[i] || /\\[\\d+\\]/.test(prompts[i]));
  const failed = [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
      .some(o => o.textContent.includes('Traceback (most recent call last)'));
  return idle && (done || failed);
}
"""

#: Per code cell: its prompt text and its tracebacks (stderr outputs that report an exception).
CELL_REPORT_JS = """
() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')].map(c => ({
  prompt: ((c.querySelector('.jp-InputArea-prompt') || {}).textContent || '').trim(),
  errors: [...c.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
      .map(o => o.textContent)
      .filter(t => /Traceback \\(most recent call last\\)|^\\s*\\w*(Error|Exception)\\b/m.test(t)),
}))
"""

#: Top-level widget views (not those nested in an Output widget), each tagged with
#: data-course-widget=N, with the code cell it sits in and how far it rendered. JupyterLab shows a
#: widget view as an output panel holding the widget (class jupyter-widgets); until the widget
#: exists the panel says "Loading widget...", and "Error displaying widget..." if it cannot.
WIDGETS_JS = """
() => {
  const cells = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')];
  const placeholder = t => t.startsWith('Loading widget') || t.startsWith('Error displaying widget');
  const views = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output')]
    .filter(v => !v.parentElement.closest('.widget-output'))
    .filter(v => v.matches('.jupyter-widgets') || v.querySelector(':scope > .jupyter-widgets')
                 || placeholder(v.textContent.trim()));
  return views.map((v, i) => {
    v.setAttribute('data-course-widget', String(i));
    const text = v.textContent.trim();
    return {
      index: i,
      cell: cells.indexOf(v.closest('.jp-CodeCell')),
      rendered: !!v.querySelector(':scope > .jupyter-widgets') && !placeholder(text),
      placeholder: placeholder(text) ? text.slice(0, 160) : '',
      images: v.querySelectorAll('img').length,
    };
  });
}
"""

#: A widget's controls, each tagged data-course-control="W-N": kind, label, and its value as
#: shown. Also lists interactive elements no driver claims, so new kinds are not skipped silently.
CONTROLS_JS = """
(w) => {
  const root = document.querySelector(`[data-course-widget="${w}"]`);
  const kinds = [
    ['slider', '.widget-slider'], ['dropdown', '.widget-dropdown'],
    ['select', '.widget-select'], ['select-multiple', '.widget-select-multiple'],
    ['radio', '.widget-radio'], ['toggle-buttons', '.widget-toggle-buttons'],
    ['toggle-button', '.widget-toggle-button'], ['checkbox', '.widget-checkbox'],
    ['textarea', '.widget-textarea'], ['text', '.widget-text'], ['button', '.widget-button'],
  ];
  const controls = [];
  const claimed = new Set();
  for (const [kind, selector] of kinds) {
    for (const el of root.querySelectorAll(selector)) {
      if ([...claimed].some(c => c.contains(el))) continue;
      if (el.closest('.widget-output') && el.closest('.widget-output') !== root && root.contains(el.closest('.widget-output'))) continue;
      claimed.add(el);
      const id = `${w}-${controls.length}`;
      el.setAttribute('data-course-control', id);
      const label = el.querySelector(':scope > .widget-label, :scope > label');
      controls.push({id, kind,
        label: ((label && label.textContent) || el.textContent || el.getAttribute('title') || '').trim().slice(0, 60),
        disabled: !!el.querySelector(':disabled') || el.matches(':disabled')});
    }
  }
  const interactive = [...root.querySelectorAll('input, select, textarea, button, .noUi-handle')]
    .filter(el => ![...claimed].some(c => c.contains(el)))
    .filter(el => !el.closest('.widget-output'))
    .map(el => el.outerHTML.slice(0, 120));
  return {controls, unclaimed: interactive};
}
"""

#: What a widget shows besides its controls: images (their src) and the text of its outputs;
#: ``errors`` are the stderr outputs inside it; ``own`` is each control's shown value.
_SNAPSHOT_FN = """
const snapshot = (w) => {
  const root = document.querySelector(`[data-course-widget="${w}"]`);
  const controls = [...root.querySelectorAll('[data-course-control]')];
  const inControl = el => controls.some(c => c.contains(el));
  const images = [...root.querySelectorAll('img')].filter(i => !inControl(i)).map(i => i.src);
  const outputs = [...root.querySelectorAll('.widget-output, .widget-html, .widget-htmlmath')]
    .filter(o => !inControl(o) && !(o.parentElement && o.parentElement.closest('.widget-output')))
    .map(o => o.innerText);
  const errors = [...root.querySelectorAll('.widget-output [data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(o => o.textContent.trim()).filter(t => t);
  const own = controls.map(c => {
    const field = c.querySelector('select, input, textarea');
    const readout = c.querySelector('.widget-readout');
    const handles = [...c.querySelectorAll('.noUi-handle')].map(h => h.getAttribute('aria-valuenow'));
    const pressed = [...c.querySelectorAll('button')].map(b => b.classList.contains('mod-active') ? '1' : '0');
    const value = field ? (field.type === 'checkbox' || field.type === 'radio'
      ? [...c.querySelectorAll('input')].map(i => i.checked ? '1' : '0').join('') : field.value) : '';
    return [readout ? readout.textContent : '', handles.join(','), value, pressed.join('')].join('|');
  });
  return {images, outputs, errors, own};
};
const keyOf = (s, watchOwn) => JSON.stringify(watchOwn ? s.own : [s.images, s.outputs]);
"""

SNAPSHOT_JS = f"(w) => {{ {_SNAPSHOT_FN} return snapshot(w); }}"

#: True once the watched part differs from ``before`` and the redraw is complete: an error shows,
#: or there are as many images as before (an Output widget is cleared before it is refilled).
CHANGED_JS = f"""([w, before, watchOwn, images]) => {{ {_SNAPSHOT_FN}
  const s = snapshot(w);
  return keyOf(s, watchOwn) !== before && (s.errors.length > 0 || s.images.length >= images);
}}"""

#: A key of the part of a snapshot that must change, for :data:`CHANGED_JS`.
SNAPSHOT_KEY_JS = f"([w, watchOwn]) => {{ {_SNAPSHOT_FN} return keyOf(snapshot(w), watchOwn); }}"


def drive_control(page: Any, control: dict[str, Any], attempt: int) -> str:
    """Use one control as a learner would; return what was done, for messages.

    ``attempt`` 0 moves one way, 1 the other (a slider already at its maximum moves left); a
    slider is dragged, then (attempts 2 and 3) moved with the keyboard.
    """
    el = page.locator(f'[data-course-control="{control["id"]}"]')
    kind = control["kind"]
    el.scroll_into_view_if_needed()
    if kind == "slider":
        handle = el.locator(".noUi-handle").first
        track = el.locator(".noUi-target").first.bounding_box()
        box = handle.bounding_box()
        if box is None or track is None:
            raise AssertionError("the slider has no visible handle")
        if attempt >= 2:  # a slider with few steps may not move by a drag: use the keyboard
            key = "End" if attempt == 2 else "Home"
            handle.focus()
            handle.press(key)
            return f"focused its handle and pressed {key}"
        vertical = track["height"] > track["width"]
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        sign = 1 if attempt == 0 else -1
        dx, dy = (0, -sign * track["height"] * 0.3) if vertical else (sign * track["width"] * 0.3, 0)
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + dx, y + dy, steps=8)
        page.mouse.up()
        return f"dragged its handle {'right' if sign > 0 else 'left'}"
    if kind in ("dropdown", "select"):
        field = el.locator("select").first
        count = field.locator("option").count()
        current = field.evaluate("s => s.selectedIndex")
        target = (current + 1 + attempt) % count
        label = field.locator("option").nth(target).inner_text().replace("\xa0", " ")
        field.select_option(index=target)
        return f"picked {label!r}"
    if kind == "select-multiple":
        field = el.locator("select").first
        count = field.locator("option").count()
        field.select_option(index=[attempt % count])
        return f"picked option {attempt % count}"
    if kind in ("radio", "toggle-buttons"):
        options = el.locator("input[type=radio]" if kind == "radio" else "button")
        count = options.count()
        current = options.evaluate_all(
            "os => os.findIndex(o => o.checked || o.classList.contains('mod-active'))")
        target = (current + 1 + attempt) % count
        options.nth(target).click()
        return f"chose option {target + 1} of {count}"
    if kind == "checkbox":
        el.locator("input[type=checkbox]").first.click()
        return "clicked the box"
    if kind in ("toggle-button", "button"):
        (el if el.evaluate("e => e.tagName") == "BUTTON" else el.locator("button").first).click()
        return "clicked it"
    if kind in ("text", "textarea"):
        field = el.locator("textarea, input").first
        if field.get_attribute("type") == "number":
            field.focus()
            field.press("ArrowUp" if attempt == 0 else "ArrowDown")
            field.press("Enter")
            return "stepped its number"
        field.fill((field.input_value() or "") + (" more" if attempt == 0 else "!"))
        if kind == "text":
            field.press("Enter")
        return "typed into it"
    raise AssertionError(f"no driver for a {kind} control")
