#!/usr/bin/env python3
"""memscan benchmark harness (SPEC §8): every figure side by side, in one run, on the same data.

Absolute times on shared machines drift, so §8 states its targets as ratios measured together:
memscan's scan against a plain Python set-of-shingles matcher and against its own probe-only loop,
threads scaling, index growth, plus absolute per-core rates and index bytes per corpus token.
This script builds memscan (release), generates a synthetic corpus with planted copies, runs
every contender on it, prints ONE table with PASS/MISS against the §8 targets and writes
bench-results.json.

    make bench                  # default size: ~10 M corpus tokens, < 15 min on 2 cores
    make bench SIZE=large       # >= 50 M corpus tokens (the size §8 is stated for)
    python3 scripts/bench.py --size small --workdir /tmp/x   # a one-minute smoke run

Data lives in --workdir (default /tmp/memscan-bench-SIZE), never in the repository, and is
generated afresh on every run.
"""
import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Size:
    corpus_tokens: int
    generations: int
    python_generations: int     # the Python matcher scans at most this many
    infini_generations: int     # infini-gram's per-position queries are slow
    scan_budget_seconds: int    # about this long per timed memscan scan (see scan_subset)


SIZES = {
    "small": Size(1_000_000, 20_000, 5_000, 100, 20),
    "default": Size(10_000_000, 500_000, 50_000, 300, 90),
    "large": Size(50_000_000, 1_000_000, 50_000, 300, 120),
}


# ----------------------------------------------------------------------------------------------
# Running commands


@dataclass
class Run:
    """A finished child process: wall time and its own peak RSS (from wait4, not the
    whole-process-tree maximum that RUSAGE_CHILDREN would give)."""
    seconds: float
    cpu_seconds: float
    max_rss_bytes: int
    stdout: str
    stderr: str


def run(cmd):
    """Runs `cmd`, failing loudly with its stderr. Output goes to files, not pipes, so that the
    child can be reaped with wait4, which gives its rusage."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{stderr[-3000:]}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, stdout, stderr)


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------
# Build and data


def build_memscan(scratch_path):
    """Builds the release binary; returns its path."""
    base = ["swift", "build", "-c", "release", "--product", "memscan"]
    if scratch_path:
        base += ["--scratch-path", scratch_path]
    log("building memscan (release)")
    subprocess.run(base, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    bin_dir = subprocess.run(base + ["--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True)
    return Path(bin_dir.stdout.strip()) / "memscan"


def has_synth(memscan):
    """Whether this memscan has the `synth` generator (it writes truth.jsonl). The exit code
    alone does not tell: an unknown subcommand with --help prints the root help."""
    help_text = subprocess.run([memscan, "synth", "--help"], capture_output=True, text=True)
    return help_text.returncode == 0 and "--generations" in help_text.stdout


def generate_data(memscan, workdir, size):
    """Generates records and generations afresh (a few seconds; stale data from an older
    generator would skew comparisons); prefers `memscan synth`, which also writes the
    planted spans' truth."""
    data = workdir / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    synth = has_synth(memscan)
    generator = "memscan synth" if synth else "scripts/make_bench_corpus.py"
    started = time.perf_counter()
    log(f"generating {size.corpus_tokens:,} corpus tokens, {size.generations:,} generations with {generator}")
    if synth:
        run([memscan, "synth", "--out", data, "--tokens", size.corpus_tokens, "--generations", size.generations, "--seed", 1])
    else:
        run([sys.executable, REPO / "scripts" / "make_bench_corpus.py", "--out", data,
             "--tokens", size.corpus_tokens, "--generations", size.generations])
    log(f"data generated in {time.perf_counter() - started:.1f} s")
    return data, generator


def first_lines(src, dst, count):
    """Copies the first `count` lines of src (the subsets the slow contenders scan)."""
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        for n, line in enumerate(fin):
            if n >= count:
                break
            fout.write(line)
    return dst


# ----------------------------------------------------------------------------------------------
# memscan measurements


def bench_build(memscan, records, index, threads):
    """`index build` with all threads: time, rates, peak RSS, and the index's own description."""
    r = run([memscan, "index", "build", "-o", index, "--threads", threads, records])
    info = json.loads(run([memscan, "index", "info", "--json", index]).stdout)
    tokens = info["corpus_tokens"]
    return {
        "threads": threads, "seconds": r.seconds, "corpus_tokens": tokens, "records": info["records"],
        "tokens_per_second": tokens / r.seconds, "tokens_per_second_per_core": tokens / r.seconds / threads,
        "cpu_seconds": r.cpu_seconds, "peak_rss_bytes": r.max_rss_bytes, "file_bytes": info["file_bytes"],
        "bytes_per_token": info["file_bytes"] / tokens,
        "sections": {s["name"]: s["length"] for s in info["sections"]},
        "k": info["k"], "w": info["w"], "guaranteed_length": info["guaranteed_length"],
    }


def bench_bounded_build(memscan, records, index, build, workdir):
    """`index build --memory-limit` at 1.3 bytes per corpus token, less than the index itself:
    the spilled build must write the same bytes as the unbounded one (§8: an index larger than
    memory is built by sorting runs on disk and merging)."""
    limit_mib = max(16, int(build["corpus_tokens"] * 1.3) >> 20)
    bounded = workdir / "records-bounded.index"
    r = run([memscan, "index", "build", "-o", bounded, "--threads", build["threads"],
             "--memory-limit", f"{limit_mib}M", records])
    same = Path(bounded).read_bytes() == Path(index).read_bytes()
    tokens = build["corpus_tokens"]
    return {"memory_limit_mib": limit_mib, "seconds": r.seconds, "tokens_per_second": tokens / r.seconds,
            "tokens_per_second_per_core": tokens / r.seconds / build["threads"], "peak_rss_bytes": r.max_rss_bytes,
            "identical": same}


