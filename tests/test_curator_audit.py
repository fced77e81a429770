"""The audit log page: admins only, filters, pages, local times, CSV; nothing edits or deletes events."""

import csv
import io
from datetime import UTC
from datetime import datetime

import pytest

from guide.audit.models import AuditEvent
from guide.audit.services import PAGE_SIZE
from guide.extensions import db
from tests.curator import login
from tests.curator import make_user
from tests.curator import post


def add_events(app, *events):
    with app.app_context():
        for fields in events:
            db.session.add(AuditEvent(**{"target": "", "outcome": "ok", "detail": {}, **fields}))
        db.session.commit()


@pytest.fixture
def admin(app, client):
    user = make_user(app, "admin", sites=(), email="boss@dalil.example")
    login(client, user)
    return user


@pytest.mark.parametrize("role", ["editor", "translator"])
def test_only_admins_read_the_log(app, client, role):
    login(client, make_user(app, role, languages=("fr",)))
    assert client.get("/curator/audit").status_code == 403
    assert client.get("/curator/audit.csv").status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/curator/audit")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/curator/login")


def test_filters_by_actor_action_and_outcome(app, client, admin):
    add_events(app,
               {"actor": "a@dalil.example", "action": "login", "outcome": "failed", "target": "a@dalil.example"},
               {"actor": "a@dalil.example", "action": "monument.publish", "target": "monument:kasbah"},
               {"actor": "b@dalil.example", "action": "login", "target": "b@dalil.example"},
               {"actor": "", "action": "login_other", "target": "x"})
    html = client.get("/curator/audit?actor=A@Dalil.example").get_data(as_text=True)
    assert "monument:kasbah" in html
    assert "b@dalil.example" not in html
    html = client.get("/curator/audit?action=login").get_data(as_text=True)
    assert "b@dalil.example" in html
    assert "monument:kasbah" not in html
    # The action filter is a prefix, not a pattern: "_" matches itself only.
    html = client.get("/curator/audit?action=login_").get_data(as_text=True)
    assert "login_other" in html
    assert "b@dalil.example" not in html
    html = client.get("/curator/audit?outcome=failed").get_data(as_text=True)
    assert "a@dalil.example" in html
    assert "b@dalil.example" not in html
    # An unknown outcome or an oversized value is ignored, never a 500.
    assert client.get("/curator/audit?outcome=nonsense&actor=" + "x" * 1500).status_code == 200


def test_pages_newest_first(app, client, admin):
    add_events(app, *({"actor": "a@dalil.example", "action": "login", "target": f"t{n:03d}"} for n in range(PAGE_SIZE + 5)))
    first = client.get("/curator/audit?action=login").get_data(as_text=True)
    assert f"t{PAGE_SIZE + 4:03d}" in first
    assert "t000" not in first
    assert 'rel="next"' in first
    second = client.get("/curator/audit?action=login&page=2").get_data(as_text=True)
    assert "t000" in second
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second
    assert client.get("/curator/audit?page=-3").status_code == 200
    assert client.get("/curator/audit?page=abc").status_code == 200


@pytest.mark.parametrize(("moment", "local"), [
    (datetime(2025, 3, 10, 12, 0, tzinfo=UTC), "2025-03-10 12:00:00"),  # Ramadan: UTC+0
    (datetime(2025, 5, 1, 12, 0, tzinfo=UTC), "2025-05-01 13:00:00"),   # otherwise UTC+1
])
def test_times_are_shown_in_casablanca(app, client, admin, moment, local):
    add_events(app, {"actor": "a@dalil.example", "action": "zz.test", "created_dt": moment})
    html = client.get("/curator/audit?action=zz").get_data(as_text=True)
    assert local in html
    assert moment.isoformat() in html


def test_csv_export(app, client, admin):
    add_events(app, {"actor": "a@dalil.example", "action": "zz.csv", "target": "=HYPERLINK(\"x\")",
                     "created_dt": datetime(2025, 5, 1, 12, 0, tzinfo=UTC), "detail": {"lang": "ar"}})
    response = client.get("/curator/audit.csv?action=zz")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["time_utc", "time_local", "actor"]
    assert rows[1][:3] == ["2025-05-01T12:00:00+00:00", "2025-05-01 13:00:00", "a@dalil.example"]
    # A cell that a spreadsheet would run as a formula is defused.
    assert rows[1][4].startswith("'=")


def test_log_is_append_only(app, client, admin):
    add_events(app, {"actor": "a@dalil.example", "action": "zz.keep"})
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/curator/audit")
        assert response.status_code in (400, 405), method
    assert not [rule for rule in app.url_map.iter_rules()
                if rule.endpoint.startswith("audit.") and rule.methods - {"GET", "HEAD", "OPTIONS"}]
    assert post(client, "/curator/audit", {}).status_code == 405


def test_refusals_and_sign_ins_land_in_the_log(app, client):
    editor = make_user(app, "editor")
    login(client, editor)
    client.get("/curator/users")
    admin = make_user(app, "admin", sites=(), email="boss@dalil.example")
    other = app.test_client()
    login(other, admin)
    html = other.get("/curator/audit?outcome=refused").get_data(as_text=True)
    assert "refused.users" in html
    assert editor.email in html


@pytest.mark.parametrize(("lang", "title"), [("ar", "سجل التدقيق"), ("fr", "Journal d’audit")])
def test_log_page_is_translated(app, client, admin, lang, title):
    client.set_cookie("dalil_lang", lang)
    html = client.get("/curator/audit").get_data(as_text=True)
    assert title in html
