#!/usr/bin/env python3
"""The benchmark's low-match corpus (scripts/bench.py): little shared phrasing, unlike `memscan synth`.

Records: codes-mode token lists with a Zipf-distributed vocabulary of EHR-like codes and a few
shared templates; generations: random continuations with planted verbatim copies. A scan of it
does little beyond hashing and probing, so it measures that floor. Uses numpy so that tens of
millions of tokens take seconds, not minutes.
"""
import argparse
import json
import os

import numpy as np


def vocabulary(size):
    kinds = ["DIAGNOSIS//D", "LAB//L", "MEDICATION//M", "PROCEDURE//P", "TIME//"]
    return [f"{kinds[i % len(kinds)]}{i:05d}" for i in range(size)]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tokens", type=int, default=10_000_000, help="corpus tokens")
    ap.add_argument("--generations", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    vocab = np.array(vocabulary(20_000))
    templates = [rng.zipf(1.3, size=30) % len(vocab) for _ in range(20)]
    os.makedirs(args.out, exist_ok=True)
    records = []
    total = 0
    with open(os.path.join(args.out, "records.jsonl"), "w") as f:
        rid = 0
        while total < args.tokens:
            n = int(rng.integers(40, 400))
            ids = rng.zipf(1.2, size=n) % len(vocab)
            if rng.random() < 0.3:
                t = templates[int(rng.integers(len(templates)))]
                at = int(rng.integers(0, n))
                ids = np.concatenate([ids[:at], t, ids[at:]])
            rid += 1
            if len(records) < 200_000:
                records.append(ids)
            f.write(json.dumps({"id": f"r{rid}", "tokens": vocab[ids].tolist()}) + "\n")
            total += len(ids)
    with open(os.path.join(args.out, "generations.jsonl"), "w") as f:
        for g in range(args.generations):
            n = int(rng.integers(100, 300))
            ids = rng.zipf(1.2, size=n) % len(vocab)
            if rng.random() < 0.2:
                src = records[int(rng.integers(len(records)))]
                length = int(rng.integers(10, 80))
                start = int(rng.integers(0, max(1, len(src) - length)))
                at = int(rng.integers(0, n))
                ids = np.concatenate([ids[:at], src[start:start + length], ids[at:]])
            f.write(json.dumps({"id": f"g{g + 1}", "tokens": vocab[ids].tolist()}) + "\n")
    print(f"{rid} records, {total} tokens; {args.generations} generations")


if __name__ == "__main__":
    main()