def bench_scan(memscan, index, generations, threads, workdir, tag, extra=()):
    """`memscan scan` end to end (JSONL in, spans to a file); rate from the process wall time."""
    spans = workdir / f"spans-{tag}.jsonl"
    summary = workdir / f"summary-{tag}.json"
    r = run([memscan, "scan", "--index", index, "--threads", threads, "--summary", summary, "-o", spans,
             *extra, generations])
    s = json.loads(summary.read_text())
    tokens = s["counts"]["tokens"]
    return {
        "threads": threads, "seconds": r.seconds, "generations": s["counts"]["generations"], "tokens": tokens,
        "spans": s["counts"]["spans"], "tokens_per_second": tokens / r.seconds,
        "tokens_per_second_per_core": tokens / r.seconds / threads,
        "cpu_seconds": r.cpu_seconds, "tokens_per_cpu_second": tokens / r.cpu_seconds,
        "internal_seconds": s.get("throughput", {}).get("seconds"), "peak_rss_bytes": r.max_rss_bytes,
        "spans_path": str(spans),
    }


def bench_probe(memscan, index, generations, threads=1, repeat=3):
    """The probe-only loop (hash + lookup, no verification) on generations held in memory."""
    r = run([memscan, "probe-bench", "--index", index, "--threads", threads, "--repeat", repeat, generations])
    result = json.loads(r.stdout.strip().splitlines()[-1])
    result["peak_rss_bytes"] = r.max_rss_bytes
    result["read_tokens_per_second"] = result["tokens"] / result["read_seconds"]
    return result


BREAKDOWN_CONFIGS = [
    ("exhaustive (the default)", []),
    ("  --records-cap 6 (enough for the risk classes)", ["--records-cap", "6"]),
    ("  --no-near", ["--no-near"]),
    ("  --no-near --records-cap 1", ["--no-near", "--records-cap", "1"]),
    ("--max-occurrences 1000", ["--max-occurrences", "1000"]),
    ("  --no-near --records-cap 1", ["--max-occurrences", "1000", "--no-near", "--records-cap", "1"]),
]


