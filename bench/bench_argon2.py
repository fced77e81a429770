"""Time one argon2id hash and one verification with the parameters Dalil uses (guide/accounts/passwords.py).

Run: .venv/bin/python bench/bench_argon2.py [ROUNDS]
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guide.accounts.passwords import HASHER


def main(rounds: int = 10) -> None:
    password = "a long enough passphrase"
    HASHER.hash(password)  # warm up: the first call also maps the 64 MiB
    hashes, verifies = [], []
    for _round in range(rounds):
        start = time.perf_counter()
        stored = HASHER.hash(password)
        hashes.append(time.perf_counter() - start)
        start = time.perf_counter()
        HASHER.verify(stored, password)
        verifies.append(time.perf_counter() - start)
    print(f"argon2id t={HASHER.time_cost} m={HASHER.memory_cost // 1024} MiB p={HASHER.parallelism}")
    print(f"hash:   median {statistics.median(hashes) * 1000:.0f} ms, min {min(hashes) * 1000:.0f} ms,"
          f" max {max(hashes) * 1000:.0f} ms over {rounds} rounds")
    print(f"verify: median {statistics.median(verifies) * 1000:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
