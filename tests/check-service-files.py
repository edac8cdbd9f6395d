#!/usr/bin/env python3
"""check-service-files.py: the launchd plist and the systemd unit that
`make install` ships hold exactly the keys and values docs/service.md
describes, no more and no fewer.

    check-service-files.py plist FILE LNSHD
    check-service-files.py unit FILE LNSHD

LNSHD is the installed lnshd path the file must start. Exits 0 when the
file is right, 1 with a message per fault otherwise."""

import plistlib
import sys

LOG = "/Library/Logs/lnshd.log"


def want_plist(lnshd):
    """The plist, as the Python value plistlib must read from it."""
    return {
        "Label": "org.lnsh.lnshd",
        "ProgramArguments": [lnshd],
        "RunAtLoad": True,
        "KeepAlive": True,
        "AbandonProcessGroup": True,
        "ProcessType": "Interactive",
        "StandardErrorPath": LOG,
        "SoftResourceLimits": {"NumberOfFiles": 10240},
        "HardResourceLimits": {"NumberOfFiles": 10240},
    }


def want_unit(lnshd):
    """The unit: section -> ordered list of (key, value)."""
    return {
        "Unit": [("Description", "lnsh session daemon"),
                 ("After", "network.target")],
        "Service": [("Type", "simple"),
                    ("ExecStart", lnshd),
                    ("Restart", "always"),
                    ("RestartSec", "2s"),
                    ("KillMode", "process"),
                    ("TasksMax", "infinity"),
                    ("LimitNOFILE", "65536")],
        "Install": [("WantedBy", "multi-user.target")],
    }


def check_plist(path, lnshd):
    """Faults of a plist: parse errors, a key missing, extra or wrong."""
    with open(path, "rb") as f:
        try:
            got = plistlib.load(f, fmt=plistlib.FMT_XML)
        except Exception as e:  # plistlib raises several types
            return ["%s: not a property list: %s" % (path, e)]
    want = want_plist(lnshd)
    faults = []
    if not isinstance(got, dict):
        return ["%s: the top level is not a dict" % path]
    for key in sorted(set(want) | set(got)):
        if key not in got:
            faults.append("%s: missing key %s" % (path, key))
        elif key not in want:
            faults.append("%s: unexpected key %s" % (path, key))
        elif got[key] != want[key] or type(got[key]) is not type(want[key]):
            faults.append("%s: %s is %r, want %r"
                          % (path, key, got[key], want[key]))
    # Never run as a user: that loses the Local Network exemption.
    if "UserName" in got or "GroupName" in got:
        faults.append("%s: UserName/GroupName must not be set" % path)
    return faults


def parse_unit(path):
    """A unit file as section -> [(key, value)], with file:line faults."""
    sections, faults, cur = {}, [], None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip()[0] in "#;":
                continue
            if line.endswith("\\"):
                faults.append("%s:%d: continuation lines not expected"
                              % (path, n))
            elif line.startswith("[") and line.endswith("]"):
                cur = line[1:-1]
                if cur in sections:
                    faults.append("%s:%d: section [%s] twice"
                                  % (path, n, cur))
                sections.setdefault(cur, [])
            elif "=" in line and cur is not None:
                key, value = line.split("=", 1)
                sections[cur].append((key.strip(), value.strip()))
            else:
                faults.append("%s:%d: not a section or key=value: %r"
                              % (path, n, line))
    return sections, faults


def check_unit(path, lnshd):
    """Faults of a unit: syntax, and sections or keys not exactly ours."""
    got, faults = parse_unit(path)
    want = want_unit(lnshd)
    for sec in sorted(set(want) | set(got)):
        if sec not in got:
            faults.append("%s: missing section [%s]" % (path, sec))
        elif sec not in want:
            faults.append("%s: unexpected section [%s]" % (path, sec))
        elif got[sec] != want[sec]:
            faults.append("%s: [%s] is %r, want %r"
                          % (path, sec, got[sec], want[sec]))
    for sec in got.values():
        if any(k in ("User", "Group", "DynamicUser") for k, _ in sec):
            faults.append("%s: lnshd must run as root (no User=)" % path)
    return faults


def main(argv):
    """Check one file; print every fault."""
    if len(argv) != 4 or argv[1] not in ("plist", "unit"):
        sys.stderr.write(__doc__)
        return 2
    check = check_plist if argv[1] == "plist" else check_unit
    faults = check(argv[2], argv[3])
    for fault in faults:
        print(fault)
    if not faults:
        print("%s: ok (%s)" % (argv[2], argv[1]))
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