def bench_cost_breakdown(memscan, index, generations, total, workdir, first=20_000, second=60_000, repeats=2):
    """Where the scan's time goes: the same generations scanned with parts of the job turned
    off (near-verbatim matching, exact record counts past the few the risk rule needs,
    enumerating every occurrence), each rate the marginal one between the first `first` and
    `second` generations (one thread, CPU time), so that the one-time work (decoding the token
    store, context orders, trigram postings) drops out, next to the probe-only loop on the
    same generations. The configurations all scan the same input, so their ratios say what
    each part costs, and how far the scan is from the probe-only loop without it. A marginal
    rate is a difference of two timings, which doubles the machine's noise: each scan is the
    fastest of `repeats`."""
    second = min(second, total)
    first = min(first, second // 3)
    if first < 1:
        return None
    paths = {n: first_lines(generations, workdir / f"generations-breakdown-{n}.jsonl", n) for n in (first, second)}
    rows = []
    for label, args in BREAKDOWN_CONFIGS:
        scans = {n: min((bench_scan(memscan, index, paths[n], 1, workdir, f"breakdown-{n}", args) for _ in range(repeats)),
                        key=lambda scan: scan["cpu_seconds"]) for n in (first, second)}
        tokens = scans[second]["tokens"] - scans[first]["tokens"]
        cpu = scans[second]["cpu_seconds"] - scans[first]["cpu_seconds"]
        rows.append({"label": label, "args": args, "tokens_per_cpu_second": tokens / cpu if cpu > 0 else None})
    probe = bench_probe(memscan, index, paths[second])
    return {"generations": [first, second], "repeats": repeats, "configurations": rows,
            "probe_only_tokens_per_second": probe["tokens_per_second"]}


def bench_low_match(memscan, workdir, size, cores):
    """The scan, probe-only and Python figures again on scripts/make_bench_corpus.py's corpus of
    the same size: Zipf-random codes with few shared templates, and generations that are random
    apart from planted copies. Its generations share little with the records, so the scan does
    little beyond hashing and probing; `memscan synth`'s corpus is template-heavy (order sets,
    shared phrasing), where an exhaustive scan verifies every copy of every common piece. The
    two bracket what real model output costs. As many generations as the main corpus: a scan
    decompresses each token block it verifies against once, which a long audit amortizes and a
    short one does not (at 50 M tokens that warm-up is a sixth of a 100,000-generation scan)."""
    data = workdir / "low-match"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    run([sys.executable, REPO / "scripts" / "make_bench_corpus.py", "--out", data, "--tokens", size.corpus_tokens,
         "--generations", size.generations])
    records, generations = data / "records.jsonl", data / "generations.jsonl"
    index = data / "records.index"
    build = bench_build(memscan, records, index, cores)
    scan = bench_scan(memscan, index, generations, 1, data, "1")
    probe = bench_probe(memscan, index, generations)
    python = bench_python(records, generations, build["k"], build["guaranteed_length"],
                          size.python_generations, data)
    return {"corpus_tokens": build["corpus_tokens"], "bytes_per_token": build["bytes_per_token"], "scan_1_thread": scan,
            "probe_only": probe, "python_matcher": python}


def bench_hard_inputs(memscan, index, generations, workdir, count=1000):
    """Two inputs whose cost could grow faster than their size, timed on one thread with near
    matching on: a repetition loop of three codes (12,000 and 120,000 tokens) against two
    records of 120,000 tokens of the same loop, where every alignment of the two loops is a
    maximal match; and the first `count` generations scanned as one line against the main
    index, next to the same generations as separate lines. With linear costs the loop's time
    grows about tenfold and the one-line ratio stays near 1 (before session 13: 9.5 s and 105 s
    for the loops, 6.3x for the one line at the default size)."""
    directory = workdir / "hard-inputs"
    directory.mkdir(parents=True, exist_ok=True)
    pattern = ["LAB//1", "LAB//2", "LAB//3"]

    def loop(n):
        return [pattern[i % len(pattern)] for i in range(n)]

    records = directory / "loop-records.jsonl"
    records.write_text("".join(json.dumps({"id": f"loop{r}", "tokens": loop(120_000)}) + "\n" for r in range(2)))
    loop_index = directory / "loop.index"
    run([memscan, "index", "build", "-o", loop_index, records])

    def scan(index_path, path):
        return run([memscan, "scan", "--index", index_path, "--threads", 1, "-o", path.with_suffix(".out"), path]).cpu_seconds

    loops = []
    for n in (12_000, 120_000):
        path = directory / f"loop-{n}.jsonl"
        path.write_text(json.dumps({"id": f"loop-{n}", "tokens": loop(n)}) + "\n")
        loops.append({"tokens": n, "cpu_seconds": scan(loop_index, path)})
    tokens, lines = [], []
    with open(generations, encoding="utf-8") as f:
        for line in f:
            if len(lines) == count:
                break
            _, generation = read_tokens(line)
            tokens += generation
            lines.append(json.dumps({"id": f"g{len(lines)}", "tokens": generation}))
    separate, one = directory / "separate-lines.jsonl", directory / "one-line.jsonl"
    separate.write_text("\n".join(lines) + "\n")
    one.write_text(json.dumps({"id": "one-line", "tokens": tokens}) + "\n")
    return {"loops": loops, "one_line": {"generations": len(lines), "tokens": len(tokens),
                                         "cpu_seconds": scan(index, one), "separate_cpu_seconds": scan(index, separate)}}


# ----------------------------------------------------------------------------------------------
# Peers


def bench_python(records, generations, k, min_length, count, workdir):
    """scripts/python_matcher.py on the first `count` generations (its rates are per token)."""
    spans = workdir / "spans-python.jsonl"
    r = run([sys.executable, REPO / "scripts" / "python_matcher.py", "--records", records, "--generations", generations,
             "-k", k, "--min-length", min_length, "--max-generations", count, "-o", spans])
    result = json.loads(r.stdout.strip().splitlines()[-1])
    result.update(peak_rss_bytes=r.max_rss_bytes, spans_path=str(spans))
    return result


def read_tokens(line):
    """Tokens of a JSONL line (codes array or whitespace-split string), for infini-gram's ids."""
    obj = json.loads(line)
    for field in ("tokens", "event_tokens", "codes", "predicted_tokens", "trajectory", "text", "generation"):
        value = obj.get(field)
        if isinstance(value, list):
            return obj, value
        if isinstance(value, str):
            return obj, value.split()
    return obj, []


def infini_gram_index(records, directory):
    """Writes infini-gram's tokenized datastore (doc separator + token ids per record, and byte
    offsets) so that its indexer skips its own HF-tokenizer step, then builds the suffix array.
    Returns (vocabulary, token dtype, conversion seconds, indexing seconds)."""
    import numpy as np

    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    vocabulary = {}
    ids_per_record = []
    with open(records, encoding="utf-8") as f:
        for line in f:
            _, tokens = read_tokens(line)
            ids_per_record.append([vocabulary.setdefault(t, len(vocabulary)) for t in tokens])
    # Two ids stay free: one for tokens unseen in training, one for the engine's eos.
    dtype, width = ("u16", np.uint16) if len(vocabulary) < 65534 else ("u32", np.uint32)
    separator = np.array([-1], dtype=np.int64).astype(width).tobytes()
    offset = 0
    with open(directory / "tokenized.0", "wb") as data, open(directory / "offset.0", "wb") as offsets:
        for ids in ids_per_record:
            chunk = separator + np.asarray(ids, dtype=width).tobytes()
            offsets.write(np.array([offset], dtype=np.uint64).tobytes())
            data.write(chunk)
            offset += len(chunk)
    convert_seconds = time.perf_counter() - started
    open_files = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    r = run([sys.executable, "-m", "infini_gram.indexing", "--data_dir", directory, "--save_dir", directory,
             "--token_dtype", dtype, "--cpus", os.cpu_count(), "--mem", 8, "--ulimit", open_files])
    return vocabulary, dtype, convert_seconds, r.seconds


def bench_infini_gram(records, generations, min_length, count, workdir):
    """infini-gram doing the same job: the longest corpus match starting at every position
    (`creativity`), merged into spans of >= min_length tokens. Never fails the run: returns
    {"available": False, "reason": ...} when the package is missing or does not work here."""
    try:
        from infini_gram.engine import InfiniGramEngine
    except Exception as error:  # not installed, or its C++ engine does not load
        return {"available": False, "reason": f"import failed: {error}"}
    try:
        directory = workdir / "infini-gram"
        shutil.rmtree(directory, ignore_errors=True)
        vocabulary, dtype, convert_seconds, index_seconds = infini_gram_index(records, directory)
        id_limit = 65535 if dtype == "u16" else len(vocabulary) + 2
        unknown, eos = id_limit - 2, id_limit - 1
        engine = InfiniGramEngine(index_dir=str(directory), eos_token_id=eos, vocab_size=id_limit, token_dtype=dtype)
        spans_path = workdir / "spans-infini-gram.jsonl"
        tokens_total = generation_count = span_count = 0
        started = time.perf_counter()
        with open(generations, encoding="utf-8") as f, open(spans_path, "w", encoding="utf-8") as out:
            for n, line in enumerate(f):
                if n >= count:
                    break
                obj, tokens = read_tokens(line)
                ids = [vocabulary.get(t, unknown) for t in tokens]
                reach = engine.creativity(ids)["rs"]
                spans = merge_reaches(reach, min_length)
                tokens_total += len(ids)
                generation_count += 1
                span_count += len(spans)
                if spans:
                    out.write(json.dumps({"id": obj.get("id", n + 1), "spans": [{"start": s, "end": e} for s, e in spans]}) + "\n")
        seconds = time.perf_counter() - started
        index_bytes = sum(p.stat().st_size for p in directory.iterdir())
        return {
            "available": True, "token_dtype": dtype, "convert_seconds": convert_seconds, "index_seconds": index_seconds,
            "index_bytes": index_bytes, "generations": generation_count, "tokens": tokens_total, "spans": span_count,
            "scan_seconds": seconds, "scan_tokens_per_second": tokens_total / seconds if seconds > 0 else 0.0,
            "spans_path": str(spans_path),
        }
    except Exception as error:
        return {"available": False, "reason": f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"}


def merge_reaches(reach, min_length):
    """Maximal spans covered by [l, reach[l]) intervals of at least min_length tokens."""
    spans = []
    for start, end in enumerate(reach):
        if end - start < min_length:
            continue
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return [tuple(s) for s in spans]


# ----------------------------------------------------------------------------------------------
# Recall of planted spans


def planted_spans(truth_path, min_length):
    """Verbatim planted spans with at least min_length new (beyond-prompt) tokens, as
    {generation id: [(start, end)]}, from `memscan synth`'s truth.jsonl (one span per line)."""
    wanted = {}
    with open(truth_path, encoding="utf-8") as f:
        for line in f:
            span = json.loads(line)
            if span["kind"] == "verbatim" and span["new_tokens"] >= min_length:
                wanted.setdefault(str(span["generation"]), []).append((span["gen_start"], span["gen_end"]))
    return wanted


def reported_spans(spans_path, verbatim_only=True):
    """Spans a tool reported, as {generation id: [(start, end)]}."""
    found = {}
    with open(spans_path, encoding="utf-8") as f:
        for line in f:
            obj = json.loads(line)
            found[str(obj["id"])] = [(s["start"], s["end"]) for s in obj.get("spans", [])
                                     if not verbatim_only or s.get("kind", "verbatim") == "verbatim"]
    return found


def recall(planted, spans_path, generation_ids=None):
    """Fraction of planted spans contained in one reported span (restricted to the generations
    a tool scanned). A near-verbatim span counts too: memscan reports a verbatim span that lies
    inside a near span of the same record only as that near span's core. Lists a few misses as
    evidence."""
    found = reported_spans(spans_path, verbatim_only=False)
    total = hit = 0
    misses = []
    for gid, spans in planted.items():
        if generation_ids is not None and gid not in generation_ids:
            continue
        for start, end in spans:
            total += 1
            if any(s <= start and end <= e for s, e in found.get(gid, [])):
                hit += 1
            elif len(misses) < 5:
                misses.append({"generation": gid, "start": start, "end": end, "reported": found.get(gid, [])})
    return {"planted": total, "found": hit, "recall": hit / total if total else None, "examples_missed": misses}


def generation_ids(path, count=None):
    ids = set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            if count is not None and n >= count:
                break
            ids.add(str(json.loads(line).get("id", n + 1)))
    return ids


# ----------------------------------------------------------------------------------------------
# Verdicts and the table


def verdicts(r):
    """Rows of (figure, value, §8 target, PASS/MISS/INFO) from the collected results."""
    rows = []
    cores = r["machine"]["cores"]
    scan1, scanN, probe = r["scan_1_thread"], r["scan_all_threads"], r["probe_only"]
    build, py = r["build"], r["python_matcher"]

    def row(name, value, target=None, ok=None):
        rows.append((name, value, target or "", "INFO" if ok is None else ("PASS" if ok else "MISS")))

    row("corpus", f"{build['corpus_tokens'] / 1e6:.1f} M tokens, {build['records']:,} records",
        ">= 50 M tokens", build["corpus_tokens"] >= 50_000_000)
    generations = r["generations"]
    row("generations scanned by memscan", f"{generations['scanned']:,} of {generations['total']:,} "
        f"({scan1['tokens'] / 1e6:.1f} M tokens)" + (" within the time budget" if generations["scanned"] < generations["total"] else ""))
    if "sampled" in generations:
        row("  by the sampled scans", f"{generations['sampled']:,} ({r['scan_sampled_1_thread']['tokens'] / 1e6:.1f} M tokens)")
    row("scan --threads 1", f"{scan1['tokens_per_second'] / 1e6:.3g} M tok/s wall, "
        f"{scan1['tokens_per_cpu_second'] / 1e6:.3g} M per CPU-s ({scan1['cpu_seconds'] / scan1['seconds']:.2f} cores busy)",
        ">= 10 M tok/s/core", scan1["tokens_per_cpu_second"] >= 10e6)
    row(f"scan --threads {scanN['threads']}", f"{scanN['tokens_per_second'] / 1e6:.3g} M tok/s wall "
        f"({scanN['tokens_per_second_per_core'] / 1e6:.3g} per core)", ">= 10 M tok/s/core",
        scanN["tokens_per_second_per_core"] >= 10e6)
    sampled1, sampledN = r.get("scan_sampled_1_thread"), r.get("scan_sampled_all_threads")
    if sampled1:
        mo = r["sampled_max_occurrences"]
        row(f"scan --max-occurrences {mo}, 1 thread", f"{sampled1['tokens_per_second'] / 1e6:.3g} M tok/s wall, "
            f"{sampled1['tokens_per_cpu_second'] / 1e6:.3g} M per CPU-s", ">= 10 M tok/s/core",
            sampled1["tokens_per_cpu_second"] >= 10e6)
        row(f"scan --max-occurrences {mo}, {sampledN['threads']} threads",
            f"{sampledN['tokens_per_second'] / 1e6:.3g} M tok/s wall ({sampledN['tokens_per_second_per_core'] / 1e6:.3g} per core)",
            ">= 10 M tok/s/core", sampledN["tokens_per_second_per_core"] >= 10e6)
    row("JSONL read + parse alone, 1 thread", f"{probe['read_tokens_per_second'] / 1e6:.2f} M tok/s")
    row("probe-only loop, 1 thread", f"{probe['tokens_per_second'] / 1e6:.2f} M tok/s")
    ratio = probe["tokens_per_second"] / scan1["tokens_per_cpu_second"]
    row("probe-only / scan (per CPU-s)", f"{ratio:.3g}x", "<= 3x", ratio <= 3)
    if sampled1:
        ratio = probe["tokens_per_second"] / sampled1["tokens_per_cpu_second"]
        row("probe-only / sampled scan (per CPU-s)", f"{ratio:.3g}x", "<= 3x", ratio <= 3)
    row("python set-of-shingles matcher", f"{py['scan_tokens_per_second'] / 1e6:.2f} M tok/s "
        f"({py['generations']:,} generations, 1 core)")
    versus = scan1["tokens_per_cpu_second"] / py["scan_tokens_per_second"]
    row("scan / python matcher (per CPU-s)", f"{versus:.3g}x", ">= 10x", versus >= 10)
    if sampled1:
        versus = sampled1["tokens_per_cpu_second"] / py["scan_tokens_per_second"]
        row("sampled scan / python matcher (per CPU-s)", f"{versus:.3g}x", ">= 10x", versus >= 10)
    speedup = scanN["tokens_per_second"] / scan1["tokens_per_second"]
    row(f"threads scaling 1 -> {scanN['threads']}", f"{speedup:.2f}x", f">= {0.75 * scanN['threads']:.2f}x",
        speedup >= 0.75 * scanN["threads"])
    growth = r.get("index_growth")
    if growth:
        row("index 10x larger: scan cost/token", f"{growth['cost_ratio']:.2f}x", "<= 1.5x (flat)",
            growth["cost_ratio"] <= 1.5)
        if "sampled_cost_ratio" in growth:
            row("  the same, sampled scan", f"{growth['sampled_cost_ratio']:.2f}x", "<= 1.5x (flat)",
                growth["sampled_cost_ratio"] <= 1.5)
        same = growth.get("same_findings")
        if same:
            row("  same findings: scan cost/token", f"{same['cost_ratio']:.2f}x", "<= 1.5x (flat)",
                same["cost_ratio"] <= 1.5)
            row("  same findings: sampled scan", f"{same['sampled_cost_ratio']:.2f}x", "<= 1.5x (flat)",
                same["sampled_cost_ratio"] <= 1.5)
    low = r.get("low_match")
    if low:
        scan, probe, python = low["scan_1_thread"], low["probe_only"], low["python_matcher"]
        row("low-match corpus (make_bench_corpus.py)", f"{low['corpus_tokens'] / 1e6:.1f} M tokens, "
            f"{scan['generations']:,} generations ({scan['tokens'] / 1e6:.1f} M tokens), {scan['spans']:,} spans")
        row("  scan --threads 1", f"{scan['tokens_per_second'] / 1e6:.3g} M tok/s wall, "
            f"{scan['tokens_per_cpu_second'] / 1e6:.3g} M per CPU-s", ">= 10 M tok/s/core", scan["tokens_per_cpu_second"] >= 10e6)
        ratio = probe["tokens_per_second"] / scan["tokens_per_cpu_second"]
        row("  probe-only / scan (per CPU-s)", f"{ratio:.3g}x (probe-only {probe['tokens_per_second'] / 1e6:.1f} M tok/s)",
            "<= 3x", ratio <= 3)
        versus = scan["tokens_per_cpu_second"] / python["scan_tokens_per_second"]
        row("  scan / python matcher (per CPU-s)", f"{versus:.3g}x (python {python['scan_tokens_per_second'] / 1e6:.2f} M tok/s)",
            ">= 10x", versus >= 10)
        row("  index size", f"{low['bytes_per_token']:.3f} bytes/corpus token", "<= 2 bytes/token", low["bytes_per_token"] <= 2)
    row("index size", f"{build['bytes_per_token']:.3f} bytes/corpus token", "<= 2 bytes/token",
        build["bytes_per_token"] <= 2)
    row(f"build {build['threads']} threads", f"{build['tokens_per_second'] / 1e6:.2f} M tok/s "
        f"({build['tokens_per_second_per_core'] / 1e6:.2f} /core)", ">= 2 M tok/s/core",
        build["tokens_per_second_per_core"] >= 2e6)
    row("build peak RSS", f"{build['peak_rss_bytes'] / 2**20:.0f} MiB "
        f"({build['peak_rss_bytes'] / build['corpus_tokens']:.1f} B/corpus token)")
    bounded = r.get("bounded_build")
    if bounded:
        below = " (< index)" if bounded["memory_limit_mib"] * 2**20 < build["file_bytes"] else ""
        row(f"build --memory-limit {bounded['memory_limit_mib']}M{below}",
            f"{bounded['tokens_per_second_per_core'] / 1e6:.2f} M tok/s/core, peak {bounded['peak_rss_bytes'] / 2**20:.0f} MiB "
            f"(index {build['file_bytes'] / 2**20:.0f}), same bytes: {'yes' if bounded['identical'] else 'NO'}",
            ">= 2 M tok/s/core", bounded["identical"] and bounded["tokens_per_second_per_core"] >= 2e6)
    row(f"scan peak RSS (1 / {scanN['threads']} threads)",
        f"{scan1['peak_rss_bytes'] / 2**20:.0f} / {scanN['peak_rss_bytes'] / 2**20:.0f} MiB")
    row("python matcher build", f"{py['build_tokens_per_second'] / 1e6:.2f} M tok/s, "
        f"{py['peak_rss_bytes'] / 2**20:.0f} MiB peak")
    ig = r["infini_gram"]
    if ig.get("available"):
        row("infini-gram longest match", f"{ig['scan_tokens_per_second'] / 1e3:.1f} k tok/s "
            f"({ig['generations']:,} generations); index {ig['index_seconds']:.1f} s, "
            f"{ig['index_bytes'] / build['corpus_tokens']:.1f} B/token")
        row("scan / infini-gram", f"{scan1['tokens_per_cpu_second'] / ig['scan_tokens_per_second']:.3g}x")
    else:
        row("infini-gram", f"not available ({ig['reason']})")
    hard = r.get("hard_inputs")
    if hard:
        short, long = hard["loops"]
        row(f"repetition loop, {short['tokens']:,} / {long['tokens']:,} tokens",
            f"{short['cpu_seconds']:.2f} / {long['cpu_seconds']:.2f} CPU-s "
            f"({long['cpu_seconds'] / short['cpu_seconds']:.1f}x for {long['tokens'] // short['tokens']}x the tokens)")
        one = hard["one_line"]
        row(f"{one['generations']:,} generations as one line",
            f"{one['cpu_seconds'] / one['separate_cpu_seconds']:.2f}x the CPU time of separate lines "
            f"({one['tokens']:,} tokens, {one['cpu_seconds']:.2f} CPU-s)")
    breakdown = r.get("cost_breakdown")
    if breakdown:
        first, second = breakdown["generations"]
        probe_rate = breakdown["probe_only_tokens_per_second"]
        row(f"where scan time goes ({first:,} to {second:,} generations)",
            f"marginal M tok per CPU-s, 1 thread, best of {breakdown['repeats']}; probe-only loop {probe_rate / 1e6:.1f} M tok/s")
        for c in breakdown["configurations"]:
            rate = c["tokens_per_cpu_second"]
            row(f"  {c['label']}", "n/a" if rate is None else
                f"{rate / 1e6:.3g} M (probe-only / this: {probe_rate / rate:.3g}x)")
    rec = r["recall"]
    if rec.get("memscan", {}).get("recall") is not None:
        m = rec["memscan"]
        row("recall of planted verbatim spans", f"{m['recall']:.4f} ({m['found']:,}/{m['planted']:,})", "1.0",
            m["recall"] == 1.0)
        if rec.get("memscan_sampled", {}).get("recall") is not None:
            m = rec["memscan_sampled"]
            row("  recall, sampled scan", f"{m['recall']:.4f} ({m['found']:,}/{m['planted']:,})")
        for tool in ("python_matcher", "infini_gram"):
            if rec.get(tool, {}).get("recall") is not None:
                row(f"  recall, {tool.replace('_', ' ')} (its subset)", f"{rec[tool]['recall']:.4f}")
    else:
        row("recall of planted verbatim spans", f"skipped ({rec.get('note', 'no truth file')})")
    return rows


def print_table(rows, title):
    widths = [max(len(str(row[i])) for row in rows + [("figure", "value", "§8 target", "verdict")]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    print(title)
    print("per-core figures divide by CPU time (scan --threads 1 also runs a reader thread)")
    print(line)
    print("  ".join(h.ljust(w) for h, w in zip(("figure", "value", "§8 target", "verdict"), widths)))
    print(line)
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
    print(line)


# ----------------------------------------------------------------------------------------------


def scan_subset(memscan, index, generations, total, budget_seconds, workdir, extra=(), tag=""):
    """The generations every timed scan reads: all of them, or the first N that a one-thread
    scan gets through in about `budget_seconds`. memscan's rate depends on the data (a shingle
    shared by many records costs one verification per occurrence), and the run must stay
    within its time budget; rates are per token, and all contenders that scan subsets report
    per-token rates too. The rate is the marginal one between calibration scans of 500 and
    5,000 generations: a scan's one-time work (decoding the token store, context orders and
    trigram postings of common shingles, built as the scan meets them) dominates a short scan,
    and judged from 500 generations alone the timed scans came out ten times shorter than
    their budget."""
    timings = []
    # The first scan also pages the index in: it is run twice and the second one kept.
    for n in (500, 500, 5000):
        calibration = first_lines(generations, workdir / f"generations-calibration{tag}-{n}.jsonl", n)
        probe = bench_scan(memscan, index, calibration, 1, workdir, f"calibration{tag}-{n}", extra)
        timings.append((probe["generations"], probe["seconds"]))
    (n1, t1), (n2, t2) = timings[1:]
    per_generation = (t2 - t1) / (n2 - n1) if n2 > n1 and t2 > t1 else t2 / max(1, n2)
    count = min(total, max(n2, int(budget_seconds / per_generation)))
    if count >= total:
        return generations, total
    log(f"calibration{tag}: {per_generation * 1e3:.3f} ms per generation past the first {n1} "
        f"({n1} in {t1:.2f} s, {n2} in {t2:.2f} s); timed scans read the first {count:,} "
        f"of {total:,} generations (budget {budget_seconds} s per scan)")
    return first_lines(generations, workdir / f"generations-scan{tag}.jsonl", count), count


def index_growth(memscan, data, generations, full_scan, sampled_generations, sampled_scan, max_occurrences, workdir,
                 threads):
    """Builds an index on a tenth of the records and scans the same generations with one thread,
    exhaustively and sampled: §8 wants the cost per generation token flat as the index grows 10x."""
    records = data / "records.jsonl"
    lines = sum(1 for _ in open(records, "rb"))
    small_records = first_lines(records, workdir / "records-tenth.jsonl", max(1, lines // 10))
    small_index = workdir / "records-tenth.index"
    run([memscan, "index", "build", "-o", small_index, "--threads", threads, small_records])
    small = bench_scan(memscan, small_index, generations, 1, workdir, "tenth")
    sampled_args = ["--max-occurrences", str(max_occurrences)]
    small_sampled = bench_scan(memscan, small_index, sampled_generations, 1, workdir, "tenth-sampled", sampled_args)
    result = {"small_index_tokens_per_second": small["tokens_per_second"],
              "full_index_tokens_per_second": full_scan["tokens_per_second"],
              "cost_ratio": small["tokens_per_second"] / full_scan["tokens_per_second"],
              "sampled_small_index_tokens_per_second": small_sampled["tokens_per_second"],
              "sampled_full_index_tokens_per_second": sampled_scan["tokens_per_second"],
              "sampled_cost_ratio": small_sampled["tokens_per_second"] / sampled_scan["tokens_per_second"]}
    same = same_findings(small_records, data / "truth.jsonl", generations, workdir / "generations-same-findings.jsonl")
    if same is not None:
        path, count = same
        log(f"index growth, same findings: {count:,} generations whose planted sources lie in the tenth")
        rates = {}
        for name, index in (("small", small_index), ("full", workdir / "records.index")):
            rates[name] = bench_scan(memscan, index, path, 1, workdir, f"same-{name}")["tokens_per_second"]
            rates[f"sampled_{name}"] = bench_scan(memscan, index, path, 1, workdir, f"same-sampled-{name}",
                                                  sampled_args)["tokens_per_second"]
        result["same_findings"] = {
            "generations": count, "rates": rates,
            "cost_ratio": rates["small"] / rates["full"],
            "sampled_cost_ratio": rates["sampled_small"] / rates["sampled_full"]}
    return result


ID_FIELD = re.compile(rb'"id":"([^"]*)"')
PATIENT_FIELD = re.compile(rb'"patient_id":"([^"]*)"')


def same_findings(small_records, truth, generations, out):
    """The generations whose every planted source lies in the tenth of the records: their patient
    (the prompt's) and the record of each planted span. Against the tenth's index they find what
    they find against the full one, so the two scans differ only in the index's size. (Scanning
    all generations against the tenth, most copies of other patients become novel text: that
    scan reports about half as many generations with spans, so its cost also falls with the
    findings.) Template spans count the records holding the template in each index; that growth
    is the index's. Nil without a truth file."""
    if not truth.exists():
        return None
    tenth = set()
    with open(small_records, "rb") as f:
        for line in f:
            m = ID_FIELD.search(line)
            if m:
                tenth.add(m.group(1).decode())
    outside = set()
    with open(truth, encoding="utf-8") as f:
        for line in f:
            span = json.loads(line)
            # A template is held by thousands of records in either index.
            if span["kind"] != "template" and span.get("record") is not None and span["record"] not in tenth:
                outside.add(span["generation"])
    count = 0
    with open(generations, "rb") as fin, open(out, "wb") as fout:
        for line in fin:
            gid, patient = ID_FIELD.search(line), PATIENT_FIELD.search(line)
            if gid is None or patient is None:
                continue
            if patient.group(1).decode() in tenth and gid.group(1).decode() not in outside:
                fout.write(line)
                count += 1
    return (out, count) if count else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=sorted(SIZES), default="default")
    ap.add_argument("--workdir", default=None, help="data and outputs (default /tmp/memscan-bench-SIZE)")
    ap.add_argument("--scratch-path", default=None, help="swift build --scratch-path for the memscan build")
    ap.add_argument("--memscan", default=None, help="use this memscan binary instead of building one")
    ap.add_argument("--no-infini-gram", action="store_true", help="skip the infini-gram comparison")
    ap.add_argument("--sampled-max-occurrences", type=int, default=1000,
                    help="also time scans with this --max-occurrences (sampling of common shingles)")
    args = ap.parse_args()

    size = SIZES[args.size]
    workdir = Path(args.workdir or f"/tmp/memscan-bench-{args.size}").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    cores = os.cpu_count() or 1
    memscan = Path(args.memscan) if args.memscan else build_memscan(args.scratch_path)
    data, generator = generate_data(memscan, workdir, size)
    records, generations = data / "records.jsonl", data / "generations.jsonl"
    results = {"size": args.size, "parameters": size.__dict__, "generator": generator,
               "machine": {"cores": cores, "platform": platform.platform(), "python": platform.python_version()}}

    index = workdir / "records.index"
    log("memscan index build")
    results["build"] = build = bench_build(memscan, records, index, cores)
    log("memscan index build --memory-limit")
    results["bounded_build"] = bench_bounded_build(memscan, records, index, build, workdir)
    k, G = build["k"], build["guaranteed_length"]
    total = sum(1 for _ in open(generations, "rb"))
    scanned, count = scan_subset(memscan, index, generations, total, size.scan_budget_seconds, workdir)
    results["generations"] = {"total": total, "scanned": count}
    log("memscan scan, 1 thread")
    results["scan_1_thread"] = bench_scan(memscan, index, scanned, 1, workdir, "1")
    log(f"memscan scan, {cores} threads")
    results["scan_all_threads"] = bench_scan(memscan, index, scanned, cores, workdir, str(cores))
    mo = args.sampled_max_occurrences
    results["sampled_max_occurrences"] = mo
    # The sampled scan is far faster: timed on its own, longer subset, so that the rate is
    # not the warm-up of its block cache (each thread decompresses the blocks it touches).
    sampled_args = ["--max-occurrences", str(mo)]
    sampled_scanned, sampled_count = scan_subset(memscan, index, generations, total, size.scan_budget_seconds // 3,
                                                 workdir, sampled_args, "-sampled")
    results["generations"]["sampled"] = sampled_count
    log(f"memscan scan --max-occurrences {mo}, 1 thread")
    results["scan_sampled_1_thread"] = bench_scan(memscan, index, sampled_scanned, 1, workdir, "sampled-1", sampled_args)
    log(f"memscan scan --max-occurrences {mo}, {cores} threads")
    results["scan_sampled_all_threads"] = bench_scan(memscan, index, sampled_scanned, cores, workdir, f"sampled-{cores}",
                                                     sampled_args)
    log("probe-only loop, 1 thread")
    results["probe_only"] = bench_probe(memscan, index, scanned)
    log("index growth: scan against an index of a tenth of the records")
    results["index_growth"] = index_growth(memscan, data, scanned, results["scan_1_thread"], sampled_scanned,
                                           results["scan_sampled_1_thread"], mo, workdir, cores)
    log(f"python set-of-shingles matcher ({size.python_generations:,} generations)")
    results["python_matcher"] = bench_python(records, generations, k, G, size.python_generations, workdir)
    if args.no_infini_gram:
        results["infini_gram"] = {"available": False, "reason": "skipped with --no-infini-gram"}
    else:
        log(f"infini-gram ({size.infini_generations:,} generations)")
        results["infini_gram"] = bench_infini_gram(records, generations, G, size.infini_generations, workdir)

    log("hard inputs: a repetition loop, and 1,000 generations as one line")
    results["hard_inputs"] = bench_hard_inputs(memscan, index, scanned, workdir)

    log("where the scan's time goes: parts of the job turned off")
    results["cost_breakdown"] = bench_cost_breakdown(memscan, index, generations, total, workdir)

    log(f"low-match corpus: {size.corpus_tokens:,} tokens, {size.generations:,} generations")
    results["low_match"] = bench_low_match(memscan, workdir, size, cores)

    truth = data / "truth.jsonl"
    if truth.exists():
        log("recall of planted spans")
        planted = planted_spans(truth, G)
        results["recall"] = {"memscan": recall(planted, results["scan_1_thread"]["spans_path"],
                                               generation_ids(scanned)),
                             "memscan_sampled": recall(planted, results["scan_sampled_1_thread"]["spans_path"],
                                                       generation_ids(sampled_scanned)),
                             "python_matcher": recall(planted, results["python_matcher"]["spans_path"],
                                                      generation_ids(generations, size.python_generations))}
        if results["infini_gram"].get("available"):
            results["recall"]["infini_gram"] = recall(planted, results["infini_gram"]["spans_path"],
                                                      generation_ids(generations, size.infini_generations))
    else:
        results["recall"] = {"note": "no truth.jsonl: data from make_bench_corpus.py"}

    results["total_seconds"] = time.perf_counter() - started
    rows = verdicts(results)
    results["table"] = [dict(zip(("figure", "value", "target", "verdict"), row)) for row in rows]
    out = workdir / "bench-results.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print_table(rows, f"memscan benchmark, size {args.size} ({cores} cores, {results['total_seconds'] / 60:.1f} min)")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
