# memscan: `make demo` and `make test` do all the set-up on a fresh machine.
SWIFT ?= swift
CONFIG ?= release
BIN = .build/$(CONFIG)/memscan
DEMO = .build/demo

# System libraries: header packages checked by file, installed with apt when missing.
SYSTEM_HEADERS = /usr/include/xxhash.h /usr/include/zstd.h /usr/include/zlib.h
SYSTEM_PACKAGES = libxxhash-dev libzstd-dev zlib1g-dev

.PHONY: all deps build test demo clean sample bench bench-near microbench

all: build

deps:
	@missing=0; for h in $(SYSTEM_HEADERS); do [ -f $$h ] || missing=1; done; \
	if [ $$missing = 1 ]; then \
		echo "installing $(SYSTEM_PACKAGES)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG) --product memscan

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest

demo: build
	@mkdir -p $(DEMO)
	$(BIN) index build -o $(DEMO)/records.index sample/records.jsonl
	$(BIN) index info $(DEMO)/records.index
	$(BIN) scan --index $(DEMO)/records.index --sensitive default --group-by prompt_level --summary $(DEMO)/summary.json \
		-o $(DEMO)/spans.jsonl sample/generations.jsonl
	@echo "--- first spans ($(DEMO)/spans.jsonl) ---"
	@head -n 3 $(DEMO)/spans.jsonl
	@echo "--- summary ($(DEMO)/summary.json) ---"
	$(BIN) report $(DEMO)/summary.json

# Regenerates sample/ (byte for byte: memscan synth is deterministic for a seed).
sample: build
	$(BIN) synth --out sample --records 200 --generations 160 --seed 7 --experiment demo
	$(BIN) synth --mode text --out sample/notes --records 100 --generations 50 --seed 7 --experiment demo

# Benchmarks (SPEC §8), never timed tests. `make bench` prints one table of ratios and targets
# (SIZE=small|default|large; large is the >= 50 M corpus tokens size §8 is stated for) and writes
# bench-results.json under /tmp/memscan-bench-SIZE. numpy is needed (the low-match corpus of
# scripts/make_bench_corpus.py); infini-gram is a peer that is compared when it installs.
SIZE ?= default
BENCH_ARGS ?=
bench: deps
	@python3 -c "import numpy" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check numpy
	-@python3 -m pip install -q --disable-pip-version-check infini-gram >/dev/null 2>&1 || echo "bench: infini-gram not installed (the table says so)"
	python3 scripts/bench.py --size $(SIZE) $(BENCH_ARGS)

# Near-verbatim benchmark (issue 4, SPEC §4): recall of planted near copies by edit rate and
# length, precision checked by an independent Python Levenshtein, and the scan cost of near
# matching (near / --no-near throughput). Prints one table and writes near-results.json under
# /tmp/memscan-near-bench-SIZE (SIZE=small|default). Standard-library Python only.
bench-near: build
	python3 scripts/near_bench.py --size $(SIZE) --memscan $(BIN) $(BENCH_ARGS)

# Micro-benchmarks of the scan's stages (ordo-one/benchmark; its package is resolved only
# with MEMSCAN_BENCHMARKS=1, and the first build takes several minutes).
microbench: deps
	MEMSCAN_BENCHMARKS=1 $(SWIFT) package --scratch-path .build-ordo benchmark --target MemscanBenchmarks --no-progress

clean:
	rm -rf .build
