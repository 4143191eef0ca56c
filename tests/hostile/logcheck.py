#!/usr/bin/env python3
"""logcheck.py LOG COUNT: checks the daemon's decision lines (certauthzd(8), LOGGING).

Every line holding a decision ("allow|deny|error policy=", after
any prefix the logger adds) must be one well-formed line of key=value
pairs: bare values without space, quote, backslash or control bytes;
quoted values with only \\" \\\\ \\xNN escapes.  There must be exactly
COUNT such lines (one per request: no forged second line), and no line
may start a decision anywhere but at its beginning.
"""
import re
import sys

BARE = rb'[^ "\\\x00-\x1f\x7f]*'
QUOTED = rb'"(?:\\["\\]|\\x[0-9a-fA-F]{2}|[^"\\\x00-\x1f\x7f])*"'
PAIR = re.compile(rb' ([a-z_]+)=(' + QUOTED + rb'|' + BARE + rb')')
START = re.compile(rb'(?:^|[^a-zA-Z_])(allow|deny|error) policy=')
KEYS = [b"policy", b"rule", b"reason", b"user", b"serial", b"subject",
        b"issuer", b"email", b"method", b"host", b"uri", b"remote", b"role",
        b"us"]


def main():
    path, count = sys.argv[1], int(sys.argv[2])
    bad = 0
    n = 0
    for lineno, line in enumerate(open(path, "rb").read().split(b"\n"), 1):
        m = START.search(line)
        if not m:
            if b"FORGED" in line or b"Variable-CERTAUTHZ" in line:
                print(f"{path}:{lineno}: forged text on its own line: {line!r}")
                bad += 1
            continue
        n += 1
        rest = line[m.end(1):]
        keys = []
        pos = 0
        while pos < len(rest):
            p = PAIR.match(rest, pos)
            if not p:
                print(f"{path}:{lineno}: malformed at byte {pos}: {line!r}")
                bad += 1
                break
            keys.append(p.group(1))
            pos = p.end()
        if keys and keys[0] != b"policy":
            print(f"{path}:{lineno}: first key is not policy: {line!r}")
            bad += 1
        order = [KEYS.index(k) for k in keys if k in KEYS]
        if order != sorted(order) or len(set(keys)) != len(keys):
            print(f"{path}:{lineno}: keys out of order or repeated: {line!r}")
            bad += 1
    if n != count:
        print(f"{path}: {n} decision lines for {count} requests")
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
