#!/bin/sh
# service-files.sh: the plist and the unit that `make install` ships are
# what docs/service.md says, checked by Python's plistlib and a unit parser
# (always), by systemd-analyze verify (where it works) and by plutil -lint
# (on macOS). Run by `make check` from the top build directory.
set -eu
srcdir=${srcdir:-.}
. ./launchd/service-test.env	# sbindir and PYTHON3, from Makefile.am
lnshd="$sbindir/lnshd"
plist=launchd/org.lnsh.lnshd.plist
unit=launchd/lnshd.service

test -x "$PYTHON3" || {
	echo "python3 ($PYTHON3) not found: it is a declared dependency"
	exit 99
}
"$PYTHON3" "$srcdir/tests/check-service-files.py" plist "$plist" "$lnshd"
"$PYTHON3" "$srcdir/tests/check-service-files.py" unit "$unit" "$lnshd"

if command -v plutil >/dev/null 2>&1; then
	plutil -lint "$plist"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lnsh-service.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# systemd-analyze verify: only if it runs cleanly on a unit known to be
# good, so that a container without systemd is a skip, not a failure.
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "no systemd-analyze: the unit was checked by the parser only"
	exit 0
fi
printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$tmp/probe.service"
if ! systemd-analyze verify --man=no "$tmp/probe.service" \
    >"$tmp/probe.out" 2>&1 || test -s "$tmp/probe.out"; then
	echo "systemd-analyze verify does not work here; the unit was" \
	    "checked by the parser only:"
	cat "$tmp/probe.out"
	exit 0
fi

# verify insists that ExecStart exists; lnshd may not be installed yet, so
# a stand-in takes its place (the parser above checked the real path).
if test -x "$lnshd"; then
	cp "$unit" "$tmp/lnshd.service"
else
	printf '#!/bin/sh\nexit 0\n' >"$tmp/lnshd"
	chmod 755 "$tmp/lnshd"
	sed "s|^ExecStart=$lnshd\$|ExecStart=$tmp/lnshd|" "$unit" \
	    >"$tmp/lnshd.service"
	grep -q "^ExecStart=$tmp/lnshd\$" "$tmp/lnshd.service"
fi
# Any output at all (a warning about an unknown key, say) is a failure.
if ! systemd-analyze verify --man=no "$tmp/lnshd.service" \
    >"$tmp/verify.out" 2>&1 || test -s "$tmp/verify.out"; then
	echo "systemd-analyze verify $unit:"
	cat "$tmp/verify.out"
	exit 1
fi
echo "$unit: systemd-analyze verify ok"
