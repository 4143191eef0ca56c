#!/bin/bash
# run.sh OUT: the `make bench` driver.
#
# Measures certauthzd against a null responder (tests/bench/
# null-responder.c, the floor) in the same run, directly over FastCGI
# (fcgi-load) and end to end through real nginx with mTLS on loopback
# (wrk -> nginx "front" -> mTLS -> nginx "edge" -> auth_request) and
# through Apache (tests/bench/apache.sh: mod_ssl's Require expr vs
# mod_authnz_fcgi to certauthzd), and writes OUT/results.txt, OUT/results.csv and a summary to stdout.  The
# machine is shared and noisy: every target is a ratio to a baseline
# measured in the same run, or an absolute bound far from the noise.
#
# Environment: top_srcdir, top_builddir (set by `make bench`);
#   BENCH_SECONDS   seconds per measured case (default 5)
#   BENCH_CASES     which sections (default "direct metrics shadow reload memory
#                   e2e wiring apache"; "profile" adds an strace -c run)
#   BENCH_THREADS   -n of the null responder (16: a thread per connection)
#   BENCH_DAEMON_THREADS  -n of certauthzd (default: the daemon's own)
#   BENCH_CONNS     concurrent FastCGI connections (8)
#   BENCH_CERTS     distinct certificates of the cold case (300: more
#                   than the 256 cache slots of each certauthzd worker)
#   BENCH_LIST      entries of the big serial list (1000000)
#   BENCH_ROUNDS    interleaved rounds of each compared pair; the best
#                   of each side counts (3)
#   BENCH_APACHE_THREADS  -n of the apache case's certauthzd (2 x CPUs,
#                   at least 4)
# Every server started here is stopped by pid on exit.
set -u

: "${top_srcdir:?run through make bench}"
: "${top_builddir:?run through make bench}"
SECS=${BENCH_SECONDS:-5}
CASES=${BENCH_CASES:-direct metrics shadow reload memory e2e wiring apache}
THREADS=${BENCH_THREADS:-16}
# certauthzd runs with its own default -n (two per CPU) unless told.
DTHREADS=${BENCH_DAEMON_THREADS:+-n $BENCH_DAEMON_THREADS}
CONNS=${BENCH_CONNS:-8}
NCERTS=${BENCH_CERTS:-300}
NLIST=${BENCH_LIST:-1000000}
ROUNDS=${BENCH_ROUNDS:-3}
OPENSSL=${OPENSSL:-openssl}

out=${1:-bench-results}
mkdir -p "$out"
out=$(cd "$out" && pwd)
bin=$top_builddir/tests/bench
LOAD=$bin/fcgi-load
NULLR=$bin/null-responder
SINK=$bin/syslog-sink
D=$top_builddir/certauthzd
CLI=$top_builddir/certauthz
PARAMS=$top_srcdir/tests/bench/params.txt
run=$out/run
rm -rf "$run"
mkdir -p "$run"
txt=$out/results.txt
csv=$out/results.csv
: > "$txt"
echo "section,name,requests,seconds,rps,p50_us,p99_us,max_us,s200,s403,other,wrong,errors,cpu_us_per_req,extra" > "$csv"
summary=$run/summary
: > "$summary"

