#!/bin/sh
# corpus.sh PKI OUTDIR: seed corpora for the fuzz targets, made at test
# time from the test PKI (no certificate is ever committed).
#
#   OUTDIR/cert/     every client certificate in every SSL_CLIENT_CERT
#                    form certauthzd(8) accepts (PEM LF and CRLF, nginx TAB form,
#                    nginx %XX form, bare base64, RFC 9440 :b64:) and
#                    as raw DER (NAME.der, which fuzz_cert encodes)
#   OUTDIR/dn/       subject and issuer DNs in RFC 2253, escaped UTF-8
#                    and slash forms, plus hostile DN strings
#   OUTDIR/policy/   the example policies in policies/ and tests/golden/
#   OUTDIR/request/  whole requests (NUL-separated NAME=VALUE params)
#   OUTDIR/scan/     FastCGI connections as they reach certauthzd: the
#                    records of whole requests (split at many sizes,
#                    padded, keep-alive, two in a row) and of faulty
#                    and invalid ones
set -eu
pki=${1:?usage: corpus.sh PKI OUTDIR}
out=${2:?usage: corpus.sh PKI OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
OPENSSL=${OPENSSL:-openssl}

rm -rf "$out"
mkdir -p "$out/cert" "$out/dn" "$out/policy" "$out/request" "$out/scan"

for pem in "$pki"/alice.pem "$pki"/bob.pem "$pki"/mallory.pem \
    "$pki"/carol.pem "$pki"/dave.pem "$pki"/spiffe.pem "$pki"/expired.pem \
    "$pki"/server-only.pem "$pki"/rogue.pem "$pki"/client-ca.pem; do
	[ -f "$pem" ] || continue
	n=$(basename "$pem" .pem)
	subj=$("$OPENSSL" x509 -in "$pem" -noout -subject -nameopt RFC2253 |
	    sed 's/^subject=//')
	subj_slash=$("$OPENSSL" x509 -in "$pem" -noout -subject \
	    -nameopt compat | sed 's/^subject=//')
	iss=$("$OPENSSL" x509 -in "$pem" -noout -issuer -nameopt RFC2253 |
	    sed 's/^issuer=//')
	serial=$("$OPENSSL" x509 -in "$pem" -noout -serial | sed 's/^serial=//')
	printf '%s' "$subj" > "$out/dn/$n.subject"
	printf '%s' "$subj_slash" > "$out/dn/$n.slash"
	printf '%s' "$iss" > "$out/dn/$n.issuer"
	python3 - "$pem" "$out" "$n" "$subj" "$iss" "$serial" <<'PY'
import base64, sys, urllib.parse
pem, out, n, subj, iss, serial = sys.argv[1:]
text = open(pem).read()
body = text.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
b64 = "".join(body.split())
forms = {
    "lf": text,
    "crlf": text.replace("\n", "\r\n"),
    "tab": text.rstrip("\n").replace("\n", "\n\t") + "\n",
    "esc": urllib.parse.quote(text, safe="-_.~"),
    "b64": b64,
    "rfc9440": ":" + b64 + ":",
}
for k, v in forms.items():
    open(f"{out}/cert/{n}.{k}", "w").write(v)
# raw DER: fuzz_cert base64-encodes an input that starts with 0x30
open(f"{out}/cert/{n}.der", "wb").write(base64.b64decode(b64))
def req(name, params):
    with open(f"{out}/request/{n}.{name}", "wb") as f:
        f.write(b"\0".join(f"{a}={b}".encode() for a, b in params))
base = [("SSL_CLIENT_VERIFY", "SUCCESS"), ("REQUEST_URI", "/admin/x"),
        ("HTTP_HOST", "admin.example.com"), ("REQUEST_METHOD", "GET"),
        ("REMOTE_ADDR", "127.0.0.1")]
req("plain", base + [("SSL_CLIENT_CERT", forms["esc"])])
req("full", base + [("SSL_CLIENT_CERT", forms["lf"]),
    ("SSL_CLIENT_M_SERIAL", serial), ("SSL_CLIENT_S_DN", subj),
    ("SSL_CLIENT_I_DN", iss)])
req("default", [("SSL_CLIENT_VERIFY", "SUCCESS"), ("REQUEST_URI", "/"),
    ("SSL_CLIENT_CERT", forms["tab"]), ("CERTAUTHZ_POLICY", "default")])
req("spiffe", [("SSL_CLIENT_VERIFY", "SUCCESS"), ("REQUEST_URI", "/pay/1"),
    ("REQUEST_METHOD", "POST"), ("SSL_CLIENT_CERT", forms["b64"])])
req("failed", [("SSL_CLIENT_VERIFY", "FAILED:certificate has expired"),
    ("SSL_CLIENT_CERT", forms["lf"])])
req("dup", base + [("SSL_CLIENT_CERT", forms["lf"]),
    ("SSL_CLIENT_CERT", forms["lf"])])
req("spoof", [("SSL_CLIENT_VERIFY", "SUCCESS"),
    ("HTTP_SSL_CLIENT_CERT", forms["lf"]), ("HTTP_X_CERTAUTHZ_USER", "admin")])
PY
done

# Hostile DN strings (a DN string that is just bytes may be committed,
# but generating them keeps one place for all seeds).
i=0
for s in 'CN=alice,O=Example' 'CN=alice\,O=Admin,O=Example' \
    'CN=a+O=Admin,O=Example' '/O=Example/CN=alice/O=Admin' \
    'CN=\"quoted\",O=Example' 'CN=#04056162636465' 'CN=\00nul' \
    '2.5.4.3=x,commonName=y,cn=z' 'CN=\D0\B0lice' 'CN=ali\ ce\ ' \
    'CN=' '/' ',' '+' 'CN=a\' 'UID=1,DC=example,DC=com' \
    'emailAddress=a@b.example,CN=x' '1.2.3.4.5=#0000'; do
	printf '%s' "$s" > "$out/dn/hostile.$i"
	i=$((i + 1))
done

for f in "$top"/policies/*.conf "$top"/tests/golden/*.conf \
    "$top"/tests/golden/*/*.conf; do
	[ -f "$f" ] && cp "$f" "$out/policy/$(basename "$(dirname "$f")").$(basename "$f")"
done
# A small policy of our own, so the corpus is never empty.
cat > "$out/policy/seed.conf" <<'CONF'
settings = { identity = "cn"; check_validity = true; require_client_auth = true;
  email_sources = [ "san", "subject" ]; log_allow = true; max_cert_bytes = 16384; };
lists = { revoked = [ "10:03", "0x0AFF", "-01" ]; };
policies = (
  { name = "admin"; when = { path = [ "/admin/*" ]; host = [ "admin.example.com" ]; method = [ "GET" ]; };
    deny = ( { name = "revoked"; serial = "@revoked"; } );
    allow = ( { name = "ops"; issuer = "CN=Example Client CA,O=Example";
                email = [ "*@ops.example.com", "@example.com" ]; eku = "clientAuth"; } ); },
  { name = "default";
    allow = ( { o = "Example"; ou = [ "Eng", "Ops" ]; cn = "\\*a?"; },
              { fingerprint = "00:11"; }, { dns = "*.example.com"; ip = "127.0.0.1"; },
              { subject = "/O=Example/CN=x"; uri = "spiffe://*"; } ); }
);
CONF

# FastCGI records for fuzz_scan, built as tests/hostile/fcgi.py does.
python3 - "$pki/alice.pem" "$out/scan" <<'PY'
import struct, sys, urllib.parse
pem, out = sys.argv[1:]
BEGIN, ABORT, PARAMS, STDIN, GET_VALUES = 1, 2, 4, 5, 9

def rec(rtype, rid, content=b"", chunk=65535, pad=0, version=1):
    if not content:
        return struct.pack(">BBHHBx", version, rtype, rid, 0, 0)
    b = b""
    for i in range(0, len(content), chunk):
        c = content[i:i + chunk]
        b += struct.pack(">BBHHBx", version, rtype, rid, len(c), pad) + c + bytes(pad)
    return b

def nvlen(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)

def pairs(params):
    return b"".join(nvlen(len(k)) + nvlen(len(v)) + k + v for k, v in params)

def request(params, role=1, rid=1, keep=0, chunk=65535, pad=0, stdin=b"",
            raw=None):
    body = raw if raw is not None else pairs(params)
    b = rec(BEGIN, rid, struct.pack(">HB5x", role, keep))
    b += rec(PARAMS, rid, body, chunk, pad) + rec(PARAMS, rid)
    if role == 1:
        b += rec(STDIN, rid, stdin, chunk, pad) + rec(STDIN, rid)
    return b

cert = urllib.parse.quote(open(pem).read(), safe="-_.~").encode()
nginx = [(b"SSL_CLIENT_VERIFY", b"SUCCESS"), (b"SSL_CLIENT_CERT", cert),
         (b"REQUEST_URI", b"/admin/x"), (b"REQUEST_METHOD", b"GET"),
         (b"HTTP_HOST", b"admin.example.com"), (b"REMOTE_ADDR", b"127.0.0.1"),
         (b"CERTAUTHZ_POLICY", b"default")]
small = [(b"SSL_CLIENT_VERIFY", b"SUCCESS"), (b"REQUEST_URI", b"/")]
seeds = {
    "nginx": request(nginx, keep=1),
    "nginx-split-1": request(nginx, chunk=1),
    "nginx-split-7": request(nginx, chunk=7),
    "nginx-split-100": request(nginx, chunk=100, pad=3),
    "padded": request(small, pad=255, stdin=b"body"),
    "authorizer": request(small, role=2, rid=0xffff),
    "filter": request(small, role=3, rid=7),
    "two": request(small, keep=1) + request(nginx, keep=1),
    "trailing": request(small) + b"\xff\x00",
    "long-value": request([(b"X", b"v" * 300), (b"Y" * 200, b"")]),
    "empty-params": request([]),
    "dup": request(small + [(b"REQUEST_URI", b"/admin")]),
    "nul-name": request([(b"A\0B", b"x")]),
    "eq-name": request([(b"HOST=X", b"a")]),
    "nul-value": request([(b"A", b"x\0y")]),
    "many": request([(b"P%d" % i, b"") for i in range(257)]),
    "truncated-pair": request([], raw=b"\x05\x01AB"),
    "prefix": request(nginx)[:100],
    "management": rec(GET_VALUES, 0, pairs([(b"FCGI_MAX_CONNS", b"")])),
    "abort": rec(BEGIN, 1, struct.pack(">HB5x", 1, 0)) + rec(ABORT, 1),
    "begin-padded": rec(BEGIN, 1, struct.pack(">HB5x", 1, 0), pad=8),
    "bad-role": request(small, role=9),
    "id-changed": rec(BEGIN, 1, struct.pack(">HB5x", 1, 0)) + rec(PARAMS, 2),
    "version-2": rec(BEGIN, 1, struct.pack(">HB5x", 1, 0), version=2),
    "too-large": request([(b"BIG", b"x" * 70000)], chunk=65535),
}
for name, data in seeds.items():
    open(f"{out}/{name}", "wb").write(data)
PY
