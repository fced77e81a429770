"""Scan statistics: per code, local day, language and channel, aggregated, nothing personal."""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from guide.codes import stats
from guide.codes.models import ScanCount
from guide.codes.stats import count_scan
from guide.codes.stats import daily_totals
from guide.codes.stats import flush_scans
from guide.codes.stats import local_day
from guide.codes.stats import scan_counter
from guide.codes.stats import scan_totals
from guide.extensions import db
from guide.monuments.services import get_monument

# Nothing flushes by itself unless a test says so: tests flush when they choose.
QUIET = {"SCAN_FLUSH_HITS": 10_000, "SCAN_FLUSH_SECONDS": 10_000}


def _codes(app) -> tuple[str, str]:
    with app.app_context():
        mosque = get_monument("hassan-ii-mosque")
        return mosque.primary_code.code, mosque.stops[0].primary_code.code


def _rows(app) -> dict[tuple, int]:
    with app.app_context():
        flush_scans()
        return {(row.code, row.lang, row.channel): row.count for row in db.session.scalars(select(ScanCount))}


@pytest.mark.parametrize("app", [QUIET], indirect=True)
def test_each_resolution_is_counted_per_code_language_and_channel(app, client):
    monument, stop = _codes(app)
    for _attempt in range(3):
        assert client.get(f"/q/{monument}", headers={"Accept-Language": "ar"}).status_code == 200
    client.get(f"/Q/{monument}", headers={"Accept-Language": "fr"})
    client.get(f"/q/{monument}?via=scan", headers={"Accept-Language": "fr"})
    client.get(f"/q/{stop.lower()}?via=typed", headers={"Accept-Language": "fr"})
    client.get(f"/q/{stop}?via=somewhere-else", headers={"Accept-Language": "ar"})
    assert _rows(app) == {
        (monument, "ar", "camera"): 3,
        (monument, "fr", "camera"): 1,
        (monument, "fr", "scan"): 1,
        (stop, "fr", "typed"): 1,
        (stop, "ar", "camera"): 1,
    }


