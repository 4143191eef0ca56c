# authz/: the library, and the certauthz program (a thin shell over it).
noinst_LIBRARIES += libauthz.a
libauthz_a_SOURCES = \
	authz/authz.h authz/policy_impl.h \
	authz/cert.c authz/dn.c authz/cache.c \
	authz/arena.c authz/set.c \
	authz/names.h authz/names.c \
	authz/match.c authz/policy_load.h authz/policy.c authz/policy_msg.c \
	authz/policy_file.c authz/policy_settings.c authz/policy_lint.c \
	authz/policy_watch.c \
	authz/eval.c authz/decision.c

bin_PROGRAMS += certauthz
certauthz_SOURCES = authz/cli.c authz/cli.h authz/show.c authz/test.c \
	authz/ping.c
certauthz_LDADD = $(AUTHZ_LIBS)
