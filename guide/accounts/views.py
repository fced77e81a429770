"""Signing in and out of the CMS (password, then the second factor), and the curator's own account."""

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from guide.accounts import admin  # noqa: F401  (the users admin routes, on the same blueprint)
from guide.accounts import sessions
from guide.accounts import totp
from guide.accounts.blueprint import bp
from guide.accounts.forms import ActionForm
from guide.accounts.forms import CodeForm
from guide.accounts.forms import DisableSecondFactorForm
from guide.accounts.forms import LoginForm
from guide.accounts.forms import PasswordChangeForm
from guide.accounts.forms import ReauthForm
from guide.accounts.passwords import PasswordError
from guide.accounts.services import AccountError
from guide.accounts.services import authenticate
from guide.accounts.services import change_password
from guide.accounts.services import check_own_password
from guide.accounts.services import needs_second_factor
from guide.accounts.services import requires_second_factor
from guide.accounts.throttling import code_limits
from guide.accounts.throttling import password_limits
from guide.audit.services import record
from guide.curator.shell import safe_next
from guide.errors import abort
from guide.extensions import db

__all__ = ["bp"]
# Where to go once the second factor is given: kept in the session across the two steps.
NEXT_KEY = "curator_next"


def _finish_sign_in(user, target: str | None):
    login_user(sessions.load_curator(""))
    return redirect(safe_next(target) or url_for("curator.home"))


@bp.route("/login", methods=["GET", "POST"])
@password_limits
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
        target = safe_next(request.args.get("next"))
        if needs_second_factor(user):
            sessions.start_session(user, verified=False)
            if target:
                session[NEXT_KEY] = target
            record("login", user.email, actor=user.email, ip=True, step="password")
            db.session.commit()
            return redirect(url_for("accounts.login_code" if user.totp_confirmed else "accounts.second_factor"))
        sessions.start_session(user, verified=True)
        record("login", user.email, actor=user.email, ip=True)
        db.session.commit()
        return _finish_sign_in(user, target)
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/login/code", methods=["GET", "POST"])
@code_limits
def login_code():
    """Ask the second factor (a TOTP code or a recovery code) after the password."""
    pending = sessions.pending_record()
    if pending is None:
        return redirect(url_for("accounts.login"))
    user = pending.user
    if not user.totp_confirmed:
        return redirect(url_for("accounts.second_factor"))
    form = CodeForm()
    if form.validate_on_submit():
        method = "totp"
        accepted = totp.check_code(user, form.code.data)
        if not accepted and totp.looks_like_recovery(form.code.data):
            method = "recovery"
            accepted = totp.use_recovery_code(user, form.code.data)
        if not accepted:
            record("login.code", user.email, "failed", actor=user.email, ip=True)
            db.session.commit()
            form.code.errors.append(_("This code is wrong or was already used."))
            return render_template("accounts/code.html", form=form), 400
        target = session.get(NEXT_KEY)
        sessions.verify_session(user)
        record("login.code", user.email, actor=user.email, ip=True, method=method)
        db.session.commit()
        if method == "recovery":
            left = totp.recovery_codes_left(user)
            flash(ngettext("You used a recovery code; %(num)d is left. Make new ones from your account.",
                           "You used a recovery code; %(num)d are left. Make new ones from your account.",
                           left), "info")
        return _finish_sign_in(user, target)
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/code.html", form=form), status


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


def _account_page(password_form=None, status: int = 200):
    user = current_user.user
    return render_template(
        "accounts/account.html", sessions=sessions.sessions_of(user), form=password_form or PasswordChangeForm(),
        action_form=ActionForm(), recovery_left=totp.recovery_codes_left(user) if user.totp_confirmed else 0,
        second_factor_required=requires_second_factor(user),
    ), status


@bp.get("/account")
def account():
    """Show the curator's own account: role, sites, languages, password, second factor and sessions."""
    return _account_page()


@bp.post("/account/password")
def password():
    """Change one's password (current one, new one twice); the other sessions end."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_password(current_user.user, form.current_password.data, form.new_password.data,
                            form.new_password_again.data)
        except (AccountError, PasswordError) as error:
            record("account.password", current_user.email, "failed")
            db.session.commit()
            form.new_password.errors.append(str(error))
        else:
            user = current_user.user
            record("account.password", user.email)
            # A new session id as well: a cookie copied before the change opens nothing after it.
            sessions.verify_session(user)
            login_user(sessions.load_curator(""))
            db.session.commit()
            flash(_("Your password is changed. Your other sessions are ended."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(form, 400)


@bp.post("/account/sessions/end-others")
def end_other_sessions():
    """End every session of this account but this browser's."""
    if not ActionForm().validate_on_submit():
        abort(400)
    count = sessions.end_all_sessions(current_user.user, keep_current=True)
    record("account.end_sessions", current_user.email, count=count)
    db.session.commit()
    flash(ngettext("%(num)d other session ended.", "%(num)d other sessions ended.", count), "success")
    return redirect(url_for("accounts.account"))


