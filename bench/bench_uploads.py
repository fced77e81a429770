"""Measure what a CMS upload costs: time, and bytes before and after, for a photo and a recording.

    python bench/bench_uploads.py [--runs 3] [--seconds 180]

The photo is a 12 MP JPEG (4000×3000, quality 92, with EXIF) made from a sample drawing of
content/ scaled up with grain added, like a phone's; the recording is three minutes of the
sample narrations of content/ decoded to 48 kHz stereo 16-bit WAV, as a recorder writes it.
Both go through the pipeline the upload endpoint uses (guide/media/pipeline.py): the photo is
normalised (upright, sRGB, no metadata, 2400 px) and given its six variants; the recording is
transcoded to loudness-normalised mono AAC. Writes bench/results/uploads.json. Timings are
this machine's (shared, 2 cores), one process, no database.
"""

import argparse
import io
import json
import math
import random
import statistics
import sys
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
from PIL import Image  # noqa: E402
from PIL import ImageFilter  # noqa: E402

from guide.media.pipeline import make_variants  # noqa: E402
from guide.media.pipeline import normalise_image  # noqa: E402
from guide.media.pipeline import transcode_audio  # noqa: E402

CONTENT = ROOT / "content"


def typical_photo() -> bytes:
    """A 12 MP JPEG with camera-like grain and EXIF (orientation, GPS), about what a phone sends."""
    source = sorted(CONTENT.glob("*/*/images/cover.webp"))[0]
    with Image.open(source) as drawing:
        image = drawing.convert("RGB").resize((4000, 3000), Image.Resampling.BICUBIC)
    randomness = random.Random(12)
    grain = Image.frombytes("L", (1000, 750), bytes(randomness.randrange(96, 160) for _ in range(1000 * 750)))
    grain = grain.resize((4000, 3000), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(0.6))
    image = Image.blend(image, Image.merge("RGB", (grain, grain, grain)), 0.18)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8825).update({1: "N", 2: (33.0, 36.0, 27.5), 3: "W", 4: (7.0, 37.0, 57.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif.tobytes())
    return buffer.getvalue()


def typical_recording(seconds: float) -> bytes:
    """Sample narrations decoded and joined into a 48 kHz stereo 16-bit WAV of the given length."""
    pcm = bytearray()
    needed = int(seconds * 48000) * 4
    for path in sorted(CONTENT.glob("*/*/audio/*.m4a")):
        with av.open(str(path)) as container:
            resampler = av.AudioResampler(format="s16", layout="stereo", rate=48000)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    pcm += bytes(out.planes[0])[: out.samples * 4]
        if len(pcm) >= needed:
            break
    pcm = pcm[:needed]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(48000)
        out.writeframes(bytes(pcm))
    return buffer.getvalue()


def rms_dbfs(data: bytes) -> float:
    """The recording's RMS level in dBFS, all channels: how loud it plays."""
    total, count = 0.0, 0
    with av.open(io.BytesIO(data)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono")
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                samples = out.to_ndarray().astype("float64")
                total += float((samples ** 2).sum())
                count += samples.size
    return 20 * math.log10(math.sqrt(total / max(count, 1)) or 1e-9)


def timed(function, runs: int):
    times, result = [], None
    for __ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=180)
    args = parser.parse_args()

    photo = typical_photo()

    def process_photo():
        master, pixels = normalise_image(photo)
        return master, make_variants(pixels)

    (master, variants), photo_time, photo_times = timed(process_photo, args.runs)
    recording = typical_recording(args.seconds)
    audio, audio_time, audio_times = timed(lambda: transcode_audio(recording), max(1, args.runs - 1))

    rows = [
        ("photo in (12 MP JPEG q92)", len(photo), "4000×3000", ""),
        (f"photo master ({master.extension})", len(master.data), f"{master.width}×{master.height}",
         f"{photo_time:.2f} s with variants"),
    ]
    for width, variant in variants:
        rows.append((f"  variant {variant.extension} {width}", len(variant.data), f"{variant.width}×{variant.height}", ""))
    stored = len(master.data) + sum(len(variant.data) for _width, variant in variants)
    rows.append(("photo stored, all files", stored, "", ""))
    rows.append((f"recording in (WAV 48 kHz stereo, {args.seconds / 60:.0f} min)", len(recording), "",
                 f"{rms_dbfs(recording):.1f} dBFS"))
    rows.append(("recording out (AAC mono M4A)", len(audio.data), f"{audio.duration_s:.1f} s",
                 f"{audio_time:.2f} s, {rms_dbfs(audio.data):.1f} dBFS, "
                 f"{len(audio.data) * 8 / audio.duration_s / 1000:.1f} kbit/s"))
    print(f"{'what':46} {'bytes':>12} {'size':>12}  notes")
    for name, size, shape, notes in rows:
        print(f"{name:46} {size:>12,} {shape:>12}  {notes}")
    phone = next(variant for width, variant in variants if width == 960 and variant.extension == "webp")
    print(f"a phone fetches the 960 px WebP: {len(phone.data):,} bytes, "
          f"{len(photo) / len(phone.data):.0f}× less than the photo sent")

    results = {
        "photo": {"bytes_in": len(photo), "bytes_master": len(master.data), "master_size": [master.width, master.height],
                  "variants": {f"{variant.extension}-{width}": len(variant.data) for width, variant in variants},
                  "bytes_stored": stored, "seconds_median": photo_time, "seconds": photo_times},
        "audio": {"bytes_in": len(recording), "bytes_out": len(audio.data), "duration_s": audio.duration_s,
                  "seconds_median": audio_time, "seconds": audio_times, "rms_dbfs_in": rms_dbfs(recording),
                  "rms_dbfs_out": rms_dbfs(audio.data)},
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "uploads.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
