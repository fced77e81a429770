"""Administrators manage accounts in the CMS, and `flask create-user` / `flask users` on the command line."""

import pytest
from sqlalchemy import func
from sqlalchemy import select

from guide.accounts.models import CuratorSession
from guide.accounts.models import User
from guide.accounts.passwords import verify_password
from guide.audit.models import AuditEvent
from guide.extensions import db
from tests.curator import PASSWORD
from tests.curator import login
from tests.curator import make_user
from tests.curator import post

NEW_PASSWORD = "another long passphrase"


def admin_client(app, client):
    admin = make_user(app, "admin", sites=(), email="boss@dalil.example")
    login(client, admin)
    return admin


def account(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            user.sites, user.language_rows  # noqa: B018  (loaded before detaching)
            db.session.expunge(user)
        return user


def audit_actions(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(e.action, e.target, e.outcome) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def session_count(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CuratorSession).where(CuratorSession.user_id == user_id))


def create(client, token_from="/curator/users/new", **fields):
    data = {"email": "new@dalil.example", "name": "Nadia", "role": "translator", "sites": ["fes"],
            "languages": ["ar"], "password": NEW_PASSWORD, **fields}
    return post(client, "/curator/users/new", data, token_from=token_from)


# --- who may -----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["editor", "translator"])
def test_only_admins_reach_the_users_pages(app, client, role):
    user = make_user(app, role, languages=("ar",) if role == "translator" else ())
    login(client, user)
    assert client.get("/curator/users").status_code == 403
    assert client.get(f"/curator/users/{user.id}").status_code == 403
    assert create(client, token_from="/curator/").status_code == 403
    assert account(app, "new@dalil.example") is None
    assert ("refused.users", "", "refused") in audit_actions(app)
    assert "/curator/users" not in client.get("/curator/").get_data(as_text=True)


def test_admin_sees_the_menu_entry_and_the_list(app, client):
    admin_client(app, client)
    make_user(app, "editor")
    home = client.get("/curator/").get_data(as_text=True)
    assert 'href="/curator/users"' in home
    assert 'href="/curator/audit"' in home
    page = client.get("/curator/users")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "boss@dalil.example" in html
    assert "editor-casablanca-all@dalil.example" in html


def test_unknown_user_is_404(app, client):
    admin_client(app, client)
    assert client.get("/curator/users/999999").status_code == 404


# --- create ----------------------------------------------------------------------------------------

def test_admin_creates_a_translator(app, client):
    admin_client(app, client)
    response = create(client, email="  Nadia@Dalil.Example ")
    assert response.status_code == 302, response.get_data(as_text=True)
    user = account(app, "nadia@dalil.example")
    assert user.role == "translator"
    assert user.name == "Nadia"
    assert [site.slug for site in user.sites] == ["fes"]
    assert user.languages == ("ar",)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert ("user.create", "user:nadia@dalil.example", "ok") in audit_actions(app)


@pytest.mark.parametrize("spelling", ["Curator@dalil.example", "CURATOR@DALIL.EXAMPLE", "ｃｕｒａｔｏｒ@dalil.example",
                                      "curator@ｄａｌｉｌ.example", " curator@dalil.example "])
def test_look_alike_emails_are_one_account(app, client, spelling):
    admin_client(app, client)
    assert create(client, email="curator@dalil.example").status_code == 302
    duplicate = create(client, email=spelling)
    assert duplicate.status_code == 409
    assert "Un compte existe déjà" in duplicate.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.email.like("%curator%"))) == 1


def test_kelvin_sign_folds_into_k(app, client):
    admin_client(app, client)
    assert create(client, email="kamal@dalil.example").status_code == 302
    assert create(client, email="\u212aamal@dalil.example").status_code == 409


