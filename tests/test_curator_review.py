"""Review of the CMS: bad input found by a sweep of every route, each a 4xx, never a 500."""

from tests.curator import login
from tests.curator import make_user
from tests.curator import post
from tests.test_curator_editor import EDITOR_URL
from tests.test_curator_editor import SLUG
from tests.test_curator_editor import editor_form
from tests.test_curator_editor import head_number
from tests.test_curator_editor import save

# "²".isdigit() is True but int("²") raises: numbers from the URL or a form must be ASCII digits.
SUPERSCRIPT_TWO = "\u00b2"


def test_preview_revision_that_is_not_an_ascii_number_is_404(app, client):
    login(client, make_user(app, "editor", sites=("casablanca",)))
    response = client.get(f"/curator/monuments/{SLUG}/preview/fr", query_string={"revision": SUPERSCRIPT_TWO})
    assert response.status_code == 404


def test_save_with_a_non_ascii_base_revision_is_400_and_saves_nothing(app, client):
    login(client, make_user(app, "editor", sites=("casablanca",)))
    form = editor_form(client)
    before = head_number(app)
    response = save(client, form, base_revision_id=SUPERSCRIPT_TWO, **{"comment": "x"})
    assert response.status_code == 400
    assert head_number(app) == before


def test_restore_with_a_non_ascii_base_revision_is_not_a_500(app, client):
    login(client, make_user(app, "editor", sites=("casablanca",)))
    response = post(client, f"{EDITOR_URL}/revisions/1/restore".replace("/monuments/", "/monuments/", 1),
                    data={"base_revision_id": SUPERSCRIPT_TWO})
    assert response.status_code < 500


def test_language_switch_ignores_a_next_outside_the_cms_or_with_a_line_break(app, client):
    login(client, make_user(app, "editor", sites=("casablanca",)))
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "/curator/\r\nX-Evil: 1",
                   "/curator/\nx", "/curator/\x00"):
        response = post(client, "/curator/language", {"lang": "fr", "next": target})
        assert response.status_code in (302, 303), target
        location = response.headers["Location"]
        assert "evil" not in location, target
        assert not any(ord(char) < 32 for char in location), target


def test_login_ignores_a_next_with_a_line_break(app, client):
    from tests.curator import PASSWORD
    from tests.curator import csrf_token

    user = make_user(app, "editor", sites=("casablanca",))
    url = "/curator/login?next=/curator/%0D%0AX-Evil:%201"
    response = client.post(url, data={"email": user.email, "password": PASSWORD,
                                      "csrf_token": csrf_token(client, "/curator/login")})
    assert response.status_code < 500
    assert "Evil" not in response.headers.get("Location", "")


def test_save_with_a_nul_in_the_comment_is_not_a_500(app, client):
    # PostgreSQL refuses NUL in text: the comment must be cleaned before it reaches the database.
    login(client, make_user(app, "editor", sites=("casablanca",)))
    form = editor_form(client)
    before = head_number(app)
    response = save(client, form, comment="a\x00b\u202ec", text__fr__name="Sacré-Cœur (revu)")
    assert response.status_code < 500
    if response.status_code in (302, 303):
        assert head_number(app) == before + 1


def test_login_with_a_nul_in_the_email_is_a_400_not_a_500(app, client):
    from tests.curator import csrf_token

    make_user(app, "editor", sites=("casablanca",))
    token = csrf_token(client, "/curator/login")
    response = client.post("/curator/login", data={"email": "editor\x00@dalil.example", "password": "x" * 20,
                                                   "csrf_token": token})
    assert response.status_code == 400


def test_editors_and_translators_never_reach_admin_pages(app, client):
    # Checklist row 16/8.2.2: admin-only pages answer 403 to every other role, for GET and POST.
    admin_only = ("/curator/users", "/curator/users/new", "/curator/audit", "/curator/audit.csv", "/curator/import",
                  "/curator/sites/casablanca/export.zip", "/curator/users/1")
    for role, languages in (("editor", ()), ("translator", ("fr",))):
        login(client, make_user(app, role, sites=("casablanca",), languages=languages))
        for url in admin_only:
            assert client.get(url).status_code == 403, (role, url)
        for url in ("/curator/users/new", "/curator/users/1", "/curator/users/1/disable", "/curator/import"):
            assert post(client, url, {"email": "x@dalil.example", "role": "admin"}).status_code == 403, (role, url)


