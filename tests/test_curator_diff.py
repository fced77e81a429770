"""Word-level diffs of revisions, per field and language, and the CMS page that shows them."""

import copy
import re

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guide.extensions import db
from guide.publishing.diff import DELETE
from guide.publishing.diff import EQUAL
from guide.publishing.diff import INSERT
from guide.publishing.diff import apply_segments
from guide.publishing.diff import diff_documents
from guide.publishing.diff import diff_words
from guide.publishing.models import Revision
from guide.publishing.services import find_record
from guide.publishing.services import save
from tests.curator import login
from tests.curator import make_user

MOSQUE = "hassan-ii-mosque"
OLD_AR = "بُني المسجد بين سنتي 1986 و1993، على شاطئ المحيط."
NEW_AR = "شُيّد المسجد بين سنتي 1986 و1993، فوق مياه المحيط الأطلسي."


def diff_url(a: int, b: int, slug: str = MOSQUE, kind: str = "monument") -> str:
    return f"/curator/revisions/{kind}/{slug}/diff?a={a}&b={b}"


def save_with(change, kind: str = "monument", key: str = MOSQUE, author: str = "editor@dalil.example") -> Revision:
    head = db.session.get(Revision, find_record(kind, key).head_revision_id)
    data = copy.deepcopy(head.data)
    change(data)
    return save(kind, key, data, head.id, author)


def test_arabic_words_stay_whole_harakat_included():
    segments = diff_words(OLD_AR, NEW_AR)
    assert (DELETE, "بُني") in segments
    assert (INSERT, "شُيّد") in segments
    # Punctuation belongs to its word: "المحيط." became "المحيط الأطلسي.".
    assert (DELETE, "على شاطئ المحيط.") in segments
    assert (INSERT, "فوق مياه المحيط الأطلسي.") in segments
    assert (EQUAL, " المسجد بين سنتي 1986 و1993، ") in segments
    inserted = " ".join(text for op, text in segments if op == INSERT)
    assert "الأطلسي." in inserted
    for op, text in segments:
        if op != EQUAL:
            # Every changed piece starts and ends on a word boundary: never a lone letter or haraka.
            assert all(word in OLD_AR.split() or word in NEW_AR.split() for word in text.split())


def test_french_punctuation_stays_with_its_word():
    segments = diff_words("Ouverte en 1993 ; visites guidées.", "Ouverte en 1993 : visites libres.")
    assert segments == [(EQUAL, "Ouverte en 1993 "), (DELETE, ";"), (INSERT, ":"), (EQUAL, " visites "),
                        (DELETE, "guidées."), (INSERT, "libres.")]


def test_paragraphs_first_then_words():
    old = "Premier paragraphe inchangé.\n\nDeuxième paragraphe avec un mot.\n\nTroisième."
    new = "Premier paragraphe inchangé.\n\nDeuxième paragraphe avec deux mots.\n\nTroisième.\n\nNouveau."
    assert diff_words(old, new) == [
        (EQUAL, "Premier paragraphe inchangé.\n\nDeuxième paragraphe avec "), (DELETE, "un mot."),
        (INSERT, "deux mots."), (EQUAL, "\n\nTroisième."), (INSERT, "\n\nNouveau."),
    ]
    assert diff_words("a  b", "a b") == [(EQUAL, "a"), (DELETE, " "), (EQUAL, " b")]


def test_a_long_rewrite_rebuilds_both_texts():
    # Its speed is measured by bench/bench_diff.py, not asserted here (timed tests are flaky).
    old = " ".join(f"كلمة{n % 97} mot{n % 89}" for n in range(5000))
    new = " ".join(f"كلمة{n % 83} mot{n % 79}" for n in range(5000))
    segments = diff_words(old, new)
    assert apply_segments(segments, "old") == old
    assert apply_segments(segments, "new") == new


def test_identical_and_empty_texts():
    assert diff_words("même texte", "même texte") == [(EQUAL, "même texte")]
    assert diff_words("", "nouveau") == [(INSERT, "nouveau")]
    assert diff_words("ancien", "") == [(DELETE, "ancien")]
    assert diff_words("", "") == []


