#!/usr/bin/env python3
"""old-holder.py SOCK NAME SECS: a session holder of holder protocol 1.

Answers on the Unix socket SOCK as lnsh-holder did before holder protocol
2 (proto/holder.proto then; docs/protocol.md section 14), for
holder-upgrade.sh: a Hello of any other version gets Error{code: VERSION}
with the version only in its words, and the connection closes; in version
1 it answers Hello, Info (a running session named NAME), Capture (the text
"old holder screen"), Input (Ok, the bytes kept in SOCK.input) and Kill
(its socket goes, then Ok, then it exits). Anything else gets Error
REQUEST, as the old holder's dispatch did. Exits after SECS seconds.
Protobuf by hand: no protobuf module is needed.
"""
import os
import select
import socket
import struct
import sys
import time

VERSION = 1


def varint(n):
    """A protobuf varint."""
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field(num, wire, payload):
    """One field: tag, then payload (already encoded for its wire type)."""
    return varint(num << 3 | wire) + payload


def f_varint(num, n):
    return field(num, 0, varint(n))


def f_bytes(num, data):
    if isinstance(data, str):
        data = data.encode()
    return field(num, 2, varint(len(data)) + data)


def f_fixed64(num, n):
    return field(num, 1, struct.pack("<Q", n))


def read_varint(buf, i):
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def fields(buf):
    """Decodes a message into {field number: value} (last one wins)."""
    out = {}
    i = 0
    while i < len(buf):
        tag, i = read_varint(buf, i)
        num, wire = tag >> 3, tag & 7
        if wire == 0:
            v, i = read_varint(buf, i)
        elif wire == 2:
            ln, i = read_varint(buf, i)
            v = buf[i:i + ln]
            i += ln
        elif wire == 1:
            v = buf[i:i + 8]
            i += 8
        elif wire == 5:
            v = buf[i:i + 4]
            i += 4
        else:
            raise ValueError("wire type %d" % wire)
        out[num] = v
    return out


def frame(msg):
    return struct.pack(">I", len(msg)) + msg


def reply(rid, num, body):
    """A Reply: id, then the oneof member num."""
    return frame(f_varint(1, rid) + f_bytes(num, body))


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.hello = False
        self.closing = False


def answer(conn, req, state):
    """Acts on one decoded Request; returns the bytes to send."""
    f = fields(req)
    rid = f.get(1, 0)
    which = [n for n in f if n != 1]
    kind = which[0] if which else 0
    if not conn.hello:
        if kind != 2:
            conn.closing = True
            return reply(rid, 3, f_varint(1, 2) +
                         f_bytes(2, "expected hello first"))
        ver = fields(f[2]).get(1, 0)
        if ver != VERSION:
            conn.closing = True
            return reply(rid, 3, f_varint(1, 1) + f_bytes(
                2, "holder protocol version mismatch: holder speaks "
                "%d, peer %d" % (VERSION, ver)))
        conn.hello = True
        return reply(rid, 2, f_varint(1, VERSION) +
                     f_bytes(2, state["name"]) +
                     f_varint(3, os.getpid()) + f_bytes(4, "poll") +
                     f_bytes(5, "xterm-256color"))
    if kind == 3:		# InfoRequest
        now = int(time.time() * 1e9)
        return reply(rid, 5, f_bytes(1, state["name"]) +
                     f_fixed64(5, state["created"]) + f_fixed64(6, now) +
                     f_varint(8, 80) + f_varint(9, 24) +
                     f_varint(10, os.getpid()) + f_bytes(11, "/bin/sh") +
                     f_bytes(12, ""))
    if kind == 4:		# Input
        data = fields(f[4]).get(1, b"")
        with open(state["sock"] + ".input", "ab") as fp:
            fp.write(data)
        return reply(rid, 4, b"")
    if kind == 6:		# CaptureRequest
        return reply(rid, 6, f_bytes(1, "old holder screen\n"))
    if kind == 7:		# Kill: the socket goes first, then the Ok
        if os.path.lexists(state["sock"]):
            os.unlink(state["sock"])
        state["killed"] = True
        conn.closing = True
        return reply(rid, 4, b"")
    return reply(rid, 3, f_varint(1, 2) + f_bytes(2, "unexpected request"))


def main():
    path, name, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
    if os.path.lexists(path):
        os.unlink(path)
    old = os.umask(0o177)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    os.umask(old)
    srv.listen(16)
    state = {"name": name, "sock": path, "killed": False,
             "created": int(time.time() * 1e9)}
    conns = {}
    end = time.monotonic() + secs
    while time.monotonic() < end and not state["killed"]:
        r, _, _ = select.select([srv] + list(conns), [], [], 0.2)
        for s in r:
            if s is srv:
                c, _ = srv.accept()
                conns[c] = Conn(c)
                continue
            conn = conns[s]
            data = s.recv(65536)
            if not data:
                s.close()
                del conns[s]
                continue
            conn.buf += data
            while len(conn.buf) >= 4 and not conn.closing:
                size = 4 + struct.unpack(">I", conn.buf[:4])[0]
                if len(conn.buf) < size:
                    break
                req, conn.buf = conn.buf[4:size], conn.buf[size:]
                s.sendall(answer(conn, req, state))
            if conn.closing:
                s.close()
                del conns[s]
    if os.path.lexists(path):
        os.unlink(path)


if __name__ == "__main__":
    main()
