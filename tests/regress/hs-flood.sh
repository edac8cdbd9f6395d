#!/bin/sh
# hs-flood.sh: a short run of bench/hs-flood.sh (2,000 valid-mac1
# initiations a second for 3 s at lnshd on loopback): a real lnsh still
# connects within 2 s, lnshd's Diffie-Hellman work stays within one load
# burst, and no answer is larger than the flood packet. `make
# bench-hsflood` runs the long one.
LNSH_BUILDDIR=${LNSH_BUILDDIR:-$(pwd)}
if [ -n "${LNSH_SRCDIR:-}" ]; then
	:
elif [ -n "${srcdir:-}" ]; then
	LNSH_SRCDIR=$(cd "$srcdir" && pwd)
else
	LNSH_SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
fi
export LNSH_BUILDDIR LNSH_SRCDIR
exec sh "$LNSH_SRCDIR/bench/hs-flood.sh" 2000 3
