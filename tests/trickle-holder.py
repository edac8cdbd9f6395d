#!/usr/bin/env python3
"""trickle-holder.py SOCK SECS: a fake session holder for holder-trickle.sh.

Listens on the Unix socket SOCK and, to every connection, sends the start
of a reply frame one byte a second (a header that announces 4096 bytes,
then filler), never a whole frame, reading nothing: a holder's user can
put such a socket where lnshd looks for holders. Exits after SECS seconds.
"""
import os
import select
import socket
import sys
import time


def main():
    path, secs = sys.argv[1], float(sys.argv[2])
    if os.path.lexists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(16)
    frame = b"\x00\x00\x10\x00" + b"\x0a" * 4096
    conns = {}
    end = time.monotonic() + secs
    tick = time.monotonic()
    while time.monotonic() < end:
        r, _, _ = select.select([srv], [], [], 0.2)
        if r:
            c, _ = srv.accept()
            conns[c] = 0
        if time.monotonic() < tick:
            continue
        tick += 1.0
        for c in list(conns):
            try:
                c.send(frame[conns[c]:conns[c] + 1])
                conns[c] += 1
            except OSError:
                c.close()
                del conns[c]
    os.unlink(path)


if __name__ == "__main__":
    main()
