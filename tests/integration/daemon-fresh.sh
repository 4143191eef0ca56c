#!/bin/bash
# daemon-fresh.sh: issue 14 against a real certauthzd.
#  - a shadow candidate (settings.shadow): answers unchanged, the decision
#    line carries shadow=, shadow_diff=1 on a divergence; a broken
#    candidate (at a reload) leaves enforcement as it is, shadow=error;
#  - crl_stale = deny | warn with a CRL past its nextUpdate, through
#    certauthz check and the daemon, logged once;
#  - a CRL that does not parse is a load error: the old policy stays;
#  - auto_reload: a revocation added to a list file and to a re-issued
#    CRL applies without SIGHUP; a broken file is kept out, logged once.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/daemon-lib.sh"
need "$OPENSSL"

ALICE=$(params alice)
BOB=$(params bob)
MALLORY=$(params mallory)
status() { "$CLIENT" -s "unix:$S" -q -f "$1"; }
# waitfor PATTERN: until $T/err holds it (5 s)
waitfor() {
	i=0
	while ! grep -q -e "$1" "$T/err" && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	grep -q -e "$1" "$T/err" || { cat "$T/err" >&2; fail "no \"$1\" in the log"; }
}
stop() { stop_pid $dpid; }

# --- shadow ---
write_policy "$T/policy.conf" alice
sed -i 's|^  log_allow = true;|&\n  shadow = "candidate.conf";|' "$T/policy.conf"
cat > "$T/candidate.conf" <<'EOC'
policies = ( { name = "cand";
  allow = ( { name = "bob-only"; o = "Example"; cn = "bob"; } ); } );
EOC
start_daemon -n 2 -c "$T/policy.conf" -s "unix:$S"
[ "$(status "$ALICE")" = "200 1" ] || fail "shadow changed alice's answer"
[ "$(status "$BOB")" = "403 1" ] || fail "shadow changed bob's answer"
waitfor '^allow policy=default rule=people user=alice .* us=[0-9]* shadow=deny shadow_policy=cand shadow_rule=- shadow_reason="no rule allows" shadow_diff=1$'
waitfor '^deny policy=default rule=- reason="no rule allows" user=- serial=1002 .* shadow=allow shadow_policy=cand shadow_rule=bob-only shadow_diff=1$'
# check prints the line the daemon logs (us= aside)
"$CERTAUTHZ" check -c "$T/policy.conf" --uri /x --host www.example.com \
    --remote 127.0.0.1 "$PKI/alice.pem" | sed 's/ us=[0-9]*/ us=N/' > "$T/check"
grep '^allow policy=default' "$T/err" | head -1 |
    sed -e 's/ us=[0-9]*/ us=N/' -e 's/ role=[a-z]*/ role=check/' > "$T/daemon"
cmp -s "$T/check" "$T/daemon" || fail "check and daemon differ: $(cat "$T/check" "$T/daemon")"

# a broken candidate at a reload: logged, enforcement as it was
echo 'policies = ( { name = "x" ' > "$T/candidate.conf"
: > "$T/err"
kill -HUP $dpid
waitfor 'shadow policy did not load'
waitfor "policy $T/policy.conf loaded"
[ "$(status "$ALICE")" = "200 1" ] || fail "a broken candidate changed alice's answer"
waitfor 'user=alice .* shadow=error shadow_policy=- shadow_rule=- shadow_reason="shadow policy did not load"$'
grep -q 'shadow_diff' "$T/err" && fail "shadow_diff on a candidate that did not load"
stop

# --- crl_stale ---
cp -r "$PKI/client-ca.db" "$T/ca.db"
gencrl() {	# OUT [extra openssl ca options]: a CRL of the client CA
	out=$1; shift
	(cd "$T/ca.db" && SAN=DNS:x "$OPENSSL" ca -config "$PKI/ca.cnf" \
	    -cert "$PKI/client-ca.pem" -keyfile "$PKI/client-ca.key" \
	    -gencrl -out "$out" "$@") 2>/dev/null || fail "openssl ca -gencrl"
}
gencrl "$T/stale.crl" -crlsec 1
sleep 2
cp "$PKI/client-chain.pem" "$T/"
crlpolicy() {	# FILE STALE: ca_file + crl_file=stale.crl, any Example CN
	cat > "$1" <<EOC
settings = { ca_file = "client-chain.pem"; crl_file = "stale.crl";
  crl_stale = "$2"; log_allow = true; };
policies = ( { name = "p"; allow = ( { name = "any"; o = "Example"; } ); } );
EOC
}
crlpolicy "$T/deny.conf" deny
crlpolicy "$T/warn.conf" warn
out=$("$CERTAUTHZ" check -c "$T/deny.conf" "$PKI/alice.pem")
[ $? -eq 1 ] || fail "crl_stale deny: not a deny: $out"
case $out in *'reason="crl_file is past its nextUpdate (crl_stale = deny)"'*) ;;
*) fail "crl_stale deny: $out" ;; esac
out=$("$CERTAUTHZ" check -c "$T/warn.conf" "$PKI/alice.pem") ||
    fail "crl_stale warn: alice not allowed: $out"
