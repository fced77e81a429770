"""What is not published does not exist for visitors: pages, API and lists filter on live."""

import copy
import json

import pytest
from sqlalchemy import select

from guide.codes.format import new_code
from guide.codes.models import Code
from guide.extensions import db
from guide.publishing.models import Revision
from guide.publishing.services import find_record
from guide.publishing.services import save
from guide.publishing.services import unpublish

# The live filter on visitors' reads is guide/published.py (issue 8, the reads part): these
# tests run once it is there.
pytest.importorskip("guide.published")

MOSQUE = "hassan-ii-mosque"
MOSQUE_CODE = "H3J4Y"
CURATOR = "curator@example.org"


def body(response) -> str:
    return json.dumps(response.get_json(), ensure_ascii=False) if response.is_json else response.text


def new_monument_data() -> dict:
    """A record for a new Casablanca monument, copied from an existing one."""
    data = copy.deepcopy(db.session.get(Revision, find_record("monument", "villa-des-arts").head_revision_id).data)
    code = new_code(set(db.session.scalars(select(Code.code))))
    data.update(slug="new-place", code=code, number=900, stops=[])
    return data


def test_an_unpublished_monument_is_gone_for_visitors(app, client):
    with app.app_context():
        unpublish("monument", MOSQUE)
        db.session.commit()
    assert client.get(f"/fr/monuments/{MOSQUE}").status_code == 404
    assert client.get(f"/api/v1/monuments/{MOSQUE}").status_code == 404
    assert MOSQUE not in body(client.get("/api/v1/monuments"))
    # Its plaque says the place is not available (yet), with its own status, not the page.
    assert client.get(f"/q/{MOSQUE_CODE}").status_code == 404


def test_a_draft_new_monument_does_not_exist_for_visitors(app, client):
    with app.app_context():
        data = new_monument_data()
        save("monument", "new-place", data, None, CURATOR)
        db.session.commit()
    assert client.get("/fr/monuments/new-place").status_code == 404
    assert "new-place" not in body(client.get("/api/v1/monuments"))
    assert "new-place" not in client.get("/fr/sites/casablanca").text
