#!/usr/bin/env python3
"""fcgi.py: a small FastCGI client for the hostile, faults and limits tests.

  fcgi.py req ADDR [--role R] [--timeout S] PARAM...
      One request; PARAM is NAME=VALUE, NAME=@FILE (value read from
      FILE) or NAME=%HEX (value from hex, for NUL and other bytes).
      Prints the CGI answer (headers, blank line, body); exit 0, or 3
      when the daemon closed without an answer.
  fcgi.py load ADDR --n N --conc C [--keep] PARAM...
      N requests over C concurrent connections (kept alive with --keep);
      prints "status COUNT" lines and "errors N".
  fcgi.py hold ADDR --conns N --seconds S [--partial]
      Opens N connections (--partial: each sends half a BEGIN_REQUEST
      record) and holds them S seconds; prints "held N".
  fcgi.py batch ADDR FILE DIR
      One request per line of FILE: ID, a TAB, the role, then TAB-separated
      PARAMs; writes DIR/ID.ans and prints "ID STATUS" for each.
  fcgi.py slow ADDR --seconds S PARAM...
      Sends one request one byte a second for S seconds, then closes.
  fcgi.py noread ADDR --n N PARAM...
      Sends up to N keep-alive requests on one connection and never
      reads an answer: each request goes once the previous answer's
      bytes wait unread (FIONREAD), so that no two are ever in the
      socket together.  Prints "closed after K" when the daemon closed
      the connection, "open after N" otherwise; exit 1 when an answer
      did not come within --timeout.

ADDR is a unix socket path or HOST:PORT.  Every wait is bounded.
"""
import argparse
import asyncio
import binascii
import collections
import fcntl
import select
import socket
import struct
import sys
import termios
import time

BEGIN, ABORT, END, PARAMS, STDIN, STDOUT, STDERR = 1, 2, 3, 4, 5, 6, 7
ROLES = {"responder": 1, "authorizer": 2, "filter": 3}


def rec(rtype, rid, content=b""):
    out = b""
    while True:
        chunk, content = content[:65535], content[65535:]
        pad = (8 - len(chunk) % 8) % 8
        out += struct.pack(">BBHHBx", 1, rtype, rid, len(chunk), pad)
        out += chunk + b"\0" * pad
        if not content:
            return out


