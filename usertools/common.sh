# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Helpers shared by usertools/setup, usertools/demo and usertools/test.
# Source it from bash; it defines functions and a few variables, nothing else.
#
# Environment:
#   SK_BUILD_DIR     build directory, relative to the repository (default: build)
#   SK_NO_HUGE=1     skip hugepages: synackd runs with --no-huge -m 512
#                    (set by sk_hugepages itself when it cannot reserve them)
#   SK_HUGE_PAGES    2 MB pages to reserve (default 256)

SK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SK_BUILD_DIR=${SK_BUILD_DIR:-build}
SK_HUGE_PAGES=${SK_HUGE_PAGES:-256}
# Fewer free 2 MB pages than this and synackd falls back to --no-huge.
# tests/integration/sktap.py uses the same value.
SK_HUGE_MIN_FREE=64

# Debian packages the build, the demo and the tests need. prometheus is
# there for promtool alone (the ctl tests check synackctl's text with it;
# Debian has no smaller package with it): 19 MB, 96 MB installed.
# cppcheck and clang-tidy: the static checks (usertools/lint).
# apache2-utils (ab), nginx-light and iptables: the SYN proxy's kernel
# clients, backend and the kernel's SYNPROXY to compare with (usertools/bench
# series 9; nginx and ab are issue 14's test tools as well); nftables: the
# same series keeps the kernel's stack off synackd's af_packet veths.
SK_PACKAGES=(dpdk dpdk-dev libdpdk-dev libnuma-dev meson ninja-build pkg-config
	libpcap-dev python3 tcpdump tshark curl iproute2 iputils-ping clang
	libjansson-dev libsmartcols-dev libmicrohttpd-dev prometheus
	debhelper dpkg-dev git groff-base systemd ethtool cppcheck clang-tidy
	apache2-utils nginx-light iptables nftables)

sk_say() { printf '%s\n' "$*"; }
sk_warn() { printf '%s\n' "$*" >&2; }
sk_die() {
	printf '%s: error: %s\n' "$(basename "$0")" "$*" >&2
	exit 1
}

sk_is_root() { [ "$(id -u)" -eq 0 ]; }

# Print the packages of SK_PACKAGES (and a JDK where javac is missing)
# that are not installed.
sk_missing_packages() {
	local p
	for p in "${SK_PACKAGES[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
				grep -q 'install ok installed'; then
			printf '%s\n' "$p"
		fi
	done
	if ! command -v javac >/dev/null 2>&1; then
		printf '%s\n' default-jdk-headless
	fi
}

# Install what is missing with apt-get; silent when nothing is.
sk_install_packages() {
	local missing log
	command -v dpkg-query >/dev/null 2>&1 ||
		sk_die "dpkg-query not found: usertools/setup supports Debian 12 only"
	mapfile -t missing < <(sk_missing_packages)
	[ "${#missing[@]}" -eq 0 ] && return 0
	sk_is_root || sk_die "missing packages: ${missing[*]} (run as root to install them, or install them yourself)"
	sk_say "setup: installing ${missing[*]}"
	log=$(mktemp /tmp/sk-apt.XXXXXX)
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get update >"$log" 2>&1 ||
		! apt-get install -y -q --no-install-recommends \
			-o Dpkg::Options::=--force-confdef \
			-o Dpkg::Options::=--force-confold \
			"${missing[@]}" >>"$log" 2>&1 </dev/null; then
		tail -n 30 "$log" >&2
		rm -f "$log"
		sk_die "apt-get could not install: ${missing[*]}"
	fi
	rm -f "$log"
	mapfile -t missing < <(sk_missing_packages)
	[ "${#missing[@]}" -eq 0 ] || sk_die "still missing after apt-get: ${missing[*]}"
}

sk_huge_free() {
	awk '/^HugePages_Free:/ { print $2; found = 1 } END { if (!found) print 0 }' \
		/proc/meminfo 2>/dev/null || echo 0
}

sk_no_huge() {
	export SK_NO_HUGE=1
	sk_say "setup: note: $1; synackd will run with --no-huge -m 512 (slower, fine for the demo and tests)"
}

