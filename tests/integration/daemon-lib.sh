# daemon-lib.sh: sourced by the daemon*.sh tests after tests/lib.sh.
#
# Provides $DAEMON, $CLIENT, write_policy FILE [CNS...] (a policy that
# allows the given CNs, default alice), start_daemon ARGS... (runs
# certauthzd -d with its stderr in $T/err, sets $dpid, waits for the
# socket $S), ask ARGS... (fcgi-client on $S with alice's params unless
# told otherwise) and crlf (turns \n into \r\n on stdin, as the
# daemon's headers are written).
DAEMON=$top_builddir/certauthzd
CLIENT=$top_builddir/tests/integration/fcgi-client
S=$T/s
[ -x "$DAEMON" ] || fail "$DAEMON not built"
[ -x "$CLIENT" ] || fail "$CLIENT not built"

write_policy() {
	file=$1
	shift
	cns=""
	for cn in "${@:-alice}"; do
		cns="$cns${cns:+, }\"$cn\""
	done
	cat > "$file" <<EOP
settings = {
  identity = "cn";
  log_allow = true;
};
policies = (
  {
    name = "default";
    allow = ( { name = "people"; o = "Example"; cn = [ $cns ]; } );
  },
  {
    name = "other";
    allow = ( { name = "nobody"; cn = "nobody"; } );
  }
);
EOP
}

start_daemon() {
	: > "$T/err"
	${VALGRIND_WRAP:-} "$DAEMON" -d "$@" 2>>"$T/err" &
	dpid=$!
	track_pid $dpid
	wait_for_socket "$S" 10 || { cat "$T/err" >&2; fail "no socket $S"; }
}

# params NAME: a params file for a client certificate, Apache style.
params() {
	cat > "$T/$1.params" <<EOP
SSL_CLIENT_VERIFY=SUCCESS
SSL_CLIENT_CERT=@$PKI/$1.pem
REQUEST_URI=/x
HTTP_HOST=www.example.com
REQUEST_METHOD=GET
REMOTE_ADDR=127.0.0.1
EOP
	echo "$T/$1.params"
}

crlf() {
	sed 's/$/\r/'
}
