"""The CMS shell: sign-in required, no-store, server-side sessions, language switch."""

import pytest

from tests.curator import PASSWORD
from tests.curator import csrf_token
from tests.curator import login
from tests.curator import make_user
from tests.curator import post


def test_cms_requires_sign_in(client):
    response = client.get("/curator/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/curator/login")
    assert response.headers["Cache-Control"] == "no-store"


def test_login_form_opens_a_session(app, client):
    user = make_user(app, "editor")
    page = client.get("/curator/login")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    response = post(client, "/curator/login", {"email": user.email.upper(), "password": PASSWORD},
                    token_from="/curator/login")
    assert response.status_code == 302, response.get_data(as_text=True)
    home = client.get("/curator/")
    assert home.status_code == 200
    assert "casablanca" in home.get_data(as_text=True).lower()


def test_wrong_password_is_a_translated_400(app, client):
    user = make_user(app, "editor")
    client.set_cookie("dalil_lang", "ar")
    response = post(client, "/curator/login", {"email": user.email, "password": "not the password at all"},
                    token_from="/curator/login")
    assert response.status_code == 400
    assert 'dir="rtl"' in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(app, client):
    user = make_user(app, "editor")
    response = client.post("/curator/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_cookie_replayed_after_logout_opens_nothing(app, client):
    user = make_user(app, "editor")
    login(client, user)
    assert client.get("/curator/").status_code == 200
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    token = csrf_token(client)
    assert client.post("/curator/logout", data={"csrf_token": token}).status_code == 302
    other = app.test_client()
    other.set_cookie(cookie.key, cookie.value)
    assert other.get("/curator/").status_code == 302


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_language_switch(app, client, lang, direction):
    login(client, make_user(app, "admin", sites=()))
    response = post(client, "/curator/language", {"lang": lang, "next": "/curator/"})
    assert response.status_code == 302
    assert f'dir="{direction}"' in client.get("/curator/").get_data(as_text=True)


def test_public_pages_do_not_vary_on_an_empty_session(client):
    # Flask-Login reads the session after each request; that must not make CDNs key scans by cookie.
    for url in ("/api/v1/sites", "/sw.js"):
        assert "Cookie" not in client.get(url).headers.get("Vary", "")


@pytest.mark.parametrize("url", ["/curator/", "/curator/login", "/curator/account"])
def test_cms_answers_carry_security_headers(app, client, url):
    login(client, make_user(app, "editor"))
    response = client.get(url, base_url="https://dalil.example")
    headers = response.headers
    assert headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_signing_in_again_ends_the_browsers_previous_session(app, client):
    from sqlalchemy import func
    from sqlalchemy import select

    from guide.accounts.models import CuratorSession
    from guide.extensions import db

    first = make_user(app, "editor", email="first@dalil.example")
    second = make_user(app, "editor", email="second@dalil.example")
    login(client, first)
    # Signed in, the login page redirects; its CSRF token is on any CMS page.
    response = post(client, "/curator/login", {"email": second.email, "password": PASSWORD})
    assert response.status_code == 302
    with app.app_context():
        open_sessions = db.session.scalar(select(func.count()).select_from(CuratorSession).where(
            CuratorSession.user_id == first.id))
    assert open_sessions == 0
