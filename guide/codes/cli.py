"""flask codes: create, retarget, retire and list plaque codes, and show their scans."""

from datetime import timedelta

import click
from flask.cli import AppGroup

from guide.codes.services import CodeError
from guide.codes.services import codes_in_site
from guide.codes.services import create_code
from guide.codes.services import find_code
from guide.codes.services import retarget_code
from guide.codes.services import retire_code
from guide.codes.stats import flush_scans
from guide.codes.stats import local_day
from guide.codes.stats import scan_totals
from guide.extensions import db
from guide.monuments.services import get_monument
from guide.monuments.services import get_stop
from guide.sites.services import get_site


@click.group("codes", cls=AppGroup)
def codes_group():
    """Create, retarget and retire plaque codes; list them and their scans."""


def _target(monument_slug: str, stop_slug: str | None):
    monument = get_monument(monument_slug)
    if monument is None:
        raise click.ClickException(f"No monument has the slug {monument_slug}.")
    stop = None
    if stop_slug is not None:
        stop = get_stop(monument, stop_slug)
        if stop is None:
            raise click.ClickException(f"{monument_slug} has no stop {stop_slug}.")
    return monument, stop


def _code(raw: str):
    code = find_code(raw.strip().upper())
    if code is None:
        raise click.ClickException(f"No plaque carries the code {raw[:32]}.")
    return code


@codes_group.command("create")
@click.option("--monument", "monument_slug", required=True)
@click.option("--stop", "stop_slug")
@click.option("--number", type=click.IntRange(1, 999_999), help="Keypad number; default: the next free one.")
def create_command(monument_slug, stop_slug, number):
    """Give a monument or one of its stops a new permanent code."""
    monument, stop = _target(monument_slug, stop_slug)
    try:
        code = create_code(monument, stop, number)
    except CodeError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"{code.code}  number {code.number}  -> {_describe(code)}")


@codes_group.command("retarget")
@click.argument("code")
@click.option("--monument", "monument_slug", required=True)
@click.option("--stop", "stop_slug")
def retarget_command(code, monument_slug, stop_slug):
    """Point CODE at another monument or stop; its printed plaque stays valid."""
    row = _code(code)
    monument, stop = _target(monument_slug, stop_slug)
    try:
        retarget_code(row, monument, stop)
    except CodeError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"{row.code}  -> {_describe(row)}")


@codes_group.command("retire")
@click.argument("code")
def retire_command(code):
    """Take CODE out of service for good; scanning it shows a friendly 410 page."""
    row = _code(code)
    try:
        retire_code(row)
    except CodeError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"{row.code}  retired")


@codes_group.command("list")
@click.option("--site", "site_slug", required=True)
def list_command(site_slug):
    """List a site's codes by keypad number, with their targets."""
    site = get_site(site_slug)
    if site is None:
        raise click.ClickException(f"No site has the slug {site_slug}.")
    for code in codes_in_site(site):
        state = "retired" if code.is_retired else _describe(code)
        click.echo(f"{code.number:>5}  {code.code}  {state}")


@codes_group.command("stats")
@click.option("--site", "site_slug")
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True)
def stats_command(site_slug, days):
    """Show scans per code, language and channel over the last DAYS local days."""
    site = get_site(site_slug) if site_slug else None
    if site_slug and site is None:
        raise click.ClickException(f"No site has the slug {site_slug}.")
    flush_scans()
    today = local_day()
    totals = scan_totals(today - timedelta(days=days - 1), today, site.id if site else None)
    for total in totals:
        click.echo(f"{total.code}  {total.lang:<4} {total.channel:<7} {total.count:>8}")
    click.echo(f"{sum(total.count for total in totals)} scan(s) in {days} day(s).")


def _describe(code) -> str:
    monument = code.target_monument
    return f"{monument.slug}/{code.stop.slug}" if code.stop else monument.slug


commands = (codes_group,)