WORDS = st.lists(st.sampled_from(["المسجد", "مَسْجِدُ", "الحسن", "1993،", "la", "mosquée", "l'océan", "«", "»",
                                  "a", "b", " ", "\n", "  "]), max_size=30).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(old=st.one_of(st.text(), WORDS), new=st.one_of(st.text(), WORDS))
def test_segments_rebuild_both_texts(old, new):
    segments = diff_words(old, new)
    assert apply_segments(segments, "new") == new
    assert apply_segments(segments, "old") == old
    # Neighbouring segments never share an operation: they are merged.
    assert all(first[0] != second[0] for first, second in zip(segments, segments[1:], strict=False))


def _boundaries(segments, side: str) -> tuple[str, list[int]]:
    """The text of one side, and where a change starts or ends in it."""
    keep = {EQUAL, INSERT if side == "new" else DELETE}
    text, cuts, previous = "", [], None
    for op, piece in segments:
        if previous is not None and op != previous:
            cuts.append(len(text))
        if op in keep:
            text += piece
        previous = op
    return text, cuts


@settings(max_examples=300, deadline=None)
@given(old=st.one_of(st.text(), WORDS), new=st.one_of(st.text(), WORDS))
def test_changes_start_and_end_between_words(old, new):
    segments = diff_words(old, new)
    for side in ("old", "new"):
        text, cuts = _boundaries(segments, side)
        for cut in cuts:
            if 0 < cut < len(text):
                assert text[cut - 1].isspace() or text[cut].isspace(), (side, text, cut, segments)


def test_documents_differ_per_field_and_language(app):
    with app.app_context():
        old = db.session.get(Revision, find_record("monument", MOSQUE).head_revision_id).data
        new = copy.deepcopy(old)
        new["text"]["ar"]["summary"] = NEW_AR
        new["year_start"] = 1987
        new["stops"][1]["text"]["fr"]["title"] = "Le grand minaret"
        fields = {item.path: item for item in diff_documents("monument", old, new)}
    assert fields["text.summary"].changed_in("ar")
    assert not fields["text.summary"].changed_in("fr")
    assert fields["year_start"].languages[""] == [(DELETE, "1986"), (INSERT, "1987")]
    assert fields["year_start"].label == "Start year" or fields["year_start"].label
    assert fields["stops.minaret.text.title"].changed
    assert not fields["text.body"].changed
    assert not fields["latitude"].changed


def test_diff_page_shows_arabic_words_in_ins_and_del_right_to_left(app, client):
    with app.app_context():
        def first(data):
            data["text"]["ar"]["summary"] = OLD_AR
        before = save_with(first)

        def second(data):
            data["text"]["ar"]["summary"] = NEW_AR
            data["year_end"] = 1994
        after = save_with(second)
        db.session.commit()
        a, b = before.number, after.number
    login(client, make_user(app, "editor"))
    client.set_cookie("dalil_lang", "fr")
    response = client.get(diff_url(a, b))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    block = re.search(r'<div class="diff-text" lang="ar" dir="rtl">(.*?)</div>', page, re.S)
    assert block, page
    inserted = re.findall(r"<ins>(.*?)</ins>", block.group(1), re.S)
    deleted = re.findall(r"<del>(.*?)</del>", block.group(1), re.S)
    strip = lambda html: re.sub(r'<span class="visually-hidden"[^>]*>[^<]*</span>', "", html)  # noqa: E731
    assert "شُيّد" in [strip(item) for item in inserted]
    assert "بُني" in [strip(item) for item in deleted]
    # Each change is announced, not only coloured.
    assert 'class="visually-hidden"' in inserted[0]
    assert "المسجد بين سنتي" in block.group(1)
    # French is unchanged, the year is a plain field, the rest is collapsed.
    assert "Unchanged in" in page or "Inchangé" in page or "inchangé" in page
    assert "<del>" in page
    assert "1993" in page
    assert "1994" in page
    assert "<details" in page
    # Authors and times of both revisions in the header; a restore button for the older one.
    assert "editor@dalil.example" in page
    assert f'action="/curator/monuments/{MOSQUE}/revisions/{a}/restore"' in page
    assert f'action="/curator/monuments/{MOSQUE}/revisions/{b}/restore"' not in page


