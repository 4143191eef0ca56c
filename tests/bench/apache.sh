# tests/bench/apache.sh: the "apache" case of `make bench`, sourced by
# run.sh (which provides log, note, result, kv, ratio, max, ticks,
# children, wait_port, free_port, stop_pid, _pids, $run, $PKI, $D, $LOAD,
# $PARAMS, $SECS, $ROUNDS and the two nginx of the e2e case).
#
# The same certificates through a real Apache (mpm_event, mod_ssl,
# keep-alive) with mTLS on loopback, two ways in one run, interleaved:
#   (a) "expr": mod_ssl's own check, <Location /expr> with
#       Require expr "%{SSL_CLIENT_M_SERIAL} in {'1001', '1004'}";
#   (a+env) "env": (a) plus the shipped certauthz-env.conf (what (b)
#       pays to copy SSL_CLIENT_CERT & co. into the environment);
#   (b) "fcgi": mod_authnz_fcgi to certauthzd over TCP, from the SHIPPED
#       contrib/apache/certauthz-env.conf and certauthz-authnz-fcgi.conf
#       (only paths and ports substituted, as tests/integration/web-lib.sh
#       does), with a policy that allows the same serials.
# Both vhosts proxy the allowed requests to the same backend (a `return
# 200 "ok\n"` server of the edge nginx), as the shipped file does.
#
# Load: wrk cannot present a client certificate, so as in the e2e case
# wrk -t1 -c16 talks plain HTTP to the front nginx, which originates mTLS
# (proxy_ssl_certificate: alice's or bob's) over upstream keep-alive
# pools to Apache.  wrk alternates alice and bob (apache-check.lua) and
# checks every answer: alice 200 "ok", bob 403.
#
# CPU per request: utime+stime deltas from /proc/PID/stat of the front
# nginx worker, of Apache (the parent, its reaped children, and every live
# child), of certauthzd and of the backend (edge nginx worker).
#
# mod_authnz_fcgi opens a new TCP connection for every check; fcgi-load
# then measures the same daemon directly over TCP (AUTHORIZER role),
# keep-alive vs a new connection per request, for the per-connection cost.

ab_mods=/usr/lib/apache2/modules
ab_dir=$run/apache
ab_dlog=$run/apache-certauthzd.log
ab_lua=$top_srcdir/tests/bench/apache-check.lua
ab_ok=1
APID="" ADPID=""
# -n of the daemon here: 2 x CPUs (at least 4), what certauthzd picks by
# default; mod_authnz_fcgi never keeps a connection, so it need not cover
# Apache's concurrency.
ab_threads=${BENCH_APACHE_THREADS:-$(( $(nproc) * 2 < 4 ? 4 : $(nproc) * 2 ))}

ab_subst() {	# ab_subst FILE FROM TO: fails when FROM is absent
	grep -qF -- "$2" "$1" || { log "apache: $1 has no '$2' (the shipped file changed shape)"; return 1; }
	python3 - "$1" "$2" "$3" <<'PY'
import sys
p, a, b = sys.argv[1:]
s = open(p).read().replace(a, b)
open(p, "w").write(s)
PY
}

