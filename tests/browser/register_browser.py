#!/usr/bin/python3
"""The public register in a real browser: Debian's headless Chromium driven through
chromium-driver by Debian's python3-selenium, with axe-core (npm, installed into
tests/browser/node_modules by scripts/install-deps.sh; never fetched here).

Run by tests/integration/service/register_browser_test.cc against a real medmij-registry:

  register_browser.py BASE_URL ARTIFACT_DIR AXE_JS -- ADMIN_COMMAND...

Checks the overview (a labelled PGO listed, a suspended participant in the inactive section),
that the search form narrows the list, follows a link to a participant page, runs ADMIN_COMMAND
(it must suspend XIS Bridge) and reloads until the overview shows the change, saves full-page
screenshots at 1280 and 375 px wide into ARTIFACT_DIR, checks that no page scrolls sideways at
375 px, and runs axe-core on every page: no violation of impact "serious" or "critical".
Prints one line per failed check and exits 1 when any failed. Every wait is bounded."""
import base64
import os
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

WAIT_S = 20
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL: " + what, flush=True)


def start_browser(profile):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--user-data-dir=" + profile, "--window-size=1280,900", "--lang=nl"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"),
                              options=options)
    driver.set_page_load_timeout(WAIT_S)
    driver.set_script_timeout(WAIT_S)
    return driver


def table_text(driver, table_id):
    found = driver.find_elements(By.ID, table_id)
    return found[0].text if found else ""


def set_width(driver, width, mobile):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 900, "deviceScaleFactor": 1,
                            "mobile": mobile})


def screenshot(driver, path):
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.execute_script("return document.documentElement.clientWidth")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))


def no_horizontal_scroll(driver, label):
    scroll, inner = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]")
    check(scroll <= inner, f"{label}: scrolls sideways at {inner} px (content {scroll} px wide)")


def axe(driver, axe_source, label):
    # Injected through the driver (not a <script> element): the page's CSP allows no script
    # but its own, and the pages have none.
    driver.execute_script(axe_source + "\n;return true;")
    result = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']})
          .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,
                                                  nodes: v.nodes.length}))))
          .catch(e => done({error: String(e)}));""")
    if isinstance(result, dict):
        check(False, f"{label}: axe-core failed: {result.get('error')}")
        return
    for v in result:
        check(v["impact"] not in ("serious", "critical"),
              f"{label}: axe-core {v['impact']} violation {v['id']} ({v['nodes']} elements)")
    print(f"{label}: axe-core: {len(result)} violation(s): "
          + (", ".join(f"{v['id']} ({v['impact']})" for v in result) or "none"), flush=True)


def main():
    base, artifacts, axe_path = sys.argv[1], sys.argv[2], sys.argv[3]
    admin = sys.argv[sys.argv.index("--") + 1:]
    with open(axe_path, encoding="utf-8") as f:
        axe_source = f.read()
    os.makedirs(artifacts, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        driver = start_browser(profile)
        try:
            run(driver, base, artifacts, axe_source, admin)
        finally:
            driver.quit()
    print(f"{len(failures)} failed", flush=True)
    return 1 if failures else 0


def run(driver, base, artifacts, axe_source, admin):
    wait = WebDriverWait(driver, WAIT_S, poll_frequency=0.05)
    set_width(driver, 1280, False)
    driver.get(base + "/")
    check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl", "lang is nl")
    active = table_text(driver, "active-participants")
    inactive = table_text(driver, "inactive-participants")
    check("De Enige Echte PGO B.V." in active, "overview: the labelled PGO is listed")
    check("Geschorst PGO B.V." in inactive and "Geschorst PGO B.V." not in active,
          "overview: the suspended participant is in the inactive section")
    screenshot(driver, os.path.join(artifacts, "register-1280.png"))
    axe(driver, axe_source, "/ at 1280 px")

    # The search form (a plain GET form) narrows the list.
    rows_before = len(driver.find_elements(By.CSS_SELECTOR, "#active-participants tbody tr"))
    box = driver.find_element(By.ID, "q")
    box.send_keys("xis")
    box.submit()
    wait.until(lambda d: "q=xis" in d.current_url)
    rows = driver.find_elements(By.CSS_SELECTOR, "#active-participants tbody tr")
    check(len(rows) == 1 and "XIS Bridge B.V." in rows[0].text and rows_before > 1,
          f"search narrows the list ({rows_before} rows to {len(rows)})")
    axe(driver, axe_source, "/?q=xis")

    # Follow the link to the participant page.
    driver.find_element(By.LINK_TEXT, "XIS Bridge B.V.").click()
    wait.until(lambda d: d.current_url.endswith("/deelnemers/xisbridge"))
    check(driver.find_element(By.TAG_NAME, "h1").text == "XIS Bridge B.V.",
          "participant page: its name is the heading")
    axe(driver, axe_source, "/deelnemers/xisbridge")

    driver.find_element(By.LINK_TEXT, "Lijsten").click()
    wait.until(lambda d: d.current_url.endswith("/lijsten"))
    axe(driver, axe_source, "/lijsten")

    # Phone width: nothing scrolls sideways; the overview's screenshot.
    set_width(driver, 375, True)
    for path in ("/lijsten", "/deelnemers/xisbridge", "/"):
        driver.get(base + path)
        no_horizontal_scroll(driver, path + " at 375 px")
    axe(driver, axe_source, "/ at 375 px")
    screenshot(driver, os.path.join(artifacts, "register-375.png"))
    set_width(driver, 1280, False)

    # A change by medmij-admin shows after a reload (the service republishes within a second).
    done = subprocess.run(admin, capture_output=True, text=True, timeout=60)
    check(done.returncode == 0, "admin command: " + done.stderr.strip())

    def reloaded_shows_change(d):
        d.get(base + "/")
        return "XIS Bridge B.V." in table_text(d, "inactive-participants")

    try:
        wait.until(reloaded_shows_change)
    except Exception:  # selenium's TimeoutException; the check below says what failed
        pass
    check("XIS Bridge B.V." in table_text(driver, "inactive-participants") and
          "XIS Bridge B.V." not in table_text(driver, "active-participants"),
          "the CLI's suspension shows on / after a reload")


if __name__ == "__main__":
    start = time.monotonic()
    code = main()
    print(f"browser checks took {time.monotonic() - start:.1f} s", flush=True)
    sys.exit(code)
