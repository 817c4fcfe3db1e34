"""The pages in a real browser: Debian's headless Chromium driven by selenium through /usr/bin/chromedriver,
against ``newswatch serve`` on loopback over the sample corpus. Open the feed, follow "available in" to the
Armenian version, search from the form, open a pair page and see its chart, switch the interface language —
with no error on the browser's console (a CSP violation, a failed script or a missing resource is one).

Skipped when chromedriver is absent, unless ``NEWSWATCH_REQUIRE_BROWSER=1`` (as ``.ci/run`` sets): then it fails.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from test_serve import newswatch, served

CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM = Path("/usr/bin/chromium")
ARMENIAN = re.compile(r"[\u0531-\u0587]")
_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1280,1024",
)


#: A page written to run script wherever its text might be trusted: in the title, the body (escaped markup
#: that becomes text), an event-handler attribute and a javascript: "Read more" link.
HOSTILE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Hostile &lt;script&gt;document.title='PWNED'&lt;/script&gt; page</title>
<script>window.__pwned = 'head';</script></head>
<body><article><h1>Hostile &lt;script&gt;window.__pwned=1&lt;/script&gt; page</h1>
<p>The ministry said on Tuesday that the talks would go on &lt;img src=x onerror="window.__pwned=2"&gt;
next week in the capital, after two days of meetings about the border commission and its work.</p>
<p onclick="window.__pwned=3">Officials from both sides met again to discuss the schedule of the commission,
the text of the protocol and the next round of talks on the border, the ministry added.</p>
<img src="x" onerror="window.__pwned=4">
</article>
<aside><h2>Read more</h2><ul><li><a href="javascript:window.__pwned=5">Click for more</a></li></ul></aside>
</body></html>
"""


def _need_browser() -> None:
    missing = [str(p) for p in (CHROMEDRIVER, CHROMIUM) if not p.exists()]
    if not missing:
        return
    reason = f"{', '.join(missing)} missing: install Debian's chromium and chromium-driver (.ci/run does)"
    if os.environ.get("NEWSWATCH_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _need_browser()
    db = str(tmp_path_factory.mktemp("browser") / "sample.db")
    result = newswatch("demo", "--no-serve", "--db", db, "--days", "1")
    assert result.returncode == 0, result.stderr
    hostile = tmp_path_factory.mktemp("hostile") / "hostile.html"
    hostile.write_text(HOSTILE_PAGE, encoding="utf-8")
    result = newswatch("ingest", str(hostile), "--db", db)
    assert result.returncode == 0, result.stderr
    with served("serve", "--db", db, "--port", "0") as server:
        yield server.url.rstrip("/")
        status, err = server.stop()
    assert status == 0 and "Traceback" not in err, err


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in _ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(60)
    try:
        yield browser
    finally:
        browser.quit()


def _console_errors(driver: Any) -> list[str]:
    """What the console said at level SEVERE since the last call (reading the log empties it)."""
    return [
        f"{e.get('source')}: {e.get('message')}" for e in driver.get_log("browser") if e["level"] == "SEVERE"
    ]


def _css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, selector))


def test_feed_to_armenian_version(site: str, driver: Any) -> None:
    driver.get(site + "/?ui=en")
    assert driver.find_element("tag name", "html").get_attribute("lang") == "en"
    assert _css(driver, "section.day h2"), "the feed is grouped under day headers"
    assert _css(driver, "article.item h3 a")
    links = _css(driver, "p.versions a.version[hreflang='hy']")
    assert links, "some sample article has an Armenian version"
    links[0].click()
    assert "/articles/" in driver.current_url
    (article,) = _css(driver, "article.article")
    assert article.get_attribute("lang") == "hy"
    assert ARMENIAN.search(article.text), article.text[:200]
    assert _console_errors(driver) == []


def test_search_from_the_form(site: str, driver: Any) -> None:
    from selenium.webdriver.common.by import By

    driver.get(site + "/search?ui=en")
    box = driver.find_element(By.ID, "q")
    box.send_keys("Mirzoyan")
    box.submit()
    assert "q=Mirzoyan" in driver.current_url
    hits = _css(driver, "article.item")
    assert hits, "the sample corpus mentions Mirzoyan"
    marks = [m.text for m in _css(driver, "article.item mark")]
    assert marks and all(m.lower().startswith("mirzoyan") for m in marks), marks
    assert _console_errors(driver) == []


def test_pair_page_draws_its_chart(site: str, driver: Any) -> None:
    driver.get(site + "/pairs/ARM/AZE?ui=en")
    (chart,) = _css(driver, "figure.chart svg")
    bars = _css(driver, "figure.chart svg rect")
    assert bars, "the sample corpus has events between Armenia and Azerbaijan"
    assert any(int(bar.get_attribute("data-count") or 0) > 0 for bar in bars)
    assert chart.size["width"] > 200 and chart.size["height"] > 50  # laid out and visible
    assert _console_errors(driver) == []


def test_interface_language_switch(site: str, driver: Any) -> None:
    driver.get(site + "/?ui=en")
    (armenian,) = _css(driver, "nav.ui a[hreflang='hy']")
    armenian.click()
    assert driver.find_element("tag name", "html").get_attribute("lang") == "hy"
    assert ARMENIAN.search(driver.find_element("tag name", "h1").text)
    driver.get(site + "/")  # the choice is kept (cookie)
    assert driver.find_element("tag name", "html").get_attribute("lang") == "hy"
    driver.get(site + "/?ui=en")
    assert _console_errors(driver) == []


def test_a_hostile_article_runs_nothing(site: str, driver: Any) -> None:
    """Its script-looking text is shown as text, nothing of it runs, no link is a javascript: one, and
    the browser reports no error (a blocked inline script would be a CSP violation on the console)."""
    driver.get(site + "/search?q=Hostile&ui=en")
    links = [a.get_attribute("href") for a in _css(driver, "article.item h3 a")]
    assert links, "the hostile page was ingested and is found"
    driver.get(links[0])
    (article,) = _css(driver, "article.article")
    assert "<script>" in driver.find_element("tag name", "h1").text or "<script>" in article.text
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    assert "PWNED" not in driver.title
    hrefs = [a.get_attribute("href") or "" for a in _css(driver, "a")]
    assert hrefs and not any(h.lower().startswith("javascript:") for h in hrefs)
    assert not _css(driver, "[onclick], [onerror]")
    assert _console_errors(driver) == []
