# tests/integration/web-lib.sh: sourced by the nginx, Apache and
# lighttpd tests after tests/lib.sh.
#
# Starts certauthzd, nginx, Apache and lighttpd from the SHIPPED contrib
# files (only paths and ports are substituted), so a broken snippet
# fails a test.  Every process is started in the foreground of a
# background job and recorded with track_pid.
#
# Provides: web_policy FILE, start_certauthzd SOCKET, start_echo PORT,
# nginx_head DIR CONNS and nginx_run DIR PORT, start_nginx, start_apache
# MODE (authnz | fcgid), start_lighttpd [NAME], forged (curl arguments
# of 46 forged identity headers), forged_http (of the HTTP listener's
# own headers), req CERT URL [curl args...] (prints
# "CODE BODY" on one line), expect CERT URL WANT [args...],
# and log_has REGEX (a decision line in the daemon's log: stderr of
# certauthzd -d, or Apache's error log when mod_fcgid spawned it).

# WEB_CERTAUTHZD: another daemon binary to test (default: the one built).
# WEB_CONTRIB: where the nginx/ and apache/ snippets are (default: the
# source's contrib/; tests/package.sh gives the installed
# /usr/share/certauthz).
web_daemon=${WEB_CERTAUTHZD:-$top_builddir/certauthzd}
contrib=${WEB_CONTRIB:-$top_srcdir/contrib}
[ -x "$web_daemon" ] || fail "$web_daemon is not built"

# web_policy FILE: the policy every web test uses (certauthz.conf(5)).  "default"
# has no `when`, so it applies unless the server names a policy:
# "admin" is reached only through CERTAUTHZ_POLICY.
#   alice (OU=Eng), carol (OU=Ops), spiffe (CN=payments, no email):
#   allowed by default
#   bob (OU=Sales), dave (O=Other): denied;  mallory: revoked
#   admin: carol only
web_policy() {
	cat > "$1" <<'POLICY'
settings = {
  identity = "cn";
  log_allow = true;
};
lists = {
  revoked = [ "1003" ];
};
policies = (
  {
    name = "default";
    deny = ( { name = "revoked"; serial = "@revoked"; } );
    allow = ( { name = "svc"; cn = "payments"; o = "Example"; },
              { name = "staff"; o = "Example"; ou = [ "Eng", "Ops" ]; } );
  },
  {
    name = "admin";
    allow = ( { name = "ops"; ou = "Ops"; } );
  }
);
POLICY
}

# start_certauthzd SOCKET [args...]: SOCKET is unix:PATH or tcp:H:P.
start_certauthzd() {
	web_policy "$T/policy.conf"
	"$web_daemon" -t -c "$T/policy.conf" >"$T/policy-t.out" 2>&1 ||
	    fail "policy rejected: $(cat "$T/policy-t.out")"
	"$web_daemon" -d -c "$T/policy.conf" -s "$@" \
	    >>"$T/certauthzd.log" 2>&1 &
	track_pid $!
	certauthzd_pid=$!
	case $1 in
	unix:*)	wait_for_socket "${1#unix:}" 10 ||
		    fail "certauthzd did not create ${1#unix:}" ;;
	tcp:*)	wait_for_port "${1##*:}" 10 ||
		    fail "certauthzd did not listen on $1" ;;
	esac
}

# subst FILE FROM TO: replace a fixed string, failing when it is absent
# (the shipped file changed shape: the test must follow it).
subst() {
	grep -qF -- "$2" "$1" || fail "$1: no '$2' to substitute"
	python3 - "$1" "$2" "$3" <<'PY'
import sys
p, a, b = sys.argv[1:]
s = open(p).read().replace(a, b)
open(p, "w").write(s)
PY
}

