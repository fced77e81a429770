"""Administrators manage curator accounts: create, scope, disable, end sessions, reset the second factor."""

from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from guide.accounts import sessions
from guide.accounts import totp
from guide.accounts.blueprint import bp
from guide.accounts.forms import ActionForm
from guide.accounts.forms import NewUserForm
from guide.accounts.forms import SetPasswordForm
from guide.accounts.forms import UserForm
from guide.accounts.models import ROLES
from guide.accounts.passwords import PasswordError
from guide.accounts.permissions import require
from guide.accounts.services import AccountError
from guide.accounts.services import DuplicateAccount
from guide.accounts.services import create_user
from guide.accounts.services import get_user
from guide.accounts.services import list_users
from guide.accounts.services import set_active
from guide.accounts.services import set_password
from guide.accounts.services import update_user
from guide.audit.services import record
from guide.curator.shell import menu_item
from guide.curator.shell import role_label
from guide.errors import abort
from guide.extensions import db
from guide.i18n import current_language
from guide.i18n import language_name
from guide.i18n import languages
from guide.sites.models import Site
from guide.text import pick

menu_item("accounts.users", _l("Users"), "users")


def _site_name(site: Site) -> str:
    # A site never published has no public texts yet: its slug names it.
    text = pick(site.texts, current_language())
    return text.name if text else site.slug


def _choices(form: UserForm) -> UserForm:
    form.role.choices = [(role, role_label(role)) for role in ROLES]
    form.sites.choices = [(site.slug, _site_name(site)) for site in db.session.scalars(
        select(Site).order_by(Site.position, Site.slug))]
    form.languages.choices = [(code, language_name(code)) for code in languages()]
    return form


def _target(user) -> str:
    return f"user:{user.email}"


def _user_or_404(user_id: int):
    require("users")
    user = get_user(user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users")
def users():
    """List every account with its role, scope and state."""
    require("users")
    return render_template("accounts/users.html", users=list_users(), action_form=ActionForm())


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    """Create an account with a role, sites, languages and an initial password."""
    require("users")
    form = _choices(NewUserForm())
    if not form.is_submitted():
        form.role.data = "editor"
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.role.data, form.password.data, sites=form.sites.data,
                               langs=form.languages.data, name=form.name.data or "")
        except DuplicateAccount as error:
            db.session.rollback()
            form.email.errors.append(str(error))
            return render_template("accounts/user_form.html", form=form, user=None), 409
        except PasswordError as error:
            db.session.rollback()
            form.password.errors.append(str(error))
        except AccountError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            record("user.create", _target(user), role=user.role, sites=list(form.sites.data),
                   languages=list(form.languages.data))
            db.session.commit()
            flash(_("The account %(email)s is created.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Change an account's name, role, sites and languages."""
    user = _user_or_404(user_id)
    form = _choices(UserForm())
    if not form.is_submitted():
        form.name.data = user.name
        form.role.data = user.role
        form.sites.data = [site.slug for site in user.sites]
        form.languages.data = list(user.languages)
    if form.validate_on_submit():
        try:
            update_user(user, form.role.data, sites=form.sites.data, langs=form.languages.data,
                        name=form.name.data or "")
        except AccountError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
            user = get_user(user_id)
        else:
            record("user.update", _target(user), role=user.role, sites=list(form.sites.data),
                   languages=list(form.languages.data))
            db.session.commit()
            flash(_("The account %(email)s is saved.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    status = 400 if form.is_submitted() else 200
    return _edit_page(user, form, status=status)


def _edit_page(user, form=None, password_form=None, status: int = 200):
    form = form or _choices(UserForm(formdata=None, data={
        "name": user.name, "role": user.role, "sites": [site.slug for site in user.sites],
        "languages": list(user.languages)}))
    return render_template("accounts/user_form.html", form=form, user=user, action_form=ActionForm(),
                           password_form=password_form or SetPasswordForm(formdata=None),
                           sessions=sessions.sessions_of(user)), status


@bp.post("/users/<int:user_id>/password")
def set_user_password(user_id: int):
    """Give an account a new password (it forgot its own); its sessions end."""
    user = _user_or_404(user_id)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            set_password(user, form.new_password.data)
        except PasswordError as error:
            db.session.rollback()
            form.new_password.errors.append(str(error))
        else:
            record("user.password", _target(user))
            db.session.commit()
            flash(_("The password of %(email)s is changed; its sessions are ended.", email=user.email), "success")
            return redirect(url_for("accounts.edit_user", user_id=user.id))
    return _edit_page(user, password_form=form, status=400)


def _action(user_id: int):
    user = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return user


@bp.post("/users/<int:user_id>/disable")
def disable_user(user_id: int):
    """Disable an account: it can no longer sign in, and its sessions end now."""
    user = _action(user_id)
    if user.id == current_user.id:
        abort(400, _("You cannot disable your own account."))
    try:
        set_active(user, False)
    except AccountError as error:
        abort(409, str(error))
    record("user.disable", _target(user))
    db.session.commit()
    flash(_("The account %(email)s is disabled.", email=user.email), "success")
    return redirect(url_for("accounts.users"))


@bp.post("/users/<int:user_id>/enable")
def enable_user(user_id: int):
    """Enable a disabled account again."""
    user = _action(user_id)
    set_active(user, True)
    record("user.enable", _target(user))
    db.session.commit()
    flash(_("The account %(email)s is enabled.", email=user.email), "success")
    return redirect(url_for("accounts.users"))


@bp.post("/users/<int:user_id>/end-sessions")
def end_user_sessions(user_id: int):
    """End every session of an account (this browser's stays if it is one's own)."""
    user = _action(user_id)
    count = sessions.end_all_sessions(user, keep_current=user.id == current_user.id)
    record("user.end_sessions", _target(user), count=count)
    db.session.commit()
    flash(_("The sessions of %(email)s are ended.", email=user.email), "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/reset-2fa")
def reset_second_factor(user_id: int):
    """Forget an account's second factor (a lost phone); it sets one up again at its next sign-in."""
    user = _action(user_id)
    totp.remove_second_factor(user)
    sessions.end_all_sessions(user, keep_current=user.id == current_user.id)
    record("user.reset_2fa", _target(user))
    db.session.commit()
    flash(_("The second factor of %(email)s is reset.", email=user.email), "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))
