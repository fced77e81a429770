from playwright.sync_api import sync_playwright
from tests.curator import PASSWORD, make_user

def test_dbg(app, live_server):
    user = make_user(app, "editor", sites=("casablanca",))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        context = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
        page = context.new_page()
        page.goto(live_server.url + "/curator/login")
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_load_state()
        page.goto(live_server.url + "/curator/monuments/sacre-coeur-cathedral")
        with open("/tmp/shots/dbg.txt", "w") as out:
            out.write(str(page.evaluate("document.documentElement.scrollWidth")) + "\n")
            out.write(page.evaluate("""() => { const e = document.querySelector('#save-comment').parentElement; const s = getComputedStyle(e); return s.flexBasis + ' ' + s.minWidth + ' ' + s.width + ' parent ' + getComputedStyle(e.parentElement).width + ' ' + getComputedStyle(e.parentElement).display + ' ' + getComputedStyle(document.querySelector('#save-comment')).width; }"""))
            out.write("\n".join(page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392).slice(0, 25).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().width))""")))
        browser.close()