def _second_factor_user():
    """Return (user, half-way?) for the second-factor pages, or (None, False) to go sign in."""
    if current_user.is_authenticated:
        return current_user.user, False
    pending = sessions.pending_record()
    if pending is not None and not pending.user.totp_confirmed and requires_second_factor(pending.user):
        return pending.user, True
    return None, False


def _second_factor_page(user, pending: bool, form=None, reauth=None, disable=None, status: int = 200):
    if not user.totp_confirmed:
        totp.start_enrolment(user)
        db.session.commit()
        return render_template(
            "accounts/enrol.html", form=form or CodeForm(), pending=pending, secret=user.totp_secret,
            qr=totp.qr_data_uri(totp.provisioning_uri(user)),
        ), status
    return render_template(
        "accounts/second_factor.html", reauth=reauth or ReauthForm(), disable=disable or DisableSecondFactorForm(),
        recovery_left=totp.recovery_codes_left(user), required=requires_second_factor(user),
    ), status


@bp.get("/account/2fa")
def second_factor():
    """Set up the authenticator app (QR code and secret), or manage it once set up."""
    user, pending = _second_factor_user()
    if user is None:
        if sessions.pending_record() is not None:
            return redirect(url_for("accounts.login_code"))
        return redirect(url_for("accounts.login"))
    return _second_factor_page(user, pending)


@bp.post("/account/2fa")
def second_factor_confirm():
    """Switch the second factor on with a first code; show the recovery codes, once."""
    user, pending = _second_factor_user()
    if user is None:
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    codes = totp.confirm_enrolment(user, form.code.data) if form.validate_on_submit() else None
    if codes is None:
        if form.code.data and not form.code.errors:
            form.code.errors.append(_("This code is wrong. Check the phone's clock and try the next code."))
        record("2fa.enable", user.email, "failed", actor=user.email)
        db.session.commit()
        return _second_factor_page(user, pending, form=form, status=400)
    target = None
    if pending:
        target = session.get(NEXT_KEY)
        sessions.verify_session(user)
        login_user(sessions.load_curator(""))
    record("2fa.enable", user.email, actor=user.email)
    db.session.commit()
    return render_template("accounts/recovery_codes.html", codes=codes,
                           next_url=safe_next(target) or url_for("curator.home"))


@bp.post("/account/2fa/recovery")
def recovery_codes():
    """Replace the recovery codes after the password is given again; show the new ones once."""
    user = current_user.user
    form = ReauthForm()
    if not user.totp_confirmed:
        return redirect(url_for("accounts.second_factor"))
    if not form.validate_on_submit() or not check_own_password(user, form.password.data):
        if form.password.data and not form.password.errors:
            form.password.errors.append(_("The password is wrong."))
        record("2fa.recovery_codes", user.email, "failed")
        db.session.commit()
        return _second_factor_page(user, False, reauth=form, status=400)
    codes = totp.new_recovery_codes(user)
    record("2fa.recovery_codes", user.email)
    db.session.commit()
    return render_template("accounts/recovery_codes.html", codes=codes, next_url=url_for("accounts.account"))


@bp.post("/account/2fa/disable")
def second_factor_disable():
    """Switch the second factor off (password and a code); refused where the role requires it."""
    user = current_user.user
    if requires_second_factor(user):
        record("2fa.disable", user.email, "refused")
        db.session.commit()
        abort(403, _("Your role must use a second factor: it cannot be switched off."))
    if not user.totp_confirmed:
        return redirect(url_for("accounts.second_factor"))
    form = DisableSecondFactorForm()
    valid = form.validate_on_submit()
    if valid and not check_own_password(user, form.password.data):
        form.password.errors.append(_("The password is wrong."))
        valid = False
    if valid and not (totp.check_code(user, form.code.data) or totp.use_recovery_code(user, form.code.data)):
        form.code.errors.append(_("This code is wrong or was already used."))
        valid = False
    if not valid:
        record("2fa.disable", user.email, "failed")
        db.session.commit()
        return _second_factor_page(user, False, disable=form, status=400)
    totp.remove_second_factor(user)
    record("2fa.disable", user.email)
    db.session.commit()
    flash(_("The second factor is switched off."), "success")
    return redirect(url_for("accounts.account"))