# start_echo PORT: the backend of every web test on 127.0.0.1:PORT, a
# python3 HTTP server that shows what it was handed: one line "user=
# policy= ssl= uri= method= length=" (uri is the raw target it got), and
# with ?echo=headers in the target a second, "headers=", of every
# identity-looking header under its raw name (a client's underscore
# spellings too), sorted.
start_echo() {
	cat > "$T/echo.py" <<'ECHO'
import http.server, sys, urllib.parse

WATCHED = {"x-certauthz-" + n for n in
    ("user", "policy", "rule", "serial", "subject", "email")} | {
    "ssl-client-cert", "ssl-client-verify", "x-ssl-client-cert",
    "x-forwarded-user"}

class Echo(http.server.BaseHTTPRequestHandler):
    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        h = lambda name: ", ".join(self.headers.get_all(name) or [])
        body = "user=%s policy=%s ssl=%s uri=%s method=%s length=%s\n" % (
            h("X-Certauthz-User"), h("X-Certauthz-Policy"),
            h("SSL-Client-Cert"), self.path, self.command,
            self.headers.get("Content-Length") or "")
        query = urllib.parse.urlsplit(self.path).query
        if "echo=headers" in query.split("&"):
            seen = sorted((k, v) for k, v in self.headers.items()
                if k.lower().replace("_", "-") in WATCHED)
            body += "headers=%s\n" % "|".join("%s: %s" % kv for kv in seen)
        b = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    do_GET = do_POST = do_PUT = do_DELETE = answer

    def log_message(self, *args):
        pass

http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])),
    Echo).serve_forever()
ECHO
	python3 "$T/echo.py" "$1" 2>"$T/echo.log" &
	track_pid $!
	wait_for_port "$1" 10 ||
	    fail "the backend did not start: $(cat "$T/echo.log")"
}

# spellings NAME: NAME with each '-' as '-' and as '_', one a line.
spellings() {
	local t
	case $1 in
	*-*)	for t in $(spellings "${1#*-}"); do
			echo "${1%%-*}-$t"
			echo "${1%%-*}_$t"
		done ;;
	*)	echo "$1" ;;
	esac
}

# forged_http: curl arguments, one a line, that send every header the
# HTTP listener reads (certauthzd(8), HTTP) with values a client would
# like: carol's certificate, a verify result, another policy, path,
# target, method, host and address.  A proxy must replace or drop each.
forged_http() {
	printf '%s\n' -H "Client-Cert: $(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(open(sys.argv[1]).read(), safe=""))' "$PKI/carol.pem")" \
	    -H "X-Certauthz-Verify: SUCCESS" -H "X-Certauthz-Policy: default" \
	    -H "X-Certauthz-Path: /app" -H "X-Original-URI: /app" \
	    -H "X-Forwarded-Uri: /app" -H "X-Forwarded-Method: GET" \
	    -H "X-Forwarded-Host: forged.example" \
	    -H "X-Forwarded-For: 192.0.2.1" -H "X-Certauthz-User: carol"
}

# forged: curl arguments that send every spelling of every header a
# backend might trust, plus two in other cases (46 headers).
forged() {
	local n s
	for n in X-Certauthz-User X-Certauthz-Policy X-Certauthz-Rule \
	    X-Certauthz-Serial X-Certauthz-Subject X-Certauthz-Email \
	    SSL-Client-Cert SSL-Client-Verify X-SSL-Client-Cert \
	    X-Forwarded-User; do
		for s in $(spellings "$n"); do
			echo "-H"
			echo "$s: forged"
		done
	done
	printf '%s\n' -H "x-certauthz-user: forged" -H "X-CERTAUTHZ-EMAIL: forged"
}

