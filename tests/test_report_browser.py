"""report.html as a person sees it: rendered by headless Chromium, read back from its DOM.

Skipped where no Chromium is installed (``apt-get install chromium``). In CI,
``.ci/run`` installs it in the background and names a status file in
KATA_BROWSER_INSTALL: this test waits for that install and fails if it failed.
Chromium runs with the network blocked (every host unresolvable, a dead proxy), so
a page that needed a request would render without it; the page's sources are also
checked for external URLs in test_class_report.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from grader.cli import main
from tests.class_script import EVE, write_class

INSTALL_WAIT_S = 240  # apt-get install chromium on a CI runner; the rest of the suite overlaps
NO_NETWORK = ["--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9"]


def chromium() -> str:
    """The browser's path, after waiting for CI's background install; skips if there is none."""
    status = os.environ.get("KATA_BROWSER_INSTALL")
    if status:
        deadline = time.monotonic() + INSTALL_WAIT_S
        while not Path(status).exists() and time.monotonic() < deadline:
            time.sleep(1)
        code = Path(status).read_text().strip() if Path(status).exists() else "still running"
        if code != "0":
            pytest.fail(f"CI's install of chromium did not succeed ({code}); see {status}.log")
    found = (
        os.environ.get("KATA_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not found:
        pytest.skip("no headless Chromium here: apt-get install chromium to render report.html")
    return found


def run_chromium(*args: str) -> str:
    sandbox = ["--no-sandbox"] if os.geteuid() == 0 else []  # Chromium refuses root otherwise
    done = subprocess.run(
        [chromium(), "--headless", "--disable-gpu", *sandbox, *NO_NETWORK, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("class")
    write_class(out)
    result = CliRunner().invoke(main, ["grade", "report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "report.html"


def test_the_mistake_table_lists_the_derivative_at_zero_mistake_with_its_count(page):
    dom = run_chromium("--dump-dom", page.as_uri())
    table = re.search(
        r'<table class="sortable mistakes" data-kata="relu_backward">(.*?)</table>', dom, re.S
    )
    assert table, dom[:2000]
    row = re.search(r'<tr data-mistake="relu_backward/derivative-at-zero">(.*?)</tr>', table[1])
    assert row and re.search(r'<td class="n count">3</td>', row[1])
    assert "&lt;img src=x" in dom and "<img" not in dom  # eve's name is text, not markup
    assert EVE not in dom


def test_the_page_renders_to_a_screenshot(page):
    target = Path(os.environ.get("KATA_ARTEFACTS") or page.parent) / "report.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    run_chromium(f"--screenshot={target}", "--window-size=1280,1600", page.as_uri())
    assert target.stat().st_size > 10_000  # a page with text and charts, not a blank image
