#!/usr/bin/env python3
"""A plain Python set-of-shingles matcher: the baseline memscan is measured against (SPEC §8).

This is what a researcher would write in an afternoon: read the training records, put the hash
of every k-token shingle into a set, then for each generation mark the positions whose shingle
is in the set and merge consecutive marked positions into spans of at least G tokens. It neither
verifies matches against the records (a hash collision or two different records can join into
one span) nor knows which record a span came from; it only has to be fair on throughput, so it
uses nothing slower than a researcher would (the standard json module, tuple hashing, a set).

Build and scan are timed separately; the scan is timed end to end like `memscan scan`
(JSONL in, spans out) and, separately, the matching alone. Prints one JSON line of timings.
"""
import argparse
import json
import re
import sys
import time

TOKEN_FIELDS = ("tokens", "event_tokens", "codes", "predicted_tokens", "trajectory")
TEXT_FIELDS = ("text", "generation")
ID_FIELDS = ("id", "subject_id", "patient_id", "person_id", "note_id")
WORD = re.compile(r"\w+")


def tokens_of(obj):
    """The record's tokens: a codes array as is, a string split on whitespace; text fields are
    cut into word runs (close enough to memscan's text tokenizer for a throughput baseline)."""
    for field in TOKEN_FIELDS:
        value = obj.get(field)
        if isinstance(value, list):
            return value
        if isinstance(value, str):
            return value.split()
    for field in TEXT_FIELDS:
        value = obj.get(field)
        if isinstance(value, str):
            return WORD.findall(value.casefold())
    return []


def id_of(obj, line_number):
    for field in ID_FIELDS:
        if field in obj:
            return obj[field]
    return line_number


def read_jsonl(path, limit=None):
    """Yields (id, tokens) per line, at most `limit` lines."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if limit is not None and n > limit:
                break
            obj = json.loads(line)
            yield id_of(obj, n), tokens_of(obj)


def build(records_path, k):
    """The set of hashes of every k-shingle of every record."""
    shingles = set()
    tokens_seen = 0
    for _, tokens in read_jsonl(records_path):
        tokens_seen += len(tokens)
        for i in range(len(tokens) - k + 1):
            shingles.add(hash(tuple(tokens[i:i + k])))
    return shingles, tokens_seen


def match(tokens, shingles, k, min_length):
    """Spans [start, end) of at least min_length tokens covered by consecutive known shingles."""
    spans = []
    run_start = None
    last = len(tokens) - k
    for i in range(last + 1):
        if hash(tuple(tokens[i:i + k])) in shingles:
            if run_start is None:
                run_start = i
        elif run_start is not None:
            if i - 1 + k - run_start >= min_length:
                spans.append((run_start, i - 1 + k))
            run_start = None
    if run_start is not None and last + k - run_start >= min_length:
        spans.append((run_start, last + k))
    return spans


def scan(generations_path, shingles, k, min_length, limit, out):
    """Scans generations end to end; returns (generations, tokens, spans, match_seconds)."""
    generations = tokens_total = span_count = 0
    match_seconds = 0.0
    for gid, tokens in read_jsonl(generations_path, limit):
        t0 = time.perf_counter()
        spans = match(tokens, shingles, k, min_length)
        match_seconds += time.perf_counter() - t0
        generations += 1
        tokens_total += len(tokens)
        span_count += len(spans)
        if spans and out is not None:
            out.write(json.dumps({"id": gid, "spans": [{"start": s, "end": e} for s, e in spans]}) + "\n")
    return generations, tokens_total, span_count, match_seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", required=True, help="training records (JSONL)")
    ap.add_argument("--generations", required=True, help="generations (JSONL)")
    ap.add_argument("-k", type=int, default=8, help="shingle size (use the index's k)")
    ap.add_argument("--min-length", type=int, default=16, help="shortest span reported (the index's G)")
    ap.add_argument("--max-generations", type=int, default=None, help="scan only the first N generations")
    ap.add_argument("-o", "--output", default=None, help="spans output (JSONL); default: none")
    args = ap.parse_args()

    t0 = time.perf_counter()
    shingles, corpus_tokens = build(args.records, args.k)
    build_seconds = time.perf_counter() - t0

    out = open(args.output, "w", encoding="utf-8") if args.output else None
    t0 = time.perf_counter()
    generations, tokens, spans, match_seconds = scan(args.generations, shingles, args.k, args.min_length,
                                                     args.max_generations, out)
    scan_seconds = time.perf_counter() - t0
    if out is not None:
        out.close()

    json.dump({
        "corpus_tokens": corpus_tokens, "distinct_shingles": len(shingles), "build_seconds": build_seconds,
        "generations": generations, "tokens": tokens, "spans": spans,
        "scan_seconds": scan_seconds, "match_seconds": match_seconds,
        "scan_tokens_per_second": tokens / scan_seconds if scan_seconds > 0 else 0.0,
        "build_tokens_per_second": corpus_tokens / build_seconds if build_seconds > 0 else 0.0,
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
