/*
 * bench_decode.c: cert_decode() against OpenSSL's PEM reader with the
 * same extraction, in 1 and 2 threads.  Not part of `make check`.
 *
 * Usage: bench_decode CERT.pem [ITERATIONS]
 * Prints microseconds per certificate for each and the ratio.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "authz.h"

static char	*pem;
static size_t	 pemlen;
static long	 iterations = 20000;

static void *
run_decode(void *arg)
{
	struct cert_info *ci;
	const char	*reason;
	long		 i;

	(void)arg;
	for (i = 0; i < iterations; i++) {
		if ((ci = cert_decode(pem, pemlen, 16384, &reason)) == NULL) {
			fprintf(stderr, "cert_decode: %s\n", reason);
			exit(1);
		}
		cert_free(ci);
	}
	return NULL;
}

/* A per-thread cache hit: what a keep-alive connection costs. */
static void *
run_cache(void *arg)
{
	struct cert_cache *cc = cert_cache_new(16);
	const char	*reason;
	long		 i;

	(void)arg;
	for (i = 0; i < iterations; i++)
		if (cert_cache_get(cc, pem, pemlen, 16384, &reason) == NULL)
			exit(1);
	cert_cache_free(cc);
	return NULL;
}

/* The PEM reader, then roughly the extraction cert_decode does. */
static void *
run_pem(void *arg)
{
	unsigned char	 md[32], *utf;
	unsigned int	 mdlen;
	X509		*x;
	BIO		*b;
	X509_NAME	*n;
	GENERAL_NAMES	*g;
	EXTENDED_KEY_USAGE *e;
	long		 i;
	int		 j;

	(void)arg;
	for (i = 0; i < iterations; i++) {
		b = BIO_new_mem_buf(pem, (int)pemlen);
		if ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL)
			exit(1);
		BIO_free(b);
		X509_digest(x, EVP_sha256(), md, &mdlen);
		n = X509_get_subject_name(x);
		for (j = 0; j < X509_NAME_entry_count(n); j++) {
			if (ASN1_STRING_to_UTF8(&utf, X509_NAME_ENTRY_get_data(
			    X509_NAME_get_entry(n, j))) >= 0)
				OPENSSL_free(utf);
		}
		g = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
		GENERAL_NAMES_free(g);
		e = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
		EXTENDED_KEY_USAGE_free(e);
		X509_free(x);
	}
	return NULL;
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Microseconds per certificate (wall time / all certificates). */
static double
bench(void *(*fn)(void *), int nthreads)
{
	pthread_t	 t[2];
	double		 t0;
	int		 i;

	t0 = now();
	for (i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, fn, NULL);
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	return (now() - t0) * 1e6 / ((double)iterations * nthreads);
}

int
main(int argc, char *argv[])
{
	FILE	*f;
	double	 d, p;
	int	 n;

	if (argc < 2 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: bench_decode CERT.pem [ITERATIONS]\n");
		return 2;
	}
	if (argc > 2)
		iterations = atol(argv[2]);
	pem = malloc(16385);
	pemlen = fread(pem, 1, 16384, f);
	fclose(f);
	run_decode(NULL);	/* warm up both */
	run_pem(NULL);
	for (n = 1; n <= 2; n++) {
		d = bench(run_decode, n);
		p = bench(run_pem, n);
		printf("%d thread%s: cert_decode %.1f us/cert (wall), "
		    "PEM_read_bio_X509 %.1f us/cert, ratio %.2fx\n",
		    n, n > 1 ? "s" : "", d, p, p / d);
		printf("%d thread%s: cert_cache_get hit %.2f us/cert\n", n,
		    n > 1 ? "s" : "", bench(run_cache, n));
	}
	free(pem);
	return 0;
}