# nginx_head DIR CONNS: the head of a test nginx.conf in DIR, up to and
# including "http {" and its temp paths (root runs workers as root, so
# that they read the test's files); the caller writes the rest of the
# http block and its closing "}".
nginx_head() {
	[ "$(id -u)" = 0 ] && echo "user root;"
	cat <<NGINX
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log info;
events { worker_connections $2; }
http {
	access_log $1/access.log;
	client_body_temp_path $1/tmp/body;
	proxy_temp_path $1/tmp/proxy;
	fastcgi_temp_path $1/tmp/fastcgi;
	uwsgi_temp_path $1/tmp/uwsgi;
	scgi_temp_path $1/tmp/scgi;
NGINX
}

# nginx_run DIR PORT: checks DIR/nginx.conf, starts nginx (tracked) and
# waits for PORT.
nginx_run() {
	nginx -t -q -p "$1/" -e "$1/error.log" -c "$1/nginx.conf" ||
	    fail "nginx -t: $(cat "$1/error.log")"
	nginx -p "$1/" -e "$1/error.log" -c "$1/nginx.conf" &
	track_pid $!
	wait_for_port "$2" 10 || fail "nginx did not start: $(cat "$1/error.log")"
}

# start_nginx: the shipped example on 127.0.0.1:$port, its backend on
# $bport, certauthzd on $T/certauthzd.sock.
start_nginx() {
	need nginx
	port=$(free_port)
	bport=$(free_port)
	while [ "$bport" = "$port" ]; do bport=$(free_port); done
	n=$T/nginx
	mkdir -p "$n/snippets" "$n/sites" "$n/tmp"
	cp "$contrib/nginx/certauthz_params" \
	    "$contrib/nginx/certauthz-location.conf" \
	    "$contrib/nginx/certauthz-proxy.conf" "$n/snippets/"
	cp "$contrib/nginx/certauthz-example.conf" "$n/sites/certauthz.conf"
	s=$n/sites/certauthz.conf
	subst "$s" "listen 443 ssl;" "listen 127.0.0.1:$port ssl;"
	subst "$s" "listen [::]:443 ssl;" ""
	subst "$s" "/etc/certauthz/tls/" "$PKI/"
	subst "$s" "unix:/run/certauthzd/certauthzd.sock" \
	    "unix:$T/certauthzd.sock"
	subst "$s" "http://127.0.0.1:8080" "http://127.0.0.1:$bport"
	{ nginx_head "$n" 64; printf '\tinclude sites/certauthz.conf;\n}\n'; } \
	    > "$n/nginx.conf"
	nginx_run "$n" "$port"
	start_echo "$bport"
}

# start_apache MODE: the shipped contrib/apache example for MODE
# (authnz: certauthz-authnz-fcgi.conf with certauthzd on TCP; fcgid:
# certauthz-fcgid.conf, mod_fcgid spawns certauthzd) on 127.0.0.1:$port,
# its backend (start_echo) on $bport.
start_apache() {
	need apache2 python3
	local mode=$1 a=$T/apache mods=/usr/lib/apache2/modules m
	for m in ssl rewrite headers setenvif proxy proxy_http authz_core \
	    authn_core authz_user mpm_prefork socache_shmcb; do
		[ -f "$mods/mod_$m.so" ] || skip "no mod_$m in $mods"
	done
	port=$(free_port)
	bport=$(free_port)
	while [ "$bport" = "$port" ]; do bport=$(free_port); done
	mkdir -p "$a/run" "$a/logs"
	chmod 755 "$T" "$a"
	chmod 644 "$T/policy.conf" 2>/dev/null || true
	cp "$contrib/apache/certauthz-env.conf" \
	    "$contrib/apache/certauthz-headers.conf" "$a/"
	case $mode in
	authnz)	cp "$contrib/apache/certauthz-authnz-fcgi.conf" "$a/site.conf"
		[ -f "$mods/mod_authnz_fcgi.so" ] || skip "no mod_authnz_fcgi"
		fport=$(free_port)
		start_certauthzd "tcp:127.0.0.1:$fport"
		subst "$a/site.conf" "fcgi://127.0.0.1:9000/" \
		    "fcgi://127.0.0.1:$fport/"
		extra="LoadModule authnz_fcgi_module $mods/mod_authnz_fcgi.so" ;;
	fcgid)	cp "$contrib/apache/certauthz-fcgid.conf" "$a/site.conf"
		[ -f "$mods/mod_fcgid.so" ] || skip "no mod_fcgid"
		web_policy "$T/policy.conf"
		chmod 644 "$T/policy.conf"
		subst "$a/site.conf" \
		    "/usr/sbin/certauthzd -c /etc/certauthz/policy.conf" \
		    "$web_daemon -d -c $T/policy.conf"
		daemon_log=$a/logs/error.log
		extra="LoadModule fcgid_module $mods/mod_fcgid.so