@pytest.mark.parametrize("app", [QUIET], indirect=True)
def test_cached_pages_and_304_revalidations_are_counted_too(app, client):
    monument, _stop = _codes(app)
    first = client.get(f"/q/{monument}", headers={"Accept-Language": "fr"})
    again = client.get(f"/q/{monument}", headers={"Accept-Language": "fr", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert _rows(app) == {(monument, "fr", "camera"): 2}


@pytest.mark.parametrize("app", [QUIET], indirect=True)
def test_a_typed_entry_counts_once_as_typed(app, client):
    monument, _stop = _codes(app)
    client.get("/fr/enter", query_string={"code": monument}, follow_redirects=True)
    assert _rows(app) == {(monument, "fr", "typed"): 1}


@pytest.mark.parametrize("app", [QUIET], indirect=True)
def test_unknown_codes_prefetches_and_head_requests_are_not_counted(app, client):
    monument, _stop = _codes(app)
    assert client.get("/q/AAAAA").status_code == 404
    assert client.get("/q/" + "A" * 300).status_code == 404
    client.get(f"/q/{monument}", headers={"Sec-Purpose": "prefetch"})
    client.head(f"/q/{monument}")
    assert _rows(app) == {}


@pytest.mark.parametrize("app", [QUIET], indirect=True)
def test_retired_codes_are_still_counted(app, client):
    monument, _stop = _codes(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["codes", "retire", monument]).exit_code == 0
    assert client.get(f"/q/{monument}", headers={"Accept-Language": "fr"}).status_code == 410
    assert _rows(app) == {(monument, "fr", "camera"): 1}


@pytest.mark.parametrize("app", [QUIET], indirect=True)
def test_flushes_add_up_with_an_upsert(app):
    monument, _stop = _codes(app)
    with app.app_context():
        for _attempt in range(4):
            assert not count_scan(monument, "ar", None)
        assert flush_scans() == 4
        assert flush_scans() == 0
        count_scan(monument, "ar", None)
        assert flush_scans() == 1
        assert scan_totals()[0].count == 5


@pytest.mark.parametrize("app", [{"SCAN_FLUSH_HITS": 3, "SCAN_FLUSH_SECONDS": 10_000}], indirect=True)
def test_the_buffer_flushes_by_itself_every_n_hits_once_the_response_is_sent(app, client):
    monument, _stop = _codes(app)
    for _attempt in range(2):
        client.get(f"/q/{monument}", headers={"Accept-Language": "fr"}, buffered=True)
    with app.app_context():
        assert sum(scan_counter().pending.values()) == 2
    # The third scan makes the flush due; it runs when the server closes the response.
    response = client.get(f"/q/{monument}", headers={"Accept-Language": "fr"})
    with app.app_context():
        assert sum(scan_counter().pending.values()) == 3
    response.close()
    with app.app_context():
        assert scan_counter().pending == {}
        assert db.session.scalar(select(ScanCount.count)) == 3


@pytest.mark.parametrize("app", [{**QUIET, "SCAN_STATS": False}], indirect=True)
def test_counting_can_be_switched_off(app, client):
    monument, _stop = _codes(app)
    client.get(f"/q/{monument}")
    assert _rows(app) == {}


@pytest.mark.parametrize(("when", "day"), [
    # Morocco keeps UTC+1 but goes back to UTC+0 during Ramadan (2025: 23 February to 6 April).
    (datetime(2025, 3, 10, 23, 30, tzinfo=UTC), date(2025, 3, 10)),
    (datetime(2025, 5, 1, 23, 30, tzinfo=UTC), date(2025, 5, 2)),
])
def test_days_are_local_to_casablanca(app, when, day):
    monument, _stop = _codes(app)
    with app.app_context():
        assert local_day(when) == day
        count_scan(monument, "fr", "scan", when)
        flush_scans()
        assert db.session.scalar(select(ScanCount.day)) == day
        assert daily_totals() == [(day, 1)]
        assert daily_totals(start=date(2026, 1, 1)) == []


@pytest.mark.parametrize("app", [QUIET], indirect=True)
def test_totals_filter_by_site_and_days(app, runner):
    monument, stop = _codes(app)
    with app.app_context():
        site_id = get_monument("hassan-ii-mosque").site_id
        count_scan(monument, "fr", "scan", datetime(2025, 5, 1, 12, tzinfo=UTC))
        count_scan(stop, "ar", "typed")
        flush_scans()
        assert [(t.code, t.lang, t.channel, t.count) for t in scan_totals(site_id=site_id)] == sorted(
            [(monument, "fr", "scan", 1), (stop, "ar", "typed", 1)])
        assert [t.code for t in scan_totals(start=date(2025, 6, 1))] == [stop]
        assert scan_totals(site_id=site_id + 1000) == []
    result = runner.invoke(args=["codes", "stats", "--site", "casablanca", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert f"{stop}  ar   typed" in result.output
    assert monument not in result.output


def test_no_personal_data_is_stored(app):
    with app.app_context():
        columns = {column["name"] for column in inspect(db.engine).get_columns("scan_counts")}
    assert columns == {"code", "day", "lang", "channel", "count"}


@pytest.mark.parametrize("app", [QUIET], indirect=True)
def test_a_failed_flush_keeps_the_counts_and_never_breaks_the_scan(app, client, monkeypatch, caplog):
    monument, _stop = _codes(app)

    def broken(counts):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(stats, "_upsert", broken)
    assert client.get(f"/q/{monument}", headers={"Accept-Language": "fr"}).status_code == 200
    with app.app_context():
        assert flush_scans() == 0
        assert sum(scan_counter().pending.values()) == 1
    assert "Could not save 1 scan counts" in caplog.text
    monkeypatch.undo()
    assert _rows(app) == {(monument, "fr", "camera"): 1}


@pytest.mark.parametrize("app", [QUIET], indirect=True)
def test_what_is_left_is_saved_when_the_worker_exits(app, client):
    monument, _stop = _codes(app)
    client.get(f"/q/{monument}", headers={"Accept-Language": "ar"})
    with app.app_context():
        counter = scan_counter()
    counter.flush_at_exit()
    with app.app_context():
        assert counter.pending == {}
        assert db.session.scalar(select(ScanCount.count)) == 1


@pytest.mark.parametrize("app", [{"SCAN_FLUSH_HITS": 10_000, "SCAN_FLUSH_SECONDS": 0}], indirect=True)
def test_the_buffer_also_flushes_after_n_seconds(app, client):
    monument, _stop = _codes(app)
    client.get(f"/q/{monument}", headers={"Accept-Language": "ar"}, buffered=True)
    with app.app_context():
        assert scan_counter().pending == {}
        assert db.session.scalar(select(ScanCount.count)) == 1
