"""The report in a real browser: headless Chromium (Debian's package, installed by
.ci/run) through Playwright. No console error, no request but the file itself, the
charts' elements counted against the store, a planted script shown as text, and a
PDF on A4 and Letter."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.test_report import SINCE, STORE, UNTIL

playwright = pytest.importorskip(
    "playwright.sync_api", reason="playwright is in the test extras: pip install -e '.[test]'"
)
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium on this machine (.ci/run installs Debian's chromium package)",
)


@pytest.fixture(scope="module")
def browser() -> Any:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=BROWSER, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page_file(tmp_path: Path) -> Path:
    from attunecli import report
    from tests.conftest import NOW
    from tests.test_report import DAY_START

    path = tmp_path / "report.html"
    path.write_text(
        report.page(report.period(STORE, SINCE, UNTIL, DAY_START), generated=NOW, version="t")
    )
    return path


def _open(browser: Any, path: Path, width: int) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, requests, problems


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_page_renders_with_no_error_and_no_request(
    browser: Any, page_file: Path, tmp_path: Path, width: int
) -> None:
    page, requests, problems = _open(browser, page_file, width)
    try:
        shot = tmp_path / f"report-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert problems == []
        assert requests == [page_file.as_uri()]
        # nothing wider than the screen: a phone scrolls down, never sideways
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1
    finally:
        page.close()


def test_the_charts_match_the_store(browser: Any, page_file: Path) -> None:
    page, _, _ = _open(browser, page_file, 1280)
    try:
        assert page.locator("svg.calendar rect.day").count() == 7
        assert page.locator("svg.calendar rect.day[data-quadrant]").count() == 3
        assert page.locator("svg.intensity circle.point").count() == 3
        assert page.locator("svg.settles rect.bar").count() == 2
        assert page.locator("table.week").count() >= 1
        assert page.locator("article.entry").count() == len(STORE)
        # drawn at a size a person can see: each day's square, and the charts
        for i in range(7):
            box = page.locator("svg.calendar rect.day").nth(i).bounding_box()
            assert box is not None and box["width"] >= 12 and box["height"] >= 12
        for selector in ("svg.intensity", "svg.settles"):
            box = page.locator(selector).bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 40
    finally:
        page.close()


def test_a_planted_script_is_shown_as_text(browser: Any, page_file: Path) -> None:
    page, _, problems = _open(browser, page_file, 1280)
    try:
        assert page.locator("script").count() == 0
        assert "<script>alert(1)</script>" in page.inner_text("body")
        assert problems == []  # and it never ran
    finally:
        page.close()


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_it_prints_to_clean_pages(
    browser: Any, page_file: Path, tmp_path: Path, paper: str
) -> None:
    page, _, _ = _open(browser, page_file, 1280)
    try:
        pdf = page.pdf(format=paper, print_background=True)
    finally:
        page.close()
    assert pdf[:5] == b"%PDF-"
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 3  # sections start on their own pages


def test_report_pdf_from_the_command(cli: Any, tmp_path: Path) -> None:
    for feeling, n in (("calm", "2"), ("anxious", "7")):
        assert cli("checkin", "--quick", "--feeling", feeling, "--intensity", n).exit_code == 0
    out = tmp_path / "month.pdf"
    r = cli("report", "--pdf", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert out.read_bytes()[:5] == b"%PDF-"
    assert out.stat().st_mode & 0o777 == 0o600


def test_no_chart_is_clipped_on_a_printed_page(browser: Any, page_file: Path) -> None:
    page, _, _ = _open(browser, page_file, 1280)
    try:
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 672, "height": 900})  # A4 less 16 mm margins, at 96 dpi
        for selector in ("svg.calendar", "svg.intensity", "svg.settles", "table.week"):
            box = page.locator(selector).first.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 672 + 1, (
                selector
            )
    finally:
        page.close()
