"""The console in a real headless Chromium (Debian's chromium and chromium-driver, driven by
Selenium): sign in, screen an uploaded bidder list, open and download the receipt PDF, browse
entries, verify the audit log, and review an entry as a second person. Each page is
screenshotted to tests/artifacts/ and checked with axe-core (no serious or critical violation).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.console.conftest import Someone
from tests.support import Harness, entry_body, live_server, unique_word

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"

pytestmark = pytest.mark.skipif(not (Path(CHROMEDRIVER).exists() and Path(CHROMIUM).exists()),
                                reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--lang=en"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    driver.implicitly_wait(5)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def check_page(driver: Any, name: str) -> None:
    """Screenshot the page, then run axe-core in it: no serious or critical violation."""
    driver.save_screenshot(str(ARTIFACTS / f"console-{name}.png"))
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    violations = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done([String(e)]));")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
           if not isinstance(v, dict) or v.get("impact") in ("serious", "critical")]
    assert not bad, f"{name}: {bad}"


def navigate(driver: Any, element: Any) -> None:
    """Click ``element`` and wait until the next page has replaced this one and finished loading."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    element.click()

    def replaced(_: Any) -> bool:
        try:
            page.tag_name  # noqa: B018 - raises once the old document is gone
            return False
        except WebDriverException:  # stale, or its node no longer in any document
            return bool(driver.execute_script("return document.readyState") == "complete")

    WebDriverWait(driver, 60).until(replaced)