def nvlen(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def encode_params(params):
    body = b""
    for name, value in params:
        body += nvlen(len(name)) + nvlen(len(value)) + name + value
    return body


def parse_param(p):
    name, sep, value = p.partition("=")
    if not sep:
        sys.exit(f"fcgi.py: bad param {p!r}")
    if value.startswith("@"):
        with open(value[1:], "rb") as f:
            v = f.read()
    elif value.startswith("%"):
        v = binascii.unhexlify(value[1:])
    else:
        v = value.encode()
    return name.encode(), v


def request_bytes(params, role="responder", rid=1, keep=False, stdin=True):
    b = rec(BEGIN, rid, struct.pack(">HB5x", ROLES[role], 1 if keep else 0))
    b += rec(PARAMS, rid, encode_params(params)) + rec(PARAMS, rid)
    if stdin and role == "responder":
        b += rec(STDIN, rid)
    return b


def connect(addr, timeout):
    if "/" in addr:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(timeout)
        s.connect(addr)
    else:
        host, _, port = addr.rpartition(":")
        s = socket.create_connection((host.strip("[]"), int(port)), timeout)
    s.settimeout(timeout)
    return s


def read_answer(recvf):
    """Reads records until END_REQUEST; returns (stdout bytes, ended)."""
    buf, out = b"", b""
    while True:
        while len(buf) < 8:
            d = recvf()
            if not d:
                return out, False
            buf += d
        _, rtype, _, clen, pad = struct.unpack(">BBHHBx", buf[:8])
        while len(buf) < 8 + clen + pad:
            d = recvf()
            if not d:
                return out, False
            buf += d
        content = buf[8:8 + clen]
        buf = buf[8 + clen + pad:]
        if rtype == STDOUT:
            out += content
        elif rtype == END:
            return out, True


def status_of(out):
    for line in out.split(b"\n"):
        line = line.rstrip(b"\r")
        if line.lower().startswith(b"status:"):
            return line.split()[1].decode()
        if not line:
            break
    return "200" if out else "none"


def cmd_req(a):
    params = [parse_param(p) for p in a.params]
    s = connect(a.addr, a.timeout)
    s.sendall(request_bytes(params, a.role))
    try:
        out, ended = read_answer(lambda: s.recv(65536))
    except (socket.timeout, ConnectionError):
        out, ended = b"", False
    s.close()
    sys.stdout.buffer.write(out)
    return 0 if ended else 3


async def aconnect(addr):
    if "/" in addr:
        return await asyncio.open_unix_connection(addr)
    host, _, port = addr.rpartition(":")
    return await asyncio.open_connection(host.strip("[]"), int(port))


async def aload(a):
    params = [parse_param(p) for p in a.params]
    counts = collections.Counter()
    todo = [a.n]

    async def worker():
        r = w = None
        while todo[0] > 0:
            todo[0] -= 1
            try:
                if w is None:
                    r, w = await asyncio.wait_for(aconnect(a.addr), a.timeout)
                w.write(request_bytes(params, a.role, keep=a.keep))
                await w.drain()
                out, ended = b"", False
                buf = b""
                while True:
                    while len(buf) < 8:
                        d = await asyncio.wait_for(r.read(65536), a.timeout)
                        if not d:
                            raise ConnectionError("closed")
                        buf += d
                    _, rtype, _, clen, pad = struct.unpack(">BBHHBx", buf[:8])
                    while len(buf) < 8 + clen + pad:
                        d = await asyncio.wait_for(r.read(65536), a.timeout)
                        if not d:
                            raise ConnectionError("closed")
                        buf += d
                    if rtype == STDOUT:
                        out += buf[8:8 + clen]
                    buf = buf[8 + clen + pad:]
                    if rtype == END:
                        break
                counts[status_of(out)] += 1
            except (OSError, asyncio.TimeoutError, ConnectionError):
                counts["error"] += 1
                if w is not None:
                    w.close()
                w = None
                continue
            if not a.keep:
                w.close()
                w = None
        if w is not None:
            w.close()

    await asyncio.gather(*[worker() for _ in range(a.conc)])
    for k, v in sorted(counts.items()):
        print(f"status {k} {v}")


async def ahold(a):
    conns = []
    for _ in range(a.conns):
        try:
            r, w = await asyncio.wait_for(aconnect(a.addr), 5)
        except (OSError, asyncio.TimeoutError):
            break
        if a.partial:
            w.write(rec(BEGIN, 1, struct.pack(">HB5x", 1, 0))[:5])
        conns.append(w)
    print(f"held {len(conns)}", flush=True)
    await asyncio.sleep(a.seconds)
    for w in conns:
        w.close()


def cmd_batch(a):
    for line in open(a.file, encoding="utf-8", errors="surrogateescape"):
        f = line.rstrip("\n").split("\t")
        if len(f) < 2:
            continue
        params = [parse_param(p) for p in f[2:] if p]
        out, ended = b"", False
        try:
            s = connect(a.addr, a.timeout)
            s.sendall(request_bytes(params, f[1]))
            out, ended = read_answer(lambda: s.recv(65536))
            s.close()
        except (OSError, socket.timeout):
            pass
        with open(f"{a.dir}/{f[0]}.ans", "wb") as o:
            o.write(out)
        print(f[0], status_of(out) if ended else "none", flush=True)
    return 0


def cmd_slow(a):
    data = request_bytes([parse_param(p) for p in a.params])
    s = connect(a.addr, 5)
    print("slow", flush=True)
    end = time.time() + a.seconds
    i = 0
    try:
        while time.time() < end and i < len(data):
            s.send(data[i:i + 1])
            i += 1
            time.sleep(1)
    except OSError:
        pass
    print(f"sent {i}")
    s.close()
    return 0


def cmd_noread(a):
    data = request_bytes([parse_param(p) for p in a.params], keep=True)
    s = connect(a.addr, a.timeout)
    poll = select.poll()
    poll.register(s, select.POLLRDHUP)
    waiting = 0
    for k in range(a.n):
        try:
            s.sendall(data)
        except OSError:
            print(f"closed after {k}")
            return 0
        end = time.time() + a.timeout
        while True:
            hup = poll.poll(10)
            n = struct.unpack("i", fcntl.ioctl(s, termios.FIONREAD,
                                               b"\0\0\0\0"))[0]
            if n > waiting:
                waiting = n
                break
            if hup:
                print(f"closed after {k}")
                return 0
            if time.time() > end:
                print(f"stalled after {k}")
                return 1
    print(f"open after {a.n}")
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("req", "load", "hold", "slow", "batch", "noread"):
        p = sub.add_parser(name)
        p.add_argument("addr")
        p.add_argument("--role", default="responder", choices=ROLES)
        p.add_argument("--timeout", type=float, default=10)
        if name == "batch":
            p.add_argument("file")
            p.add_argument("dir")
        elif name != "hold":
            p.add_argument("params", nargs="*")
        if name in ("load", "noread"):
            p.add_argument("--n", type=int, default=100)
        if name == "load":
            p.add_argument("--conc", type=int, default=4)
            p.add_argument("--keep", action="store_true")
        if name in ("hold", "slow"):
            p.add_argument("--seconds", type=float, default=5)
        if name == "hold":
            p.add_argument("--conns", type=int, default=100)
            p.add_argument("--partial", action="store_true")
    a = ap.parse_args()
    if a.cmd == "req":
        return cmd_req(a)
    if a.cmd == "slow":
        return cmd_slow(a)
    if a.cmd == "batch":
        return cmd_batch(a)
    if a.cmd == "noread":
        return cmd_noread(a)
    asyncio.run(aload(a) if a.cmd == "load" else ahold(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
