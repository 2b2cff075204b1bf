"""Headless Chromium (Debian's package) driven by Playwright, with a fake microphone.

Playwright (Python) drives the system Chromium through ``executable_path``; its own browser
download is never used. It was chosen over selenium because it waits on page state
(``wait_for_function``, locators) instead of sleeping, and over the npm ``playwright-core``
because the checks (m3u8 parsing, ffmpeg decode, numpy FFT) live in Python already.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import wait_for

#: the tone the fake microphone plays (Hz)
TONE_HZ = 660
#: ``make screenshots`` sets this to docs/screenshots; a plain test run leaves the tracked ones alone.
SCREENSHOTS = Path(os.environ.get("LIVESTAGE_SCREENSHOTS_DIR")
                   or Path(tempfile.gettempdir()) / "livestage-screenshots")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]


def chromium_path() -> str:
    """Debian's chromium; its absence is a failure (scripts/bootstrap --test installs it)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "chromium must be installed: run scripts/bootstrap --test"
    return path


@pytest.fixture(scope="session")
def tone_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 20 s sine at TONE_HZ, the fake microphone's input (Chromium loops it)."""
    path = tmp_path_factory.mktemp("mic") / "tone.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    f"sine=frequency={TONE_HZ}:sample_rate=48000:duration=20", "-af", "volume=0.5",
                    "-ac", "2", "-c:a", "pcm_s16le", str(path)], check=True)
    return path


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    """The session's one Playwright (its sync API allows one per thread)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


def launch_with_microphone(playwright: Any, wav: Path) -> Any:
    """A headless Chromium whose fake microphone plays ``wav`` (one file per browser process)."""
    return playwright.chromium.launch(
        executable_path=chromium_path(), headless=True,
        args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-audio-capture={wav}"],
    )


@pytest.fixture(scope="session")
def browser(playwright: Any, tone_wav: Path) -> Iterator[Any]:
    """One headless Chromium for the session (each test gets a fresh context)."""
    instance = launch_with_microphone(playwright, tone_wav)
    try:
        yield instance
    finally:
        instance.close()


class PageProblems(list[str]):
    """Console errors and CSP violations a page reported."""


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """Factory of fresh pages (own context, viewport); each collects its console errors."""
    contexts: list[Any] = []

    def make(viewport: dict[str, int] | None = None, **options: Any) -> tuple[Any, PageProblems]:
        context = browser.new_context(viewport=viewport or {"width": 1100, "height": 900}, **options)
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems()
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        return page, problems

    yield make
    for context in contexts:
        context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot (for the README under docs/screenshots/ with ``make screenshots``)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_in_page(page: Any, expression: str, timeout: float, what: str) -> Any:
    """Poll a JavaScript expression until truthy (``wait_for_function`` would need eval, which
    our CSP refuses; ``evaluate`` goes through the debugger protocol instead)."""
    return wait_for(lambda: page.evaluate(expression), timeout, interval=0.25, what=what)
