"""Chromium helpers shared by the browser tests: phone size, quiet contexts, the offline app."""

import re

PHONE = {"width": 390, "height": 844}
# Recordings and API calls a page makes on its own: aborted where a test only looks at pages.
BACKGROUND = re.compile(r"(/media/[0-9a-f]{64}\.(m4a|mp3|ogg|opus)|/api/.*)$")


def page_context(browser, **options):
    """A context for looking at pages: no service worker and nothing fetched in the background."""
    context = browser.new_context(service_workers="block", **options)
    context.route(BACKGROUND, lambda route: route.abort())
    return context


def close(context) -> None:
    """Stop playback and let every page finish its requests, so no server thread still holds the database."""
    for page in context.pages:
        # A playing recording keeps fetching: the network would never go idle.
        page.evaluate("() => document.querySelectorAll('audio').forEach((audio) => audio.pause())")
        page.wait_for_load_state("networkidle")
    context.close()


def open_with_worker(browser, live_server, path: str, locale: str = "fr-FR"):
    """Open a page with the service worker allowed, once the worker controls it."""
    context = browser.new_context(service_workers="allow", locale=locale)
    page = context.new_page()
    page.goto(live_server.url + path)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    return context, page
