#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Run a libFuzzer binary for SK_FUZZ_SECONDS (default 60) from a fresh seed
# corpus; its exit status is the test's. The corpus grown during the run is
# kept only with SK_FUZZ_KEEP=DIR.
set -euo pipefail
fuzzer=$1
make_corpus=$2
secs=${SK_FUZZ_SECONDS:-60}
work=$(mktemp -d /tmp/sk-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 "$make_corpus" "$work/corpus"
cd "$work"
# The harness's EAL (prefix $SK_TEST_FILE_PREFIX-<its pid>) leaves a
# runtime folder: libFuzzer exits without rte_eal_cleanup(). Remove it.
rc=0
"$fuzzer" -max_total_time="$secs" -rss_limit_mb=4096 -timeout=10 \
	-print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" &
pid=$!
wait "$pid" || rc=$?
rm -rf "/var/run/dpdk/${SK_TEST_FILE_PREFIX:-sk-test}-$pid"
if [ -n "${SK_FUZZ_KEEP:-}" ]; then
	mkdir -p "$SK_FUZZ_KEEP" && cp -r "$work/corpus/." "$SK_FUZZ_KEEP/"
fi
exit "$rc"
