#!/usr/bin/env python3
"""Rebuild the packets of docs/protocol.md's appendix from the doc alone.

An independent implementation of the lnsh wire format (sections 3-8,
4.1 and 11 of docs/protocol.md) on Python's hashlib/hmac and the `cryptography`
package, sharing no code with proto/: it reads the fixed inputs and the
protobuf payloads from the output of tests/protodump, builds every packet
and key by the doc's rules, and exits 1 if any byte differs.

Usage: protocol-doc.py protodump-output.txt
"""
import hashlib
import hmac
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey, X25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization

PROLOGUE = b"lnsh v1"


def b2b(data, size=64, key=b""):
    """BLAKE2b with the given output size, keyed when key is given."""
    return hashlib.blake2b(data, digest_size=size, key=key).digest()


def pub(priv):
    """X25519 public key of a private key."""
    return X25519PrivateKey.from_private_bytes(priv).public_key() \
        .public_bytes(serialization.Encoding.Raw,
                      serialization.PublicFormat.Raw)


def dh(priv, public):
    """X25519."""
    return X25519PrivateKey.from_private_bytes(priv).exchange(
        X25519PublicKey.from_public_bytes(public))


def hkdf(ck, ikm, n):
    """Noise section 4.3 with HMAC-BLAKE2b."""
    temp = hmac.new(ck, ikm, hashlib.blake2b).digest()
    out, prev = [], b""
    for i in range(1, n + 1):
        prev = hmac.new(temp, prev + bytes([i]), hashlib.blake2b).digest()
        out.append(prev)
    return out


def aead(key, n, ad, pt):
    """ChaCha20-Poly1305 IETF, nonce = 4 zero bytes || n (u64 LE)."""
    return ChaCha20Poly1305(key).encrypt(b"\0" * 4 + struct.pack("<Q", n),
                                         pt, ad)


class Sym:
    """The Noise SymmetricState, enough for writing messages."""

    def __init__(self, name):
        self.h = name.ljust(64, b"\0")
        self.ck = self.h
        self.k = None
        self.n = 0

    def mix_hash(self, data):
        self.h = b2b(self.h + data)

    def mix_key(self, ikm):
        self.ck, tk = hkdf(self.ck, ikm, 2)
        self.k, self.n = tk[:32], 0

    def mix_key_and_hash(self, ikm):
        self.ck, th, tk = hkdf(self.ck, ikm, 3)
        self.mix_hash(th)
        self.k, self.n = tk[:32], 0

    def enc_hash(self, pt):
        if self.k is None:
            ct = pt
        else:
            ct = aead(self.k, self.n, self.h, pt)
            self.n += 1
        self.mix_hash(ct)
        return ct

    def split(self):
        k1, k2 = hkdf(self.ck, b"", 2)
        return k1[:32], k2[:32]


def hdr(ptype, version=1):
    """The common header: type, version (1 unless said), reserved 0."""
    return struct.pack("<BBH", ptype, version, 0)


def rotl(x, n):
    return ((x << n) & 0xffffffff) | (x >> (32 - n))