out=$("$CERTAUTHZ" check -c "$T/warn.conf" "$PKI/mallory.pem")
[ $? -eq 1 ] || fail "crl_stale warn: mallory (revoked, listed) allowed: $out"
case $out in *'reason="certificate revoked"'*) ;; *) fail "mallory: $out" ;; esac

start_daemon -c "$T/deny.conf" -s "unix:$S"
[ "$(status "$ALICE")" = "403 1" ] || fail "daemon crl_stale deny: alice not denied"
waitfor 'crl_stale = deny, every certificate verified against it is denied'
waitfor 'reason="crl_file is past its nextUpdate (crl_stale = deny)"'
stop
start_daemon -c "$T/warn.conf" -s "unix:$S"
[ "$(status "$ALICE")" = "200 1" ] || fail "daemon crl_stale warn: alice denied"
[ "$(status "$MALLORY")" = "403 1" ] || fail "daemon crl_stale warn: mallory allowed"
waitfor 'crl_stale = warn, decisions unchanged'
kill -HUP $dpid
waitfor "policy $T/warn.conf loaded"
sleep 0.5
[ "$(grep -c 'crl_stale = warn, decisions unchanged' "$T/err")" = 2 ] ||
    fail "the stale CRL is not logged once per load"

# a CRL that does not parse: a load error, the old policy stays
printf -- '-----BEGIN X509 CRL-----\nnot base64\n-----END X509 CRL-----\n' > "$T/stale.crl"
"$CERTAUTHZ" check -c "$T/warn.conf" "$PKI/alice.pem" > "$T/out" 2>&1
[ $? -eq 2 ] || fail "a broken CRL loads: $(cat "$T/out")"
: > "$T/err"
kill -HUP $dpid
waitfor "reload of $T/warn.conf failed"
[ "$(status "$MALLORY")" = "403 1" ] || fail "a broken CRL emptied revocation"
[ "$(status "$ALICE")" = "200 1" ] || fail "the old policy is not in force"
stop

# --- auto_reload ---
gencrl "$T/fresh.crl"
: > "$T/revoked.txt"
cat > "$T/auto.conf" <<'EOC'
settings = { ca_file = "client-chain.pem"; crl_file = "fresh.crl";
  auto_reload = 1; log_allow = true; };
lists = { revoked = { file = "revoked.txt"; }; };
policies = ( { name = "p";
  deny = ( { name = "revoked"; serial = "@revoked"; } );
  allow = ( { name = "any"; o = "Example"; } ); } );
EOC
start_daemon -n 2 -c "$T/auto.conf" -s "unix:$S"
[ "$(status "$ALICE")" = "200 1" ] || fail "auto: alice denied at start"
[ "$(status "$BOB")" = "200 1" ] || fail "auto: bob denied at start"
# a revocation added to the list file, no SIGHUP
echo "10:01" > "$T/revoked.txt.new" && mv "$T/revoked.txt.new" "$T/revoked.txt"
i=0
while [ "$(status "$ALICE")" != "403 1" ] && [ $i -lt 60 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(status "$ALICE")" = "403 1" ] || fail "auto_reload: the list file change did not apply"
grep -q "revoked.txt changed: auto_reload" "$T/err" || fail "no auto_reload log line"
# bob revoked in a re-issued CRL
(cd "$T/ca.db" && SAN=DNS:x "$OPENSSL" ca -config "$PKI/ca.cnf" -cert "$PKI/client-ca.pem" \
    -keyfile "$PKI/client-ca.key" -revoke "$PKI/bob.pem") 2>/dev/null || fail "revoke bob"
gencrl "$T/fresh.crl.new"
mv "$T/fresh.crl.new" "$T/fresh.crl"
i=0
while [ "$(status "$BOB")" != "403 1" ] && [ $i -lt 60 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(status "$BOB")" = "403 1" ] || fail "auto_reload: the re-issued CRL did not apply"
# a broken list file is kept out, and logged once
printf 'not a serial\n' > "$T/revoked.txt"
waitfor "reload of $T/auto.conf failed"
sleep 3
[ "$(grep -c "reload of $T/auto.conf failed" "$T/err")" = 1 ] ||
    fail "a broken file is retried: $(grep -c 'reload of' "$T/err") failures"
[ "$(status "$ALICE")" = "403 1" ] || fail "a broken list file changed the running policy"
[ "$(status "$MALLORY")" = "403 1" ] || fail "mallory allowed"
# fixed: applies
: > "$T/revoked.txt"
i=0
while [ "$(status "$ALICE")" != "200 1" ] && [ $i -lt 60 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(status "$ALICE")" = "200 1" ] || fail "auto_reload: the fixed list did not apply"
stop
exit 0
