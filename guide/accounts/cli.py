"""flask create-user and flask users: curator accounts from the command line."""

import sys

import click
from flask.cli import AppGroup
from flask.cli import with_appcontext
from sqlalchemy import select

from guide.accounts.models import User
from guide.accounts.passwords import PasswordError
from guide.accounts.services import AccountError
from guide.accounts.services import check_new_account
from guide.accounts.services import create_user
from guide.accounts.services import find_user
from guide.accounts.services import set_active
from guide.audit.services import record
from guide.extensions import db


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # One line; the newline is not part of the password, other spaces are.
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt="Password (again)")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True, help="The curator's email; it is the sign-in name.")
@click.option("--role", required=True, help="admin, editor or translator.")
@click.option("--site", "sites", multiple=True, metavar="SLUG", help="A site the account works on (repeat).")
@click.option("--language", "langs", multiple=True, metavar="LANG", help="A language a translator works in (repeat).")
@click.option("--name", default="", help="The curator's name, as colleagues see it.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def create_user_command(email, role, sites, langs, name, password_stdin):
    """Create a curator account; the password is asked twice unless --password-stdin."""
    try:
        check_new_account(email, role, sites, langs)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    password = _read_password(password_stdin)
    try:
        user = create_user(email, role, password, sites=sites, langs=langs, name=name)
    except (AccountError, PasswordError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    record("user.create", f"user:{user.email}", actor="cli", role=role, sites=list(sites), languages=list(langs))
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@click.group("users", cls=AppGroup)
def users_group():
    """List, disable and enable curator accounts."""


@users_group.command("list")
def list_command():
    """List every account: email, role, sites, languages, state."""
    for user in db.session.scalars(select(User).order_by(User.role, User.email)):
        scope = ",".join(site.slug for site in user.sites) or "*"
        state = "active" if user.active else "disabled"
        second = "2fa" if user.totp_confirmed else "-"
        click.echo(f"{user.email}\t{user.role}\t{scope}\t{','.join(user.languages) or '*'}\t{state}\t{second}")


def _set_active(email: str, active: bool) -> None:
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No account has the email {email}.")
    try:
        set_active(user, active)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    record("user.enable" if active else "user.disable", f"user:{user.email}", actor="cli")
    db.session.commit()
    click.echo(f"{'Enabled' if active else 'Disabled'} {user.email}.")


@users_group.command("disable")
@click.option("--email", required=True)
def disable_command(email):
    """Disable an account; its sessions end at once."""
    _set_active(email, False)


@users_group.command("enable")
@click.option("--email", required=True)
def enable_command(email):
    """Enable a disabled account."""
    _set_active(email, True)


commands = (create_user_command, users_group)
