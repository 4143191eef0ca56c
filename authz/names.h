/*
 * names.h: hex digits, serials, and the names of OIDs (names.c): the
 * one home of each, for dn.c, cert.c, match.c, policy.c, eval.c and the
 * certauthz program.  Not part of the library's interface: only authz.h
 * is.  names.c calls no other file of the library.
 */
#ifndef NAMES_H
#define NAMES_H

#include <stddef.h>

#define NAMES_OID_CN	"2.5.4.3"	/* commonName: identity cn */

/* The value of the hex digit c, or -1 when c is not one. */
int		 names_hexval(int);

/*
 * Normalizes a serial as certauthz.conf(5) writes it (hex, any case,
 * optional 0x, colons or spaces, leading '-' for negative), or as
 * i2a_ASN1_INTEGER() prints one for nginx and Apache (a backslash and a
 * newline after every 35 bytes), to uppercase hex without leading zero
 * bytes: the form cert_info.serial holds.  Returns 0, or -1 when
 * malformed or longer than AUTHZ_SERIAL_MAX.
 */
int		 names_serial(const char *, char *, size_t);

/*
 * The subject attributes a policy names by key (cn, ou, o, l, st, c,
 * dc, uid, serialNumber; certauthz.conf(5), RULES), and `certauthz show`
 * prints by the same key.  names_attr_oid() returns the dotted OID of a
 * key (exact case), names_attr_key() the key of a dotted OID; each
 * returns NULL when there is none.
 */
const char	*names_attr_oid(const char *key);
const char	*names_attr_key(const char *oid);

/*
 * Extended key usages as a policy names them (certauthz.conf(5), RULES,
 * eku), resolved in two steps to the dotted OID that cert_info.eku_oid
 * holds and match.c compares.  At load, names_oid() turns any name
 * OpenSSL knows, short or long and spelled as OpenSSL spells it
 * ("msSmartcardLogin", "TLS Web Client Authentication"), and any OID it
 * reads, into OpenSSL's dotted OID in buf (of size bytes) and returns
 * buf; it returns the name itself when OpenSSL knows no such name.
 * names_eku_oid() then writes in out the dotted OID of a name of the
 * RFC 5280 usages in any case ("clientauth") or of a dotted OID, and
 * returns 0, or -1 when it is neither or does not fit in size bytes.
 */
const char	*names_oid(const char *, char *buf, size_t size);
int		 names_eku_oid(const char *, char *out, size_t size);

#endif /* NAMES_H */
