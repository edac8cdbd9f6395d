#!/usr/bin/env python3
"""Turn cacophony-format Noise test vectors (JSON) into the line format that
tests/unit/test_noise.c reads, so the C test needs no JSON parser.

Output, one vector after another:

    vector <protocol_name>
    <field> <hex>          init_prologue, init_static, init_ephemeral,
                           init_remote_static, init_psk, and resp_* alike
    msg <payload hex> <ciphertext hex>     in order; "-" stands for empty
    hash <handshake_hash hex>
    end

Messages alternate direction, initiator first, and continue as transport
messages after the handshake (cacophony's convention for two-way patterns).

Usage: noise-vectors.py vectors.json > vectors.txt
"""
import json
import sys

FIELDS = ("prologue", "static", "ephemeral", "remote_static")


def hexfield(value):
    """Empty fields become "-" so every line splits into the same words."""
    return value if value else "-"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: noise-vectors.py vectors.json")
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    out = []
    for v in doc["vectors"]:
        out.append("vector %s" % v["protocol_name"])
        for side in ("init", "resp"):
            for field in FIELDS:
                key = "%s_%s" % (side, field)
                if key in v:
                    out.append("%s %s" % (key, hexfield(v[key])))
            for psk in v.get(side + "_psks", []):
                out.append("%s_psk %s" % (side, psk))
        for m in v["messages"]:
            out.append("msg %s %s" % (hexfield(m["payload"]),
                                      hexfield(m["ciphertext"])))
        if "handshake_hash" in v:
            out.append("hash %s" % v["handshake_hash"])
        out.append("end")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
