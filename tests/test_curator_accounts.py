"""Signing in: password, second factor, throttling, password change and the session rules.

Messages are checked in French, the default interface language.
"""

import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy import update

from guide.accounts.models import CuratorSession
from guide.accounts.models import RecoveryCode
from guide.accounts.models import User
from guide.accounts.sessions import SESSION_KEY
from guide.audit.models import AuditEvent
from guide.extensions import db
from guide.timeutil import now_utc
from tests.curator import PASSWORD
from tests.curator import csrf_token
from tests.curator import login
from tests.curator import make_user
from tests.curator import post
from tests.test_versions import redis_url  # noqa: F401  (a redis-server of our own, or a skip)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code(secret: str = SECRET, offset: int = 0) -> str:
    """The TOTP code of the current time step (or a neighbour)."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(int(time.time() // totp.interval) + offset)


def sign_in(client, email: str, password: str = PASSWORD, next_url: str = "", **kwargs):
    url = "/curator/login" + (f"?next={next_url}" if next_url else "")
    return post(client, url, {"email": email, "password": password}, token_from="/curator/login", **kwargs)


def events(app, action: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(db.session.scalars(query))


def session_cookie(client, app) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else ""


def user_row(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


# --- password only (editors by default) -------------------------------------------------------

def test_editor_signs_in_with_a_password_and_the_session_id_rotates(app, client):
    user = make_user(app, "editor")
    client.get("/curator/login")
    before = session_cookie(client, app)
    # A token planted in the cookie before sign-in never becomes the session.
    with client.session_transaction() as session:
        session[SESSION_KEY] = "planted-token"
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/curator/"
    after = session_cookie(client, app)
    assert before
    assert after
    assert before != after
    with client.session_transaction() as session:
        assert session[SESSION_KEY] != "planted-token"
    assert client.get("/curator/").status_code == 200
    login_events = events(app, "login")
    assert [(e.outcome, e.actor, e.ip) for e in login_events] == [("ok", user.email, "127.0.0.1")]


def test_wrong_password_and_unknown_email_look_the_same(app, client):
    user = make_user(app, "editor")
    wrong = sign_in(client, user.email, "not the right password")
    unknown = sign_in(client, "nobody@dalil.example", PASSWORD)
    assert wrong.status_code == unknown.status_code == 400
    assert "L’adresse e-mail ou le mot de passe est erroné." in wrong.get_data(as_text=True)
    assert "L’adresse e-mail ou le mot de passe est erroné." in unknown.get_data(as_text=True)
    assert [e.outcome for e in events(app, "login")] == ["failed", "failed"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "/public"])
def test_next_outside_the_cms_is_ignored(app, client, target):
    user = make_user(app, "editor")
    response = sign_in(client, user.email, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/curator/"


def test_next_inside_the_cms_is_followed(app, client):
    user = make_user(app, "editor")
    response = sign_in(client, user.email, next_url="/curator/account")
    assert response.headers["Location"] == "/curator/account"


def test_disabled_account_cannot_sign_in(app, client):
    user = make_user(app, "editor")
    with app.app_context():
        db.session.execute(update(User).where(User.id == user.id).values(active=False))
        db.session.commit()
    assert sign_in(client, user.email).status_code == 400


# --- second factor ----------------------------------------------------------------------------

def test_admin_without_totp_is_sent_to_enrolment_and_then_signed_in(app, client):
    admin = make_user(app, "admin", sites=())
    response = sign_in(client, admin.email, next_url="/curator/account")
    assert response.headers["Location"] == "/curator/account/2fa"
    # Half-way: no CMS page opens.
    assert client.get("/curator/").status_code == 302
    page = client.get("/curator/account/2fa")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in html
    secret = user_row(app, admin.id).totp_secret
    assert secret
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in html
    # Reloading shows the same secret.
    client.get("/curator/account/2fa")
    assert user_row(app, admin.id).totp_secret == secret
    before = session_cookie(client, app)
    wrong = post(client, "/curator/account/2fa", {"code": "000000"}, token_from="/curator/account/2fa")
    assert wrong.status_code == 400
    done = post(client, "/curator/account/2fa", {"code": code(secret)}, token_from="/curator/account/2fa")
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert 'href="/curator/account"' in done.get_data(as_text=True)
    assert session_cookie(client, app) != before
    assert client.get("/curator/").status_code == 200
    with app.app_context():
        stored = [row.code_hash for row in db.session.scalars(select(RecoveryCode))]
        assert len(stored) == 10
        assert not set(stored) & {c.replace("-", "") for c in codes}
    row = user_row(app, admin.id)
    assert row.totp_confirmed
    assert row.totp_last_step is not None
    # The codes are shown once: the page afterwards only counts them.
    again = client.get("/curator/account/2fa").get_data(as_text=True)
    assert codes[0] not in again
    assert "10" in again


def test_confirmed_totp_asks_a_code_and_refuses_a_replay(app, client):
    admin = make_user(app, "admin", sites=(), totp_secret=SECRET)
    response = sign_in(client, admin.email)
    assert response.headers["Location"] == "/curator/login/code"
    assert client.get("/curator/").status_code == 302
    assert client.get("/curator/account/2fa").headers["Location"] == "/curator/login/code"
    before = session_cookie(client, app)
    with client.session_transaction() as session:
        half_token = session[SESSION_KEY]
    current = code()
    ok = post(client, "/curator/login/code", {"code": current[:3] + " " + current[3:]},
              token_from="/curator/login/code")
    assert ok.status_code == 302
    assert ok.headers["Location"] == "/curator/"
    assert session_cookie(client, app) != before
    with client.session_transaction() as session:
        assert session[SESSION_KEY] != half_token
    assert client.get("/curator/").status_code == 200
    # The same code again, from another browser that knows the password: refused.
    other = app.test_client()
    sign_in(other, admin.email)
    replay = post(other, "/curator/login/code", {"code": current}, token_from="/curator/login/code")
    assert replay.status_code == 400
    assert "déjà servi" in replay.get_data(as_text=True)
    assert [e.outcome for e in events(app, "login.code")] == ["ok", "failed"]


def test_code_of_the_next_step_is_accepted_then_older_ones_are_not(app, client):
    admin = make_user(app, "admin", sites=(), totp_secret=SECRET)
    sign_in(client, admin.email)
    assert post(client, "/curator/login/code", {"code": code(offset=1)},
                token_from="/curator/login/code").status_code == 302
    other = app.test_client()
    sign_in(other, admin.email)
    assert post(other, "/curator/login/code", {"code": code()},
                token_from="/curator/login/code").status_code == 400


def test_recovery_code_signs_in_once(app, client):
    admin = make_user(app, "admin", sites=(), totp_secret=SECRET)
    login(client, admin)
    page = post(client, "/curator/account/2fa/recovery", {"password": PASSWORD}, token_from="/curator/account/2fa")
    assert page.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", page.get_data(as_text=True))
    assert len(codes) == 10
    fresh = app.test_client()
    sign_in(fresh, admin.email)
    ok = post(fresh, "/curator/login/code", {"code": codes[0].upper()}, token_from="/curator/login/code")
    assert ok.status_code == 302
    assert fresh.get("/curator/").status_code == 200
    third = app.test_client()
    sign_in(third, admin.email)
    assert post(third, "/curator/login/code", {"code": codes[0]}, token_from="/curator/login/code").status_code == 400
    assert events(app, "login.code")[0].detail["method"] == "recovery"


def test_regenerating_recovery_codes_needs_the_password(app, client):
    admin = make_user(app, "admin", sites=(), totp_secret=SECRET)
    login(client, admin)
    refused = post(client, "/curator/account/2fa/recovery", {"password": "wrong password here"},
                   token_from="/curator/account/2fa")
    assert refused.status_code == 400
    assert "Le mot de passe est erroné." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(RecoveryCode.id)) is None


def test_required_role_cannot_switch_the_second_factor_off(app, client):
    admin = make_user(app, "admin", sites=(), totp_secret=SECRET)
    login(client, admin)
    response = post(client, "/curator/account/2fa/disable", {"password": PASSWORD, "code": code()},
                    token_from="/curator/account/2fa")
    assert response.status_code == 403
    assert user_row(app, admin.id).totp_confirmed


def test_editor_may_switch_its_second_factor_on_and_off(app, client):
    editor = make_user(app, "editor")
    login(client, editor)
    client.get("/curator/account/2fa")
    secret = user_row(app, editor.id).totp_secret
    assert post(client, "/curator/account/2fa", {"code": code(secret)},
                token_from="/curator/account/2fa").status_code == 200
    # From now on it is asked at sign-in.
    other = app.test_client()
    assert sign_in(other, editor.email).headers["Location"] == "/curator/login/code"
    # Off: the password and a fresh code are both needed.
    wrong = post(client, "/curator/account/2fa/disable", {"password": "wrong password here", "code": code(secret, 1)},
                 token_from="/curator/account/2fa")
    assert wrong.status_code == 400
    off = post(client, "/curator/account/2fa/disable", {"password": PASSWORD, "code": code(secret, 1)},
               token_from="/curator/account/2fa")
    assert off.status_code == 302
    row = user_row(app, editor.id)
    assert not row.totp_confirmed
    assert row.totp_secret is None
    assert sign_in(app.test_client(), editor.email).headers["Location"] == "/curator/"


def test_require_2fa_roles_from_the_environment(app, monkeypatch):
    from tests.conftest import make_test_app

    monkeypatch.setenv("DALIL_REQUIRE_2FA_ROLES", "admin editor")
    other = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], app.config["MEDIA_DIR"])
    try:
        assert other.config["REQUIRE_2FA_ROLES"] == ("admin", "editor")
        editor = make_user(other, "editor")
        assert sign_in(other.test_client(), editor.email).headers["Location"] == "/curator/account/2fa"
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_half_way_session_expires(app, client):
    admin = make_user(app, "admin", sites=(), totp_secret=SECRET)
    sign_in(client, admin.email)
    with app.app_context():
        db.session.execute(update(CuratorSession).values(created_dt=now_utc() - timedelta(minutes=11)))
        db.session.commit()
    assert client.get("/curator/login/code").headers["Location"] == "/curator/login"


# --- throttling (checklist row 11) --------------------------------------------------------------

def test_six_bad_logins_from_one_address_get_a_translated_429(app, client):
    user = make_user(app, "editor")
    client.set_cookie("dalil_lang", "ar")
    for attempt in range(5):
        email = f"someone{attempt}@dalil.example"
        assert sign_in(client, email, "wrong password here").status_code == 400
    response = sign_in(client, user.email)
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    html = response.get_data(as_text=True)
    assert 'dir="rtl"' in html
    assert "<html" in html
    # Another address is not held back.
    other = sign_in(client, user.email, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 302
    refused = [e for e in events(app, "login") if e.outcome == "refused"]
    assert len(refused) == 1
    assert refused[0].detail["reason"] == "throttled"
    assert refused[0].ip == "127.0.0.1"
    assert refused[0].target == user.email


def test_eleven_logins_for_one_account_across_addresses_get_429(app, client):
    user = make_user(app, "editor")
    spellings = [user.email, user.email.upper(), "\uff25" + user.email[1:]]  # fullwidth E: NFKC folds it
    for attempt in range(10):
        response = sign_in(client, spellings[attempt % 3], "wrong password here",
                           environ_base={"REMOTE_ADDR": f"10.0.1.{attempt}"})
        assert response.status_code == 400, attempt
    response = sign_in(client, user.email, environ_base={"REMOTE_ADDR": "10.0.2.1"})
    assert response.status_code == 429
    logged = events(app, "login")
    assert [e.outcome for e in logged] == ["failed"] * 10 + ["refused"]
    assert logged[-1].ip == "10.0.2.1"
    # Another account from the same address is fine.
    other = make_user(app, "editor", sites=("casablanca",), email="other@dalil.example")
    assert sign_in(client, other.email, environ_base={"REMOTE_ADDR": "10.0.2.1"}).status_code == 302


def test_code_guesses_are_throttled_per_account(app, client):
    admin = make_user(app, "admin", sites=(), totp_secret=SECRET)
    sign_in(client, admin.email)
    for attempt in range(10):
        guess = post(client, "/curator/login/code", {"code": "123456"}, token_from="/curator/login/code",
                     environ_base={"REMOTE_ADDR": f"10.0.3.{attempt}"})
        assert guess.status_code == 400
    assert post(client, "/curator/login/code", {"code": code()}, token_from="/curator/login/code",
                environ_base={"REMOTE_ADDR": "10.0.4.1"}).status_code == 429
    assert events(app, "login.code")[-1].outcome == "refused"
    assert events(app, "login.code")[-1].target == admin.email


@pytest.mark.parametrize("app", [{"PROXY_HOPS": 1}], indirect=True)
def test_behind_a_proxy_the_forwarded_address_is_throttled_and_logged(app, client):
    proxy = {"REMOTE_ADDR": "10.9.9.9"}
    for attempt in range(5):
        forwarded = {"X-Forwarded-For": f"forged, 192.0.2.{attempt}"}
        assert sign_in(client, "a@dalil.example", "wrong password here", environ_base=proxy,
                       headers=forwarded).status_code == 400
    # Five different clients behind one proxy: none is held back.
    assert sign_in(client, "b@dalil.example", "wrong password here", environ_base=proxy,
                   headers={"X-Forwarded-For": "192.0.2.77"}).status_code == 400
    for _attempt in range(4):
        sign_in(client, "b@dalil.example", "wrong password here", environ_base=proxy,
                headers={"X-Forwarded-For": "192.0.2.77"})
    assert sign_in(client, "c@dalil.example", "wrong password here", environ_base=proxy,
                   headers={"X-Forwarded-For": "192.0.2.77"}).status_code == 429
    assert events(app, "login")[0].ip == "192.0.2.0"


def test_limits_do_not_leak_from_one_app_to_the_next(app, app_factory):
    for attempt in range(5):
        sign_in(app.test_client(), f"x{attempt}@dalil.example", "wrong password here")
    assert sign_in(app.test_client(), "y@dalil.example", "wrong password here").status_code == 429
    fresh = app_factory()
    assert sign_in(fresh.test_client(), "y@dalil.example", "wrong password here").status_code == 400


def test_throttling_with_redis_storage(app_factory, redis_url):  # noqa: F811
    first = app_factory(REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url)
    from guide.extensions import limiter

    assert type(limiter.storage).__name__.lower().startswith("redis")
    for attempt in range(5):
        assert sign_in(first.test_client(), f"r{attempt}@dalil.example", "wrong password here").status_code == 400
    # A second worker sharing the Redis server sees the same counters.
    second = app_factory(REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url)
    assert sign_in(second.test_client(), "r@dalil.example", "wrong password here").status_code == 429


# --- password change (checklist row 12) ---------------------------------------------------------

def change(client, current: str, new: str, again: str | None = None):
    return post(client, "/curator/account/password",
                {"current_password": current, "new_password": new, "new_password_again": new if again is None else again},
                token_from="/curator/account")


def test_password_change_ends_the_other_sessions_only(app, client):
    user = make_user(app, "editor")
    login(client, user)
    elsewhere = app.test_client()
    login(elsewhere, user)
    assert elsewhere.get("/curator/").status_code == 200
    copied = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    response = change(client, PASSWORD, "a brand new passphrase here")
    assert response.status_code == 302
    assert client.get("/curator/").status_code == 200
    assert elsewhere.get("/curator/").status_code == 302
    # This browser got a new session id; the cookie as it was before the change is dead.
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    assert replay.get("/curator/").status_code == 302
    assert sign_in(app.test_client(), user.email, "a brand new passphrase here").status_code == 302
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 400
    assert events(app, "account.password")[0].outcome == "ok"


def test_sixty_four_character_arabic_password_is_kept_unmodified(app, client):
    user = make_user(app, "editor")
    login(client, user)
    # With harakat and a final space: nothing is trimmed or normalised.
    arabic = ("كَلِمَةُ سِرٍّ عربية طويلة " * 4)[:63] + " "
    assert len(arabic) == 64
    assert change(client, PASSWORD, arabic).status_code == 302
    assert sign_in(app.test_client(), user.email, arabic).status_code == 302
    assert sign_in(app.test_client(), user.email, arabic.strip()).status_code == 400


@pytest.mark.parametrize(("new", "again", "message"), [
    ("short one", None, "au moins 12 caractères"),
    ("x" * 129, None, "au plus 128 caractères"),
    ("password1234", None, "plus courants"),
    ("a brand new passphrase", "a brand new passphrasf", "diffèrent"),
])
def test_refused_new_passwords_are_400_with_a_reason(app, client, new, again, message):
    user = make_user(app, "editor")
    login(client, user)
    response = change(client, PASSWORD, new, again)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_wrong_current_password_is_refused(app, client):
    login(client, make_user(app, "editor"))
    response = change(client, "not my password at all", "a brand new passphrase here")
    assert response.status_code == 400
    assert "Le mot de passe actuel est erroné." in response.get_data(as_text=True)


def test_huge_passwords_are_refused_not_500(app, client):
    user = make_user(app, "editor")
    login(client, user)
    client.set_cookie("dalil_lang", "fr")
    # A megabyte in an ordinary form reaches the form: refused by length, translated, never hashed.
    for size in (200_000, 1_000_000):
        response = change(client, PASSWORD, "x" * size)
        assert response.status_code == 400
        assert "au plus 128 caractères" in response.get_data(as_text=True)
    # As multipart, a megabyte field is over the form memory limit: a translated 413.
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({"csrf_token": csrf_token(client, "/curator/account"),
                                       "current_password": PASSWORD, "new_password": "x" * 1_000_000})
    huge = client.post("/curator/account/password", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")
    assert huge.status_code == 413
    assert 'lang="fr"' in huge.get_data(as_text=True)
    for size in (100_000, 1_000_000):
        assert sign_in(app.test_client(), user.email, "x" * size).status_code == 400
    assert events(app, "account.password") == []


def test_end_all_other_sessions(app, client):
    user = make_user(app, "editor")
    login(client, user)
    elsewhere = app.test_client()
    login(elsewhere, user)
    page = client.get("/curator/account").get_data(as_text=True)
    assert "Fermer toutes les autres sessions" in page
    response = post(client, "/curator/account/sessions/end-others", {}, token_from="/curator/account")
    assert response.status_code == 302
    assert elsewhere.get("/curator/").status_code == 302
    assert client.get("/curator/").status_code == 200


# --- session rules (checklist rows 13, 14, 15, 17) -------------------------------------------

def test_missing_or_foreign_csrf_token_is_400(app, client):
    user = make_user(app, "editor")
    login(client, user)
    assert client.post("/curator/account/sessions/end-others").status_code == 400
    other = app.test_client()
    login(other, make_user(app, "editor", email="other@dalil.example"))
    foreign = csrf_token(other)
    response = client.post("/curator/account/password", data={
        "csrf_token": foreign, "current_password": PASSWORD, "new_password": "a brand new passphrase",
        "new_password_again": "a brand new passphrase"})
    assert response.status_code == 400
    assert sign_in(app.test_client(), user.email).status_code == 302


def test_cookie_replayed_after_logout_redirects_to_sign_in(app, client):
    user = make_user(app, "editor")
    sign_in(client, user.email)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert post(client, "/curator/logout", {}).status_code == 302
    replay = app.test_client()
    replay.set_cookie(cookie.key, cookie.value)
    response = replay.get("/curator/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/curator/login")


def test_logout_by_get_is_405(app, client):
    login(client, make_user(app, "editor"))
    assert client.get("/curator/logout").status_code == 405
    assert client.get("/curator/").status_code == 200


def test_session_of_a_disabled_account_is_rejected(app, client):
    user = make_user(app, "editor")
    login(client, user)
    with app.app_context():
        db.session.execute(update(User).where(User.id == user.id).values(active=False))
        db.session.commit()
    assert client.get("/curator/").status_code == 302


@pytest.mark.parametrize(("column", "age"), [("seen_dt", timedelta(minutes=31)), ("created_dt", timedelta(hours=12, minutes=1))])
def test_idle_and_absolute_limits(app, client, column, age):
    user = make_user(app, "editor")
    login(client, user)
    assert client.get("/curator/").status_code == 200
    with app.app_context():
        moment = now_utc() - age
        values = {column: moment, "seen_dt": moment} if column == "created_dt" else {column: moment}
        if column == "created_dt":
            values["seen_dt"] = now_utc()
        db.session.execute(update(CuratorSession).values(**values))
        db.session.commit()
    assert client.get("/curator/").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(CuratorSession.token_hash)) is None


def test_session_still_open_just_inside_the_limits(app, client):
    login(client, make_user(app, "editor"))
    with app.app_context():
        db.session.execute(update(CuratorSession).values(
            seen_dt=now_utc() - timedelta(minutes=29), created_dt=now_utc() - timedelta(hours=11)))
        db.session.commit()
    assert client.get("/curator/").status_code == 200


def test_secure_cookie_attributes(app, client):
    assert app.config["PUBLIC_BASE_URL"].startswith("https://")
    user = make_user(app, "editor")
    response = sign_in(client, user.email)
    header = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("__Host-"))
    name = header.split("=", 1)[0]
    assert name == "__Host-dalil_session"
    attributes = [part.strip() for part in header.split(";")[1:]]
    assert "Secure" in attributes
    assert "HttpOnly" in attributes
    assert "Path=/" in attributes
    assert "SameSite=Lax" in attributes
    assert not any(part.lower().startswith("domain") for part in attributes)


@pytest.mark.parametrize("app", [{"PUBLIC_BASE_URL": "http://127.0.0.1:8000"}], indirect=True)
def test_plain_http_cookie_has_no_host_prefix(app, client):
    user = make_user(app, "editor")
    response = sign_in(client, user.email)
    header = next(value for value in response.headers.getlist("Set-Cookie") if "dalil_session=" in value)
    assert header.startswith("dalil_session=")
    assert "Secure" not in header


# --- pages in both languages --------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "text"), [("ar", "تسجيل الدخول"), ("fr", "Se connecter")])
def test_sign_in_page_is_translated(client, lang, text):
    client.set_cookie("dalil_lang", lang)
    assert text in client.get("/curator/login").get_data(as_text=True)


@pytest.mark.parametrize(("lang", "texts"), [("ar", ("غيّر كلمة مرورك", "العامل الثاني")),
                                              ("fr", ("Changer votre mot de passe", "Second facteur"))])
def test_account_pages_are_translated(app, client, lang, texts):
    admin = make_user(app, "admin", sites=(), totp_secret=SECRET)
    login(client, admin)
    client.set_cookie("dalil_lang", lang)
    account_page = client.get("/curator/account").get_data(as_text=True)
    assert texts[0] in account_page
    assert texts[1] in client.get("/curator/account/2fa").get_data(as_text=True)
