"""The reference web page (examples/web) in a real browser: Debian's headless Chromium.

The page is served from one origin and the API from another, as a frontend would be; the
API allows the page's origin through CORS, and refuses (in the browser) any other.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import servers

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INTERVIEWER_EMAIL = "jordan.lee@northwind.example"


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("needs Debian's chromium and chromium-driver (apt-get install ...)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--window-size=1000,1200"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[str, str]]:
    """The page from an allowed origin and from one the API does not list."""
    allowed_port, other_port = servers.free_port(), servers.free_port()
    with servers.static_site(allowed_port) as allowed, servers.static_site(other_port) as other:
        yield allowed, other


@pytest.fixture(scope="module")
def api(sites: tuple[str, str]) -> Iterator[tuple[str, str]]:
    allowed, _ = sites
    with tempfile.TemporaryDirectory() as data_dir, servers.api(Path(data_dir), [allowed]) as up:
        yield up


@pytest.fixture(scope="module")
def candidate(api: tuple[str, str]) -> tuple[str, str]:
    """A candidate and a token minted for them by the platform's backend."""
    url, key = api
    org = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"})
    created = org.post("/v1/candidates", json={"external_ref": "web-1", "display_name": "Alex"})
    assert created.status_code == 201, created.text
    candidate_id = created.json()["id"]
    minted = org.post(
        "/v1/tokens",
        json={"subject": candidate_id, "scopes": ["read", "write"], "expires_in": 3600},
    )
    assert minted.status_code == 201, minted.text
    return candidate_id, minted.json()["token"]


def wait(driver: WebDriver, condition: str) -> None:
    """Waits until a JavaScript expression holds on the page."""
    WebDriverWait(driver, 15).until(lambda d: d.execute_script(f"return {condition}"))


def question(driver: WebDriver, key: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, f'.question[data-key="{key}"]')


def visible(driver: WebDriver, key: str) -> bool:
    return question(driver, key).is_displayed()


def pick(driver: WebDriver, key: str, value: str) -> None:
    question(driver, key).find_element(By.CSS_SELECTOR, f'input[value="{value}"]').click()


def type_into(driver: WebDriver, key: str, text: str) -> None:
    field = question(driver, key).find_element(By.CSS_SELECTOR, "input, textarea")
    field.clear()
    field.send_keys(text)
    field.send_keys("\t")  # leaving the field fires `change`, which saves


def connect(driver: WebDriver, site: str, api_url: str, token: str) -> None:
    """Opens the page and connects through its form."""
    driver.get(site + "/index.html")
    driver.find_element(By.ID, "api").clear()
    driver.find_element(By.ID, "api").send_keys(api_url)
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#connect-form button").click()
    wait(driver, "!document.querySelector('#sessions').hidden")


