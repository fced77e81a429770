"""flask build-packs [--site SLUG]: the sites' offline packs, built before visitors ask for them."""

from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from guide.offline import services
from guide.offline import store


@click.command("build-packs")
@click.option("--site", "site_slug", default=None, help="Build only this site's packs.")
@with_appcontext
def build_packs_command(site_slug: str | None) -> None:
    """Build every site's offline packs and keep them in the media store shared by the servers."""
    if not store.sharing():
        raise click.ClickException(_("Servers read packs built here only from a shared store: set "
                                     "DALIL_SHARE_PACKS=1, or keep media in a bucket (DALIL_MEDIA_STORAGE)."))
    public = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    # Pack files are listed by the URLs a visitor's browser asks for.
    with current_app.test_request_context("/", base_url=f"{public.scheme}://{public.netloc}"):
        try:
            for built in services.build_packs(site_slug):
                click.echo(_("%(site)s (%(languages)s): %(files)d files, %(megabytes).1f MB, built in %(seconds).1f s",
                             site=built.site, languages=", ".join(built.languages), files=built.files,
                             megabytes=built.bytes / 1e6, seconds=built.seconds))
        except LookupError:
            raise click.ClickException(_("No site has this slug.")) from None


commands = (build_packs_command,)
