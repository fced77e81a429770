"""The accounts blueprint, shared by the sign-in views and the users admin."""

from flask import Blueprint

from guide.curator.shell import attach

bp = Blueprint("accounts", __name__, url_prefix="/curator", template_folder="templates")
# The second-factor pages check the half-way session themselves.
attach(bp, public_endpoints=("login", "logout", "login_code", "second_factor", "second_factor_confirm"))