FcgidIPCDir $a/run/fcgid
FcgidProcessTableFile $a/run/fcgid_shm" ;;
	*)	fail "start_apache: unknown mode $mode" ;;
	esac
	subst "$a/site.conf" "<VirtualHost *:443>" \
	    "<VirtualHost 127.0.0.1:$port>"
	subst "$a/site.conf" "/etc/certauthz/tls/" "$PKI/"
	subst "$a/site.conf" "/etc/apache2/conf-available/certauthz-env.conf" \
	    "$a/certauthz-env.conf"
	subst "$a/site.conf" \
	    "/etc/apache2/conf-available/certauthz-headers.conf" \
	    "$a/certauthz-headers.conf"
	subst "$a/site.conf" "http://127.0.0.1:8080/" "http://127.0.0.1:$bport/"
	# A test may add to the site: apache_site_hook DIR, when defined.
	if declare -F apache_site_hook >/dev/null; then
		apache_site_hook "$a"
	fi
	user=
	if [ "$(id -u)" = 0 ]; then
		user="User nobody
Group $(id -gn nobody 2>/dev/null || echo nogroup)"
	fi
	cat > "$a/httpd.conf" <<HTTPD
ServerRoot $a
ServerName 127.0.0.1
PidFile $a/run/httpd.pid
DefaultRuntimeDir $a/run
Mutex file:$a/run default
ErrorLog $a/logs/error.log
LogLevel warn
$user
LoadModule mpm_prefork_module $mods/mod_mpm_prefork.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule authn_core_module $mods/mod_authn_core.so
LoadModule authz_user_module $mods/mod_authz_user.so
LoadModule ssl_module $mods/mod_ssl.so
LoadModule socache_shmcb_module $mods/mod_socache_shmcb.so
LoadModule rewrite_module $mods/mod_rewrite.so
LoadModule headers_module $mods/mod_headers.so
LoadModule setenvif_module $mods/mod_setenvif.so
LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_http_module $mods/mod_proxy_http.so
$extra
StartServers 2
MinSpareServers 2
MaxSpareServers 4
SSLSessionCache shmcb:$a/run/ssl_scache(512000)
Listen 127.0.0.1:$port
Include $a/site.conf
HTTPD
	apache2 -t -d "$a" -f "$a/httpd.conf" >"$a/t.out" 2>&1 ||
	    fail "apache2 -t: $(cat "$a/t.out")"
	start_echo "$bport"
	# Its own session: on stop, Apache signals its whole process group,
	# which would otherwise include this test.
	setsid apache2 -d "$a" -f "$a/httpd.conf" -DFOREGROUND &
	track_pid $!
	wait_for_port "$port" 10 ||
	    fail "apache2 did not start: $(cat "$a/logs/error.log")"
}

