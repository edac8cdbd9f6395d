#!/usr/bin/env python3
"""vs-mosh-probe.py: the timing half of bench/vs-mosh.sh.

Everything here watches a tmux pane with capture-pane, polled every 2 ms
(every 20 ms during the seq flood), and prints what it measured on stdout:

  seq SOCK PANE TOKEN TIMEOUT CLOCKMS STAMPS
      types `seq 1 3000000; printf 'end%s\\n' TOKEN`, with CLOCKMS (the
      build's tests/clockms) run before and after seq writing both times
      to the file STAMPS, and Enter; prints three figures: the seconds
      until "endTOKEN" is on the screen with the prompt below it (wall),
      the seconds seq itself ran inside the session (flood), and the
      seconds from its end until the screen showed it (after).
  keys SOCK PANE COUNT PAUSE REPEAT
      echo latency at the shell prompt: REPEAT times, after PAUSE seconds
      of quiet, one key (the "first key"); then COUNT keys, each typed once
      the previous one shows. Prints "first MS" (median of the REPEAT) and
      "median MS" (of the COUNT), milliseconds.
  clock SOCK PANE T0 TIMEOUT
      the pane runs a clock (python3 printing time.time() in a loop); prints the seconds
      from T0 (epoch seconds, as `date +%s.%N` prints) until a line the
      clock printed after T0 is on the screen.
  table RESULTS
      the report: one row per measure: mosh, tmux direct, lnsh, lnsh's
      ratios to mosh and to tmux, and each goal with PASS/MISS.

A timeout prints "timeout" instead of a figure. The panes' shells show the
prompt "$ "; the session and the benchmark run on one machine, so the
clock the session prints is the clock this script reads.
"""

import re
import statistics
import subprocess
import sys
import time

POLL_S = 0.002
# Every capture-pane makes tmux render the pane: polling every 2 ms during
# the seq flood would take a CPU from the programs measured.
SEQ_POLL_S = 0.02
PROMPT = "$"


def capture(sock, pane):
    """The visible screen of the pane, one string per row."""
    r = subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-t", pane],
                       capture_output=True, text=True)
    return r.stdout.split("\n")


def send(sock, pane, *keys, literal=False):
    """Keys into the pane as a person types them."""
    cmd = ["tmux", "-L", sock, "send-keys", "-t", pane]
    if literal:
        cmd.append("-l")
    subprocess.run(cmd + list(keys), check=True)


def last_line(rows):
    """The last non-blank row: where the prompt and the cursor are."""
    for row in reversed(rows):
        if row.strip():
            return row.rstrip()
    return ""


def wait(pred, sock, pane, timeout, poll=POLL_S):
    """Polls until pred(rows) holds; the time it held, or None."""
    end = time.time() + timeout
    while True:
        rows = capture(sock, pane)
        now = time.time()
        if pred(rows):
            return now
        if now > end:
            return None
        time.sleep(poll)


# The clock tests/clockms prints (proto/clock.c: the elapsed clock).
ELAPSED = getattr(time, "CLOCK_BOOTTIME", time.CLOCK_MONOTONIC)


def cmd_seq(sock, pane, token, timeout, clockms, stamps):
    """Wall time of seq 1 3000000 until its marker and the prompt show;
    seq's own run time inside the session; and the rest, from its end to
    the screen (the client's pipeline, or the pane's)."""
    marker = "end" + token

    def done(rows):
        rows = [r.rstrip() for r in rows]
        for i, r in enumerate(rows[:-1]):
            if r == marker and rows[i + 1].startswith(PROMPT):
                return True
        return False

    send(sock, pane, "s=$(%s); seq 1 3000000; e=$(%s); echo $s $e >%s; "
         "printf 'end%%s\\n' %s" % (clockms, clockms, stamps, token),
         literal=True)
    t0 = time.time()
    e0 = time.clock_gettime(ELAPSED)
    send(sock, pane, "Enter")
    t = wait(done, sock, pane, float(timeout), SEQ_POLL_S)
    if t is None:
        print("timeout")
        return
    try:
        with open(stamps) as f:
            s, e = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        print("timeout")
        return
    seen_ms = (e0 + (t - t0)) * 1000
    print("%.3f %.3f %.3f" % (t - t0, (e - s) / 1000, (seen_ms - e) / 1000))


