#!/bin/bash
# bigsubject.sh: big certificates through real nginx and Apache
# (mod_authnz_fcgi), decided as `certauthz check` decides them.
#  - bigsubject: a subject (36 OUs) longer than a Variable- header
#    holds.  With identity "cn" it is an allow, answered 200 (its
#    subject header cut with "...") and logged as one; with identity
#    "subject" it is a 403, for the reason `certauthz check` gives.
#  - bigsan: 612 dNSNames, a 16 KB PEM whose %XX-escaped form (nginx)
#    is longer than max_cert_bytes (16 KiB): allowed by both servers,
#    since the limit counts the DER.
. "$top_srcdir/tests/lib.sh"
need curl python3
. "$top_srcdir/tests/integration/web-lib.sh"

identity=cn
web_policy() {	# replaces web-lib.sh's: big is allowed
	cat > "$1" <<POLICY
settings = {
  identity = "$identity";
  log_allow = true;
};
policies = (
  {
    name = "default";
    allow = ( { name = "big"; o = "Example"; cn = [ "big", "bigsan" ]; } );
  }
);
POLICY
}

# The answer `certauthz check` gives for the policy in force.
check_says() {	# check_says EXIT REGEX
	local rc
	web_policy "$T/check.conf"
	"$top_builddir/certauthz" check -c "$T/check.conf" \
	    "$PKI/bigsubject.pem" > "$T/check.out"
	rc=$?
	[ $rc -eq "$1" ] || fail "check exit $rc: $(cat "$T/check.out")"
	grep -Eq -- "$2" "$T/check.out" || fail "check: $(cat "$T/check.out")"
}

# reload: the policy of $identity into the running certauthzd.
reload() {
	local i=0 n
	n=$(grep -c 'loaded' "$T/certauthzd.log")
	web_policy "$T/policy.conf"
	kill -HUP "$certauthzd_pid"
	while [ "$(grep -c 'loaded' "$T/certauthzd.log")" = "$n" ] &&
	    [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ $i -lt 50 ] || fail "no reload: $(cat "$T/certauthzd.log")"
}

ask() {	# ask SERVER
	local u=https://127.0.0.1:$port
	identity=cn
	check_says 0 '^allow policy=default rule=big user=big serial=1009 '
	expect bigsubject "$u/" "200 user=big policy=default *"
	log_has "^allow policy=default rule=big user=big serial=1009 "
	! grep -Eq '^error |does not fit' "$T/certauthzd.log" ||
	    fail "$1: $(cat "$T/certauthzd.log")"
	expect alice "$u/" "403 *"
	"$top_builddir/certauthz" check -c "$T/check.conf" \
	    "$PKI/bigsan.pem" > "$T/check.out" ||
	    fail "check bigsan: $(cat "$T/check.out")"
	expect bigsan "$u/" "200 user=bigsan policy=default *"
	log_has "^allow policy=default rule=big user=bigsan serial=100A "

	identity=subject
	reload
	check_says 1 '^deny policy=default rule=big reason="identity too long for CERTAUTHZ_USER" '
	expect bigsubject "$u/" "403 *"
	log_has '^deny policy=default rule=big reason="identity too long for CERTAUTHZ_USER" user=- serial=1009 '
}

if command -v nginx > /dev/null 2>&1; then
	start_certauthzd "unix:$T/certauthzd.sock"
	start_nginx
	ask nginx
	stop_pid "$certauthzd_pid"
	: > "$T/certauthzd.log"
else
	echo "nginx is not installed: not run"
fi

if command -v apache2 > /dev/null 2>&1 &&
    [ -f /usr/lib/apache2/modules/mod_authnz_fcgi.so ]; then
	identity=cn
	start_apache authnz
	ask apache
else
	echo "Apache with mod_authnz_fcgi is not installed: not run"
fi
exit 0