# apache_ticks: CPU ticks of Apache so far: the parent (itself and its
# reaped children) and every live child.
apache_ticks() {
	local t c
	t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$APID/stat" 2>/dev/null || echo 0)
	for c in $(children "$APID"); do
		t=$((t + $(ticks "$c")))
	done
	echo "$t"
}
sum_ticks() {	# sum_ticks PID...: utime+stime of each, summed
	local p t=0
	for p in "$@"; do t=$((t + $(ticks "$p"))); done
	echo "$t"
}
median() { echo "$@" | tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
# to_us 1.23ms|850.00us|1.2s -> microseconds
to_us() {
	echo "$1" | awk '/us$/ { sub(/us$/, ""); printf "%.0f", $1; next }
	    /ms$/ { sub(/ms$/, ""); printf "%.0f", $1 * 1000; next }
	    /s$/ { sub(/s$/, ""); printf "%.0f", $1 * 1000000; next }
	    { print "" }'
}
per_req() {	# per_req TICKS0 TICKS1 REQUESTS -> us per request
	awk -v a="$1" -v b="$2" -v n="$3" -v hz="$(getconf CLK_TCK)" \
	    'BEGIN { if (n > 0) printf "%.1f", (b - a) * 1e6 / hz / n; else print "nan" }'
}

# ab_wrk LABEL SIDE: wrk for SECS on SIDE (expr|fcgi), alice and bob
# alternating.  One key=value line.
ab_wrk() {
	local label=$1 side=$2 o f0 f1 a0 a1 d0=0 d1=0 b0 b1 l0 l1 n
	f0=$(sum_ticks $FW); a0=$(apache_ticks); b0=$(sum_ticks $EW)
	[ "$side" = fcgi ] && d0=$(ticks "$ADPID")
	l0=$(wc -l < "$ab_dlog")
	o=$(wrk -t1 -c16 -d"${SECS}s" --latency -s "$ab_lua" "$base" \
	    -- "/ap/$side/alice/x" "/ap/$side/bob/x" 2>&1)
	f1=$(sum_ticks $FW); a1=$(apache_ticks); b1=$(sum_ticks $EW)
	[ "$side" = fcgi ] && d1=$(ticks "$ADPID")
	l1=$(wc -l < "$ab_dlog")
	note "$label wrk output: $(echo "$o" | tr '\n' '|')"
	n=$(echo "$o" | awk '/requests in/ { print $1 }')
	n=${n:-0}
	local dl="" da="" dd="" dw=""
	if [ "$side" = fcgi ]; then
		# decision lines of the daemon during this run
		dl=$((l1 - l0))
		sed -n "$((l0 + 1)),${l1}p" "$ab_dlog" > "$run/apache-dec.tmp"
		da=$(grep -c 'allow .*serial=1001' "$run/apache-dec.tmp")
		dd=$(grep -c 'deny .*serial=1002' "$run/apache-dec.tmp")
		dw=$(grep -c 'deny .*serial=1001\|allow .*serial=1002' "$run/apache-dec.tmp")
	fi
	echo "label=$label side=$side requests=$n" \
	    "rps=$(echo "$o" | awk '/^Requests\/sec/ { print $2 }')" \
	    "p50_us=$(to_us "$(echo "$o" | awk '$1 == "50%" { print $2 }')")" \
	    "p99_us=$(to_us "$(echo "$o" | awk '$1 == "99%" { print $2 }')")" \
	    "max_us=$(to_us "$(echo "$o" | awk '$1 == "Latency" { print $4 }')")" \
	    "a200=$(kv a200 "$(echo "$o" | grep '^check ')")" \
	    "b403=$(kv b403 "$(echo "$o" | grep '^check ')")" \
	    "wrong=$(kv wrong "$(echo "$o" | grep '^check ')")" \
	    "sockerr=$(echo "$o" | awk '/Socket errors/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i } END { print s + 0 }')" \
	    "cpu_front=$(per_req "$f0" "$f1" "$n")" \
	    "cpu_apache=$(per_req "$a0" "$a1" "$n")" \
	    "cpu_daemon=$( [ "$side" = fcgi ] && per_req "$d0" "$d1" "$n" || echo -)" \
	    "cpu_backend=$(per_req "$b0" "$b1" "$n")" \
	    "decisions=${dl:--} allow1001=${da:--} deny1002=${dd:--} wrongdec=${dw:-0}"
}
ab_line() {	# log and CSV one ab_wrk line
	local l=$1 w
	log "  $l"
	w=$(( $(kv wrong "$l") + 0 ))
	echo "apache,$(kv label "$l"),$(kv requests "$l"),$SECS,$(kv rps "$l"),$(kv p50_us "$l"),$(kv p99_us "$l"),$(kv max_us "$l"),$(kv a200 "$l"),$(kv b403 "$l"),,$w,$(kv sockerr "$l"),\"$(kv cpu_front "$l") $(kv cpu_apache "$l") $(kv cpu_daemon "$l") $(kv cpu_backend "$l")\",decisions=$(kv decisions "$l")" >> "$csv"
}

# --- configuration ----------------------------------------------------------
ab_conf() {
	local a=$ab_dir m user=""
	for m in mpm_event ssl rewrite headers setenvif proxy proxy_http \
	    authz_core authn_core authz_user socache_shmcb authnz_fcgi; do
		[ -f "$ab_mods/mod_$m.so" ] || { log "apache: no mod_$m in $ab_mods: case skipped"; return 1; }
	done
	mkdir -p "$a/run" "$a/logs"
	chmod 755 "$run" "$a"
	ab_fport=$(free_port)
	cp "$top_srcdir/contrib/apache/certauthz-env.conf" \
	    "$top_srcdir/contrib/apache/certauthz-headers.conf" "$a/" &&
	cp "$top_srcdir/contrib/apache/certauthz-authnz-fcgi.conf" "$a/site.conf" || return 1
	ab_subst "$a/site.conf" "fcgi://127.0.0.1:9000/" "fcgi://127.0.0.1:$ab_fport/" &&
	ab_subst "$a/site.conf" "<VirtualHost *:443>" "<VirtualHost 127.0.0.1:$APORT>" &&
	ab_subst "$a/site.conf" "/etc/certauthz/tls/" "$PKI/" &&
	ab_subst "$a/site.conf" "/etc/apache2/conf-available/certauthz-env.conf" "$a/certauthz-env.conf" &&
	ab_subst "$a/site.conf" "/etc/apache2/conf-available/certauthz-headers.conf" "$a/certauthz-headers.conf" &&
	ab_subst "$a/site.conf" "http://127.0.0.1:8080/" "http://127.0.0.1:$BPORT/" || return 1
	if [ "$(id -u)" = 0 ]; then
		user="User nobody
Group $(id -gn nobody 2>/dev/null || echo nogroup)"
	fi
	# Policy of (b): the serials (a) allows.
	cat > "$run/policy-apache.conf" <<EOF
settings = { identity = "cn"; log_allow = true; };
policies = (
  { name = "default";
    allow = ( { name = "serials"; serial = [ "1001", "1004" ]; } ); }
);
EOF
	chmod 644 "$run/policy-apache.conf"
	# One fixed set of processes (no spawning during a run): 2 children
	# of 25 threads, the Debian defaults of mpm_event.
	cat > "$a/httpd.conf" <<EOF
ServerRoot $a
ServerName 127.0.0.1
PidFile $a/run/httpd.pid
DefaultRuntimeDir $a/run
Mutex file:$a/run default
ErrorLog $a/logs/error.log
LogLevel warn
$user
LoadModule mpm_event_module $ab_mods/mod_mpm_event.so
LoadModule authz_core_module $ab_mods/mod_authz_core.so
LoadModule authn_core_module $ab_mods/mod_authn_core.so
LoadModule authz_user_module $ab_mods/mod_authz_user.so
LoadModule ssl_module $ab_mods/mod_ssl.so
LoadModule socache_shmcb_module $ab_mods/mod_socache_shmcb.so
LoadModule rewrite_module $ab_mods/mod_rewrite.so
LoadModule headers_module $ab_mods/mod_headers.so
LoadModule setenvif_module $ab_mods/mod_setenvif.so
LoadModule proxy_module $ab_mods/mod_proxy.so
LoadModule proxy_http_module $ab_mods/mod_proxy_http.so
LoadModule authnz_fcgi_module $ab_mods/mod_authnz_fcgi.so
StartServers 2
ServerLimit 2
ThreadsPerChild 25
MaxRequestWorkers 50
MinSpareThreads 25
MaxSpareThreads 75
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 60
SSLSessionCache shmcb:$a/run/ssl_scache(512000)
Listen 127.0.0.1:$APORT
Listen 127.0.0.1:$AXPORT
Listen 127.0.0.1:$AEPORT

# (b) the shipped mod_authnz_fcgi example.
Include $a/site.conf

EOF
	# (a) mod_ssl alone: the same TLS settings, the same backend, the same
	# serials, the identity to the backend as (b) hands it.  And (a+env):
	# the same with the shipped certauthz-env.conf, which (b) needs: the
	# price of copying SSL_CLIENT_CERT & co. into the environment.
	for m in "$AXPORT:" "$AEPORT:Include $a/certauthz-env.conf"; do
		cat >> "$a/httpd.conf" <<EOF

<VirtualHost 127.0.0.1:${m%%:*}>
	ServerName app.example.com
	SSLEngine on
	SSLCertificateFile	$PKI/server.pem
	SSLCertificateKeyFile	$PKI/server.key
	SSLCACertificateFile	$PKI/client-chain.pem
	SSLVerifyClient		require
	SSLVerifyDepth		2
	${m#*:}
	<Location "/expr">
		Require expr "%{SSL_CLIENT_M_SERIAL} in {'1001', '1004'}"
		RequestHeader set X-Certauthz-User "%{SSL_CLIENT_S_DN_CN}s"
		RequestHeader unset SSL-Client-Cert
	</Location>
	ProxyPass		"/" "http://127.0.0.1:$BPORT/"
	ProxyPassReverse	"/" "http://127.0.0.1:$BPORT/"
</VirtualHost>
EOF
	done
	apache2 -t -d "$a" -f "$a/httpd.conf" > "$a/t.out" 2>&1 ||
	    { log "apache: apache2 -t failed: $(tr '\n' ' ' < "$a/t.out")"; return 1; }
}

ab_start() {
	local i=0
	"$D" -t -c "$run/policy-apache.conf" > "$run/policy-apache-t.out" 2>&1 ||
	    { log "apache: policy rejected: $(cat "$run/policy-apache-t.out")"; return 1; }
	start_sink "$run/apache-syslog.sock" "$ab_dlog" ||
	    { log "apache: syslog-sink did not start"; return 1; }
	CERTAUTHZD_LOG_SOCKET=$run/apache-syslog.sock \
	"$D" -c "$run/policy-apache.conf" -s "tcp:127.0.0.1:$ab_fport" \
	    -n "$ab_threads" 2>>"$run/apache-certauthzd.stderr" &
	ADPID=$!
	_pids="$_pids $ADPID"
	wait_port "$ab_fport"
	# Its own session: on stop, Apache signals its whole process group.
	setsid apache2 -d "$ab_dir" -f "$ab_dir/httpd.conf" -DFOREGROUND \
	    2>>"$ab_dir/logs/stderr" &
	APID=$!
	_pids="$_pids $APID"
	wait_port "$APORT"
	wait_port "$AXPORT"
	wait_port "$AEPORT"
	# the children of mpm_event, and the pid Apache itself recorded
	while [ "$(children "$APID" | wc -w)" -lt 2 ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ "$(cat "$ab_dir/run/httpd.pid" 2>/dev/null)" = "$APID" ] ||
	    { log "apache: pid $APID is not Apache's ($(cat "$ab_dir/run/httpd.pid" 2>/dev/null))"; return 1; }
	kill -0 "$ADPID" 2>/dev/null || { log "apache: certauthzd did not start: $(tail -3 "$ab_dlog")"; return 1; }
}

# --- the case ------------------------------------------------------------------
log ""
log "== apache: wrk -c16 -> nginx front -> mTLS (alice/bob alternating) -> Apache $(apache2 -v 2>/dev/null | sed -n 's/^Server version: //p') mpm_event, ${SECS}s per side"
if [ -z "${base:-}" ] || ! command -v apache2 > /dev/null; then
	log "apache: apache2, nginx or wrk missing: case skipped"
	ab_ok=0
elif ! ab_conf || ! ab_start; then
	ab_ok=0
fi
if [ $ab_ok = 1 ]; then
	note "apache: $ab_dir/httpd.conf, site.conf (shipped certauthz-authnz-fcgi.conf), certauthzd -n $ab_threads on tcp:127.0.0.1:$ab_fport, pids apache $APID children [$(children "$APID" | tr "\n" " ")] certauthzd $ADPID front worker [$(echo $FW)] backend worker [$(echo $EW)]"
	chk=""
	for s in expr env fcgi; do
		for w in alice bob; do
			chk="$chk $s/$w=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$base/ap/$s/$w/x")"
		done
	done
	log "status per side and client:$chk (want alice 200, bob 403)"
	note "cpu per request in us: [front-nginx apache certauthzd backend]"
	xb=0 fb=0 xw="" xbad=0 fbad=0 xl="" fl="" pr="" pc="" pe="" el=""
	for i in $(seq 1 "$ROUNDS"); do
		w=$(ab_wrk apache-expr-$i expr)
		ab_line "$w"
		xw=$w
		xbad=$((xbad + $(kv wrong "$w") + $(kv sockerr "$w")))
		[ "$(kv rps "$w" | cut -d. -f1)" -ge "$(echo "$xb" | cut -d. -f1)" ] && xl=$w
		xb=$(max "$xb" "$(kv rps "$w")")
		w=$(ab_wrk apache-exprenv-$i env)
		ab_line "$w"
		xbad=$((xbad + $(kv wrong "$w") + $(kv sockerr "$w")))
		pe="$pe $(ratio "$(kv cpu_apache "$w")" "$(kv cpu_apache "$xw")")"
		el="$el $(kv cpu_apache "$w")"
		w=$(ab_wrk apache-fcgi-$i fcgi)
		ab_line "$w"
		fbad=$((fbad + $(kv wrong "$w") + $(kv sockerr "$w")))
		# certauthzd's own log: never alice denied nor bob allowed
		fbad=$((fbad + $(kv wrongdec "$w")))
		[ "$(kv rps "$w" | cut -d. -f1)" -ge "$(echo "$fb" | cut -d. -f1)" ] && fl=$w
		fb=$(max "$fb" "$(kv rps "$w")")
		# the pair of this round, measured back to back
		pr="$pr $(ratio "$(kv rps "$w")" "$(kv rps "$xw")")"
		pc="$pc $(ratio "$(kv cpu_apache "$w")" "$(kv cpu_apache "$xw")")"
	done
	r=$(ratio "$fb" "$xb")
	log "apache (b)/(a): mod_authnz_fcgi+certauthzd $fb/s vs Require expr $xb/s: ratio $r (best of $ROUNDS)"
	log "  ratio (b)/(a) per round: throughput [${pr# }] median $(median $pr), Apache CPU per request [${pc# }] median $(median $pc)"
	log "  p99 $(kv p99_us "$fl") us vs $(kv p99_us "$xl") us (best rounds); CPU us/request [front apache certauthzd backend]: fcgi [$(kv cpu_front "$fl") $(kv cpu_apache "$fl") $(kv cpu_daemon "$fl") $(kv cpu_backend "$fl")], expr [$(kv cpu_front "$xl") $(kv cpu_apache "$xl") - $(kv cpu_backend "$xl")]"
	log "  Apache CPU per request ratio (b)/(a): $(ratio "$(kv cpu_apache "$fl")" "$(kv cpu_apache "$xl")") (best rounds)"
	log "  (a) plus the shipped certauthz-env.conf, no FastCGI: Apache CPU per request [${el# }] us, per round [${pe# }] x (a), median $(median $pe)"

	# The daemon's per-connection cost, same daemon, same run: fcgi-load
	# over TCP with the AUTHORIZER role, keep-alive vs a new connection.
	log "  certauthzd directly over TCP (fcgi-load -a, warm certificates, $ab_threads connections):"
	kb=0 nb=0 kcpu="" ncpu=""
	for i in $(seq 1 "$ROUNDS"); do
		k=$("$LOAD" -s "tcp:127.0.0.1:$ab_fport" -p "$PARAMS" -C "$WARM" -a -k \
		    -c "$ab_threads" -t "$SECS" -P "$ADPID" -l apache-tcp-ka-$i 2>&1)
		note "apache $k"
		csv_line apache "$k"
		c=$("$LOAD" -s "tcp:127.0.0.1:$ab_fport" -p "$PARAMS" -C "$WARM" -a \
		    -c "$ab_threads" -t "$SECS" -P "$ADPID" -l apache-tcp-newconn-$i 2>&1)
		note "apache $c"
		csv_line apache "$c"
		log "    keep-alive $(kv rps "$k")/s $(kv cpu_us_per_req "$k") us/decision; new connection $(kv rps "$c")/s $(kv cpu_us_per_req "$c") us/decision"
		kcpu="$kcpu $(kv cpu_us_per_req "$k")"
		ncpu="$ncpu $(kv cpu_us_per_req "$c")"
		fbad=$((fbad + $(bad "$k") + $(bad "$c")))
	done
	kmin=$(echo $kcpu | tr ' ' '\n' | sort -g | head -1)
	nmin=$(echo $ncpu | tr ' ' '\n' | sort -g | head -1)
	log "  certauthzd CPU per decision (lowest of $ROUNDS): keep-alive $kmin us, new TCP connection $nmin us (+$(awk -v a="$nmin" -v b="$kmin" 'BEGIN { printf "%.0f", a - b }') us per connection); behind mod_authnz_fcgi $(kv cpu_daemon "$fl") us"
	result "apache: every answer right (alice 200, bob 403)" "$( [ $((xbad + fbad)) -eq 0 ] && echo PASS || echo FAIL)" "$xbad wrong/failed with Require expr, $fbad with certauthzd"
	note "apache error log: $(wc -l < "$ab_dir/logs/error.log") lines"
fi
[ -n "$APID" ] && stop_pid "$APID"
[ -n "$ADPID" ] && stop_pid "$ADPID"
