#!/usr/bin/env python3
"""Opens tether test's HTML report in headless Chromium (selenium + chromedriver) and checks it:
no console errors, every flow shown, the failed flow open with its failure and screenshot.
Saves a screenshot of the page with --shot FILE. Prints one JSON line of what it saw.
Usage: report-check.py INDEX.html [--shot FILE]"""
import json
import pathlib
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def main():
    page = pathlib.Path(sys.argv[1]).resolve()
    shot = sys.argv[sys.argv.index("--shot") + 1] if "--shot" in sys.argv else None
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1100,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(page.as_uri())
        flows = driver.find_elements(By.CSS_SELECTOR, "details.flow")
        failed = driver.find_elements(By.CSS_SELECTOR, "details.flow.failed[open] section.failure h3")
        images = driver.execute_script(
            "return Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
        errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        if shot:
            driver.save_screenshot(shot)
        print(json.dumps({"flows": len(flows), "failures": [f.text for f in failed],
                          "images": len(images), "broken_images": images.count(False), "errors": errors}))
    finally:
        driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
