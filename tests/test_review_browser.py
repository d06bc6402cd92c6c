"""The review site in a real browser: the system's headless Chromium opens it from file:// with no network."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from fazhi import warehouse as wh
from fazhi.review import build_site

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,900"]
# The fields the panel shows for every figure, in order (a flagged figure adds "flagged" rows).
PANEL_FIELDS = ["surface", "value", "unit", "kind", "approx", "direction", "metric", "metric_id", "org", "period",
                "period dates", "baseline", "figure_id"]

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver; .ci/run installs it)",
                allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the test extra: pip install -e '.[test]'")
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium with a new empty profile, its console kept for the tests to read."""
    profile = tempfile.mkdtemp(prefix="fazhi-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def site(sample_warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("review-browser") / "site"
    con = wh.connect(sample_warehouse, read_only=True)
    try:
        build_site(con, out)
    finally:
        con.close()
    return out


@pytest.fixture(scope="module")
def figure_counts(sample_warehouse) -> dict[str, int]:
    con = wh.connect(sample_warehouse, read_only=True)
    try:
        return dict(con.execute("select doc_id, count(figure_id) from documents left join figures using (doc_id) "
                                "group by 1").fetchall())
    finally:
        con.close()


def _open(driver, path: Path, fragment: str = "") -> list[dict]:
    """Load a page; the console entries it logged."""
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(path.as_uri() + fragment)
    driver.execute_script("return document.readyState")
    return driver.get_log("browser")


def test_every_page_loads_from_file_without_console_errors(browser, site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        errors = [e for e in _open(browser, page) if e["level"] in ("SEVERE", "ERROR")]
        assert errors == [], page
        broken = browser.execute_script(
            "return Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length")
        assert broken == 0, page


def test_document_pages_highlight_each_figure_and_a_click_shows_its_fields(browser, site, figure_counts):
    for doc_id, count in figure_counts.items():
        _open(browser, site / "documents" / f"{doc_id}.html")
        marks = browser.find_elements(By.CSS_SELECTOR, "#text mark.fig")
        assert len(marks) == count, doc_id
        if not marks:
            continue
        mark = marks[len(marks) // 2]
        mark.click()
        rows = browser.find_elements(By.CSS_SELECTOR, "#panel tr")
        assert [r.get_attribute("data-field") for r in rows] == PANEL_FIELDS, doc_id
        surface = rows[0].find_element(By.CSS_SELECTOR, ".value").text
        assert surface == browser.execute_script(
            "return JSON.parse(document.getElementById('figures').textContent)"
            ".figures[arguments[0]].fields[0][1]", int(mark.get_attribute("data-i")))
        assert "selected" in mark.get_attribute("class")


def test_the_flagged_rate_is_one_click_from_the_index(browser, site):
    _open(browser, site / "index.html")
    browser.find_element(By.CSS_SELECTOR, "#quality tr.failed a").click()
    selected = browser.find_element(By.CSS_SELECTOR, "mark.fig.selected")
    assert selected.text == "117.96%" and "flagged" in selected.get_attribute("class")
    panel = browser.find_element(By.ID, "panel").text
    assert "A rate is a share in percent, between 0 and 100." in panel
    assert "exec_sanction_rate" in panel and "2022年全年" in panel


def test_sorting_the_index_by_flags_puts_the_flagged_document_first(browser, site):
    _open(browser, site / "index.html")
    header = browser.find_element(By.XPATH, "//table[@id='documents']//th[normalize-space()='flagged']")
    header.click()
    first = browser.find_element(By.CSS_SELECTOR, "#documents tbody tr td a")
    assert first.text == "003_c5e778148cb5c6bc.txt"
    assert header.get_attribute("aria-sort") == "descending"
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert browser.find_element(By.CSS_SELECTOR, "#documents tbody tr:last-child td a").text == first.text


def test_a_report_holding_a_script_shows_it_as_text(browser, tmp_path):
    from test_review import SCRIPT_REPORT, _script_warehouse

    path = _script_warehouse(tmp_path)
    con = wh.connect(path, read_only=True)
    try:
        build_site(con, tmp_path / "site")
    finally:
        con.close()
    page = next((tmp_path / "site" / "documents").glob("*.html"))
    assert [e for e in _open(browser, page) if e["level"] == "SEVERE"] == []
    assert browser.execute_script("return window.fazhiInjected === undefined")
    assert browser.find_element(By.ID, "text").get_attribute("textContent") == SCRIPT_REPORT
    assert len(browser.find_elements(By.CSS_SELECTOR, "#text mark.fig")) == 3
