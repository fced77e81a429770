"""flask revisions (list, show, restore), flask publish, unpublish and submit: for operators, before the CMS."""

import functools
import json
from datetime import datetime

import click
from flask.cli import AppGroup
from flask.cli import with_appcontext

from guide.codes.services import find_code
from guide.extensions import db
from guide.publishing.services import PublishingError
from guide.publishing.services import find_record
from guide.publishing.services import get_revision
from guide.publishing.services import list_revisions
from guide.publishing.services import publish
from guide.publishing.services import restore
from guide.publishing.services import schedule
from guide.publishing.services import submit_for_review
from guide.publishing.services import unpublish
from guide.timeutil import as_utc

AUTHOR = "cli"


def record_options(codes: bool = False):
    """Add --monument SLUG / --site SLUG (and --code CODE when codes) to a command, handing it (kind, key)."""

    def decorate(command):
        @click.option("--monument", "monument_slug", help="The monument (slug).")
        @click.option("--site", "site_slug", help="The site (slug).")
        @click.option("--tour", "tour_slug", help="The walking tour (slug).")
        @functools.wraps(command)
        def wrapper(monument_slug, site_slug, tour_slug, code=None, **kwargs):
            given = [(kind, key) for kind, key in (("monument", monument_slug), ("site", site_slug),
                                                    ("tour", tour_slug), ("code", code)) if key]
            if len(given) != 1:
                # The first sentence is the one scripts knew before tours; --tour came with them.
                raise click.UsageError(f"Give one of --monument, --site{', --code' if codes else ''}. "
                                       "For a walking tour, give --tour.")
            kind, key = given[0]
            key = key.strip().upper() if kind == "code" else key
            if _record(kind, key) is None:
                raise click.ClickException(f"No {kind} has the key {key}.")
            try:
                return command(kind, key, **kwargs)
            except PublishingError as error:
                raise click.ClickException(str(error)) from None

        return click.option("--code", help="The plaque code.")(wrapper) if codes else wrapper

    return decorate


def _record(kind: str, key: str):
    return find_code(key) if kind == "code" else find_record(kind, key)


@click.group("revisions", cls=AppGroup)
def revisions_group():
    """List, show and restore the revisions of a site or monument (list and show: of a code too)."""


@revisions_group.command("list")
@record_options(codes=True)
def list_command(kind, key):
    """List a record's revisions, oldest first, marking its head and published one."""
    record = _record(kind, key)
    for revision in list_revisions(kind, key):
        marks = [mark for mark, revision_id in (("head", record.head_revision_id),
                                                 ("published", getattr(record, "published_revision_id", None)))
                 if revision.id == revision_id]
        when = as_utc(revision.created_dt).strftime("%Y-%m-%d %H:%M")
        click.echo(f"{revision.number:>4}  {when}  {revision.author}  {' '.join(marks)}  {revision.comment}".rstrip())
    if kind == "code":
        click.echo("retired" if record.is_retired else "in service")
    else:
        click.echo(f"state {record.state}, {'live' if record.live else 'not live'}")


@revisions_group.command("show")
@record_options(codes=True)
@click.argument("number", type=int)
def show_command(kind, key, number):
    """Print revision NUMBER of a record as JSON."""
    revision = get_revision(kind, key, number)
    if revision is None:
        raise click.ClickException(f"{key} has no revision {number}.")
    click.echo(json.dumps(revision.data, ensure_ascii=False, indent=2))


@revisions_group.command("restore")
@record_options()
@click.argument("number", type=int)
def restore_command(kind, key, number):
    """Save revision NUMBER again as the record's new draft (publish it after)."""
    revision = restore(kind, key, number, AUTHOR, find_record(kind, key).head_revision_id)
    db.session.commit()
    click.echo(f"{kind} {key}: revision {revision.number} saved as a draft, from revision {number}.")


@click.command("publish")
@with_appcontext
@record_options()
@click.option("--revision", "number", type=int, help="Publish this revision (default: the latest).")
@click.option("--at", "at", type=click.DateTime(formats=["%Y-%m-%d %H:%M"]),
              help='Publish the latest revision at this Africa/Casablanca time, "YYYY-MM-DD HH:MM".')
def publish_command(kind, key, number, at: datetime | None):
    """Show a site or monument to visitors now, or at a set time."""
    if at is not None:
        if number is not None:
            raise click.UsageError("--at publishes the latest revision; leave out --revision.")
        record = schedule(kind, key, at)
        db.session.commit()
        click.echo(f"{kind} {key}: publication at {as_utc(record.publish_at):%Y-%m-%d %H:%M} UTC.")
        return
    revision_id = None
    if number is not None:
        revision = get_revision(kind, key, number)
        if revision is None:
            raise click.ClickException(f"{key} has no revision {number}.")
        revision_id = revision.id
    revision = publish(kind, key, revision_id, AUTHOR)
    db.session.commit()
    click.echo(f"{kind} {key}: revision {revision.number} published.")


@click.command("unpublish")
@with_appcontext
@record_options()
def unpublish_command(kind, key):
    """Hide a site or monument from visitors; its revisions stay."""
    unpublish(kind, key)
    db.session.commit()
    click.echo(f"{kind} {key}: unpublished.")


@click.command("submit")
@with_appcontext
@record_options()
def submit_command(kind, key):
    """Mark a site's or monument's draft as waiting for review."""
    submit_for_review(kind, key)
    db.session.commit()
    click.echo(f"{kind} {key}: submitted for review.")


commands = (revisions_group, publish_command, unpublish_command, submit_command)