def cmd_keys(sock, pane, count, pause, repeat):
    """Keystroke-to-echo latency at the prompt, in milliseconds."""
    letters = "abcdefghijklmnopqrstuvwxyz"

    def shows(text):
        return lambda rows: last_line(rows) == (PROMPT + " " + text).rstrip()

    def clear():
        send(sock, pane, "C-u")
        if wait(shows(""), sock, pane, 10) is None:
            raise SystemExit("vs-mosh-probe: the prompt did not clear")

    def one(typed, ch):
        t0 = time.time()
        send(sock, pane, ch, literal=True)
        t = wait(shows(typed + ch), sock, pane, 10)
        return None if t is None else (t - t0) * 1000

    firsts = []
    for _ in range(int(repeat)):
        clear()
        time.sleep(float(pause))
        firsts.append(one("", "x"))
    clear()
    time.sleep(float(pause))
    lat = []
    typed = ""
    for i in range(int(count)):
        ch = letters[i % len(letters)]
        lat.append(one(typed, ch))
        typed += ch
        time.sleep(0.03)
    clear()

    def med(v):
        if not v or None in v:
            return "timeout"
        return "%.1f" % statistics.median(v)

    print("first", med(firsts))
    print("median", med(lat))


def cmd_clock(sock, pane, t0, timeout):
    """Seconds from t0 until a clock line printed after t0 shows."""
    t0 = float(t0)
    stamp = re.compile(r"^\s*(\d{9,}\.\d+)\s*$")

    def fresh(rows):
        for r in rows:
            m = stamp.match(r)
            if m and float(m.group(1)) > t0:
                return True
        return False

    t = wait(fresh, sock, pane, float(timeout))
    print("timeout" if t is None else "%.3f" % (t - t0))


# measure, unit, goals: each (kind, value); kind "mosh" or "tmux": at
# most value times that system's figure in this run; "abs": at most
# value; "floor": at most the harness floor (echo_floor) plus value.
# Issue 14's goals; a row with no goal only shows its figures.
MEASURES = [
    ("seq0_wall", "s", [("mosh", 0.5), ("tmux", 1.1)]),
    ("seq0_flood", "s", []),
    ("seq0_after", "s", []),
    ("seq0_cpu", "s", [("mosh", 0.3), ("tmux", 1.0)]),
    ("seq0_cpuholder", "s", []),
    ("seq0_cpulnshd", "s", []),
    ("seq0_s2c", "KB", [("mosh", 1.0)]),
    ("seq0_c2s", "KB", [("mosh", 1.0)]),
    ("seq1_wall", "s", [("mosh", 0.5), ("tmux", 1.1)]),
    ("seq1_flood", "s", []),
    ("seq1_after", "s", []),
    ("seq1_cpu", "s", [("mosh", 0.3), ("tmux", 1.0)]),
    ("seq1_cpuholder", "s", []),
    ("seq1_cpulnshd", "s", []),
    ("seq1_s2c", "KB", [("mosh", 1.0)]),
    ("seq1_c2s", "KB", [("mosh", 1.0)]),
    ("echo_floor", "ms", None),
    ("echo_off", "ms", [("floor", 102.0)]),
    ("echo_off_first", "ms", []),
    ("echo_on", "ms", [("floor", 5.0)]),
    ("echo_on_first", "ms", [("floor", 5.0)]),
    ("idle_c2s_pkts", "", [("mosh", 1.0)]),
    ("idle_s2c_pkts", "", [("mosh", 1.0)]),
    ("idle_c2s_bytes", "B", [("mosh", 1.0)]),
    ("idle_s2c_bytes", "B", [("mosh", 1.0)]),
    ("roam", "s", [("abs", 1.0)]),
    ("outage", "s", [("abs", 1.0)]),
]

LABELS = {
    "seq0_wall": "seq 1 3000000, no delay: wall",
    "seq0_flood": "  seq itself, inside the session",
    "seq0_after": "  from its end to the screen",
    "seq0_cpu": "  server CPU (user+sys)",
    "seq0_cpuholder": "    of which lnsh-holder",
    "seq0_cpulnshd": "    of which lnshd",
    "seq0_s2c": "  bytes server->client",
    "seq0_c2s": "  bytes client->server",
    "seq1_wall": "seq 1 3000000, 100 ms RTT: wall",
    "seq1_flood": "  seq itself, inside the session",
    "seq1_after": "  from its end to the screen",
    "seq1_cpu": "  server CPU (user+sys)",
    "seq1_cpuholder": "    of which lnsh-holder",
    "seq1_cpulnshd": "    of which lnshd",
    "seq1_s2c": "  bytes server->client",
    "seq1_c2s": "  bytes client->server",
    "echo_floor": "echo, shell direct in a pane (floor)",
    "echo_off": "echo, 100 ms RTT, predict off: median",
    "echo_off_first": "  first key after a pause",
    "echo_on": "echo, 100 ms RTT, predict on: median",
    "echo_on_first": "  first key after a pause",
    "idle_c2s_pkts": "idle 60 s: packets client->server",
    "idle_s2c_pkts": "  packets server->client",
    "idle_c2s_bytes": "  bytes client->server",
    "idle_s2c_bytes": "  bytes server->client",
    "roam": "roam (new client address): resume",
    "outage": "outage 10 s: resume after restore",
}


