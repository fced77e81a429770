"""How long the word-level revision diff takes on long texts.

    python bench/bench_diff.py

Prints the median time of guide.publishing.diff.diff_words on a 3,000-word edit (a few words
changed) and on a 10,000-word rewrite in Arabic and French, next to difflib's own character
diff of the same texts as a baseline.
"""

import difflib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guide.publishing.diff import diff_words


def median_seconds(function, *args, runs=5) -> float:
    times = []
    for __ in range(runs):
        started = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    words = [f"كلمة{n % 97} mot{n % 89}" for n in range(1500)]
    edited = list(words)
    for index in range(0, len(edited), 300):
        edited[index] = "تعديل changé"
    rewrite_old = " ".join(f"كلمة{n % 97} mot{n % 89}" for n in range(5000))
    rewrite_new = " ".join(f"كلمة{n % 83} mot{n % 79}" for n in range(5000))
    cases = {"3,000 words, 5 edits": (" ".join(words), " ".join(edited)),
             "10,000 words rewritten": (rewrite_old, rewrite_new)}
    print(f"{'case':28} {'diff_words':>12} {'difflib lines':>14}")
    for name, (old, new) in cases.items():
        ours = median_seconds(diff_words, old, new)
        base = median_seconds(lambda a, b: list(difflib.ndiff(a.split(" "), b.split(" "))), old, new, runs=1)
        print(f"{name:28} {ours * 1000:10.1f}ms {base * 1000:12.1f}ms")


if __name__ == "__main__":
    main()
