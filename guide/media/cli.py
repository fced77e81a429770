"""flask media-variants: make the responsive copies of images stored before variants existed."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from guide.extensions import db
from guide.media.models import Image
from guide.media.models import MediaFile
from guide.media.services import make_missing_variants


@click.command("media-variants")
@with_appcontext
def media_variants_command():
    """Give every image of a monument or a stop its WebP and JPEG variants, if it lacks them."""
    files = db.session.scalars(select(MediaFile).where(MediaFile.sha256.in_(select(Image.media_sha256))))
    made = make_missing_variants(list(files))
    # Pages already rendered name the plain files: touching their images raises their sites'
    # versions (guide/versions.py), so every worker draws them again, with srcset.
    for image in db.session.scalars(select(Image).where(Image.media_sha256.in_(made))).unique():
        flag_modified(image, "media_sha256")
    db.session.commit()
    click.echo(f"Variants made for {len(made)} image(s).")


commands = (media_variants_command,)