def fmt(v, unit):
    """A figure as the table shows it."""
    if v is None:
        return "-"
    try:
        x = float(v)
    except ValueError:
        return v
    if unit == "KB":
        return "%.1f KB" % (x / 1000)
    if unit == "B":
        return "%d B" % x
    if unit == "":
        return "%d" % x
    if unit == "s":
        return "%.3f s" % x
    return "%.1f ms" % x


def num(v):
    """v as a number, or None when it is not one (timeout, not measured)."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def goal_label(kind, value, unit):
    """How a goal reads in the table."""
    if kind in ("mosh", "tmux"):
        return "<=%gx %s" % (value, kind)
    if kind == "floor":
        if value > 50:
            return "<=floor+RTT+%g %s" % (value - 100, unit)
        return "<=floor+%g %s" % (value, unit)
    return "<=%g %s" % (value, unit)


def cmd_table(path):
    """Prints the side-by-side table from the RESULTS file: each system's
    figure, lnsh's ratio to mosh and to tmux direct, the goals and whether
    lnsh met each of them in this run."""
    res = {}
    notes = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) == 3 and parts[0] == "note":
                notes[parts[1]] = parts[2]
            elif len(parts) == 3:
                res[(parts[0], parts[1])] = parts[2]
    w = max(len(x) for x in LABELS.values())
    head = "%-*s %10s %10s %10s %6s %6s  %s" % (
        w, "measure", "mosh", "tmux", "lnsh", "/mosh", "/tmux",
        "goals: result")
    print(head)
    print("-" * len(head))
    floor = num(res.get(("echo_floor", "local")))
    for key, unit, goals in MEASURES:
        if goals is None:
            print("%-*s %10s" % (w, LABELS[key],
                                 fmt(res.get((key, "local")), unit)))
            continue
        m = res.get((key, "mosh"))
        t = res.get((key, "tmux"))
        lv = res.get((key, "lnsh"), notes.get("lnsh", "not measured"))
        mn, tn, ln = num(m), num(t), num(lv)
        base = {"mosh": mn, "tmux": tn}
        ratios = []
        for b in (mn, tn):
            if b is not None and ln is not None and b > 0:
                ratios.append("%.2f" % (ln / b))
            else:
                ratios.append("-")
        verdicts = []
        for kind, value in goals:
            if kind in base:
                bound = None if base[kind] is None else value * base[kind]
            elif kind == "floor":
                bound = None if floor is None else value + floor
            else:
                bound = value
            if ln is None:
                verdict = "MISS" if lv == "timeout" else "-"
            elif bound is None:
                verdict = "-"
            else:
                verdict = "PASS" if ln <= bound else "MISS"
            verdicts.append("%s %s" % (goal_label(kind, value, unit), verdict))
        lcell = fmt(lv, unit) if ln is not None or lv == "timeout" else "n/m"
        tcell = fmt(t, unit) if t is not None else ""
        print("%-*s %10s %10s %10s %6s %6s  %s" % (
            w, LABELS[key], fmt(m, unit), tcell, lcell, ratios[0],
            ratios[1], ", ".join(verdicts)))
    print("\ntmux: the same flood in a tmux pane directly (its server's CPU);"
          " at 100 ms RTT the goal compares with that same figure.")
    print("seq itself: from before seq starts to after it ends, on the"
          " session's clock (tests/clockms); the wall adds the Enter's way"
          " in and, after, the rest of the output and the screen's way out"
          " (the pane polled every 20 ms).")
    t1 = num(res.get(("seq1_wall", "tmux")))
    if t1 is not None and t1 > 0:
        # lnsh's wall there pays the relay's round trip (the Enter one way,
        # the last screen the other), which tmux direct never does.
        print("At 100 ms RTT a flood as fast as tmux direct's shows at"
              " %.3f s (%.2fx tmux): the RTT alone." % (t1 + 0.1,
                                                       (t1 + 0.1) / t1))
    print("floor: the echo in a pane running the shell directly; RTT is"
          " 100 ms. Goals are issue 14's; a benchmark never fails on one.")
    if "lnsh" in notes:
        print("\nn/m: lnsh %s" % notes["lnsh"])
    for k, v in notes.items():
        if k != "lnsh":
            print("%s: %s" % (k, v))


def main(argv):
    """Dispatches to the subcommand."""
    cmds = {"seq": (cmd_seq, 6), "keys": (cmd_keys, 5),
            "clock": (cmd_clock, 4), "table": (cmd_table, 1)}
    if len(argv) < 2 or argv[1] not in cmds or \
            len(argv) - 2 != cmds[argv[1]][1]:
        sys.stderr.write("usage: vs-mosh-probe.py seq|keys|clock|table "
                         "ARGS (see the top of the file)\n")
        return 2
    cmds[argv[1]][0](*argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