@pytest.mark.parametrize(("fields", "message"), [
    ({"email": "not-an-email"}, "adresse e-mail valide"),
    ({"role": "owner"}, "Le rôle doit être"),
    ({"sites": ["atlantis"]}, "atlantis"),
    ({"languages": ["de"]}, "Langue inconnue"),
    ({"languages": []}, "au moins une langue"),
    ({"sites": [], "role": "editor"}, "au moins un site"),
    ({"password": "short"}, "au moins 12 caractères"),
    ({"password": "password1234"}, "plus courants"),
])
def test_bad_new_account_is_a_translated_400_and_keeps_what_was_typed(app, client, fields, message):
    admin_client(app, client)
    response = create(client, name="Nadia Bennani", **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'value="Nadia Bennani"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


# --- edit, disable, sessions, second factor ------------------------------------------------------

def test_admin_changes_role_sites_and_languages(app, client):
    admin_client(app, client)
    user = make_user(app, "translator", sites=("casablanca",), languages=("ar",))
    page = client.get(f"/curator/users/{user.id}")
    assert page.status_code == 200
    response = post(client, f"/curator/users/{user.id}", {"name": "Omar", "role": "editor",
                                                           "sites": ["fes", "rabat"]},
                    token_from=f"/curator/users/{user.id}")
    assert response.status_code == 302
    changed = account(app, user.email)
    assert changed.role == "editor"
    assert changed.name == "Omar"
    assert sorted(site.slug for site in changed.sites) == ["fes", "rabat"]
    assert changed.languages == ()
    assert ("user.update", f"user:{user.email}", "ok") in audit_actions(app)


def test_last_admin_cannot_be_demoted_nor_disabled(app, client):
    admin = admin_client(app, client)
    response = post(client, f"/curator/users/{admin.id}", {"role": "editor", "sites": ["fes"]},
                    token_from=f"/curator/users/{admin.id}")
    assert response.status_code == 400
    assert "dernier administrateur" in response.get_data(as_text=True)
    assert account(app, admin.email).role == "admin"
    assert post(client, f"/curator/users/{admin.id}/disable", {}).status_code == 400


def test_disabling_ends_the_sessions_and_enabling_lets_back_in(app, client):
    admin_client(app, client)
    user = make_user(app, "editor")
    other = app.test_client()
    login(other, user)
    assert other.get("/curator/").status_code == 200
    response = post(client, f"/curator/users/{user.id}/disable", {})
    assert response.status_code == 302
    assert session_count(app, user.id) == 0
    assert other.get("/curator/").status_code == 302
    assert not account(app, user.email).active
    assert post(client, f"/curator/users/{user.id}/enable", {}).status_code == 302
    assert account(app, user.email).active
    actions = [action for action, _target, _outcome in audit_actions(app)]
    assert "user.disable" in actions
    assert "user.enable" in actions


def test_admin_ends_someone_s_sessions(app, client):
    admin_client(app, client)
    user = make_user(app, "editor")
    login(app.test_client(), user)
    login(app.test_client(), user)
    assert session_count(app, user.id) == 2
    assert post(client, f"/curator/users/{user.id}/end-sessions", {}).status_code == 302
    assert session_count(app, user.id) == 0
    assert ("user.end_sessions", f"user:{user.email}", "ok") in audit_actions(app)


def test_admin_resets_a_second_factor(app, client):
    admin_client(app, client)
    user = make_user(app, "admin", sites=(), email="lost-phone@dalil.example", totp_secret="JBSWY3DPEHPK3PXP")
    assert post(client, f"/curator/users/{user.id}/reset-2fa", {}).status_code == 302
    reset = account(app, user.email)
    assert not reset.totp_confirmed
    assert reset.totp_secret is None
    # At the next sign-in the admin sets a new one up.
    browser = app.test_client()
    response = post(browser, "/curator/login", {"email": user.email, "password": PASSWORD}, token_from="/curator/login")
    assert response.headers["Location"] == "/curator/account/2fa"


def test_actions_need_post_and_a_csrf_token(app, client):
    admin_client(app, client)
    user = make_user(app, "editor")
    assert client.get(f"/curator/users/{user.id}/disable").status_code == 405
    assert client.post(f"/curator/users/{user.id}/disable").status_code == 400
    assert account(app, user.email).active


# --- command line --------------------------------------------------------------------------------

def test_create_user_with_password_on_stdin(app, runner):
    result = runner.invoke(args=["create-user", "--email", "Admin@Dalil.Example", "--role", "admin",
                                 "--password-stdin"], input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    user = account(app, "admin@dalil.example")
    assert user.role == "admin"
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert ("user.create", "user:admin@dalil.example", "ok") in audit_actions(app)


def test_create_user_prompts_twice(app, runner):
    result = runner.invoke(args=["create-user", "--email", "t@dalil.example", "--role", "translator",
                                 "--site", "casablanca", "--site", "fes", "--language", "fr"],
                           input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output
    user = account(app, "t@dalil.example")
    assert sorted(site.slug for site in user.sites) == ["casablanca", "fes"]
    assert user.languages == ("fr",)


def test_create_user_prompt_mismatch_asks_again(app, runner):
    result = runner.invoke(args=["create-user", "--email", "t@dalil.example", "--role", "editor",
                                 "--site", "fes"], input=f"{NEW_PASSWORD}\nsomething else\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert account(app, "t@dalil.example") is not None


@pytest.mark.parametrize("args", [
    ["--role", "owner"],
    ["--role", "editor", "--site", "atlantis"],
    ["--role", "editor"],
    ["--role", "translator", "--site", "fes", "--language", "de"],
    ["--role", "translator", "--site", "fes"],
])
def test_create_user_refuses_bad_scope_with_exit_code_1(app, runner, args):
    result = runner.invoke(args=["create-user", "--email", "x@dalil.example", *args, "--password-stdin"],
                           input=NEW_PASSWORD + "\n")
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output
    assert account(app, "x@dalil.example") is None


def test_create_user_refuses_a_weak_password_and_a_duplicate(app, runner):
    weak = runner.invoke(args=["create-user", "--email", "x@dalil.example", "--role", "admin", "--password-stdin"],
                         input="password1234\n")
    assert weak.exit_code == 1
    assert account(app, "x@dalil.example") is None
    make_user(app, "editor", email="taken@dalil.example")
    duplicate = runner.invoke(args=["create-user", "--email", "TAKEN@dalil.example", "--role", "admin",
                                    "--password-stdin"], input=NEW_PASSWORD + "\n")
    assert duplicate.exit_code == 1


def test_users_list_and_disable(app, runner):
    user = make_user(app, "editor")
    login(app.test_client(), user)
    listed = runner.invoke(args=["users", "list"])
    assert listed.exit_code == 0
    assert user.email in listed.output
    disabled = runner.invoke(args=["users", "disable", "--email", user.email.upper()])
    assert disabled.exit_code == 0, disabled.output
    assert not account(app, user.email).active
    assert session_count(app, user.id) == 0
    assert runner.invoke(args=["users", "disable", "--email", "nobody@dalil.example"]).exit_code == 1
    assert runner.invoke(args=["users", "enable", "--email", user.email]).exit_code == 0
    assert account(app, user.email).active
