#!/usr/bin/env python3
"""check-portable.py: shell lines in the tree that a Mac cannot run.

Usage: check-portable.py FILE...

The test, bench and helper scripts run on macOS too, whose tools are BSD's:
no `stat -c`, no `sed -i` without a suffix, no `date +%N`, no `\\|` in sed
or grep patterns, no `readlink -f`, no `grep -P`, no `timeout`, no `ip`,
no `nproc`, no `mktemp` without a template, no `base64 -w`, no `xargs -r`,
no `find -printf`. Prints FILE:LINE: what and why for each such line, and
exits 1 if there is one. Comment lines are skipped. A use that is itself
the fallback (after `||` on its line), a `stat -c` with `stat -f` on the
same line (tests/regress/lib.sh's file_mode), and a line ending in
`# portable: REASON` (guarded some other way) pass.
"""
import re
import sys

RULES = [
    (re.compile(r"\bstat\s+-c\b"), "stat -c is GNU's: use lib.sh's "
     "file_mode/file_owner, or `|| stat -f ...`"),
    (re.compile(r"\bsed\s+(-[a-zA-Z]*\s+)*-i(\s|$|')"), "sed -i without a "
     "suffix: BSD sed takes the next word as one; write to a file and mv"),
    (re.compile(r"\bdate\b[^|;]*%N"), "date +%N: BSD date has no %N, and "
     "a wall clock jumps: lib.sh's ms_now (tests/clockms)"),
    (re.compile(r"\b(sed|grep)\b.*\\\|"), "\\| in a basic regular "
     "expression is GNU's: use -E and |"),
    (re.compile(r"\breadlink\s+-f\b"), "readlink -f: not on older macOS; "
     "cd DIR && pwd -P"),
    (re.compile(r"\bgrep\s+-[a-zA-Z]*P"), "grep -P is GNU's: use -E"),
    (re.compile(r"(^|[;&|(`]|\$\()\s*timeout\s"), "timeout(1) is not on "
     "macOS: poll with a bound (lib.sh's wait_for)"),
    (re.compile(r"(^|[;&|(`]|\$\()\s*ip\s+(route|addr|-[46]\s+route)"),
     "ip(8) is Linux's: give macOS's route/ifconfig as a fallback"),
    (re.compile(r"\bnproc\b"), "nproc is GNU's: getconf _NPROCESSORS_ONLN"),
    (re.compile(r"\bmktemp(\s+-d)?\s*($|[);|&`])"), "mktemp without a "
     "template: give one, under /tmp"),
    (re.compile(r"\bbase64\s+-w"), "base64 -w is GNU's"),
    (re.compile(r"\bxargs\s+(-[a-zA-Z]+\s+)*-r\b"), "xargs -r is GNU's"),
    (re.compile(r"\bfind\b.*-printf\b"), "find -printf is GNU's"),
]
PORTABLE = re.compile(r"#\s*portable:\s*\S")
# A line that also has the other system's form has its fallback.
ALTERNATIVE = {RULES[0][0]: re.compile(r"\bstat\s+-f\b")}


def check(path):
    bad = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            s = line.strip()
            if s.startswith("#") or PORTABLE.search(s):
                continue
            for rx, why in RULES:
                m = rx.search(s)
                if m is None:
                    continue
                # The fallback of something tried before it.
                if "||" in s[:m.start()]:
                    continue
                # The other system's form on the same line.
                if rx in ALTERNATIVE and ALTERNATIVE[rx].search(s):
                    continue
                print("%s:%d: %s\n\t%s" % (path, n, why, s))
                bad += 1
    return bad


def main():
    bad = sum(check(p) for p in sys.argv[1:])
    if bad:
        print("%d line(s) a Mac cannot run" % bad)
        sys.exit(1)
    print("%d files: nothing GNU-only" % (len(sys.argv) - 1))


main()