def test_a_translator_sees_the_diff_without_restore(app, client):
    login(client, make_user(app, "translator", languages=("ar",)))
    page = client.get(diff_url(1, 1)).get_data(as_text=True)
    assert "/restore" not in page


def test_default_compares_the_latest_two_revisions(app, client):
    with app.app_context():
        save_with(lambda data: data["text"]["fr"].update(summary="Nouveau résumé <script>alert(1)</script>"))
        db.session.commit()
    login(client, make_user(app, "editor"))
    page = client.get(f"/curator/revisions/monument/{MOSQUE}/diff").get_data(as_text=True)
    assert "&lt;script&gt;" in page
    assert "<script>alert" not in page


def test_a_site_diff(app, client):
    with app.app_context():
        save_with(lambda data: data["name"].update(fr="Casablanca, la blanche"), kind="site", key="casablanca")
        db.session.commit()
    login(client, make_user(app, "editor"))
    page = client.get("/curator/revisions/site/casablanca/diff").get_data(as_text=True)
    assert "<ins>" in page
    assert "la blanche" in page


@pytest.mark.parametrize(("url", "status"), [
    (diff_url(1, 999), 404),
    (diff_url(0, 1), 404),
    (f"/curator/revisions/monument/{MOSQUE}/diff?a=x&b=1", 400),
    (f"/curator/revisions/monument/{MOSQUE}/diff?a=١&b=1", 400),
    (f"/curator/revisions/monument/{MOSQUE}/diff?a=-1&b=1", 400),
    ("/curator/revisions/monument/atlantis/diff", 404),
    (f"/curator/revisions/code/{MOSQUE}/diff", 404),
    (f"/curator/revisions/plaque/{MOSQUE}/diff", 404),
])
def test_unknown_revisions_and_bad_numbers(app, client, url, status):
    login(client, make_user(app, "editor"))
    client.set_cookie("dalil_lang", "ar")
    response = client.get(url)
    assert response.status_code == status
    assert 'dir="rtl"' in response.get_data(as_text=True)


def test_another_sites_record_is_403(app, client):
    login(client, make_user(app, "editor", sites=("fes",)))
    assert client.get(diff_url(1, 1)).status_code == 403
    assert client.get(diff_url(1, 999)).status_code == 403


def test_sign_in_required(client):
    response = client.get(diff_url(1, 1))
    assert response.status_code == 302
    assert "/curator/login" in response.headers["Location"]


def test_long_unchanged_text_is_cut_around_the_change():
    from guide.publishing.views import trim_context

    words = [f"mot{n} " for n in range(100)]
    old = "".join(words)
    new = "".join(words[:50]) + "nouveau " + "".join(words[50:])
    trimmed = trim_context(diff_words(old, new), words=5)
    assert [op for op, _text, _cut in trimmed] == ["elided", "equal", "insert", "equal", "elided"]
    assert trimmed[1][1] == "mot45 mot46 mot47 mot48 mot49 "
    assert trimmed[3][1].startswith("mot50 ")


def test_authors_and_names_are_escaped(app, client):
    with app.app_context():
        save_with(lambda data: data["text"]["fr"].update(name="<img src=x onerror=alert(1)>"),
                  author="<b>mallory</b>@dalil.example")
        db.session.commit()
    login(client, make_user(app, "editor"))
    client.set_cookie("dalil_lang", "fr")
    page = client.get(f"/curator/revisions/monument/{MOSQUE}/diff").get_data(as_text=True)
    assert "<b>mallory</b>" not in page
    assert "&lt;b&gt;mallory&lt;/b&gt;" in page
    assert "<img src=x" not in page
    detail = client.get(f"/curator/translations/monument/{MOSQUE}").get_data(as_text=True)
    assert "<b>mallory</b>" not in detail
    assert "<img src=x" not in detail