# Reserve 2 MB hugepages and mount hugetlbfs; where that cannot be done,
# export SK_NO_HUGE=1 so that synackd is started with --no-huge -m 512.
sk_hugepages() {
	local nr=/proc/sys/vm/nr_hugepages cur
	if [ "${SK_NO_HUGE:-0}" = 1 ]; then
		sk_no_huge "SK_NO_HUGE=1 is set"
		return 0
	fi
	if [ ! -w "$nr" ] && ! sk_is_root; then
		cur=$(cat "$nr" 2>/dev/null || echo 0)
		if [ "$cur" -eq 0 ]; then
			sk_no_huge "not root, no hugepages reserved"
			return 0
		fi
	fi
	cur=$(cat "$nr" 2>/dev/null || echo 0)
	if [ "$cur" -lt "$SK_HUGE_PAGES" ]; then
		if ! { echo "$SK_HUGE_PAGES" >"$nr"; } 2>/dev/null; then
			sk_no_huge "cannot write $nr"
			return 0
		fi
	fi
	if ! grep -qs ' /dev/hugepages hugetlbfs ' /proc/mounts &&
		! grep -qs ' hugetlbfs ' /proc/mounts; then
		if ! { mkdir -p /dev/hugepages &&
			mount -t hugetlbfs nodev /dev/hugepages; } 2>/dev/null; then
			sk_no_huge "cannot mount hugetlbfs on /dev/hugepages"
			return 0
		fi
	fi
	if [ "$(sk_huge_free)" -lt "$SK_HUGE_MIN_FREE" ]; then
		sk_no_huge "only $(sk_huge_free) free 2 MB hugepages (wanted $SK_HUGE_PAGES)"
		return 0
	fi
}

# EAL memory options for synackd: --huge-unlink, or the fallback.
sk_eal_mem_args() {
	if [ "${SK_NO_HUGE:-0}" = 1 ]; then
		echo "--no-huge -m 512"
	else
		echo "--huge-unlink"
	fi
}

# Two CPUs this process may run on, for --lcores 0@A,1@B (the same CPU
# twice where only one is allowed).
sk_lcores() {
	python3 -c 'import os; c = sorted(os.sched_getaffinity(0)); print("0@%d,1@%d" % (c[0], c[-1] if len(c) < 2 else c[1]))'

}

# meson setup (or reconfigure a broken tree) and ninja. Quiet when there is
# nothing to do; the tool's output and a non-zero exit when a step fails.
sk_build() {
	local dir="$SK_ROOT/$SK_BUILD_DIR" log out
	log=$(mktemp /tmp/sk-build.XXXXXX)
	local opts=()
	# SK_WERROR=1 (usertools/test, so CI): warnings are errors
	[ "${SK_WERROR:-0}" = 1 ] && opts=(-Dwerror=true)
	if [ -f "$dir/build.ninja" ] && [ "${#opts[@]}" -gt 0 ]; then
		meson configure "$dir" "${opts[@]}" >"$log" 2>&1 ||
			{ cat "$log" >&2; rm -f "$log"; sk_die "meson configure $SK_BUILD_DIR failed"; }
	fi
	if [ ! -f "$dir/build.ninja" ]; then
		local how=()
		[ -d "$dir/meson-private" ] && how=(--wipe)
		if ! meson setup "${how[@]}" "${opts[@]}" "$dir" "$SK_ROOT" >"$log" 2>&1; then
			cat "$log" >&2
			rm -f "$log"
			sk_die "meson setup $SK_BUILD_DIR failed"
		fi
		sk_say "setup: configured $SK_BUILD_DIR/"
	fi
	if ! ninja -C "$dir" >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		sk_die "build failed (ninja -C $SK_BUILD_DIR)"
	fi
	out=$(grep -c '^\[' "$log" || true)
	if ! grep -q 'no work to do' "$log"; then
		grep -E 'warning:' "$log" >&2 || true
		sk_say "setup: built $SK_BUILD_DIR/ ($out steps)"
	fi
	rm -f "$log"
}

# Everything usertools/setup does.
sk_setup() {
	sk_install_packages
	sk_hugepages
	sk_build
}
