"""Signing in and out of the CMS, and the curator's own account page."""

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from guide.accounts import sessions
from guide.accounts.forms import LoginForm
from guide.accounts.services import authenticate
from guide.audit.services import record
from guide.curator.shell import attach
from guide.curator.shell import safe_next
from guide.extensions import db

bp = Blueprint("accounts", __name__, url_prefix="/curator", template_folder="templates")
attach(bp, public_endpoints=("login", "logout"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Check an email and password, then open a session (rotated: a new token each time)."""
    form = LoginForm()
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(url_for("curator.home"))
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            record("login", form.email.data, "failed", actor="", ip=True)
            db.session.commit()
            form.password.errors.append(_("The email or the password is wrong."))
            return render_template("accounts/login.html", form=form), 400
        sessions.start_session(user, verified=True)
        login_user(sessions.load_curator(""))
        record("login", user.email, actor=user.email, ip=True)
        db.session.commit()
        return redirect(safe_next(request.args.get("next")) or url_for("curator.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    """End this browser's session on the server, so a copied cookie opens nothing."""
    if current_user.is_authenticated:
        record("logout", current_user.email)
    sessions.end_session()
    logout_user()
    db.session.commit()
    flash(_("You are signed out."), "info")
    response = redirect(url_for("accounts.login"))
    # Not "cache": that would also wipe the guides saved for offline use.
    response.headers["Clear-Site-Data"] = '"cookies"'
    return response


@bp.get("/account")
def account():
    """Show the curator's own account: role, sites, languages and open sessions."""
    return render_template("accounts/account.html", sessions=sessions.sessions_of(current_user.user))
