#!/usr/bin/env python3
"""PlanSync's pages in a real browser: Debian's Chromium, driven by Selenium through Debian's chromedriver.

Each subcommand is one person's visit in a fresh browser, signing in with the keyboard as a person would.
It checks what it sees in the page, prints what it found as one JSON object on stdout, and exits 1 with one
line on stderr when the page is not what it should be. BrowserTests runs it between the real server's starts
and stops.
"""
import argparse
import json
import sys
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait


class PageError(Exception):
    pass


def browser(width=1280, height=1000):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}", "--lang=en-GB", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def expect(condition, message):
    if not condition:
        raise PageError(message)


def one(driver, css, what):
    try:
        return driver.find_element(By.CSS_SELECTOR, css)
    except NoSuchElementException:
        raise PageError(f"{what}: no element '{css}' on {driver.current_url}")


def replaced(element):
    """Whether the page that held `element` is gone. Chromedriver says so with a stale-element error, or with
    "Node with given id does not belong to the document" when the new page is still loading: both are errors."""
    try:
        element.tag_name
        return False
    except WebDriverException:
        return True


def follow(driver, action):
    """Runs an action that loads another page (a link, a form sent), and waits until that page has loaded: a
    click returns before the page it leads to, and on a busy machine the next lookup would read the old one."""
    page = driver.find_element(By.TAG_NAME, "html")
    action()
    WebDriverWait(driver, 60).until(lambda _: replaced(page))
    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return document.readyState") == "complete")


def sign_in(driver, base, token):
    driver.get(base + "/")
    field = one(driver, 'form[action="/signin"] input[type="password"][name="token"]', "the sign-in form")
    label = driver.find_elements(By.CSS_SELECTOR, 'label[for="token"]')
    expect(label and label[0].text.strip(), "the token field has no label")
    # By keyboard: focus the field, type, press Enter.
    field.click()
    field.send_keys(token)
    follow(driver, lambda: field.send_keys(Keys.ENTER))
    path = urllib.parse.urlparse(driver.current_url).path
    expect(path == "/plans", f"signing in landed on {path}, not /plans")
    cookies = {c["name"]: c for c in driver.get_cookies()}
    session = cookies.get("plansync_session")
    expect(session is not None, "no plansync_session cookie after signing in")
    expect(session.get("httpOnly"), "the session cookie is not HttpOnly")
    expect(session.get("sameSite") == "Strict", f"the session cookie is SameSite={session.get('sameSite')}")


def flash(driver):
    errors = driver.find_elements(By.CSS_SELECTOR, 'p.error[role="alert"]')
    expect(not errors, "the page says: " + (errors[0].text if errors else ""))
    status = one(driver, 'p.flash[role="status"]', "the message after a write")
    return status.text.strip()


def decisions(driver):
    return driver.find_elements(By.CSS_SELECTOR, "section.decision")


def direction(driver):
    html = one(driver, "html", "the page")
    return html.get_attribute("lang"), html.get_attribute("dir")


def switch_language(driver, language):
    link = one(driver, f'a[hreflang="{language}"]', f"the link to {language}")
    follow(driver, link.click)
    lang, _ = direction(driver)
    expect(lang == language, f"after choosing {language} the page is in '{lang}'")


def shot(driver, shots, name):
    if not shots:
        return
    # The whole page, not just the window: the width stays, the height follows the content (up to 2400 px).
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(800, min(2400, height)))
    driver.save_screenshot(f"{shots}/{name}.png")
    driver.set_window_size(1280, 1000)


def fits_a_phone(driver, path):
    driver.set_window_size(390, 844)
    driver.get(path)
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    driver.set_window_size(1280, 1000)
    expect(overflow <= 1, f"{path} is {overflow} px wider than a 390 px phone screen")


def writing_forms(driver):
    return driver.find_elements(By.CSS_SELECTOR, "form.write")


def admin(driver, args):
    plan_page = f"{args.url}/plans/{args.plan}?period={args.period}"
    driver.get(plan_page)
    one(driver, f'[data-id="{args.activity}"]', "the plan page's activity")
    shot(driver, args.shots, "plans-en")
    driver.get(args.url + "/conflicts")
    before = len(decisions(driver))
    expect(before > 0, "the decisions page shows no decision")
    shot(driver, args.shots, "decisions-en")
    fits_a_phone(driver, args.url + "/conflicts")

    # The same pages in Arabic: right to left.
    switch_language(driver, "ar")
    lang, dir = direction(driver)
    expect(dir == "rtl", f"the Arabic decisions page is dir={dir}")
    shot(driver, args.shots, "decisions-ar")
    driver.get(plan_page)
    expect(direction(driver) == ("ar", "rtl"), "the Arabic plan page is not right to left")
    shot(driver, args.shots, "plans-ar")
    switch_language(driver, "en")

    # Keep one of the two concurrent values.
    driver.get(args.url + "/conflicts")
    section = one(
        driver, f'section.decision[data-record="{args.record}"][data-field="{args.field}"]',
        "the decision on the conflict")
    keep = None
    for form in section.find_elements(By.CSS_SELECTOR, "ol.candidates li form.write"):
        value = form.find_element(By.CSS_SELECTOR, 'input[name="value"]').get_attribute("value")
        if value == args.keep:
            keep = form
    expect(keep is not None, f"no candidate '{args.keep}' to keep in the decision on {args.record}")
    expect(keep.find_elements(By.CSS_SELECTOR, 'input[name="csrf"]'), "the form that keeps has no csrf field")
    follow(driver, keep.find_element(By.CSS_SELECTOR, "button").click)
    resolved = flash(driver)
    driver.get(args.url + "/conflicts")
    after = len(decisions(driver))
    expect(not driver.find_elements(
        By.CSS_SELECTOR, f'section.decision[data-record="{args.record}"][data-field="{args.field}"]'),
        "the decision is still open after keeping a value")

    # Approve the office's period.
    driver.get(f"{args.url}/reports?period={args.period}")
    row = one(driver, f'[data-office="{args.office}"]', f"the reports of {args.office}")
    follow(driver, row.find_element(By.CSS_SELECTOR, 'button[name="state"][value="approved"]').click)
    approved = flash(driver)
    driver.get(f"{args.url}/reports?period={args.period}")
    row = one(driver, f'[data-office="{args.office}"]', f"the reports of {args.office}")
    expect(row.find_elements(By.CSS_SELECTOR, 'button[name="state"][value="open"]'),
           f"{args.office} {args.period} does not offer to reopen after approving")
    print(json.dumps({"before": before, "after": after, "resolved": resolved, "approved": approved}))