def test_code_target_with_a_nul_is_a_400_not_a_500(app, client):
    # PostgreSQL refuses NUL in a query parameter: the target is refused before the lookup.
    login(client, make_user(app, "admin", sites=()))
    for url in ("/curator/sites/casablanca/codes/create", "/curator/codes/H3J4Y/retarget"):
        response = post(client, url, {"target": "hassan-ii-mosque\x00", "number": ""})
        assert response.status_code == 400, url


def test_every_cms_route_answers_405_to_a_method_it_does_not_take(app, client):
    # Checklist row 17: no state change by GET; a route's missing methods are 405, never 500 or 200.
    import re

    login(client, make_user(app, "admin", sites=()))
    values = {"slug": "casablanca", "kinds": "sites", "kind": "site", "page_lang": "fr", "code": "H3J4Y",
              "ext": "png", "user_id": "1", "number": "1", "event_id": "1"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/curator"):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(r"<(?:[^<>]+:)?" + name + ">", values[name], url)
        # Several rules may share a path (GET and POST views): ask what the path as a whole allows.
        allowed = set().union(*(other.methods for other in app.url_map.iter_rules() if other.rule == rule.rule))
        if "GET" not in allowed:
            assert client.get(url).status_code == 405, url
            checked += 1
        if "POST" not in allowed:
            assert post(client, url, {}).status_code == 405, url
            checked += 1
        assert client.delete(url).status_code == 405, url
    assert checked > 20


def test_user_form_with_a_nul_in_the_name_or_a_site_is_not_a_500(app, client):
    # PostgreSQL refuses NUL in text and in query parameters: a name is cleaned, a site slug refused.
    from guide.accounts.models import User
    from guide.extensions import db

    login(client, make_user(app, "admin", sites=()))
    target = make_user(app, "editor", sites=("casablanca",), email="target@dalil.example")
    site = {"name": "Nom", "role": "editor", "sites": "casablanca\x00"}
    assert post(client, f"/curator/users/{target.id}", site).status_code == 400
    assert post(client, "/curator/users/new", {**site, "email": "new@dalil.example",
                                               "password": "a long enough passphrase 2"}).status_code == 400
    name = {"name": "Nom\x00\u202e", "role": "editor", "sites": "casablanca"}
    assert post(client, f"/curator/users/{target.id}", name).status_code == 302
    with app.app_context():
        assert db.session.get(User, target.id).name == "Nom"


def test_schedule_at_the_edges_of_the_calendar_is_a_400_not_a_500(app, client):
    login(client, make_user(app, "editor", sites=("casablanca",)))
    for moment in ("0001-01-01T00:30", "2020-02-30T10:00", "10000-01-01T00:00", "2030-01-01T25:00"):
        response = post(client, f"{EDITOR_URL}/schedule", {"publish_at": moment})
        assert response.status_code == 400, moment


def test_keypad_number_with_leading_zeros_cannot_pass_the_range_check(app, client):
    # The range was checked on the first 7 digits only: "0000009999999999" passed as 9, then was stored whole.
    login(client, make_user(app, "admin", sites=()))
    for number in ("0000009999999999", "0000001000000"):
        response = post(client, "/curator/sites/casablanca/codes/create",
                        {"target": "hassan-ii-mosque", "number": number})
        assert response.status_code == 400, number


def test_dashboard_at_the_first_day_of_the_calendar_is_not_a_500(app, client):
    # The default first day is 30 days before the last: before 0001-01-01 there is no date.
    login(client, make_user(app, "admin", sites=()))
    for url in ("/curator/dashboard", "/curator/dashboard.csv"):
        for query in ({"to": "0001-01-01"}, {"to": "0001-01-05"}, {"from": "9999-12-31", "to": "9999-12-31"}):
            with client.get(url, query_string=query) as response:
                response.get_data()  # the CSV is streamed: read it whole
                assert response.status_code in (200, 400), (url, query)


def test_ids_beyond_the_database_integer_are_404_not_500(app, client):
    # PostgreSQL integers stop at 2**31 - 1; a bigger id in the URL is an unknown record.
    login(client, make_user(app, "admin", sites=()))
    huge = "99999999999"
    for url in (f"/curator/import/{huge}", f"/curator/users/{huge}"):
        assert client.get(url).status_code == 404, url
    for url in (f"/curator/users/{huge}/disable", f"{EDITOR_URL}/revisions/{huge}/restore"):
        assert post(client, url, {}).status_code == 404, url


def test_base_revision_beyond_the_database_integer_is_a_400(app, client):
    login(client, make_user(app, "editor", sites=("casablanca",)))
    before = head_number(app)
    response = save(client, editor_form(client), base_revision_id="99999999999", text__fr__name="Autre")
    assert response.status_code == 400
    assert head_number(app) == before