# start_lighttpd [NAME]: the shipped contrib/lighttpd files (the
# snippet included by a lighttpd.conf, as Debian's includes
# conf-enabled/) on 127.0.0.1:$port, its backend (start_echo) on
# $bport, certauthzd on $T/certauthzd.sock.  NAME (default lighttpd) is
# its directory in $T; lighttpd_site_hook DIR, when defined, may edit
# DIR/50-certauthz.conf first.
start_lighttpd() {
	need lighttpd python3
	local l=$T/${1:-lighttpd} s m
	for m in openssl magnet; do
		[ -f "/usr/lib/lighttpd/mod_$m.so" ] ||
		    skip "no lighttpd mod_$m (lighttpd-mod-openssl, lighttpd-modules-lua)"
	done
	port=$(free_port)
	bport=$(free_port)
	while [ "$bport" = "$port" ]; do bport=$(free_port); done
	mkdir -p "$l/www"
	cp "$contrib/lighttpd/50-certauthz.conf" "$contrib/lighttpd/certauthz.lua" "$l/"
	s=$l/50-certauthz.conf
	subst "$s" '$SERVER["socket"] == ":443"' "\$SERVER[\"socket\"] == \"127.0.0.1:$port\""
	subst "$s" "/etc/certauthz/tls/" "$PKI/"
	subst "$s" "/etc/lighttpd/certauthz.lua" "$l/certauthz.lua"
	subst "$s" "/run/certauthzd/certauthzd.sock" "$T/certauthzd.sock"
	subst "$s" '"port" => 8080' "\"port\" => $bport"
	if declare -F lighttpd_site_hook >/dev/null; then
		lighttpd_site_hook "$l"
	fi
	cat > "$l/lighttpd.conf" <<LIGHTTPD
server.document-root = "$l/www"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$l/error.log"
server.pid-file = "$l/lighttpd.pid"
server.upload-dirs = ( "$l" )
include "$s"
LIGHTTPD
	lighttpd -tt -f "$l/lighttpd.conf" >"$l/t.out" 2>&1 ||
	    fail "lighttpd -tt: $(cat "$l/t.out")"
	lighttpd -D -f "$l/lighttpd.conf" >>"$l/error.log" 2>&1 &
	track_pid $!
	wait_for_port "$port" 10 ||
	    fail "lighttpd did not start: $(cat "$l/error.log")"
	start_echo "$bport"
}

# req CERT URL [curl args...]: CERT is a name in $PKI, or - for none.
# Prints "CODE BODY" (CODE 000 when the handshake failed).
req() {
	local c=$1 u=$2 code
	shift 2
	set -- --cacert "$PKI/root-ca.pem" "$@"
	[ "$c" = - ] || set -- --cert "$PKI/$c.pem" --key "$PKI/$c.key" "$@"
	code=$(curl -s -m 10 -o "$T/body" -w '%{http_code}' "$@" "$u") || true
	printf '%s %s\n' "$code" "$( { tr '\n' ' ' < "$T/body"; } 2>/dev/null | sed 's/ *$//')"
	rm -f "$T/body"
}

# expect CERT URL WANT [curl args...]: WANT is a glob on "CODE BODY".
expect() {
	local c=$1 u=$2 want=$3 got
	shift 3
	got=$(req "$c" "$u" "$@")
	case $got in
	$want)	return 0 ;;
	esac
	echo "$0:${BASH_LINENO[0]}: FAIL: $c $u: want '$want', got '$got'" >&2
	exit 1
}

# log_has REGEX: some decision line of certauthzd matches.
log_has() {
	local i=0 f=${daemon_log:-$T/certauthzd.log}
	while ! grep -Eq -- "$1" "$f" && [ $i -lt 20 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -Eq -- "$1" "$f" || fail "no decision line /$1/ in: $(cat "$f")"
}

# policy_denies URL: bob, mallory and dave, whose certificates the web
# server accepts, get certauthzd's 403 with its body, and the denies
# are logged.
policy_denies() {
	expect bob "$1/app" "403 forbidden"
	expect bob "$1/" "403 forbidden"
	expect mallory "$1/app" "403 forbidden"
	expect dave "$1/app" "403 forbidden"
	log_has "^deny .*serial=1002"
	log_has "^deny .*rule=revoked"
}

# handshake_refuses URL: no certificate, an untrusted and an expired
# one never get past the web server's TLS handshake.
handshake_refuses() {
	expect - "$1/app" "000 *"
	expect rogue "$1/app" "000 *"
	expect expired "$1/app" "000 *"
}