def office(driver, args):
    expect(one(driver, "#sync-now", "the Sync now button"), "no Sync now button")
    query = urllib.parse.urlencode({"activity": args.activity, "period": args.period})
    driver.get(f"{args.url}/reports/new?{query}")
    form = one(driver, 'form.write[action="/reports"]', "the report form")
    for name in ("status", "narrative", "indicators", "language"):
        control = form.find_element(By.CSS_SELECTOR, f'[name="{name}"]')
        control_id = control.get_attribute("id")
        expect(control_id and driver.find_elements(By.CSS_SELECTOR, f'label[for="{control_id}"]'),
               f"the report form's {name} has no label")
    Select(form.find_element(By.CSS_SELECTOR, 'select[name="status"]')).select_by_value(args.status)
    narrative = form.find_element(By.CSS_SELECTOR, 'textarea[name="narrative"]')
    narrative.clear()
    narrative.send_keys(args.narrative)
    follow(driver, form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click)
    written = flash(driver)
    found = {"written": written}
    if args.expect_offline:
        follow(driver, one(driver, "#sync-now", "the Sync now button").click)
        error = one(driver, 'p.error[role="alert"]', "the message of a sync without a link")
        found["offline"] = error.text.strip()
        # The pages go on working offline.
        driver.get(args.url + "/plans")
        expect(driver.find_elements(By.CSS_SELECTOR, 'a[href^="/plans/"]'), "no plans offline")
    print(json.dumps(found))


def sync(driver, args):
    follow(driver, one(driver, "#sync-now", "the Sync now button").click)
    print(json.dumps({"synced": flash(driver)}))


def report(driver, args):
    """The central team finds an office's report on the server's pages."""
    driver.get(f"{args.url}/reports?period={args.period}")
    row = one(driver, f'[data-office="{args.office}"]', f"the reports of {args.office}").text.strip()
    driver.get(f"{args.url}/reports/{args.plan}/{args.period}?lang=en")
    page = driver.find_element(By.TAG_NAME, "body").text
    expect(args.narrative in page, f"the consolidated report does not show the narrative '{args.narrative}'")
    print(json.dumps({"row": row[:200]}))


def viewer(driver, args):
    visited = []
    pages = ["/plans", f"/plans/{args.plan}", f"/plans/{args.plan}/activity/{args.activity}", "/conflicts",
             f"/reports?period={args.period}", "/translations"]
    for path in pages:
        driver.get(args.url + path)
        forms = writing_forms(driver)
        posts = [f.get_attribute("action") for f in driver.find_elements(By.CSS_SELECTOR, 'form[method="post"]')]
        expect(not forms and not posts, f"a viewer's {path} has forms that write: {posts}")
        visited.append(path)
    # A forged form, posted from the viewer's own session.
    driver.execute_script(
        """
        const form = document.createElement('form');
        form.method = 'post'; form.action = '/reports/approval';
        for (const [name, value] of Object.entries(arguments[0])) {
            const input = document.createElement('input');
            input.type = 'hidden'; input.name = name; input.value = value; form.appendChild(input);
        }
        document.body.appendChild(form); form.submit();
        """, {"office": args.office, "period": args.period, "state": "open", "csrf": "forged"})
    page = driver.find_element(By.TAG_NAME, "body").text.strip()
    print(json.dumps({"visited": visited, "forged": page[:300]}))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, run in (("admin", admin), ("office", office), ("sync", sync), ("report", report),
                      ("viewer", viewer)):
        command = commands.add_parser(name)
        command.set_defaults(run=run)
        command.add_argument("--url", required=True)
        command.add_argument("--token", required=True)
        for option in ("plan", "activity", "period", "office", "record", "field", "keep", "status", "narrative",
                       "shots"):
            command.add_argument("--" + option)
        command.add_argument("--expect-offline", action="store_true")
    args = parser.parse_args()
    try:
        # Each visit: a fresh browser, signed in by keyboard as a person would, closed whatever happens.
        driver = browser()
        try:
            sign_in(driver, args.url, args.token)
            args.run(driver, args)
        finally:
            driver.quit()
    except (PageError, WebDriverException) as error:
        print(f"{args.command}: {str(error).strip().splitlines()[0]}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