_pids=""
stop_pid() {
	local pid=$1 i=0
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
cleanup() {
	for p in $_pids; do
		stop_pid "$p"
	done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

log() { echo "$*" | tee -a "$txt"; }
note() { echo "$*" >> "$txt"; }
# result NAME PASS|FAIL|SKIP TEXT
result() {
	printf '%-4s %s: %s\n' "$2" "$1" "$3" | tee -a "$txt" >> "$summary"
}
kv() {	# kv KEY LINE: the value of KEY=... in a key=value line
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "nan" }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
csv_line() {	# csv_line SECTION LINE: one fcgi-load line as CSV
	local l=$2
	echo "$1,$(kv label "$l"),$(kv requests "$l"),$(kv seconds "$l"),$(kv rps "$l"),$(kv p50_us "$l"),$(kv p99_us "$l"),$(kv max_us "$l"),$(kv s200 "$l"),$(kv s403 "$l"),$(kv other "$l"),$(kv wrong "$l"),$(kv errors "$l"),$(kv cpu_us_per_req "$l"),$(kv dip "$l")" >> "$csv"
}
vmhwm() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
vmrss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# per_line TICKS LINES: microseconds of CPU per line
per_line() {
	awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" \
	    'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "nan" }'
}
children() { cat /proc/"$1"/task/*/children 2>/dev/null; }
wait_sock() {
	local i=0
	while [ ! -S "$1" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -S "$1" ]
}
wait_port() {
	local i=0
	while ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
	    echo $((20000 + RANDOM % 20000))
}
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > a) ? b : a }'; }
bad() { echo $(( $(kv wrong "$1") + $(kv errors "$1") + $(kv other "$1") )); }
# pair SECTION NAME SOCK PID: ROUNDS interleaved rounds of the null
# responder, the main certauthzd and a second one (NAME on SOCK, PID),
# the two daemons alternating which goes first.  Sets nbest, pbest and
# xbest (the best rates), prps (the main daemon's rates), errs, and p1
# and x1 (the last round's lines).
pair() {
	local i
	nbest=0 pbest=0 xbest=0 errs=0 prps=""
	for i in $(seq 1 "$ROUNDS"); do
		n1=$(load null-ka-warm-$2-$i "$1" "$NSOCK" "$WARM" "$NPID" -k -c "$CONNS" -e 200)
		if [ $((i % 2)) = 1 ]; then
			p1=$(load certauthzd-ka-warm-no$2-$i "$1" "$DSOCK" "$WARM" "$DPID" -k -c "$CONNS")
			x1=$(load certauthzd-ka-warm-$2-$i "$1" "$3" "$WARM" "$4" -k -c "$CONNS")
		else
			x1=$(load certauthzd-ka-warm-$2-$i "$1" "$3" "$WARM" "$4" -k -c "$CONNS")
			p1=$(load certauthzd-ka-warm-no$2-$i "$1" "$DSOCK" "$WARM" "$DPID" -k -c "$CONNS")
		fi
		nbest=$(max "$nbest" "$(kv rps "$n1")")
		pbest=$(max "$pbest" "$(kv rps "$p1")")
		xbest=$(max "$xbest" "$(kv rps "$x1")")
		prps="$prps $(kv rps "$p1")"
		errs=$((errs + $(bad "$n1") + $(bad "$p1") + $(bad "$x1")))
	done
	# the noise: the spread of the main daemon's rounds
	noise=$(echo $prps | awk '{ mn = $1; mx = $1; for (i = 2; i <= NF; i++) { if ($i < mn) mn = $i; if ($i > mx) mx = $i } printf "%.3f", (mx > 0 ? (mx - mn) / mx : 0) }')
}
has() { case " $CASES " in *" $1 "*) return 0;; esac; return 1; }

# --- machine and inputs -------------------------------------------------
log "certauthz bench $(date -u +%Y-%m-%dT%H:%M:%SZ)"
log "machine: nproc=$(nproc) cpu=\"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)\" kernel=$(uname -r)"
log "settings: seconds=$SECS threads=$THREADS conns=$CONNS certs=$NCERTS list=$NLIST"
echo "bench: making certificates (first run: ~1 min)" >&2
OPENSSL=$OPENSSL sh "$top_srcdir/tests/bench/mkcerts.sh" "$out/certs" "$NCERTS" ||
    { echo "bench: mkcerts.sh failed" >&2; exit 1; }
PKI=$out/certs/pki
WARM=$out/certs/warm.list
COLD=$out/certs/cold.list
grep '^200' "$WARM" | head -1 > "$run/allow.list"

# Two policies that give the same answers (for the reloads), and the
# first with a 1,000,000-entry serial list that matches none of ours.
cat > "$run/policy-a.conf" <<EOF
settings = { identity = "cn"; log_allow = true; };
policies = (
  { name = "default";
    allow = ( { name = "staff"; issuer = "CN=Example Client CA,O=Example";
                o = "Example"; ou = [ "Eng", "Ops" ]; } ); }
);
EOF
cat > "$run/policy-b.conf" <<EOF
settings = { identity = "cn"; log_allow = true; };
lists = { sales = [ "1002" ]; };
policies = (
  { name = "default";
    deny  = ( { name = "sales"; ou = "Sales"; } );
    allow = ( { name = "eng"; o = "Example"; ou = "Eng"; },
              { name = "ops"; o = "Example"; ou = "Ops"; } ); }
);
EOF
awk -v n="$NLIST" 'BEGIN { for (i = 0; i < n; i++) printf "%X\n", 16777216 + i * 7 }' > "$run/revoked.txt"
cat > "$run/policy-big.conf" <<EOF
settings = { identity = "cn"; log_allow = true; };
lists = { revoked = { file = "$run/revoked.txt"; }; };
policies = (
  { name = "default";
    deny  = ( { name = "revoked"; serial = "@revoked"; } );
    allow = ( { name = "staff"; issuer = "CN=Example Client CA,O=Example";
                o = "Example"; ou = [ "Eng", "Ops" ]; } ); }
);
EOF
cp "$run/policy-a.conf" "$run/policy.conf"
# The same policy sending no line for an allow: the keep-alive case
# of issue 13 (only allows, so that no line is rendered or sent).
sed 's/log_allow = true/log_allow = false/' "$run/policy-a.conf" > "$run/policy-quiet.conf"

# --- servers ------------------------------------------------------------
DPID="" NPID=""
# start_sink SOCKET FILE: a syslog daemon for certauthzd (syslog-sink.c).
# certauthzd runs without -d and sends its lines there, as it sends them
# to /dev/log in production; the bench reads them from FILE.
start_sink() {
	: > "$2"
	"$SINK" "$1" "$2" &
	SINKPID=$!
	_pids="$_pids $SINKPID"
	wait_sock "$1"
}
dlog=$run/certauthzd.log
LOGSOCK=$run/syslog.sock
# BENCH_NO_SYSLOG=1: the main certauthzd gets a syslog socket that does
# not exist (lines rendered, never sent), to price the log line in the
# e2e and apache cases too; the us= figures are then not available.
DLOGSOCK=$LOGSOCK
[ "${BENCH_NO_SYSLOG:-0}" = 1 ] && DLOGSOCK=$run/no-syslog.sock
start_sink "$LOGSOCK" "$dlog" || { echo "bench: syslog-sink did not start" >&2; exit 1; }
MAINSINK=$SINKPID
# start_daemon POLICY SOCKET [SYSLOG-SOCKET [SECOND -s]]
start_daemon() {
	rm -f "$2"
	CERTAUTHZD_LOG_SOCKET=${3:-$DLOGSOCK} \
	"$D" -c "$1" -s "unix:$2" ${4:+-s "$4"} -m 0666 $DTHREADS 2>>"$run/certauthzd.stderr" &
	DPID=$!
	_pids="$_pids $DPID"
	wait_sock "$2" || { echo "bench: certauthzd did not start (see $dlog)" >&2; DPID=""; return 1; }
}
start_null() {	# start_null SPEC [null-responder options]: sets NPID
	case $1 in unix:*) rm -f "${1#unix:}";; esac
	"$NULLR" -s "$@" -n "$THREADS" &
	NPID=$!
	_pids="$_pids $NPID"
	case $1 in
	unix:*) wait_sock "${1#unix:}" && chmod 666 "${1#unix:}";;
	tcp:*) wait_port "${1##*:}";;
	esac
}
DSOCK=$run/certauthzd.sock
DHSOCK=$run/certauthzd-http.sock	# the main daemon's HTTP socket
NSOCK=$run/null.sock
start_null "unix:$NSOCK"
have_daemon=0
if [ -x "$D" ] && "$D" -t -c "$run/policy-a.conf" >/dev/null 2>&1 &&
    start_daemon "$run/policy.conf" "$DSOCK" "$DLOGSOCK" "http:unix:$DHSOCK"; then
	have_daemon=1
	log "certauthzd: pid $DPID, VmHWM idle $(vmhwm "$DPID") kB"
	hwm_idle=$(vmhwm "$DPID")
else
	log "certauthzd: not usable ($D); daemon cases skipped"
fi

# load LABEL SECTION SOCKET LIST PID [fcgi-load options]: one case.
load() {
	local label=$1 section=$2 sock=$3 list=$4 pid=$5 line
	shift 5
	line=$("$LOAD" -s "unix:$sock" -p "$PARAMS" -C "$list" -t "$SECS" \
	    -P "$pid" -l "$label" "$@" 2>&1)
	note "$section $line"
	csv_line "$section" "$line"
	echo "$line"
}
# us_p99 FROM TO: p99 of the us= field of log lines FROM..TO
us_p99() {
	sed -n "$1,$2p" "$dlog" | sed -n 's/.* us=\([0-9]*\).*/\1/p' | sort -n |
	    awk '{ v[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; if (NR) print v[i]; else print "none" }'
}
lines() { wc -l < "$dlog"; }

# --- 1. direct ------------------------------------------------------------
if has direct; then
	log ""
	log "== direct: fcgi-load over a unix socket, $CONNS connections, ${SECS}s per case"
	# A second certauthzd whose syslog socket does not exist: it renders
	# every decision line but cannot send it (fcgi/log.c tries to
	# connect at most once a second), which prices the send.
	QPID="" KPID=""
	if [ $have_daemon = 1 ]; then
		DPID0=$DPID
		start_daemon "$run/policy.conf" "$run/quiet.sock" "$run/no-syslog.sock" &&
		    QPID=$DPID
		# And one whose policy sends no line for an allow, loaded
		# with allows only: no line at all (issue 13's direct case).
		start_daemon "$run/policy-quiet.conf" "$run/kq.sock" &&
		    KPID=$DPID
		DPID=$DPID0
	fi
	# A null responder that also sends a decision-sized line per request
	# to a sink of its own (null-responder -l): the floor of an
	# authorizer that logs every request.
	LNPID="" LSINK=""
	if start_sink "$run/null-syslog.sock" "$run/null-lines.log"; then
		LSINK=$SINKPID
		NPID0=$NPID
		start_null "unix:$run/null-log.sock" -l "$run/null-syslog.sock" &&
		    LNPID=$NPID
		NPID=$NPID0
	fi
	# Interleaved null, daemon, null, daemon...: the best of each.
	nbest=0 dbest=0 qbest=0 lbest=0 kbest=0 errs=0 us_warm=none
	sink0=$(ticks "$MAINSINK") lines0=$(lines)
	for i in $(seq 1 "$ROUNDS"); do
		n1=$(load null-ka-warm-$i direct "$NSOCK" "$WARM" "$NPID" -k -c "$CONNS" -e 200)
		nbest=$(max "$nbest" "$(kv rps "$n1")")
		errs=$((errs + $(bad "$n1")))
		if [ -n "$LNPID" ]; then
			l1=$(load null-logging-ka-warm-$i direct "$run/null-log.sock" "$WARM" "$LNPID" -k -c "$CONNS" -e 200)
			lbest=$(max "$lbest" "$(kv rps "$l1")")
			errs=$((errs + $(bad "$l1")))
		fi
		[ $have_daemon = 1 ] || continue
		a=$(lines)
		d1=$(load certauthzd-ka-warm-$i direct "$DSOCK" "$WARM" "$DPID" -k -c "$CONNS")
		b=$(lines)
		dbest=$(max "$dbest" "$(kv rps "$d1")")
		errs=$((errs + $(bad "$d1")))
		[ "$i" = 1 ] && us_warm=$(us_p99 "$a" "$b")
		if [ -n "$KPID" ]; then
			k1=$(load certauthzd-nolines-ka-warm-$i direct "$run/kq.sock" "$run/allow.list" "$KPID" -k -c "$CONNS")
			kbest=$(max "$kbest" "$(kv rps "$k1")")
			errs=$((errs + $(bad "$k1")))
		fi
		[ -n "$QPID" ] || continue
		q1=$(load certauthzd-nosyslog-ka-warm-$i direct "$run/quiet.sock" "$WARM" "$QPID" -k -c "$CONNS")
		qbest=$(max "$qbest" "$(kv rps "$q1")")
		errs=$((errs + $(bad "$q1")))
	done
	stop_pid "$QPID"
	stop_pid "$KPID"
	if [ -n "$LNPID" ]; then
		lsink_us=$(per_line "$(ticks "$LSINK")" "$(wc -l < "$run/null-lines.log")")
		stop_pid "$LNPID"
		stop_pid "$LSINK"
	fi
	nc=$(load null-newconn-warm direct "$NSOCK" "$WARM" "$NPID" -c "$CONNS" -e 200)
	if [ $have_daemon = 1 ]; then
		dc=$(load certauthzd-newconn-warm direct "$DSOCK" "$WARM" "$DPID" -c "$CONNS")
		a=$(lines)
		dk=$(load certauthzd-ka-cold direct "$DSOCK" "$COLD" "$DPID" -k -c "$CONNS")
		b=$(lines)
		us_cold=$(us_p99 "$a" "$b")
		dnc=$(load certauthzd-newconn-cold direct "$DSOCK" "$COLD" "$DPID" -c "$CONNS")
		hwm_load=$(vmhwm "$DPID")

		r=$(ratio "$dbest" "$nbest")
		log "warm keep-alive: certauthzd $dbest/s, null $nbest/s: ratio $r"
		log "  certauthzd cpu/decision $(kv cpu_us_per_req "$d1") us, null $(kv cpu_us_per_req "$n1") us; client-side p50/p99 $(kv p50_us "$d1")/$(kv p99_us "$d1") us (null $(kv p50_us "$n1")/$(kv p99_us "$n1"))"
		[ -n "$QPID" ] && log "  without a syslog receiver (lines rendered, not sent): certauthzd $qbest/s: ratio $(ratio "$qbest" "$nbest") of null; cpu/decision $(kv cpu_us_per_req "$q1") us"
		[ -n "$KPID" ] && log "  no line at all (log_allow = false, allows only): certauthzd $kbest/s: ratio $(ratio "$kbest" "$nbest") of null; cpu/decision $(kv cpu_us_per_req "$k1") us (null $(kv cpu_us_per_req "$n1") us)"
		[ -n "$LNPID" ] && log "  the null responder sending a line per request to a sink of its own: $lbest/s: ratio $(ratio "$lbest" "$nbest") of null; cpu/request $(kv cpu_us_per_req "$l1") us, its sink $lsink_us us/line; certauthzd / it: $(ratio "$dbest" "$lbest")"
		rn=$(ratio "$(kv rps "$dc")" "$(kv rps "$nc")")
		log "warm new connection per request: certauthzd $(kv rps "$dc")/s, null $(kv rps "$nc")/s: ratio $rn"
		log "cold (every request another of $NCERTS certs): keep-alive $(kv rps "$dk")/s ($(ratio "$(kv rps "$dk")" "$dbest") of warm), new connection $(kv rps "$dnc")/s; cpu/decision $(kv cpu_us_per_req "$dk") us"
		for l in "$dc" "$dk" "$dnc" "$nc"; do
			errs=$((errs + $(bad "$l")))
		done
		drops=$(sed -n 's/.* \([0-9]*\) log lines dropped.*/\1/p' "$dlog" | awk '{ n += $1 } END { print n + 0 }')
		log "decision lines received by the syslog sink: $(lines); dropped by certauthzd (sink behind): $drops"
		log "  the sink's own CPU per line received: $(per_line "$(( $(ticks "$MAINSINK") - sink0 ))" "$(( $(lines) - lines0 ))") us"
		if ge "$r" 0.9; then st=PASS; else st=FAIL; fi
		result "direct warm throughput >= 0.9 x null" $st "$r ($dbest vs $nbest /s)"
		if [ -n "$KPID" ]; then
			rk=$(ratio "$kbest" "$nbest")
			if ge "$rk" 0.9; then st=PASS; else st=FAIL; fi
			result "direct keep-alive without log lines >= 0.9 x null" $st "$rk ($kbest vs $nbest /s)"
		fi
		[ -n "$LNPID" ] && result "direct warm throughput / a null responder that logs each request too (not a target)" INFO "$(ratio "$dbest" "$lbest") ($dbest vs $lbest /s; that responder: $(ratio "$lbest" "$nbest") of null)"
		if [ "$errs" -eq 0 ]; then st=PASS; else st=FAIL; fi
		result "direct: zero wrong or failed answers" $st "$errs"
		if [ "$us_warm" != none ] && [ "$us_warm" -lt 100 ] &&
		    [ "$us_cold" != none ] && [ "$us_cold" -lt 100 ]; then st=PASS; else st=FAIL; fi
		result "p99 of logged us= < 100" $st "warm $us_warm us, cold $us_cold us"
	fi
fi

# --- 2b. metrics -----------------------------------------------------------
# The same warm keep-alive load on certauthzd without -M (the main
# daemon) and on a second one with -M (every thread counts) whose
# /metrics is read 10 times a second throughout (Prometheus reads it
# every 15 s or so), interleaved with the null responder, best of each.
if has metrics && [ $have_daemon = 1 ]; then
	log ""
	log "== metrics: warm keep-alive, certauthzd without -M vs with -M and a scrape every 100 ms, $CONNS connections, ${SECS}s per case"
	DPID0=$DPID MPID=""
	MSOCK=$run/metrics.sock
	rm -f "$MSOCK"
	CERTAUTHZD_LOG_SOCKET=$DLOGSOCK "$D" -c "$run/policy.conf" \
	    -s "unix:$run/metrics-d.sock" -M "unix:$MSOCK" -m 0666 $DTHREADS \
	    2>>"$run/certauthzd.stderr" &
	MPID=$!
	_pids="$_pids $MPID"
	wait_sock "$run/metrics-d.sock" && wait_sock "$MSOCK" || MPID=""
	DPID=$DPID0
	if [ -n "$MPID" ]; then
		(while :; do
			curl -s -m 5 --unix-socket "$MSOCK" -o /dev/null http://x/metrics
			echo >> "$run/scrapes"
			sleep 0.1
		done) &
		SCRAPER=$!
		_pids="$_pids $SCRAPER"
		pair metrics metrics "$run/metrics-d.sock" "$MPID"
		mbest=$xbest m1=$x1
		stop_pid "$SCRAPER"
		scrapes=$(wc -l < "$run/scrapes")
		curl -s -m 5 --unix-socket "$MSOCK" -o "$run/metrics.txt" http://x/metrics
		stop_pid "$MPID"
		rm_=$(ratio "$mbest" "$pbest")
		log "without -M: $pbest/s, ratio $(ratio "$pbest" "$nbest") of null ($nbest/s); rounds:$prps (spread $noise)"
		log "with -M and $scrapes scrapes: $mbest/s, ratio $(ratio "$mbest" "$nbest") of null; with / without: $rm_"
		log "  cpu/decision without $(kv cpu_us_per_req "$p1") us, with $(kv cpu_us_per_req "$m1") us (last round)"
		if awk -v r="$rm_" -v n="$noise" 'BEGIN { exit !(r >= 1 - (n > 0.03 ? n : 0.03)) }'; then st=PASS; else st=FAIL; fi
		result "metrics: -M with a scrape every 100 ms within the noise (with/without >= 1 - max(spread, 0.03))" $st "$rm_ (spread $noise; $mbest vs $pbest /s; null $nbest /s)"
		if [ "$errs" -eq 0 ] && [ "$scrapes" -gt 0 ]; then st=PASS; else st=FAIL; fi
		result "metrics: zero wrong answers during scrapes" $st "$errs wrong, $scrapes scrapes"
	else
		log "certauthzd -M did not start: metrics case skipped"
	fi
fi

# --- shadow: the cost of a candidate policy decided beside the enforced one
if has shadow && [ $have_daemon = 1 ]; then
	log ""
	log "== shadow: warm keep-alive, certauthzd without vs with settings.shadow (policy-b as the candidate), $CONNS connections, ${SECS}s per case"
	sed "s|^settings = { |settings = { shadow = \"$run/policy-b.conf\"; |" \
	    "$run/policy-a.conf" > "$run/policy-shadow.conf"
	DPID0=$DPID SPID=""
	if "$D" -t -c "$run/policy-shadow.conf" >/dev/null 2>&1 &&
	    start_daemon "$run/policy-shadow.conf" "$run/shadow.sock" "$DLOGSOCK"; then
		SPID=$DPID
	fi
	DPID=$DPID0
	if [ -n "$SPID" ]; then
		pair shadow shadow "$run/shadow.sock" "$SPID"
		sbest=$xbest s1=$x1
		stop_pid "$SPID"
		rs=$(ratio "$sbest" "$pbest")
		log "without shadow: $pbest/s, ratio $(ratio "$pbest" "$nbest") of null ($nbest/s); rounds:$prps (spread $noise)"
		log "with shadow: $sbest/s, ratio $(ratio "$sbest" "$nbest") of null; with / without: $rs"
		log "  cpu/decision without $(kv cpu_us_per_req "$p1") us, with $(kv cpu_us_per_req "$s1") us (last round)"
		if awk -v r="$rs" 'BEGIN { exit !(r >= 0.85) }'; then st=PASS; else st=FAIL; fi
		result "shadow: a candidate policy costs at most 15% (with/without >= 0.85)" $st "$rs (spread $noise; $sbest vs $pbest /s; null $nbest /s)"
		if [ "$errs" -eq 0 ]; then st=PASS; else st=FAIL; fi
		result "shadow: zero wrong answers" $st "$errs wrong"
	else
		log "certauthzd with a shadow policy did not start: shadow case skipped"
	fi
fi

# --- 3. reload under load -------------------------------------------------
if has reload && [ $have_daemon = 1 ]; then
	log ""
	log "== reload: 20 SIGHUPs during ${SECS}s of keep-alive load"
	base=$(load certauthzd-ka-noreload reload "$DSOCK" "$WARM" "$DPID" -k -c "$CONNS" -i 100)
	(
		step=$(awk -v s="$SECS" 'BEGIN { printf "%.3f", s / 22 }')
		sleep "$step"
		for i in $(seq 1 20); do
			if [ $((i % 2)) = 1 ]; then p=b; else p=a; fi
			cp "$run/policy-$p.conf" "$run/policy.tmp"
			mv "$run/policy.tmp" "$run/policy.conf"
			kill -HUP "$DPID"
			sleep "$step"
		done
	) &
	hup=$!
	a=$(lines)
	rl=$(load certauthzd-ka-reload reload "$DSOCK" "$WARM" "$DPID" -k -c "$CONNS" -i 100)
	wait "$hup"
	b=$(lines)
	rerr=$(( $(kv wrong "$rl") + $(kv errors "$rl") + $(kv other "$rl") ))
	log "with reloads $(kv rps "$rl")/s vs $(kv rps "$base")/s without: ratio $(ratio "$(kv rps "$rl")" "$(kv rps "$base")"); worst 100 ms slot $(kv slot_min "$rl") vs median $(kv slot_median "$rl") (dip $(kv dip "$rl"); without reloads: $(kv dip "$base"))"
	note "log lines during reloads mentioning reload/policy: $(sed -n "$a,${b}p" "$dlog" | grep -ci 'reload\|policy load\|loaded')"
	if [ "$rerr" -eq 0 ]; then st=PASS; else st=FAIL; fi
	result "zero errors during 20 reloads" $st "$rerr wrong/failed of $(kv requests "$rl")"
	cp "$run/policy-a.conf" "$run/policy.conf"

	# The same without a signal: settings.auto_reload = 1 and the file
	# swapped every 1.5 s (a change must hold still 1 s to be loaded).
	log "== reload: auto_reload picks up a swapped policy file during $((SECS * 2))s of keep-alive load, no SIGHUP"
	for p in a b; do
		sed 's/^settings = { /settings = { auto_reload = 1; /' \
		    "$run/policy-$p.conf" > "$run/policy-auto-$p.conf"
	done
	cp "$run/policy-auto-a.conf" "$run/policy-auto.conf"
	DPID0=$DPID APID=""
	start_daemon "$run/policy-auto.conf" "$run/auto.sock" && APID=$DPID
	DPID=$DPID0
	if [ -n "$APID" ]; then
		(
			i=0
			while [ $i -lt $((SECS * 2 * 2 / 3)) ]; do
				sleep 1.5
				if [ $((i % 2)) = 0 ]; then p=b; else p=a; fi
				cp "$run/policy-auto-$p.conf" "$run/policy-auto.tmp"
				mv "$run/policy-auto.tmp" "$run/policy-auto.conf"
				i=$((i + 1))
			done
		) &
		swap=$!
		a=$(lines)
		al=$(SECS=$((SECS * 2)) load certauthzd-ka-autoreload reload "$run/auto.sock" "$WARM" "$APID" -k -c "$CONNS" -i 100)
		wait "$swap"
		b=$(lines)
		nload=$(sed -n "$a,${b}p" "$dlog" | grep -ci 'loaded')
		aerr=$(( $(kv wrong "$al") + $(kv errors "$al") + $(kv other "$al") ))
		stop_pid "$APID"
		log "auto_reload: $(kv rps "$al")/s, $nload policy loads logged, worst 100 ms slot $(kv slot_min "$al") vs median $(kv slot_median "$al")"
		if [ "$aerr" -eq 0 ] && [ "$nload" -ge 2 ]; then st=PASS; else st=FAIL; fi
		result "zero errors while auto_reload swaps the policy (at least 2 loads)" $st "$aerr wrong/failed of $(kv requests "$al"), $nload loads"
	else
		log "certauthzd with auto_reload did not start: case skipped"
	fi
fi

# --- 4. memory and the big list -------------------------------------------
if has memory && [ $have_daemon = 1 ]; then
	log ""
	log "== memory and a $NLIST-entry serial list"
	# wall and CPU seconds of a whole `certauthzd -t` (start-up included)
	TIMEFORMAT='%R %U %S'
	tt=$( { time "$D" -t -c "$run/policy-big.conf" > "$run/big-t.out" 2>&1; } 2>&1 )
	tload=$(echo "$tt" | awk '{ printf "%.2f", $1 }')
	tcpu=$(echo "$tt" | awk '{ printf "%.2f", $2 + $3 }')
	BSOCK=$run/big.sock
	DPID0=$DPID
	start_daemon "$run/policy-big.conf" "$BSOCK"
	BPID=$DPID
	DPID=$DPID0
	hwm_big_idle=$(vmhwm "$BPID")
	sb=0 bb=0
	for i in $(seq 1 "$ROUNDS"); do
		s1=$(load certauthzd-ka-warm-small-$i memory "$DSOCK" "$WARM" "$DPID" -k -c "$CONNS")
		b1=$(load certauthzd-ka-warm-biglist-$i memory "$BSOCK" "$WARM" "$BPID" -k -c "$CONNS")
		sb=$(max "$sb" "$(kv rps "$s1")")
		bb=$(max "$bb" "$(kv rps "$b1")")
	done
	hwm_big=$(vmhwm "$BPID")
	rb=$(ratio "$bb" "$sb")
	log "VmHWM certauthzd: idle ${hwm_idle:-?} kB, after load ${hwm_load:-?} kB, big list idle $hwm_big_idle kB, big list after load $hwm_big kB"
	log "big list: certauthzd -t ${tload}s; throughput $bb/s vs $sb/s without: ratio $rb"
	stop_pid "$BPID"
	if awk -v r="$rb" 'BEGIN { exit !(r >= 0.95) }'; then st=PASS; else st=FAIL; fi
	result "1M list costs < 5% throughput" $st "ratio $rb"
	if awk -v t="$tload" 'BEGIN { exit !(t < 2) }'; then st=PASS; else st=FAIL; fi
	result "1M list loads < 2 s" $st "${tload}s wall, ${tcpu}s CPU (certauthzd -t, whole process)"
	if [ "${hwm_big:-999999}" -lt 204800 ]; then st=PASS; else st=FAIL; fi
	result "1M list RSS < 200 MB" $st "VmHWM $hwm_big kB"
fi

# --- 2. end to end through nginx ----------------------------------------------
# The edge nginx verifies client certificates and asks, per location:
# nobody (map on the serial), the null responder, certauthzd.  The front
# nginx turns wrk's plain HTTP into mTLS with alice's certificate over
# kept upstream connections (wrk cannot present a client certificate).
E2E_RPS_NULL="" E2E_RPS_D=""
e2e_conf() {
	local dir=$run/nginx
	mkdir -p "$dir/snippets" "$dir/html" "$dir/logs"
	EPORT=$(free_port)
	FPORT=$(free_port)
	[ "$EPORT" = "$FPORT" ] && FPORT=$((FPORT + 1))
	APORT=$(free_port)	# apache case: mod_authnz_fcgi vhost
	AXPORT=$(free_port)	# apache case: Require expr vhost
	AEPORT=$(free_port)	# apache case: Require expr + certauthz-env.conf
	BPORT=$(free_port)	# apache case: the backend both proxy to
	cp "$top_srcdir/contrib/nginx/certauthz_params" "$dir/snippets/" 2>/dev/null
	cp "$top_srcdir/contrib/nginx/certauthz-location.conf" "$dir/" 2>/dev/null
	# The shipped HTTP location, under another name beside the FastCGI one.
	sed 's#location = /_certauthz #location = /_certauthz_http #' \
	    "$top_srcdir/contrib/nginx/certauthz-http-location.conf" > "$dir/certauthz-http-location.conf"
	# The same location again, to the HTTP null responder: the floor
	# that is sent what certauthzd is sent (nginx escapes the
	# certificate and sets 8 headers for it).
	sed 's#location = /_certauthz #location = /_httpnull_full #; s#http://certauthzd_http#http://nullhttp#' \
	    "$top_srcdir/contrib/nginx/certauthz-http-location.conf" > "$dir/httpnull-full-location.conf"
	# The HTTP null responder: a second nginx answering `return 200`.
	NHSOCK=$run/null-http.sock
	cat > "$dir/nullhttp.conf" <<EOF
worker_processes 1;
pid $dir/nullhttp.pid;
error_log $dir/logs/nullhttp-error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	server {
		listen unix:$NHSOCK;
		keepalive_requests 1000000;
		keepalive_timeout 300s;
		location / { return 200; }
	}
}
EOF
	for f in nginx-only null authz passnull accelnull httpnull httpnullfull httpauthz; do echo ok > "$dir/html/$f"; done
	cat > "$dir/edge.conf" <<EOF
worker_processes 1;
pid $dir/edge.pid;
error_log $dir/logs/edge-error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	upstream certauthzd { server unix:$DSOCK; keepalive 16; }
	upstream nullfcgi { server unix:$NSOCK; keepalive 16; }
	upstream certauthzd_http { server unix:$DHSOCK; keepalive 32; }
	upstream nullhttp { server unix:$NHSOCK; keepalive 32; }
	map \$ssl_client_serial \$serial_ok { default 0; 1001 1; 1004 1; }
	server {
		listen 127.0.0.1:$EPORT ssl;
		ssl_certificate $PKI/server.pem;
		ssl_certificate_key $PKI/server.key;
		ssl_client_certificate $PKI/client-chain.pem;
		ssl_verify_client on;
		ssl_verify_depth 2;
		root $dir/html;
		keepalive_requests 1000000;
		# certauthz_params passes \$certauthz_policy: without a value
		# nginx logs a warning per request.
		set \$certauthz_policy "";
		set \$certauthz_uri "";

		location = /nginx-only {
			if (\$serial_ok != 1) { return 403; }
		}
		location = /null {
			auth_request /_null;
		}
		# As the shipped certauthz-location.conf: no fastcgi_keep_conn
		# (nginx closes every auth_request connection anyway).
		location = /_null {
			internal;
			fastcgi_pass nullfcgi;
			include snippets/certauthz_params;
		}
		location = /passnull {
			fastcgi_pass nullfcgi;
			fastcgi_keep_conn on;
			include snippets/certauthz_params;
		}
		location = /authz {
			auth_request /_certauthz;
		}
		include certauthz-location.conf;
		# certauthzd over HTTP with the shipped location, and the HTTP
		# null responder with the same upstream keep-alive.
		location = /httpauthz {
			set \$certauthz_uri \$uri;
			auth_request /_certauthz_http;
		}
		include certauthz-http-location.conf;
		location = /httpnull {
			auth_request /_httpnull;
		}
		location = /httpnullfull {
			set \$certauthz_uri \$uri;
			auth_request /_httpnull_full;
		}
		include httpnull-full-location.conf;
		location = /_httpnull {
			internal;
			proxy_pass http://nullhttp;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_pass_request_body off;
			proxy_set_header Content-Length "";
		}
		# The X-Accel-Redirect wiring, measured as an alternative to
		# auth_request: the FastCGI server is the content handler and
		# answers "X-Accel-Redirect: @accel_ok" (the null responder
		# does when it gets NULL_ACCEL_REDIRECT); nginx then serves
		# the request from the named location, as a file here.
		location @accel_ok {
		}
		location = /accelnull {
			fastcgi_pass nullfcgi;
			fastcgi_keep_conn on;
			include snippets/certauthz_params;
			fastcgi_param NULL_ACCEL_REDIRECT @accel_ok;
		}
	}
	# The apache case's backend (plain HTTP from Apache's mod_proxy).
	server {
		listen 127.0.0.1:$BPORT;
		keepalive_requests 1000000;
		location / { return 200 "ok\n"; }
	}
}
EOF
	# per Apache vhost (side:upstream:path), alice's and bob's location
	ap_locations=""
	for v in fcgi:apfcgi:fcgi expr:apexpr:expr env:apenv:expr; do
		IFS=: read -r side up path <<< "$v"
		ap_locations="$ap_locations
		location /ap/$side/alice/ {
			proxy_pass https://$up/$path/;
			add_header X-Who alice always;
		}
		location /ap/$side/bob/ {
			proxy_pass https://${up}bob/$path/;
			proxy_ssl_certificate $PKI/bob.pem;
			proxy_ssl_certificate_key $PKI/bob.key;
			add_header X-Who bob always;
		}"
	done
	cat > "$dir/front.conf" <<EOF
worker_processes 1;
pid $dir/front.pid;
error_log $dir/logs/front-error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	upstream edge { server 127.0.0.1:$EPORT; keepalive 64; }
	upstream edgebob { server 127.0.0.1:$EPORT; keepalive 4; }
	# apache case: each vhost, alice's and bob's pools
	upstream apfcgi { server 127.0.0.1:$APORT; keepalive 32; }
	upstream apfcgibob { server 127.0.0.1:$APORT; keepalive 32; }
	upstream apexpr { server 127.0.0.1:$AXPORT; keepalive 32; }
	upstream apexprbob { server 127.0.0.1:$AXPORT; keepalive 32; }
	upstream apenv { server 127.0.0.1:$AEPORT; keepalive 32; }
	upstream apenvbob { server 127.0.0.1:$AEPORT; keepalive 32; }
	server {
		listen 127.0.0.1:$FPORT;
		keepalive_requests 1000000;
		proxy_http_version 1.1;
		proxy_set_header Connection "";
		proxy_ssl_certificate $PKI/alice.pem;
		proxy_ssl_certificate_key $PKI/alice.key;
		proxy_ssl_session_reuse on;
		location / { proxy_pass https://edge; }
		# apache case: X-Who tells apache-check.lua whose answer it is
$ap_locations
		location /bob/ {
			# a pool of its own: kept connections carry alice's cert
			proxy_pass https://edgebob/;
			proxy_ssl_certificate $PKI/bob.pem;
			proxy_ssl_certificate_key $PKI/bob.key;
		}
	}
}
EOF
}
# wrkrun LABEL URL PIDS...: wrk for SECS; CPU us per request of each pid
wrkrun() {
	local label=$1 url=$2 p t0s="" t1s="" o rps p99 n non2xx cpu="" i=0
	shift 2
	for p in "$@"; do t0s="$t0s $(ticks "$p")"; done
	o=$(wrk -t1 -c16 -d"${SECS}s" --latency "$url" 2>&1)
	for p in "$@"; do t1s="$t1s $(ticks "$p")"; done
	rps=$(echo "$o" | awk '/^Requests\/sec/ { print $2 }')
	p99=$(echo "$o" | awk '$1 == "99%" { print $2 }')
	n=$(echo "$o" | awk '/requests in/ { print $1 }')
	non2xx=$(echo "$o" | awk '/Non-2xx/ { print $NF }')
	errs=$(echo "$o" | awk '/Socket errors/ { s = 0; for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i; print s }')
	set -- $t1s
	for t in $t0s; do
		i=$((i + 1))
		cpu="$cpu $(awk -v a="$t" -v b="$1" -v n="${n:-0}" -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n > 0) printf "%.1f", (b - a) * 1e6 / hz / n; else print "nan" }')"
		shift
	done
	echo "label=$label rps=${rps:-0} p99=${p99:-?} requests=${n:-0} non2xx=${non2xx:-0} sockerr=${errs:-0} cpu_us_per_req=[${cpu# }]"
}
if has e2e || has wiring || has apache; then
	if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
		log "nginx or wrk missing: end-to-end cases skipped"
		CASES=${CASES//e2e/}
		CASES=${CASES//apache/}
	else
		e2e_conf
		NGINX_OK=1
		nginx -p "$run/nginx" -c "$run/nginx/edge.conf" -g 'daemon off;' 2>>"$run/nginx/logs/stderr" &
		EDGE=$!
		_pids="$_pids $EDGE"
		nginx -p "$run/nginx" -c "$run/nginx/front.conf" -g 'daemon off;' 2>>"$run/nginx/logs/stderr" &
		FRONT=$!
		_pids="$_pids $FRONT"
		rm -f "$NHSOCK"
		nginx -p "$run/nginx" -c "$run/nginx/nullhttp.conf" -g 'daemon off;' 2>>"$run/nginx/logs/stderr" &
		NULLHTTP=$!
		_pids="$_pids $NULLHTTP"
		wait_sock "$NHSOCK"
		wait_port "$EPORT"
		wait_port "$FPORT"
		wait_port "$BPORT"
		sleep 0.3
		EW=$(children "$EDGE")
		FW=$(children "$FRONT")
		NHW=$(children "$NULLHTTP")
		base=http://127.0.0.1:$FPORT
	fi
fi
if has e2e; then
	log ""
	log "== end to end: wrk -c16 -> nginx front -> mTLS (alice) -> nginx edge, ${SECS}s per location"
	note "edge nginx: $run/nginx/edge.conf (auth_request location from contrib/nginx/certauthz-location.conf and snippets/certauthz_params)"
	chk=""
	for u in nginx-only null authz httpnull httpnullfull httpauthz; do
		chk="$chk $u=$(curl -s -o /dev/null -w '%{http_code}' "$base/$u")/$(curl -s -o /dev/null -w '%{http_code}' "$base/bob/$u")"
	done
	log "alice/bob status per location:$chk (want 200/403; null responder allows all)"
	note "cpu_us_per_req is [front-nginx edge-nginx authorizer] per request"
	nb=0 db=0 ob=0 ebad=0 hnb=0 hfb=0 hdb=0 hbad=0
	e2e_line() {
		log "  $1"
		echo "e2e,$(kv label "$1"),$(kv requests "$1"),$SECS,$(kv rps "$1"),,$(kv p99 "$1"),,,,$(kv non2xx "$1"),,$(kv sockerr "$1"),\"$(kv cpu_us_per_req "$1" | tr -d '[]')\"," >> "$csv"
	}
	for i in $(seq 1 "$ROUNDS"); do
		w=$(wrkrun nginx-only-$i "$base/nginx-only" $FW $EW)
		e2e_line "$w"
		ob=$(max "$ob" "$(kv rps "$w")")
		w=$(wrkrun auth_request-null-$i "$base/null" $FW $EW $NPID)
		e2e_line "$w"
		nb=$(max "$nb" "$(kv rps "$w")")
		[ $have_daemon = 1 ] || continue
		w=$(wrkrun auth_request-certauthzd-$i "$base/authz" $FW $EW $DPID)
		e2e_line "$w"
		db=$(max "$db" "$(kv rps "$w")")
		ebad=$((ebad + $(kv non2xx "$w") + $(kv sockerr "$w")))
		# HTTP/1.1 with upstream keep-alive: the null responder (nginx
		# `return 200` on a unix socket), then certauthzd's HTTP socket.
		w=$(wrkrun auth_request-http-null-$i "$base/httpnull" $FW $EW $NHW)
		e2e_line "$w"
		hnb=$(max "$hnb" "$(kv rps "$w")")
		# The null responder sent what certauthzd is sent.
		w=$(wrkrun auth_request-http-null-headers-$i "$base/httpnullfull" $FW $EW $NHW)
		e2e_line "$w"
		hfb=$(max "$hfb" "$(kv rps "$w")")
		w=$(wrkrun auth_request-http-certauthzd-$i "$base/httpauthz" $FW $EW $DPID)
		e2e_line "$w"
		hdb=$(max "$hdb" "$(kv rps "$w")")
		hbad=$((hbad + $(kv non2xx "$w") + $(kv sockerr "$w")))
	done
	if [ $have_daemon = 1 ]; then
		r=$(ratio "$db" "$nb")
		log "auth_request certauthzd $db/s vs null $nb/s: ratio $r; nginx alone $ob/s (best of $ROUNDS)"
		bad=$ebad
		if ge "$r" 0.95 && [ "$bad" -eq 0 ]; then st=PASS; else st=FAIL; fi
		result "e2e certauthzd >= 0.95 x null auth_request" $st "$r ($db vs $nb /s, $bad non-2xx/errors)"
		rh=$(ratio "$hdb" "$hnb")
		rf=$(ratio "$hdb" "$db")
		log "auth_request over HTTP: certauthzd $hdb/s vs HTTP null $hnb/s: ratio $rh; vs certauthzd over FastCGI ($db/s): $rf; vs native map ($ob/s): $(ratio "$hdb" "$ob"); HTTP null / native: $(ratio "$hnb" "$ob")"
		if ge "$rh" 0.9 && [ "$hbad" -eq 0 ]; then st=PASS; else st=FAIL; fi
		result "e2e certauthzd HTTP >= 0.9 x HTTP null auth_request" $st "$rh ($hdb vs $hnb /s, $hbad non-2xx/errors)"
		rhf=$(ratio "$hdb" "$hfb")
		log "  the HTTP null responder sent the shipped location's headers: $hfb/s ($(ratio "$hfb" "$hnb") of the bare one); certauthzd / it: $rhf"
		if ge "$rhf" 0.9 && [ "$hbad" -eq 0 ]; then st=PASS; else st=FAIL; fi
		result "e2e certauthzd HTTP >= 0.9 x HTTP null sent the same headers" $st "$rhf ($hdb vs $hfb /s)"
		if ge "$rf" 1.1; then st=PASS; else st=FAIL; fi
		result "e2e certauthzd HTTP >= 1.1 x certauthzd FastCGI auth_request" $st "$rf ($hdb vs $db /s)"
		result "e2e certauthzd HTTP / native map (floor measured in issue 13: 0.61-0.67)" INFO "$(ratio "$hdb" "$ob") ($hdb vs $ob /s)"
	fi
fi
if has wiring && [ -n "${base:-}" ]; then
	log ""
	log "== wiring: the null responder behind plain fastcgi_pass (its answer is the page), auth_request (then a file), and fastcgi_pass answering X-Accel-Redirect to a named location (then a file)"
	pb=0 ab=0 xb=0
	for i in $(seq 1 "$ROUNDS"); do
		v1=$(wrkrun fastcgi_pass-null-$i "$base/passnull" $FW $EW $NPID)
		v2=$(wrkrun auth_request-null-$i "$base/null" $FW $EW $NPID)
		v3=$(wrkrun accel-null-$i "$base/accelnull" $FW $EW $NPID)
		log "  $v1"
		log "  $v2"
		log "  $v3"
		pb=$(max "$pb" "$(kv rps "$v1")")
		ab=$(max "$ab" "$(kv rps "$v2")")
		xb=$(max "$xb" "$(kv rps "$v3")")
	done
	log "subrequest cost: auth_request/fastcgi_pass throughput ratio $(ratio "$ab" "$pb") (best of $ROUNDS: $ab vs $pb /s)"
	log "X-Accel-Redirect wiring / auth_request: $(ratio "$xb" "$ab") ($xb vs $ab /s; both serve the file after the check)"
fi

# --- 5. Apache: Require expr vs mod_authnz_fcgi + certauthzd -------------------
if has apache && [ -n "${base:-}" ]; then
	. "$top_srcdir/tests/bench/apache.sh"
fi

# --- profile (optional) ----------------------------------------------------------
if has profile && [ $have_daemon = 1 ]; then
	log ""
	log "== profile: strace -c -f of certauthzd for 20000 requests"
	PSOCK=$run/prof.sock
	rm -f "$PSOCK"
	CERTAUTHZD_LOG_SOCKET=$LOGSOCK \
	strace -c -f -o "$run/strace.txt" "$D" -c "$run/policy-a.conf" -s "unix:$PSOCK" -n "$THREADS" 2>>"$run/prof.log" &
	SPID=$!
	_pids="$_pids $SPID"
	wait_sock "$PSOCK" && "$LOAD" -s "unix:$PSOCK" -p "$PARAMS" -C "$WARM" -k -c "$CONNS" -N 20000 -t 60 >> "$txt"
	stop_pid "$SPID"
	sed -n '1,25p' "$run/strace.txt" | tee -a "$txt"
fi

echo
echo "== bench summary ($out/results.txt)"
cat "$summary"
grep -q '^FAIL' "$summary" && exit 1
exit 0
