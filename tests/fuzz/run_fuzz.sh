#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Run a libFuzzer binary for SK_FUZZ_SECONDS (default 60).
#
#   run_fuzz.sh FUZZER SEEDS DICT CORPUS
#
# SEEDS is a script that writes seed inputs into the folder it is given
# (make_corpus.py), DICT a libFuzzer dictionary, CORPUS the minimised
# corpus kept in the repository (tests/fuzz/corpus/NAME); "-" for none.
# The run starts from the seeds and the kept corpus; new inputs go to a
# scratch folder only (the kept corpus is read, never written), kept
# afterwards with SK_FUZZ_KEEP=DIR. Its exit status is the fuzzer's.
# Growing the kept corpus is a separate, manual step (docs/robustness.md):
#   FUZZER -merge=1 tests/fuzz/corpus/NAME DIR
set -euo pipefail
fuzzer=$1
seeds=${2:--}
dict=${3:--}
kept=${4:--}
secs=${SK_FUZZ_SECONDS:-60}
work=$(mktemp -d /tmp/sk-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
[ "$seeds" = - ] || python3 "$seeds" "$work/corpus"
args=()
[ "$dict" = - ] || args+=(-dict="$dict")
inputs=("$work/corpus")
if [ "$kept" != - ]; then
	[ -d "$kept" ] || { echo "run_fuzz.sh: no corpus folder $kept" >&2; exit 1; }
	inputs+=("$kept")
	echo "$(find "$kept" -type f | wc -l) inputs in $kept"
fi
cd "$work"
# The harness's EAL (prefix $SK_TEST_FILE_PREFIX-<its pid>) leaves a
# runtime folder: libFuzzer exits without rte_eal_cleanup(). Remove it.
rc=0
"$fuzzer" -max_total_time="$secs" -rss_limit_mb=4096 -timeout=10 \
	-print_final_stats=1 -artifact_prefix="$work/" "${args[@]}" \
	"${inputs[@]}" &
pid=$!
wait "$pid" || rc=$?
rm -rf "/var/run/dpdk/${SK_TEST_FILE_PREFIX:-sk-test}-$pid"
if [ "$rc" -ne 0 ]; then
	# keep what crashed it where a person can find it after the run
	for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* \
			"$work"/oom-*; do
		[ -e "$a" ] || continue
		mkdir -p /tmp/sk-fuzz-artifacts
		cp "$a" /tmp/sk-fuzz-artifacts/
		echo "run_fuzz.sh: kept /tmp/sk-fuzz-artifacts/$(basename "$a")" >&2
	done
fi
if [ -n "${SK_FUZZ_KEEP:-}" ]; then
	mkdir -p "$SK_FUZZ_KEEP" && cp -r "$work/corpus/." "$SK_FUZZ_KEEP/"
fi
exit "$rc"
