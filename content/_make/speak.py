"""Synthesize the sample audio guides of the Dalil content with espeak-ng and ffmpeg.

For every guide (of a monument or of a stop) whose `audio` key is set, the guide's `spoken`
text (or its transcript when it has none) is spoken by Debian's espeak-ng in the guide's
language, then encoded as AAC in an .m4a file: mono, 22 050 Hz, 32 kbit/s, with the moov atom
at the front for progressive playback. espeak-ng cannot guess the vowels of unvowelled Arabic,
so an Arabic guide must have a fully vowelled `spoken` text (same words as the transcript,
with full tashkeel); one without it is skipped with a message rather than read wrongly.

    python3 content/_make/speak.py            # every site
    python3 content/_make/speak.py --force    # re-synthesize even up-to-date files
    python3 content/_make/speak.py hassan     # only monuments whose folder contains "hassan"

A file is up to date when the fingerprint stored in its `comment` tag matches the current
spoken text, voice and settings; file dates are not trusted (git does not keep them). The
output is deterministic: same transcript and tool versions, same bytes.

Requires: espeak-ng, ffmpeg and ffprobe on the PATH; .ci/remake-media installs them and runs
this script.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

CONTENT = Path(__file__).resolve().parent.parent

# espeak-ng voice and speed for each language; a language without a voice is skipped.
VOICES = {"fr": ("fr", 150), "ar": ("ar", 140)}
SAMPLE_RATE = 22050
BITRATE = "32k"
RECIPE = "dalil-speak-1"  # bump when the recipe changes, to force re-synthesis


# Languages whose script leaves vowels unwritten: the synthesizer needs a vowelled `spoken` text.
NEEDS_SPOKEN = {"ar"}


def fingerprint(lang: str, text: str) -> str:
    voice, speed = VOICES[lang]
    recipe = f"{RECIPE}|{voice}|{speed}|{SAMPLE_RATE}|{BITRATE}|{text}"
    return "dalil:" + hashlib.sha256(recipe.encode("utf-8")).hexdigest()[:32]


def stored_fingerprint(path: Path) -> str | None:
    if not path.exists():
        return None
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format_tags=comment",
         "-of", "default=noprint_wrappers=1:nokey=1", str(path)],
        capture_output=True, text=True, check=False,
    )
    return result.stdout.strip() or None


def synthesize(lang: str, text_to_speak: str, out: Path, tag: str) -> None:
    voice, speed = VOICES[lang]
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "text.txt"
        wav = Path(tmp) / "speech.wav"
        # One paragraph per line; espeak-ng reads UTF-8 text from the file.
        text.write_text(" ".join(text_to_speak.split()) + "\n", encoding="utf-8")
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), "-f", str(text)],
                       check=True)
        tmp_out = Path(tmp) / out.name
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-i", str(wav),
             "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "aac", "-b:a", BITRATE,
             "-map_metadata", "-1", "-metadata", f"comment={tag}", "-metadata", f"language={lang}",
             "-fflags", "+bitexact", "-flags:a", "+bitexact",
             "-movflags", "+faststart", str(tmp_out)],
            check=True,
        )
        tmp_out.replace(out)


def guides_of(monument: dict):
    for guide in monument.get("guides", []):
        yield guide
    for stop in monument.get("stops", []):
        for guide in stop.get("guides", []):
            yield guide


def main(argv: list[str]) -> int:
    force = "--force" in argv
    wanted = [a for a in argv[1:] if not a.startswith("--")]
    made = skipped = 0
    for toml_path in sorted(CONTENT.glob("*/*/monument.toml")):
        folder = toml_path.parent
        if wanted and not any(w in folder.name for w in wanted):
            continue
        monument = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        for guide in guides_of(monument):
            audio = guide.get("audio")
            lang = guide.get("lang")
            if not audio:
                continue
            if lang not in VOICES:
                print(f"skip {folder.name}/{audio}: no espeak-ng voice for {lang!r}", file=sys.stderr)
                continue
            spoken = guide.get("spoken", "").strip()
            if lang in NEEDS_SPOKEN and not spoken:
                print(f"skip {folder.name}/{audio}: no vowelled `spoken` text to read", file=sys.stderr)
                continue
            text = spoken or guide["transcript"]
            out = folder / audio
            tag = fingerprint(lang, text)
            if not force and stored_fingerprint(out) == tag:
                skipped += 1
                continue
            synthesize(lang, text, out, tag)
            made += 1
            print(f"{out.relative_to(CONTENT)}  {out.stat().st_size // 1024} KB")
    print(f"{made} synthesized, {skipped} up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