def test_a_candidate_reflects_and_gets_a_diagnosis_and_an_email(
    browser: WebDriver,
    sites: tuple[str, str],
    api: tuple[str, str],
    candidate: tuple[str, str],
) -> None:
    connect(browser, sites[0], api[0], candidate[1])
    browser.find_element(By.ID, "company").send_keys("Northwind Health")
    browser.find_element(By.ID, "role_title").send_keys("Product designer")
    browser.find_element(By.ID, "interviewer_name").send_keys("Jordan Lee")
    browser.find_element(By.ID, "interviewer_email").send_keys(INTERVIEWER_EMAIL)
    browser.find_element(By.CSS_SELECTOR, "#session-form button").click()
    wait(browser, "!document.querySelector('#reflection').hidden")
    wait(browser, "document.querySelectorAll('.question').length > 10")

    # Before "did you really want the job?" is answered, neither branch is shown.
    assert not visible(browser, "years_experience")
    assert not visible(browser, "better_fit_positions")
    assert browser.find_element(By.ID, "diagnose").get_attribute("disabled") is not None

    pick(browser, "wow_self_rating", "2")
    pick(browser, "interviewer_signals", "confused")
    pick(browser, "interviewer_signals", "bored")
    pick(browser, "articulated_fit", "false")
    pick(browser, "had_advocate", "false")

    # A problem (RFC 9457) is shown by its detail, next to the answer at fault.
    type_into(browser, "insider_conversations", "-3")
    wait(browser, "!document.querySelector('#problem').hidden")
    assert (
        question(browser, "insider_conversations")
        .find_element(By.CLASS_NAME, "field-error")
        .is_displayed()
    )
    type_into(browser, "insider_conversations", "0")
    wait(browser, "document.querySelector('#problem').hidden")

    # The branch follows the server's answer, both ways.
    pick(browser, "wanted_job", "false")
    wait(browser, "document.querySelector('[data-key=better_fit_positions]').offsetParent")
    assert not visible(browser, "years_experience")
    pick(browser, "wanted_job", "true")
    wait(browser, "document.querySelector('[data-key=years_experience]').offsetParent")
    assert not visible(browser, "better_fit_positions")
    type_into(browser, "years_experience", "2")
    pick(browser, "willing_to_invest", "true")

    wait(browser, "!document.querySelector('#diagnose').disabled")
    session = browser.execute_script(
        "return document.querySelector('#reflection-title').textContent"
    )
    assert "Northwind Health" in session
    browser.find_element(By.ID, "diagnose").click()
    wait(browser, "!document.querySelector('#diagnosis').hidden")
    assert browser.find_element(By.ID, "verdict").text
    assert browser.find_elements(By.CSS_SELECTOR, "#reasons li")
    assert browser.find_elements(By.CSS_SELECTOR, "#next-steps li")

    browser.find_element(By.ID, "draft-email").click()
    wait(browser, "!document.querySelector('#email').hidden")
    assert browser.find_element(By.ID, "email-subject").text
    # Without an `address_as` for the interviewer, the warm greeting guesses no name form.
    email_text = browser.find_element(By.ID, "email-text").text
    assert email_text.startswith("Hello,")
    assert "Northwind Health" in email_text
    mailto = browser.find_element(By.ID, "mailto").get_attribute("href") or ""
    assert mailto.startswith(f"mailto:{INTERVIEWER_EMAIL}?subject=")
    assert browser.find_element(By.ID, "problem").is_displayed() is False
    _screenshot(browser)


def test_a_candidate_resumes_their_session_where_they_left_it(
    browser: WebDriver,
    sites: tuple[str, str],
    api: tuple[str, str],
    candidate: tuple[str, str],
) -> None:
    connect(browser, sites[0], api[0], candidate[1])
    [resume] = browser.find_elements(By.CSS_SELECTOR, "#session-list button")
    assert resume.text == "Continue: Product designer at Northwind Health"
    resume.click()
    wait(browser, "!document.querySelector('#reflection').hidden")
    assert (
        question(browser, "wanted_job").find_element(By.CSS_SELECTOR, "[value=true]").is_selected()
    )
    assert visible(browser, "years_experience")
    assert not visible(browser, "better_fit_positions")
    assert browser.find_element(By.ID, "diagnose").is_enabled()


def test_the_stored_answers_are_the_ones_the_page_sent(
    api: tuple[str, str], candidate: tuple[str, str]
) -> None:
    url, _ = api
    candidate_id, token = candidate
    headers = {"Authorization": f"Bearer {token}"}
    page = httpx.get(f"{url}/v1/sessions", params={"candidate_id": candidate_id}, headers=headers)
    [session] = page.json()["items"]
    answers = session["self_reflection"]["answers"]
    assert answers["wanted_job"] is True
    assert answers["interviewer_signals"] == ["confused", "bored"]
    assert answers["years_experience"] == 2
    assert session["status"] == "reflected"


def test_a_page_from_an_origin_not_listed_is_refused_by_the_browser(
    browser: WebDriver,
    sites: tuple[str, str],
    api: tuple[str, str],
    candidate: tuple[str, str],
) -> None:
    url, _ = api
    candidate_id, token = candidate
    browser.get(f"{sites[1]}/index.html#api={quote(url)}&token={quote(token)}")
    wait(browser, "!document.querySelector('#problem').hidden")
    assert "Could not reach Debrief" in browser.find_element(By.ID, "problem").text
    assert browser.find_element(By.ID, "sessions").is_displayed() is False
    # The API is up and answers the same call from outside a browser.
    direct = httpx.get(
        f"{url}/v1/sessions",
        params={"candidate_id": candidate_id},
        headers={"Authorization": f"Bearer {token}", "Origin": sites[1]},
    )
    assert direct.status_code == 200
    assert "access-control-allow-origin" not in direct.headers


def _screenshot(driver: WebDriver) -> None:
    """The whole page, for a person to look at (DEBRIEF_SCREENSHOT_DIR, else a temp dir)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1000, height + 100)
    target = Path(os.environ.get("DEBRIEF_SCREENSHOT_DIR") or tempfile.mkdtemp())
    driver.save_screenshot(str(target / "reference-page.png"))
