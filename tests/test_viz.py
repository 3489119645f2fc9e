"""End to end: serve the browser page with ``python -m diffusion.viz`` and drive it in headless
Chromium with Playwright.

Needs Debian's ``chromium`` package (``/usr/bin/chromium``; Playwright's own browser download
does not work offline) and the ``test`` extra (Playwright, Solara); skipped with the reason
otherwise. Installs nothing. The screenshot goes to the test's ``tmp_path`` and, when the
environment variable ``DIFFUSION_TEST_ARTIFACTS`` names a folder, is copied there as
``viz.png`` (``DIFFUSION_TEST_ARTIFACTS=test-artifacts pytest -m browser``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip(f"browser test needs Debian's chromium package at {CHROMIUM}", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser test needs playwright (the test extra)")
pytest.importorskip("solara", reason="browser test needs solara (the viz extra)")
pytest.importorskip("mesa.visualization", reason="browser test needs Mesa's visualization (the viz extra)")

# After the skips: the app needs Solara and Mesa's visualization.
from diffusion.viz.app import counts_line
from diffusion.viz.model import VizModel

#: Chromium flags for a headless run in a container without a GPU, a sandbox or a network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
TIMEOUT_MS = 30_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The page served by ``python -m diffusion.viz`` on a free localhost port."""
    folder = tmp_path_factory.mktemp("viz-server")
    port = _free_port()
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "diffusion.viz", "--port", str(port), "--host", "127.0.0.1"],
        cwd=folder, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"the page server exited with {process.returncode}:\n{(folder / 'server.log').read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the page server did not answer within 60 s:\n{(folder / 'server.log').read_text()}")
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    """A fresh page, loaded, with its console errors and uncaught exceptions in ``page.errors``."""
    page = browser.new_page(viewport={"width": 1600, "height": 1100})
    page.errors = []
    page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server)
    page.wait_for_selector(".campaign-counts")
    page.wait_for_selector("img")  # the network drawing
    yield page
    page.close()


def counts(page) -> str:
    return page.inner_text(".campaign-counts").strip()


def click_and_wait(page, button: str, expected: str) -> None:
    """Click a control button and wait until the counts line starts with ``expected``."""
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_function(
        "expected => document.querySelector('.campaign-counts').innerText.trim().startsWith(expected)", arg=expected
    )


def expected_line(n_steps: int, **params) -> str:
    """The counts line of the same model run in this process."""
    model = VizModel(**params)
    for _ in range(n_steps):
        model.step()
    return counts_line(model)


def test_page_loads_without_errors_and_step_advances_the_model(page, tmp_path):
    assert page.errors == []
    assert counts(page) == expected_line(0)
    for day in (1, 2, 3):
        click_and_wait(page, "Step", f"day {day} ")
    # The page runs the same model as the library: same counts as an in-process run.
    assert counts(page) == expected_line(3)
    assert counts(page) != expected_line(0)
    page.wait_for_timeout(500)  # let the plots finish redrawing before the screenshot
    shot = tmp_path / "viz.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    artifacts = os.environ.get("DIFFUSION_TEST_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(artifacts) / "viz.png")
    assert page.errors == []


def test_policy_selector_rebuilds_the_model_with_that_policy(page):
    page.locator(".v-select").filter(has_text="Platform policy").click()
    page.get_by_role("option", name="centralized", exact=True).click()
    click_and_wait(page, "Reset", "day 0 ")
    page.wait_for_function("() => document.querySelector('.campaign-counts').innerText.includes('policy centralized')")
    click_and_wait(page, "Step", "day 1 ")
    # Same counts as the centralized run in this process: the page rebuilt the model with it.
    assert counts(page) == expected_line(1, platform="centralized")
    assert page.errors == []
