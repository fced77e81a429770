"""Transcripts split into timed sentences once, in Python; durations written as browsers write them."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import select

from guide.content.schema import GuideEntry
from guide.extensions import db
from guide.guides.models import Guide
from guide.guides.services import count_sentences
from guide.guides.services import sentence_starts
from guide.guides.services import split_sentences
from guide.guides.services import transcript_sentences
from guide.text import format_duration


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(("paragraph", "expected"), [
    ("Bonjour. Au revoir.", ["Bonjour.", "Au revoir."]),
    ("Vraiment ? Oui ! Enfin…", ["Vraiment ?", "Oui !", "Enfin…"]),
    ("Fondée en 52 av. J.-C. la ville grandit. Puis rien.", ["Fondée en 52 av. J.-C. la ville grandit.", "Puis rien."]),
    ("Il mesure 1.5 km. C'est long.", ["Il mesure 1.5 km.", "C'est long."]),
    ("Dessiné par A. Laprade en 1917. Il plaît.", ["Dessiné par A. Laprade en 1917.", "Il plaît."]),
    ("On l'appelle « la cathédrale. » Elle n'en est pas une.",
     ["On l'appelle « la cathédrale. »", "Elle n'en est pas une."]),
    ("كل شيء هنا يبدو قديمًا: الأقواس. ومع ذلك؟ نعم! حسنًا… انتهى.",
     ["كل شيء هنا يبدو قديمًا: الأقواس.", "ومع ذلك؟", "نعم!", "حسنًا…", "انتهى."]),
    ("Sans point final", ["Sans point final"]),
])
def test_sentences_end_where_the_voice_stops(paragraph, expected):
    assert split_sentences(paragraph) == expected


WORDS = st.sampled_from(["la", "ville", "J.-C.", "1.5", "av.", "M.", "كل", "شيء", "«", "»", "Il", "Ici", "(x)"])
ENDS = st.sampled_from(["", ".", "!", "?", "؟", "…", "...", " ?", ".»"])
SPACES = st.sampled_from([" ", "  ", "\n", "\t", " \u00a0"])


@given(st.lists(st.tuples(WORDS, ENDS, SPACES), min_size=0, max_size=40))
def test_the_sentences_give_back_the_transcript(parts):
    transcript = "".join(word + end + space for word, end, space in parts)
    sentences = split_sentences(transcript)
    assert squeeze("".join(sentences)) == squeeze(transcript)
    assert all(sentence == sentence.strip() and sentence for sentence in sentences)


@given(st.text(max_size=300))
def test_any_text_splits_without_losing_a_character(transcript):
    assert squeeze("".join(split_sentences(transcript))) == squeeze(transcript)


def test_synthetic_timings_weigh_each_sentence_by_its_length():
    sentences = ["a" * 10, "b" * 30, "c" * 60]
    assert sentence_starts(sentences, 50.0, None) == [0.0, 5.0, 20.0]
    assert sentence_starts(sentences, None, None) == [None, None, None]
    # A real narrator's timings win over the estimate.
    assert sentence_starts(sentences, 50.0, [0, 2.5, 40]) == [0.0, 2.5, 40.0]


def test_every_sample_guide_gets_increasing_starts_within_its_recording(app):
    with app.app_context():
        guides = db.session.scalars(select(Guide)).all()
        assert any(guide.audio for guide in guides)
        for guide in guides:
            starts = [s.start for paragraph in transcript_sentences(guide) for s in paragraph]
            assert len(starts) == count_sentences(guide.transcript) > 1
            if guide.audio:
                assert starts[0] == 0
                assert starts == sorted(starts)
                assert starts[-1] < guide.duration_s
            else:
                assert starts == [None] * len(starts)


def test_content_timings_need_one_start_per_sentence():
    good = GuideEntry(lang="fr", transcript="Un. Deux. Trois.", timings=[0, 1.5, 3])
    assert good.timings == [0, 1.5, 3]
    with pytest.raises(ValidationError) as raised:
        GuideEntry(lang="fr", transcript="Un. Deux. Trois.", timings=[0, 1.5])
    error = raised.value.errors()[0]
    assert error["loc"] == ("timings",)
    assert "2 timings for 3 transcript sentences" in error["msg"]


def test_load_content_names_the_file_and_field_of_wrong_timings(runner, tmp_path):
    import shutil
    from pathlib import Path

    source = Path(__file__).resolve().parent.parent / "content" / "casablanca"
    root = tmp_path / "content"
    shutil.copytree(source, root / "casablanca")
    path = root / "casablanca" / "habous-quarter" / "monument.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('[[guides]]\nlang = "fr"', '[[guides]]\nlang = "fr"\ntimings = [0, 4]', 1),
                    encoding="utf-8")
    assert "timings = [0, 4]" in path.read_text(encoding="utf-8")
    result = runner.invoke(args=["load-content", str(root)])
    assert result.exit_code != 0
    assert re.search(r"habous-quarter/monument\.toml: guides\.\d\.timings: (Value error, )?2 timings for \d+ transcript sentences",
                     result.output)


@pytest.mark.parametrize(("seconds", "shown"), [(54.6, "0:54"), (54.99, "0:54"), (60.0, "1:00"), (125.2, "2:05"),
                                                (None, "0:00")])
def test_durations_are_rounded_down_like_the_browser_player(seconds, shown):
    assert format_duration(seconds) == shown