def sign_in(driver: Any, url: str, who: Someone) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{url}/console/sign-in")
    check_page(driver, "sign-in")
    driver.find_element(By.ID, "username").send_keys(who.username)
    driver.find_element(By.ID, "password").send_keys(who.password)
    navigate(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith("Welcome")


def test_an_officer_screens_a_list_files_the_receipt_and_a_colleague_reviews(
        harness: Harness, person: Callable[..., Someone], browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    cyrillic, latin = unique_word()
    _, clean = unique_word()
    listing_org = harness.new_org()
    contributor = harness.actor("contributor", org=listing_org)
    listed = harness.client.post("/v1/entries", json=entry_body(name=f"ТОО «{cyrillic} Строй»", aliases=[],
                                                                identifiers=[]), headers=contributor.headers)
    assert listed.status_code == 201, listed.text
    # An organisation with four-eyes publication: its new entry waits for a reviewer.
    review_org = harness.new_org(requires_review=True)
    author = harness.actor("contributor", org=review_org)
    pending = harness.client.post("/v1/entries", json=entry_body(name=f"{clean} Pending Trading LLP"),
                                  headers=author.headers)
    assert pending.status_code == 201, pending.text
    officer = person("screener", "auditor", "contributor", org=review_org)
    reviewer = person("reviewer", org=review_org)
    watch = harness.client.post("/v1/watchlist", json={"ref": "sup-1", "name": f"{clean} Roads LLP",
                                                       "contract_ref": "C-1"},
                                headers=harness.actor("screener", org=review_org).headers).json()
    entries_file = tmp_path / "entries.jsonl"
    entries_file.write_text(json.dumps(entry_body(name=f"{clean} Imported LLP")) + "\n{not json\n", encoding="utf-8")
    bidders = tmp_path / "bidders.csv"
    names = [f"{latin} Stroy LLP", f"{clean} Bakery", "Société Désirée Façades"]
    bidders.write_bytes(("Bid no;Company name;Country\n" + "".join(
        f"b{i};{name};KZ\n" for i, name in enumerate(names, start=1))).encode("windows-1252"))
    started = time.monotonic()
    with live_server(harness.app) as url:
        sign_in(browser, url, officer)
        check_page(browser, "home")
        # Screen an uploaded list (Windows-1252, ';'-separated).
        navigate(browser, browser.find_element(By.LINK_TEXT, "Screen"))
        browser.find_element(By.ID, "tender_ref").send_keys("T-BROWSER-1")
        browser.find_element(By.ID, "bidders").send_keys(str(bidders))
        navigate(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/screen'] button[type=submit]"))
        rows = browser.find_elements(By.CSS_SELECTOR, "table.results tbody tr")
        assert [row.get_attribute("class") for row in rows] == ["hit", "clear", "clear"]
        assert "ТОО «" in rows[0].text and ("high" in rows[0].text or "medium" in rows[0].text)
        assert "Société Désirée Façades" in rows[2].text
        check_page(browser, "screen-results")
        # The receipt page, then its PDF.
        link = browser.find_element(By.CSS_SELECTOR, "a.receipt-link")
        screening_id = link.get_attribute("href").rsplit("/", 1)[1]
        navigate(browser, link)
        assert screening_id in browser.find_element(By.CSS_SELECTOR, "dl.facts").text
        check_page(browser, "receipt")
        browser.find_element(By.LINK_TEXT, "Download PDF").click()
        pdf = _downloaded(browser.downloads, f"screening-{screening_id}.pdf")
        text = " ".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
        flat = " ".join(text.split())
        assert screening_id in flat.replace(" ", "") or screening_id in flat
        for name in names:
            assert name in flat, (name, flat[:500])
        shutil.copy(pdf, ARTIFACTS / "console-receipt.pdf")
        # The list: search, then an entry with its history.
        browser.get(f"{url}/console/entries?q={cyrillic}")
        check_page(browser, "entries")
        navigate(browser, browser.find_element(By.PARTIAL_LINK_TEXT, cyrillic))
        assert "History" in browser.page_source
        check_page(browser, "entry")
        browser.get(f"{url}/console/monitoring")
        check_page(browser, "monitoring")
        # A new entry with a mistake: the message stands beside the field; then created.
        browser.get(f"{url}/console/entries/new")
        browser.find_element(By.ID, "name").send_keys(f"{clean} Browser Holding LLP")
        browser.find_element(By.ID, "country").send_keys("XX")
        navigate(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/entries/new'] button[type=submit]"))
        assert "ISO 3166-1" in browser.find_element(By.ID, "country-error").text
        check_page(browser, "entry-form-errors")
        # Import a JSON-lines file of entries: a report line by line.
        browser.get(f"{url}/console/entries/import")
        browser.find_element(By.ID, "entries").send_keys(str(entries_file))
        navigate(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/entries/import'] button"))
        assert "2 lines: 1 created" in browser.find_element(By.ID, "import-summary").text
        check_page(browser, "import-report")
        # Change a watched supplier: the form, then the monitoring page saying so.
        browser.get(f"{url}/console/monitoring/watch/{watch['id']}/edit")
        check_page(browser, "watch-form")
        browser.find_element(By.ID, "contract_ref").send_keys("/2")
        navigate(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/edit'] button[type=submit]"))
        assert "Watched supplier changed" in browser.page_source and "C-1/2" in browser.page_source
        # The audit log: the screening is there; the chain verifies.
        browser.get(f"{url}/console/audit?tender_ref=T-BROWSER-1")
        assert "screening.run" in browser.find_element(By.CSS_SELECTOR, "table.list").text
        check_page(browser, "audit")
        navigate(browser, browser.find_element(By.LINK_TEXT, "Verify the chain"))
        assert browser.find_element(By.ID, "verdict").text.startswith("The chain verifies")
        check_page(browser, "verify")
        browser.find_element(By.XPATH, "//button[text()='Issue and download a checkpoint']").click()
        checkpoint = _downloaded(browser.downloads, "debarlist-checkpoint-*.jws")
        assert checkpoint.read_text().count(".") == 2  # a compact JWS
        navigate(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/sign-out'] button"))
        # A second person, the reviewer, approves the pending entry.
        sign_in(browser, url, reviewer)
        navigate(browser, browser.find_element(By.LINK_TEXT, "Reviews"))
        check_page(browser, "reviews")
        section = next(s for s in browser.find_elements(By.CSS_SELECTOR, "section.review")
                       if f"{clean} Pending Trading LLP" in s.text)
        navigate(browser, section.find_element(By.XPATH, ".//button[text()='Approve']"))
        assert browser.find_element(By.CSS_SELECTOR, "p.notice").text == "Review approved."
        assert f"{clean} Pending Trading LLP" not in browser.page_source
    assert harness.client.get(f"/v1/entries/{pending.json()['id']}",
                              headers=author.headers).json()["publication"] == "published"
    assert time.monotonic() - started < 120


def _downloaded(folder: Path, pattern: str) -> Path:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done = [path for path in folder.glob(pattern) if path.stat().st_size > 0]
        if done and not list(folder.glob("*.crdownload")):
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"{pattern} was not downloaded: {sorted(p.name for p in folder.iterdir())}")
