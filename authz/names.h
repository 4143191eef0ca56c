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

#endif /* NAMES_H */
