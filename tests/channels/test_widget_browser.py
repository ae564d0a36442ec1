"""The web widget in real headless Chromium (Debian's chromium + chromium-driver; see
scripts/install-browser.sh), at a 360×740 phone viewport, against the real servers."""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.channels.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [pytest.mark.servers, pytest.mark.browser]

from selenium import webdriver  # noqa: E402  (selenium==4.32.0, in constraints.txt)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("Chromium is missing: run scripts/install-browser.sh (Debian's chromium + chromium-driver)")
    profile = tempfile.mkdtemp(prefix="hkzs-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--window-size=360,740", "--lang=zh-CN"):
        options.add_argument(flag)
    # an explicit driver path: Selenium Manager never downloads anything
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    # a phone-sized viewport (360×740 CSS px) with touch, as in a phone browser or WeChat's webview
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 360, "height": 740, "deviceScaleFactor": 1, "mobile": True})
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _fresh(browser, base: str) -> None:
    browser.get(f"{base}/chat")
    browser.execute_script("localStorage.clear()")
    browser.get(f"{base}/chat")
    _wait_connected(browser)


def _wait_connected(browser, timeout: float = 20) -> None:
    WebDriverWait(browser, timeout).until(lambda d: not d.find_elements(By.ID, "loading"))


def _bot_texts(browser) -> list[str]:
    return [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".msg.bot .bubble")]


def _user_texts(browser) -> list[str]:
    return [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".msg.user .bubble")]


def _type(browser, text: str) -> None:
    box = browser.find_element(By.ID, "input")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def _wait_bot_count(browser, count: int, timeout: float = 30) -> list[str]:
    WebDriverWait(browser, timeout).until(lambda d: len(_bot_texts(d)) >= count)
    WebDriverWait(browser, timeout).until(lambda d: d.find_element(By.ID, "typing").get_attribute("hidden") is not None)
    return _bot_texts(browser)


def test_widget_conversation_reload_and_screenshot(browser, servers):
    base = servers.url_a
    _fresh(browser, base)
    # accessibility: a live log, a labelled input and button
    log = browser.find_element(By.ID, "log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    box = browser.find_element(By.ID, "input")
    assert browser.find_element(By.CSS_SELECTOR, "label[for=input]").get_attribute("textContent") == "输入消息"
    assert browser.find_element(By.ID, "send").get_attribute("aria-label") == "发送消息"
    assert box.get_attribute("id") == "input"

    _type(browser, "你好")
    bot = _wait_bot_count(browser, 1)
    assert bot and bot[0].strip()
    assert _user_texts(browser)[-1].endswith("你好")

    buttons = [b for b in browser.find_elements(By.CSS_SELECTOR, ".qr") if b.is_enabled()]
    if buttons:  # quick replies: clicking sends the payload and shows the title
        title = buttons[0].text
        before = len(_bot_texts(browser))
        buttons[0].click()
        WebDriverWait(browser, 10).until(lambda d: _user_texts(d)[-1].endswith(title))
        _wait_bot_count(browser, before + 1)
        assert not buttons[0].is_enabled()  # an answered choice cannot be clicked again

    users, bots = _user_texts(browser), _bot_texts(browser)
    # mobile layout: a 360×740 viewport, nothing wider than the screen
    assert browser.execute_script("return [innerWidth, innerHeight]") == [360, 740]
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 360
    # nothing loaded from anywhere but this server
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(url.startswith(base) for url in resources), resources

    browser.refresh()
    _wait_connected(browser)
    WebDriverWait(browser, 10).until(lambda d: len(_bot_texts(d)) >= len(bots))
    assert _user_texts(browser) == users and _bot_texts(browser) == bots

    reports = ROOT / "reports"
    reports.mkdir(exist_ok=True)
    browser.save_screenshot(str(reports / "widget.png"))


def test_widget_queues_messages_while_offline(browser, servers):
    base = servers.url_a
    _fresh(browser, base)
    browser.set_network_conditions(offline=True, latency=0, download_throughput=-1, upload_throughput=-1)
    try:
        _type(browser, "你好")
        WebDriverWait(browser, 10).until(
            lambda d: "恢复后自动发送" in d.find_element(By.CSS_SELECTOR, ".msg.user .status").text)
        assert not browser.find_element(By.ID, "conn").get_attribute("hidden")
        time.sleep(1.5)
        assert _bot_texts(browser) == []
    finally:
        browser.set_network_conditions(offline=False, latency=0, download_throughput=-1, upload_throughput=-1)
    _wait_bot_count(browser, 1, timeout=45)  # backoff retry or the online event delivers it
    assert browser.find_elements(By.CSS_SELECTOR, ".msg.user .status") == []
    assert browser.find_element(By.ID, "conn").get_attribute("hidden") is not None
    assert browser.execute_script("return localStorage.getItem('hkzs.chat.queue')") == "[]"


def test_widget_expired_session_starts_a_new_conversation(browser, servers):
    base = servers.url_a
    _fresh(browser, base)
    browser.execute_script("localStorage.setItem('hkzs.chat.token', JSON.stringify('v1.forgedconversationid12345.9999999999.xyz'))")
    browser.refresh()
    _wait_connected(browser)
    token = browser.execute_script("return JSON.parse(localStorage.getItem('hkzs.chat.token'))")
    assert "forgedconversationid12345" not in token
    assert _user_texts(browser) == []


@pytest.mark.dialogue
def test_widget_b001_installment_plan(browser, servers):
    """The full plan conversation for the demo borrower B001 (needs the dialogue to be complete)."""
    base = servers.url_a
    _fresh(browser, base)
    steps = ["你好", "身份证后四位3512 生日1988年3月12日", "我还欠多少", "我想分期"]
    count = 0
    for text in steps:
        _type(browser, text)
        count += 1
        _wait_bot_count(browser, count)
        count = len(_bot_texts(browser))
    WebDriverWait(browser, 20).until(
        lambda d: any("12" in b.text for b in d.find_elements(By.CSS_SELECTOR, ".qr") if b.is_enabled()))
    twelve = next(b for b in browser.find_elements(By.CSS_SELECTOR, ".qr") if b.is_enabled() and "12" in b.text)
    twelve.click()
    _wait_bot_count(browser, count + 1)
    count = len(_bot_texts(browser))
    _type(browser, "确认")
    _wait_bot_count(browser, count + 1)
    transcript = "\n".join(_bot_texts(browser))
    assert "2794.19" in transcript
    assert "1190.90" in transcript
    assert "确认" in transcript
    browser.save_screenshot(str(ROOT / "reports" / "widget-b001.png"))