def hchacha20(key, nonce16):
    """HChaCha20 (the XChaCha20 draft, section 2.2): a 32-byte subkey."""
    s = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]
    s += list(struct.unpack("<8I", key)) + list(struct.unpack("<4I",
                                                               nonce16))

    def qr(a, b, c, d):
        s[a] = (s[a] + s[b]) & 0xffffffff
        s[d] = rotl(s[d] ^ s[a], 16)
        s[c] = (s[c] + s[d]) & 0xffffffff
        s[b] = rotl(s[b] ^ s[c], 12)
        s[a] = (s[a] + s[b]) & 0xffffffff
        s[d] = rotl(s[d] ^ s[a], 8)
        s[c] = (s[c] + s[d]) & 0xffffffff
        s[b] = rotl(s[b] ^ s[c], 7)
    for _ in range(10):
        qr(0, 4, 8, 12)
        qr(1, 5, 9, 13)
        qr(2, 6, 10, 14)
        qr(3, 7, 11, 15)
        qr(0, 5, 10, 15)
        qr(1, 6, 11, 12)
        qr(2, 7, 8, 13)
        qr(3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def xaead(key, nonce24, ad, pt):
    """XChaCha20-Poly1305: HChaCha20 subkey, then the IETF AEAD with the
    nonce 4 zero bytes || the last 8 bytes of the 24."""
    return ChaCha20Poly1305(hchacha20(key, nonce24[:16])).encrypt(
        b"\0" * 4 + nonce24[16:], pt, ad)


def mac1(key, body):
    return body + b2b(body, 16, key)


def mac1_key(r):
    return b2b(b"mac1----" + r, 32)


def parse(path):
    """Labelled hex values and packets of the protodump output."""
    vals, pkts, cur, text = {}, {}, None, {}
    with open(path, encoding="ascii") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("  ") and cur is not None:
                pkts[cur] += bytes.fromhex("".join(line.split()[1:]))
            elif ", " in line and line.endswith("bytes:"):
                cur = line.rpartition(", ")[0]
                pkts[cur] = b""
            elif line and not line.startswith("=="):
                cur = None
                label, _, value = line.rpartition(" ")
                label = label.strip()
                text[label] = value
                try:
                    vals[label] = bytes.fromhex(value)
                except ValueError:
                    pass
    return vals, pkts, text


FAILED = []


def same(what, got, want):
    """Records a mismatch."""
    if got != want:
        FAILED.append(what)
        print("MISMATCH %s\n  doc rules: %s\n  code:      %s" %
              (what, got.hex(), want.hex()))
    else:
        print("ok %s" % what)


def ik(v, p):
    """Sections 3-8: initiation, response, split, transport."""
    c_s, s_s = v["client static private"], v["server static private"]
    c_e, s_e = v["client ephemeral priv"], v["server ephemeral priv"]
    c_pub, s_pub = pub(c_s), pub(s_s)
    same("client static public", c_pub, v["client static public"])
    same("server static public", s_pub, v["server static public"])
    same("mac1 key (server)", mac1_key(s_pub), v["mac1 key (server)"])

    st = Sym(b"Noise_IK_25519_ChaChaPoly_BLAKE2b")
    st.mix_hash(PROLOGUE)
    st.mix_hash(s_pub)                       # premessage <- s
    msg = pub(c_e)                           # e
    st.mix_hash(pub(c_e))
    st.mix_key(dh(c_e, s_pub))               # es
    msg += st.enc_hash(c_pub)                # s
    st.mix_key(dh(c_s, s_pub))               # ss
    msg += st.enc_hash(v["Hello (protobuf)"])
    init = mac1(mac1_key(s_pub), hdr(1) + struct.pack("<I", 0x01020304) +
                msg)
    same("initiation", init, p["initiation (client -> server)"])

    msg = pub(s_e)                           # e
    st.mix_hash(pub(s_e))
    st.mix_key(dh(c_e, pub(s_e)))            # ee
    st.mix_key(dh(c_s, pub(s_e)))            # se
    msg += st.enc_hash(v["Welcome (protobuf)"])
    resp = mac1(mac1_key(c_pub), hdr(2) +
                struct.pack("<II", 0xa1b2c3d4, 0x01020304) + msg)
    same("response", resp, p["response (server -> client)"])

    c1, c2 = st.split()
    same("c1", c1, v["c1 (client -> server)"])
    same("c2", c2, v["c2 (server -> client)"])

    env = v["Envelope (protobuf)"]
    frame = struct.pack("<BQHH", 1, 0x1000 + 2 * 1, 0, 1) + env
    same("fragment frame", frame, v["fragment frame"])
    th = hdr(4) + struct.pack("<IQ", 0xa1b2c3d4, 0)
    same("transport client -> server", th + aead(c1, 0, th, frame),
         p["transport (client -> server, counter 0)"])
    th = hdr(4) + struct.pack("<IQ", 0x01020304, 0)
    same("transport server -> client", th + aead(c2, 0, th, b"\0"),
         p["transport (server -> client, counter 0, keepalive)"])


def cookie(v, p, init):
    """Section 4.1: the cookie reply to the IK initiation, and the same
    initiation again as version 2 with mac2."""
    s_pub = pub(v["server static private"])
    ckey = b2b(b"cookie--" + s_pub, 32)
    same("cookie key", ckey, v["cookie key"])
    addr = struct.pack(">H", 40000) + bytes([127, 0, 0, 1])
    same("source address bytes", addr, v["source 127.0.0.1:40000"])
    c = b2b(addr, 16, v["secret"])
    same("cookie", c, v["cookie"])
    reply = hdr(3, 2) + init[4:8] + v["nonce"] + \
        xaead(ckey, v["nonce"], init[-16:], c)
    same("cookie reply", reply, p["cookie reply (server -> client)"])
    body = hdr(1, 2) + init[4:-16]
    init2 = mac1(mac1_key(s_pub), body)
    init2 += b2b(init2, 16, c)
    same("initiation with mac2", init2,
         p["initiation with mac2 (client -> server)"])


def normalise(code):
    """Section 11.2."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    out = ""
    for c in code:
        if c in "- ":
            continue
        c = c.upper()
        c = {"O": "0", "I": "1", "L": "1"}.get(c, c)
        if c not in alphabet:
            raise ValueError(code)
        out += c
    if len(out) != 20:
        raise ValueError(code)
    return out


def pairing(v, p, t):
    """Section 11: the four pairing packets."""
    c_s, s_s = v["client static private"], v["server static private"]
    c_e, s_e = v["client ephemeral priv"], v["server ephemeral priv"]
    norm = normalise(t["code as typed"])
    same("normalised code", norm.encode(), t["code normalised"].encode())
    psk = b2b(b"lnsh pair psk v1" + norm.encode(), 32)
    mkey = b2b(b"lnsh pair mac1 v1" + psk, 32)
    same("psk", psk, v["psk"])
    same("mac1 key (code)", mkey, v["mac1 key (code)"])

    st = Sym(b"Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b")
    st.mix_hash(PROLOGUE)
    msg = pub(c_e)                           # e (psk: MixKey too)
    st.mix_hash(pub(c_e))
    st.mix_key(pub(c_e))
    msg += st.enc_hash(b"")
    same("pair init", mac1(mkey, hdr(5) + struct.pack("<I", 0x05060708) +
                           msg), p["pair init (client -> server)"])

    msg = pub(s_e)                           # e
    st.mix_hash(pub(s_e))
    st.mix_key(pub(s_e))
    st.mix_key(dh(c_e, pub(s_e)))            # ee
    msg += st.enc_hash(pub(s_s))             # s
    st.mix_key(dh(c_e, pub(s_s)))            # es
    msg += st.enc_hash(b"")
    same("pair response", mac1(mkey, hdr(6) + struct.pack(
        "<II", 0xb1b2b3b4, 0x05060708) + msg),
        p["pair response (server -> client)"])

    msg = st.enc_hash(pub(c_s))              # s
    st.mix_key(dh(c_s, pub(s_e)))            # se
    st.mix_key_and_hash(psk)                 # psk
    msg += st.enc_hash(v["PairRequest (protobuf)"])
    same("pair finish", mac1(mkey, hdr(7) + struct.pack("<I", 0xb1b2b3b4) +
                             msg), p["pair finish (client -> server)"])
    c1, c2 = st.split()
    same("pair c1", c1, v["c1 (client -> server)"])
    same("pair c2", c2, v["c2 (server -> client)"])
    ad = hdr(8) + struct.pack("<I", 0x05060708)
    same("pair result", ad + aead(c2, 0, ad, v["PairResult (protobuf)"]),
         p["pair result (server -> client)"])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: protocol-doc.py protodump-output.txt")
    with open(sys.argv[1], encoding="ascii") as f:
        whole = f.read()
    ik_part, _, pair_part = whole.partition("== XXpsk3 pairing ==")
    pair_part, _, cookie_part = pair_part.partition(
        "== cookie (under load) ==")
    for name, part, fn in (("ik", ik_part, ik), ("pair", pair_part,
                                                   pairing),
                           ("cookie", cookie_part, cookie)):
        path = sys.argv[1] + "." + name
        with open(path, "w", encoding="ascii") as f:
            f.write(part)
        v, p, t = parse(path)
        if name == "pair":
            # The static keys are the IK section's.
            v0, _, _ = parse(sys.argv[1] + ".ik")
            v["client static private"] = v0["client static private"]
            v["server static private"] = v0["server static private"]
            fn(v, p, t)
        elif name == "cookie":
            # The initiation it answers is the IK section's.
            v0, p0, _ = parse(sys.argv[1] + ".ik")
            v["server static private"] = v0["server static private"]
            fn(v, p, p0["initiation (client -> server)"])
        else:
            fn(v, p)
    if FAILED:
        sys.exit("protocol-doc.py: %d mismatches" % len(FAILED))


if __name__ == "__main__":
    main()
