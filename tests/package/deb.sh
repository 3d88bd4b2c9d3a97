#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The Debian package (debian/, docs/operations.md#debian-package):
#   1. build it with dpkg-buildpackage -b -us -uc in a temporary copy of the
#      source tree (tracked and new files, no build directories);
#   2. check that its Depends are met on this system, and install it with
#      dpkg into a throw-away root (its own dpkg database; the package has
#      no maintainer scripts, so nothing runs);
#   3. from the installed files: synackd --version, synackd --check -f
#      /etc/synack/tap.ini, every file meson install puts, the man pages
#      through groff with warnings on, and synackd@.service through
#      systemd-analyze verify (pointed at the installed binary);
#   4. remove it again with dpkg, then the whole temporary tree.
# Bounded: the build gets SK_DEB_BUILD_S seconds (default 170).
#
#   tests/package/deb.sh SOURCE_ROOT
set -euo pipefail

src=${1:?usage: deb.sh SOURCE_ROOT}
budget=${SK_DEB_BUILD_S:-170}
fail() { printf 'FAIL: %s\n' "$*"; exit 1; }
say() { printf '%s\n' "$*"; }

for tool in dpkg-buildpackage dh dpkg-deb dpkg groff systemd-analyze git; do
	command -v "$tool" >/dev/null ||
		fail "$tool not found: run usertools/setup (SK_PACKAGES in usertools/common.sh)"
done

tmp=$(mktemp -d /tmp/sk-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
tree=$tmp/synack
root=$tmp/root
mkdir -p "$tree"

# 1. a copy of the tree: what git knows of, committed or not
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			[ ! -e "$f" ] || printf '%s\0' "$f"  # deleted, not committed
		done | tar --null -T - -cf -) | tar -xf - -C "$tree"
else
	(cd "$src" && tar --exclude='./build*' --exclude=./.git -cf - .) |
		tar -xf - -C "$tree"
fi
say "building the package in $tree (at most ${budget} s)"
start=$SECONDS
if ! (cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
		timeout "$budget" dpkg-buildpackage -b -us -uc \
		>"$tmp/build.log" 2>&1); then
	tail -40 "$tmp/build.log"
	fail "dpkg-buildpackage failed or ran past ${budget} s"
fi
say "built in $((SECONDS - start)) s"
version=$(cd "$tree" && dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
deb=$tmp/synack_${version}_${arch}.deb
[ -f "$deb" ] || fail "no $deb after the build: $(ls "$tmp")"

# 2. Depends met here (each item: one of its alternatives, at its version)
depends=$(dpkg-deb -f "$deb" Depends)
say "Depends: $depends"
IFS=',' read -ra items <<<"$depends"
for item in "${items[@]}"; do
	ok=no
	IFS='|' read -ra alts <<<"$item"
	for alt in "${alts[@]}"; do
		name=$(awk '{print $1}' <<<"$alt")
		name=${name%%:*}
		rel=$(sed -n 's/.*(\(.*\)).*/\1/p' <<<"$alt")
		have=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$name" \
			2>/dev/null || true)
		[[ $have == ii* ]] || continue
		if [ -n "$rel" ]; then
			dpkg --compare-versions "${have#* }" \
				"$(awk '{print $1}' <<<"$rel" | sed 's/>=/ge/;s/<=/le/;s/>>/gt/;s/<</lt/;s/^=$/eq/')" \
				"$(awk '{print $2}' <<<"$rel")" || continue
		fi
		ok=yes
		break
	done
	[ $ok = yes ] || fail "dependency not met on this system: $item"
done

mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
dpkg-deb --ctrl-tarfile "$deb" | tar -t |
	grep -Eq '(preinst|postinst|prerm|postrm)$' &&
	fail "the package has maintainer scripts: install it in a throw-away root no more"
dpkg --root="$root" --force-depends -i "$deb" >"$tmp/dpkg.log" 2>&1 ||
	{ cat "$tmp/dpkg.log"; fail "dpkg -i into $root failed"; }
status=$(dpkg --root="$root" -s synack | sed -n 's/^Status: //p')
[ "$status" = "install ok installed" ] || fail "dpkg status '$status'"

# 3. the installed files
for f in /usr/sbin/synackd /usr/bin/synackctl /etc/synack/tap.ini \
		/etc/synack/tap.env /etc/synack/pcap.ini /etc/synack/nic.ini \
		/etc/synack/client-tap.ini /etc/synack/proxy-tap.ini \
		/lib/systemd/system/synackd@.service /usr/share/doc/synack/proxy.md \
		/usr/share/man/man8/synackd.8.gz /usr/share/man/man8/synackctl.8.gz \
		/usr/share/doc/synack/operations.md /usr/share/doc/synack/configuration.md; do
	[ -e "$root$f" ] || fail "$f is not in the package"
done
dpkg --root="$root" -s synack | grep -q '^Conffiles:' ||
	fail "/etc/synack files are not conffiles"

out=$("$root/usr/sbin/synackd" --version) || fail "synackd --version: exit $?"
[ "$out" = "synackd $version" ] ||
	fail "synackd --version says '$out', the package is $version"
say "$out"
out=$("$root/usr/sbin/synackd" --check -f "$root/etc/synack/tap.ini") ||
	fail "synackd --check -f /etc/synack/tap.ini: exit $?: $out"
grep -q '^synackd: check: configuration valid: addresses 198.18.0.2/24' <<<"$out" ||
	fail "unexpected --check output: $out"
say "$(head -1 <<<"$out")"
# a bad file must be refused with one line and exit 1
printf '[engine]\nlisten = 80:gopher\n' >"$tmp/bad.ini"
rc=0
err=$("$root/usr/sbin/synackd" --check -f "$tmp/bad.ini" 2>&1) || rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <<<"$err")" -eq 1 ] ||
	fail "--check of a bad file: exit $rc, output: $err"
out=$("$root/usr/bin/synackctl" --version) || fail "synackctl --version: exit $?"
say "$out"

for m in synackd synackctl; do
	warn=$(zcat "$root/usr/share/man/man8/$m.8.gz" | groff -ww -z -man 2>&1) ||
		fail "groff $m.8: $warn"
	[ -z "$warn" ] || fail "groff warnings in $m.8: $warn"
done

# the unit, as installed, with its paths pointed into the throw-away root
mkdir -p "$tmp/unit"
sed -e "s#/usr/sbin/synackd#$root/usr/sbin/synackd#g" \
	-e "s#/etc/synack/#$root/etc/synack/#g" \
	"$root/lib/systemd/system/synackd@.service" >"$tmp/unit/synackd@tap.service"
grep -q "^ExecStart=$root/usr/sbin/synackd " "$tmp/unit/synackd@tap.service" ||
	fail "the unit's ExecStart is not /usr/sbin/synackd"
warn=$(systemd-analyze verify --man=no "$tmp/unit/synackd@tap.service" 2>&1) ||
	fail "systemd-analyze verify: $warn"
# it exits 0 on unknown keys: any word from it is a failure
[ -z "$warn" ] || fail "systemd-analyze verify: $warn"
say "systemd-analyze verify synackd@tap.service: clean"

# 4. remove it
dpkg --root="$root" --force-depends --purge synack >"$tmp/dpkg.log" 2>&1 ||
	{ cat "$tmp/dpkg.log"; fail "dpkg --purge failed"; }
[ ! -e "$root/usr/sbin/synackd" ] && [ ! -e "$root/etc/synack/tap.ini" ] ||
	fail "files left after dpkg --purge"
say "PASS"
