/*
 * TLS with mbedtls 3.6 (include/tls.h): server contexts built from PEM
 * files, the shared session-ticket context, and non-blocking server
 * connections with buffered I/O.
 */
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>

#include "buf.h"
#include "crypto.h"
#include "xalloc.h"

#define TLS_PEM_MAX  (1024 * 1024) /* certificate chains are a few KB */
#define TLS_IN_BUF   4096          /* small reads are batched through this */
#define TLS_OUT_KEEP (32 * 1024)   /* larger ones are freed when idle */

/* Server cipher order: ChaCha20 first, it is the fastest AEAD in this
 * mbedtls. TLS 1.3's suites (always ECDHE, always AEAD), then 1.2's: only
 * ECDHE key exchange, only AEAD. One list serves both versions; each
 * takes the suites of its own. mbedtls 3.6 follows this order on 1.2
 * only: on 1.3 it takes the client's first suite that is here. */
static const int tls_suites[] = {
    MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
    MBEDTLS_TLS1_3_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    0,
};

/* Key exchange groups, in the server's order of preference. */
static const uint16_t tls_groups[] = {
    MBEDTLS_SSL_IANA_TLS_GROUP_X25519,
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1,
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1,
    MBEDTLS_SSL_IANA_TLS_GROUP_NONE,
};

/* What our certificate's key may sign with (tls_key_usable admits P-256,
 * P-384 and RSA). TLS 1.3 ties each ECDSA curve to its hash and signs
 * with RSA only as PSS; 1.2 clients may want PKCS#1 v1.5. No SHA-1. */
static const uint16_t tls_sig_algs[] = {
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP256R1_SHA256,
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP384R1_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA512,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA512,
    MBEDTLS_TLS1_3_SIG_NONE,
};

static const char *tls_alpn[] = {"http/1.1", NULL};

/* Everything one thread needs to run handshakes without sharing mutable
 * state: ECP groups inside a key are not thread-safe (ecp.h). */
struct tls_slot {
	mbedtls_ssl_config conf;
	mbedtls_pk_context key;
	mbedtls_ctr_drbg_context drbg;
};

/*
 * mbedtls_ssl_ticket_write/parse lock the ticket context themselves, but
 * mbedtls_ssl_ticket_rotate does not: every use goes through our lock, so
 * a key is never replaced under a handshake that is using it. (mbedtls
 * then takes its own, uncontended, lock inside.)
 */
struct tls_tickets {
	pthread_mutex_t lock;
	mbedtls_ssl_ticket_context ctx;
	/* The names of the keys tls_tickets_set installed last: the active
	 * one (encrypts) and the other (decrypts only). */
	unsigned char active[TLS_TICKET_NAME_LEN], other[TLS_TICKET_NAME_LEN];
	bool shared; /* active and other are set */
};

struct tls_server {
	atomic_uint refs;
	mbedtls_entropy_context entropy; /* locked by mbedtls (THREADING_C) */
	struct tls_tickets *tickets;     /* not owned: outlives the server */
	mbedtls_x509_crt chain;          /* read-only once loaded */
	unsigned ninit; /* slots initialised, for the error path */
	struct tls_slot slots[];
};

struct tls_conn {
	mbedtls_ssl_context ssl;
	struct tls_server *srv; /* reference held until tls_conn_free */
	int fd;                 /* not owned */
	int err;                /* last mbedtls error, or 0 */
	int sys_errno;          /* last socket error, or 0 */
	bool would_block;       /* the last recv() found nothing */
	bool drained;           /* a short recv() emptied the socket */
	bool hup;               /* FIN or error pending: recv() until seen */
	bool resumed;
	struct buf out; /* ciphertext not yet sent, from out_off */
	size_t out_off;
	size_t in_off, in_len; /* ciphertext read but not yet consumed */
	unsigned char in[TLS_IN_BUF];
};

/* The connection whose handshake runs on this thread right now: lets the
 * ticket callback, which only sees the ticket context, mark it resumed. */
static _Thread_local struct tls_conn *tls_running;

static void
tls_mbed_error(char *err, size_t errlen, const char *what, const char *path,
               int rc)
{
	char msg[200];

	mbedtls_strerror(rc, msg, sizeof(msg));
	snprintf(err, errlen, "%s %s: %s", what, path, msg);
}

/* Reads a whole PEM file, NUL-terminated as mbedtls wants it. */
static int
tls_read_file(const char *what, const char *path, unsigned char **data,
              size_t *len, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	const char *why = NULL;
	if (fstat(fd, &st) == -1)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_size > TLS_PEM_MAX)
		why = "larger than 1 MB: not a PEM file";
	if (why != NULL) {
		snprintf(err, errlen, "%s %s: %s", what, path, why);
		close(fd);
		return -1;
	}
	size_t size = (size_t)st.st_size, got = 0;
	unsigned char *p = xmalloc(size + 1);
	while (got < size) {
		ssize_t r = read(fd, p + got, size - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "%s %s: %s", what, path,
			         r == 0 ? "file shrank while reading"
			                : strerror(errno));
			mbedtls_platform_zeroize(p, size);
			free(p);
			close(fd);
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	p[size] = '\0';
	*data = p;
	*len = size + 1;
	return 0;
}

static void
tls_free_file(unsigned char *data, size_t len)
{
	if (data == NULL)
		return;
	mbedtls_platform_zeroize(data, len);
	free(data);
}

/* Random bytes for key checks (RSA blinding) outside a handshake. */
static int
tls_kernel_random(void *unused, unsigned char *buf, size_t len)
{
	(void)unused;
	return crypto_random(buf, len) == 0 ? 0
	                                    : MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
}

/* TLS 1.3 in mbedtls 3.x runs its key exchange and key schedule through
 * PSA, which must be set up once before the first handshake. */
static pthread_once_t tls_psa_once = PTHREAD_ONCE_INIT;
static psa_status_t tls_psa_status = PSA_ERROR_BAD_STATE;

static void
tls_psa_start(void)
{
	tls_psa_status = psa_crypto_init();
}

static int
tls_psa_init(char *err, size_t errlen)
{
	if (pthread_once(&tls_psa_once, tls_psa_start) != 0 ||
	    tls_psa_status != PSA_SUCCESS) {
		snprintf(err, errlen, "tls: cannot initialise PSA crypto (%d)",
		         (int)tls_psa_status);
		return -1;
	}
	return 0;
}

const char *
tls_library_version(void)
{
	return "mbedtls " MBEDTLS_VERSION_STRING;
}

int
tls_tickets_new(struct tls_tickets **out, char *err, size_t errlen)
{
	struct tls_tickets *t = xcalloc(1, sizeof(*t));
	int rc;

	pthread_mutex_init(&t->lock, NULL);
	mbedtls_ssl_ticket_init(&t->ctx);
	/* Random keys of its own until shared ones come; the IVs of the
	 * tickets from the kernel, which needs no lock of ours. */
	if ((rc = mbedtls_ssl_ticket_setup(&t->ctx, tls_kernel_random, NULL,
	                                   MBEDTLS_CIPHER_AES_256_GCM,
	                                   TLS_TICKET_LIFETIME)) != 0) {
		tls_mbed_error(err, errlen, "tls:", "session tickets", rc);
		tls_tickets_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

void
tls_tickets_free(struct tls_tickets *t)
{
	if (t == NULL)
		return;
	mbedtls_ssl_ticket_free(&t->ctx); /* wipes the keys */
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* Makes k the key that encrypts; the one that did only decrypts now, and
 * the one before it is forgotten. Under t->lock. */
static int
tls_tickets_push(struct tls_tickets *t, const struct tls_ticket_key *k)
{
	int rc =
	    mbedtls_ssl_ticket_rotate(&t->ctx, k->name, sizeof(k->name), k->key,
	                              sizeof(k->key), TLS_TICKET_LIFETIME);

	if (rc == 0) {
		memcpy(t->other, t->active, sizeof(t->other));
		memcpy(t->active, k->name, sizeof(t->active));
	}
	return rc;
}

static bool
tls_tickets_is(const struct tls_tickets *t, const unsigned char *name,
               const struct tls_ticket_key *k)
{
	return t->shared && memcmp(name, k->name, TLS_TICKET_NAME_LEN) == 0;
}

/*
 * mbedtls holds two keys. The usual call comes after a rotation: prev is
 * the key that encrypts now, and cur is pushed alone. The first call, or
 * one after keys were missed, pushes prev first so that it is the second.
 * The key lifetime given to mbedtls is TLS_TICKET_LIFETIME, longer than a
 * key stays current: mbedtls would replace a key older than its lifetime
 * with a random one of its own, which happens only when no new key came
 * for that long (the database away), and keeps resumption working there.
 */
int
tls_tickets_set(struct tls_tickets *t, const struct tls_ticket_key *prev,
                const struct tls_ticket_key *cur, char *err, size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&t->lock);
	bool cur_on = tls_tickets_is(t, t->active, cur);
	bool prev_on = prev == NULL || tls_tickets_is(t, t->other, prev);
	if (!cur_on || !prev_on) {
		if (prev != NULL && !tls_tickets_is(t, t->active, prev))
			rc = tls_tickets_push(t, prev);
		if (rc == 0)
			rc = tls_tickets_push(t, cur);
		t->shared = rc == 0;
	}
	pthread_mutex_unlock(&t->lock);
	if (rc != 0)
		tls_mbed_error(err, errlen, "tls:", "session ticket keys", rc);
	return rc == 0 ? 0 : -1;
}

static int
tls_parse_key(mbedtls_pk_context *key, const unsigned char *pem, size_t len,
              const char *path, char *err, size_t errlen)
{
	int rc = mbedtls_pk_parse_key(key, pem, len, NULL, 0, tls_kernel_random,
	                              NULL);

	if (rc == MBEDTLS_ERR_PK_PASSWORD_REQUIRED) {
		snprintf(err, errlen,
		         "tls.key %s: the key is encrypted; blogd needs it "
		         "without a passphrase",
		         path);
		return -1;
	}
	if (rc != 0) {
		tls_mbed_error(err, errlen, "tls.key", path, rc);
		return -1;
	}
	return 0;
}

/* Only RSA and the curves in tls_curves can sign our handshakes. */
static int
tls_key_usable(const mbedtls_pk_context *key, const char *path, char *err,
               size_t errlen)
{
	mbedtls_pk_type_t type = mbedtls_pk_get_type(key);

	if (type == MBEDTLS_PK_RSA)
		return 0;
	if (type == MBEDTLS_PK_ECKEY || type == MBEDTLS_PK_ECDSA) {
		mbedtls_ecp_group_id id =
		    mbedtls_ecp_keypair_get_group_id(mbedtls_pk_ec(*key));
		if (id == MBEDTLS_ECP_DP_SECP256R1 ||
		    id == MBEDTLS_ECP_DP_SECP384R1)
			return 0;
		snprintf(err, errlen,
		         "tls.key %s: unsupported curve (use P-256 or P-384)",
		         path);
		return -1;
	}
	snprintf(err, errlen, "tls.key %s: unsupported key type %s", path,
	         mbedtls_pk_get_name(key));
	return -1;
}

/* A PEM held in memory (ACME), copied as tls_read_file would read it. */
static void
tls_copy_pem(const char *pem, unsigned char **data, size_t *len)
{
	*len = strlen(pem) + 1;
	*data = (unsigned char *)xstrdup(pem);
}

/*
 * Parses the chain and one copy of the key and checks that they belong
 * together. *key_pem keeps the key file for further copies; the caller
 * frees it with tls_free_file. pem, when not NULL, holds certificate and
 * key themselves, and the paths only name them in errors.
 */
static int
tls_load_pair(const char *cert_path, const char *key_path,
              const char *const *pem, mbedtls_x509_crt *chain,
              unsigned char **key_pem, size_t *key_len, char *err,
              size_t errlen)
{
	unsigned char *cert_pem = NULL;
	size_t cert_len = 0;
	mbedtls_pk_context key;
	int rc = -1;

	*key_pem = NULL;
	*key_len = 0;
	mbedtls_pk_init(&key);
	if (pem != NULL) {
		tls_copy_pem(pem[0], &cert_pem, &cert_len);
		tls_copy_pem(pem[1], key_pem, key_len);
	} else if (tls_read_file("tls.certificate", cert_path, &cert_pem,
	                         &cert_len, err, errlen) == -1 ||
	           tls_read_file("tls.key", key_path, key_pem, key_len, err,
	                         errlen) == -1) {
		goto out;
	}
	int r = mbedtls_x509_crt_parse(chain, cert_pem, cert_len);
	if (r < 0) {
		tls_mbed_error(err, errlen, "tls.certificate", cert_path, r);
		goto out;
	}
	if (r > 0) {
		snprintf(err, errlen,
		         "tls.certificate %s: %d certificate(s) in the chain "
		         "cannot be parsed",
		         cert_path, r);
		goto out;
	}
	if (tls_parse_key(&key, *key_pem, *key_len, key_path, err, errlen) ==
	        -1 ||
	    tls_key_usable(&key, key_path, err, errlen) == -1)
		goto out;
	if (mbedtls_pk_check_pair(&chain->pk, &key, tls_kernel_random, NULL) !=
	    0) {
		snprintf(err, errlen,
		         "tls.key %s does not match tls.certificate %s",
		         key_path, cert_path);
		goto out;
	}
	rc = 0;
out:
	mbedtls_pk_free(&key);
	tls_free_file(cert_pem, cert_len);
	if (rc == -1) {
		tls_free_file(*key_pem, *key_len);
		*key_pem = NULL;
	}
	return rc;
}

int
tls_check_pair(const char *cert_path, const char *key_path, char *err,
               size_t errlen)
{
	mbedtls_x509_crt chain;
	unsigned char *key_pem;
	size_t key_len;
	int rc = -1;

	mbedtls_x509_crt_init(&chain);
	if (tls_load_pair(cert_path, key_path, NULL, &chain, &key_pem, &key_len,
	                  err, errlen) == -1)
		goto out;
	tls_free_file(key_pem, key_len);
	const mbedtls_x509_time *t = &chain.valid_to;
	if (mbedtls_x509_time_is_past(t)) {
		snprintf(err, errlen,
		         "tls.certificate %s: expired on "
		         "%04d-%02d-%02d %02d:%02d:%02d UTC",
		         cert_path, t->year, t->mon, t->day, t->hour, t->min,
		         t->sec);
		goto out;
	}
	rc = 0;
out:
	mbedtls_x509_crt_free(&chain);
	return rc;
}

static int
tls_ticket_write(void *p_ticket, const mbedtls_ssl_session *session,
                 unsigned char *start, const unsigned char *end, size_t *tlen,
                 uint32_t *lifetime)
{
	struct tls_tickets *t = p_ticket;

	pthread_mutex_lock(&t->lock);
	int rc = mbedtls_ssl_ticket_write(&t->ctx, session, start, end, tlen,
	                                  lifetime);
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/*
 * A ticket that decrypts resumes the session: on 1.2 always; on 1.3 as
 * long as the client offers the PSK-with-ECDHE mode (every browser,
 * OpenSSL and node do), and a wrong binder fails the handshake.
 */
static int
tls_ticket_parse(void *p_ticket, mbedtls_ssl_session *session,
                 unsigned char *buf, size_t len)
{
	struct tls_tickets *t = p_ticket;

	pthread_mutex_lock(&t->lock);
	int rc = mbedtls_ssl_ticket_parse(&t->ctx, session, buf, len);
	pthread_mutex_unlock(&t->lock);
	if (rc == 0 && tls_running != NULL)
		tls_running->resumed = true;
	return rc;
}

/*
 * The slot's own copy of the key. An EC key is turned from the parser's
 * generic "EC key" into an ECDSA context: mbedtls signs with the former
 * through a temporary copy that forgets the precomputed multiples of the
 * base point, the latter keeps them (a third of a full handshake's CPU).
 * Keeping them is why a slot must stay on one thread.
 */
static int
tls_slot_key(struct tls_slot *s, const unsigned char *key_pem, size_t key_len,
             const char *key_path, char *err, size_t errlen)
{
	mbedtls_pk_context parsed;
	int rc;

	mbedtls_pk_init(&parsed);
	if (tls_parse_key(&parsed, key_pem, key_len, key_path, err, errlen) ==
	    -1) {
		mbedtls_pk_free(&parsed);
		return -1;
	}
	if (mbedtls_pk_get_type(&parsed) != MBEDTLS_PK_ECKEY) {
		s->key = parsed; /* moved: s->key owns it now */
		return 0;
	}
	if ((rc = mbedtls_pk_setup(
	         &s->key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECDSA))) != 0 ||
	    (rc = mbedtls_ecdsa_from_keypair(mbedtls_pk_ec(s->key),
	                                     mbedtls_pk_ec(parsed))) != 0)
		tls_mbed_error(err, errlen, "tls.key", key_path, rc);
	mbedtls_pk_free(&parsed);
	return rc == 0 ? 0 : -1;
}

static int
tls_slot_init(struct tls_server *srv, struct tls_slot *s,
              const unsigned char *key_pem, size_t key_len,
              const char *key_path, char *err, size_t errlen)
{
	static const unsigned char pers[] = "blogd tls";
	int rc;

	if ((rc = mbedtls_ctr_drbg_seed(&s->drbg, mbedtls_entropy_func,
	                                &srv->entropy, pers,
	                                sizeof(pers) - 1)) != 0) {
		tls_mbed_error(err, errlen, "tls:", "random generator", rc);
		return -1;
	}
	if (tls_slot_key(s, key_pem, key_len, key_path, err, errlen) == -1)
		return -1;
	if ((rc = mbedtls_ssl_config_defaults(
	         &s->conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
	         MBEDTLS_SSL_PRESET_DEFAULT)) != 0) {
		tls_mbed_error(err, errlen, "tls:", "configuration", rc);
		return -1;
	}
	mbedtls_ssl_conf_rng(&s->conf, mbedtls_ctr_drbg_random, &s->drbg);
	/* mbedtls 3.6 knows nothing older than 1.2; say both ends anyway. */
	mbedtls_ssl_conf_min_tls_version(&s->conf, MBEDTLS_SSL_VERSION_TLS1_2);
	mbedtls_ssl_conf_max_tls_version(&s->conf, MBEDTLS_SSL_VERSION_TLS1_3);
	mbedtls_ssl_conf_renegotiation(&s->conf,
	                               MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	mbedtls_ssl_conf_ciphersuites(&s->conf, tls_suites);
	mbedtls_ssl_conf_groups(&s->conf, tls_groups);
	mbedtls_ssl_conf_sig_algs(&s->conf, tls_sig_algs);
	/* 1.3 resumption only with a fresh ECDHE: a stolen ticket key then
	 * does not decrypt recorded traffic. */
	mbedtls_ssl_conf_tls13_key_exchange_modes(
	    &s->conf, MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ALL);
#if defined(MBEDTLS_SSL_EARLY_DATA)
	/* 0-RTT data can be replayed; our mbedtls has it compiled out, and
	 * a build that has it must not accept it. */
	mbedtls_ssl_conf_early_data(&s->conf, MBEDTLS_SSL_EARLY_DATA_DISABLED);
#endif
	if ((rc = mbedtls_ssl_conf_alpn_protocols(&s->conf, tls_alpn)) != 0) {
		tls_mbed_error(err, errlen, "tls:", "ALPN", rc);
		return -1;
	}
	mbedtls_ssl_conf_session_tickets_cb(&s->conf, tls_ticket_write,
	                                    tls_ticket_parse, srv->tickets);
	/* One NewSessionTicket per 1.3 handshake: a client uses one. */
	mbedtls_ssl_conf_new_session_tickets(&s->conf, 1);
	if ((rc = mbedtls_ssl_conf_own_cert(&s->conf, &srv->chain, &s->key)) !=
	    0) {
		tls_mbed_error(err, errlen, "tls.key", key_path, rc);
		return -1;
	}
	return 0;
}

static void
tls_server_free(struct tls_server *srv)
{
	for (unsigned i = 0; i < srv->ninit; i++) {
		mbedtls_ssl_config_free(&srv->slots[i].conf);
		mbedtls_pk_free(&srv->slots[i].key);
		mbedtls_ctr_drbg_free(&srv->slots[i].drbg);
	}
	mbedtls_x509_crt_free(&srv->chain);
	mbedtls_entropy_free(&srv->entropy);
	free(srv);
}

static int
tls_server_make(struct tls_server **out, const char *cert_path,
                const char *key_path, const char *const *pem, unsigned nslots,
                struct tls_tickets *tickets, char *err, size_t errlen)
{
	struct tls_server *srv;
	unsigned char *key_pem = NULL;
	size_t key_len = 0;

	if (tls_psa_init(err, errlen) == -1)
		return -1;
	srv = xcalloc(1, sizeof(*srv) + nslots * sizeof(srv->slots[0]));
	atomic_init(&srv->refs, 1);
	srv->tickets = tickets;
	mbedtls_entropy_init(&srv->entropy);
	mbedtls_x509_crt_init(&srv->chain);
	if (tls_load_pair(cert_path, key_path, pem, &srv->chain, &key_pem,
	                  &key_len, err, errlen) == -1)
		goto fail;
	for (; srv->ninit < nslots; srv->ninit++) {
		struct tls_slot *s = &srv->slots[srv->ninit];
		mbedtls_ssl_config_init(&s->conf);
		mbedtls_pk_init(&s->key);
		mbedtls_ctr_drbg_init(&s->drbg);
		if (tls_slot_init(srv, s, key_pem, key_len, key_path, err,
		                  errlen) == -1) {
			srv->ninit++; /* free this one too */
			goto fail;
		}
	}
	tls_free_file(key_pem, key_len);
	*out = srv;
	return 0;
fail:
	tls_free_file(key_pem, key_len);
	tls_server_free(srv);
	return -1;
}

int
tls_server_new(struct tls_server **out, const char *cert_path,
               const char *key_path, unsigned nslots,
               struct tls_tickets *tickets, char *err, size_t errlen)
{
	return tls_server_make(out, cert_path, key_path, NULL, nslots, tickets,
	                       err, errlen);
}

int
tls_server_new_pem(struct tls_server **out, const char *cert_pem,
                   const char *key_pem, unsigned nslots,
                   struct tls_tickets *tickets, char *err, size_t errlen)
{
	const char *pem[2] = {cert_pem, key_pem};

	return tls_server_make(out, "(ACME certificate)", "(ACME key)", pem,
	                       nslots, tickets, err, errlen);
}

void
tls_server_ref(struct tls_server *srv)
{
	atomic_fetch_add_explicit(&srv->refs, 1, memory_order_relaxed);
}

void
tls_server_unref(struct tls_server *srv)
{
	if (srv != NULL &&
	    atomic_fetch_sub_explicit(&srv->refs, 1, memory_order_acq_rel) == 1)
		tls_server_free(srv);
}

/* mbedtls output callback: keeps the bytes for tls_conn_flush(). */
static int
tls_bio_send(void *ctx, const unsigned char *data, size_t len)
{
	struct tls_conn *c = ctx;

	buf_append(&c->out, data, len);
	return (int)len;
}

/*
 * mbedtls input callback: mbedtls asks for a 5-byte record header, then
 * the body; one recv() into c->in serves both for small records.
 *
 * A recv() that returns less than asked emptied the socket, and bytes
 * arriving later raise a new edge-triggered epoll event, which the caller
 * reports with tls_conn_readable(). Until then the answer is "would block"
 * without the recv() that would only say EAGAIN: two system calls fewer
 * per connection (after the ClientHello, after the request). Not so once
 * the event said FIN or error: that may sit behind the bytes just read
 * and raises no new event.
 */
static int
tls_bio_recv(void *ctx, unsigned char *data, size_t len)
{
	struct tls_conn *c = ctx;
	ssize_t r;

	if (c->in_off == c->in_len) {
		bool direct = len >= sizeof(c->in);
		if (c->drained) {
			c->would_block = true;
			return MBEDTLS_ERR_SSL_WANT_READ;
		}
		do {
			if (direct)
				r = recv(c->fd, data, len, 0);
			else
				r = recv(c->fd, c->in, sizeof(c->in), 0);
		} while (r == -1 && errno == EINTR);
		if (r > 0 && (size_t)r < (direct ? len : sizeof(c->in)) &&
		    !c->hup)
			c->drained = true;
		if (r == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				c->would_block = true;
				return MBEDTLS_ERR_SSL_WANT_READ;
			}
			c->sys_errno = errno;
			return errno == ECONNRESET
			           ? MBEDTLS_ERR_NET_CONN_RESET
			           : MBEDTLS_ERR_NET_RECV_FAILED;
		}
		if (r == 0 || direct)
			return (int)r;
		c->in_off = 0;
		c->in_len = (size_t)r;
	}
	size_t n = c->in_len - c->in_off;
	if (n > len)
		n = len;
	memcpy(data, c->in + c->in_off, n);
	c->in_off += n;
	return (int)n;
}

struct tls_conn *
tls_conn_new(struct tls_server *srv, unsigned slot, int fd)
{
	struct tls_conn *c = xcalloc(1, sizeof(*c));

	mbedtls_ssl_init(&c->ssl);
	if (mbedtls_ssl_setup(&c->ssl, &srv->slots[slot].conf) != 0) {
		mbedtls_ssl_free(&c->ssl);
		free(c);
		return NULL;
	}
	mbedtls_ssl_set_bio(&c->ssl, c, tls_bio_send, tls_bio_recv, NULL);
	tls_server_ref(srv);
	c->srv = srv;
	c->fd = fd;
	buf_init(&c->out);
	return c;
}

void
tls_conn_free(struct tls_conn *c)
{
	if (c == NULL)
		return;
	mbedtls_ssl_free(&c->ssl);
	buf_free(&c->out);
	tls_server_unref(c->srv);
	free(c);
}

enum tls_status
tls_conn_flush(struct tls_conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t r = send(c->fd, c->out.data + c->out_off,
		                 c->out.len - c->out_off, MSG_NOSIGNAL);
		if (r >= 0) {
			c->out_off += (size_t)r;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return TLS_WANT_WRITE;
		c->err = 0;
		c->sys_errno = errno;
		return TLS_ERROR;
	}
	c->out_off = 0;
	buf_reset(&c->out);
	return TLS_OK;
}

size_t
tls_conn_unsent(const struct tls_conn *c)
{
	return c->out.len - c->out_off;
}

void
tls_conn_trim(struct tls_conn *c)
{
	/* Keep a typical response's worth; drop what a large one grew. */
	if (tls_conn_unsent(c) == 0 && c->out.cap > TLS_OUT_KEEP)
		buf_free(&c->out);
}

enum tls_status
tls_conn_handshake(struct tls_conn *c)
{
	enum tls_status st;
	int rc, tries = 0;

	if (tls_conn_unsent(c) > 0 && (st = tls_conn_flush(c)) != TLS_OK)
		return st;
	/* tls_bio_send never blocks, so mbedtls should never want to write;
	 * should it say so all the same, what it wrote has gone out and it
	 * may go on (a few times, never in a loop). With TLS 1.3 the
	 * server's last flight (the NewSessionTicket after the client's
	 * Finished) is part of the handshake, which ends once it is kept. */
	do {
		tls_running = c;
		rc = mbedtls_ssl_handshake(&c->ssl);
		tls_running = NULL;
		/* The whole flight (or the alert) leaves in one send(). */
		st = tls_conn_flush(c);
	} while (rc == MBEDTLS_ERR_SSL_WANT_WRITE && st == TLS_OK &&
	         ++tries < 4);
	if (rc == 0)
		return st == TLS_ERROR ? TLS_ERROR : TLS_OK;
	if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
		return st == TLS_OK ? TLS_WANT_READ : st;
	c->err = rc;
	return TLS_ERROR;
}

void
tls_conn_readable(struct tls_conn *c, bool hup)
{
	c->drained = false;
	c->hup |= hup;
}

bool
tls_conn_resumed(const struct tls_conn *c)
{
	return c->resumed;
}

enum tls_status
tls_conn_read(struct tls_conn *c, void *buf, size_t len, size_t *n)
{
	for (;;) {
		c->would_block = false;
		int rc = mbedtls_ssl_read(&c->ssl, buf, len);
		if (rc > 0) {
			*n = (size_t)rc;
			return TLS_OK;
		}
		if (rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ||
		    rc == MBEDTLS_ERR_SSL_CONN_EOF)
			return TLS_CLOSED;
		/* mbedtls also says WANT_READ after a record without data
		 * (a warning alert, a refused renegotiation): only an empty
		 * socket means waiting. The two "received" codes are for
		 * clients and for 0-RTT, which this server never gets, and
		 * ask for another call as well. A TLS 1.3 KeyUpdate from the
		 * client is an error: mbedtls 3.6 does not implement it. */
		if (rc == MBEDTLS_ERR_SSL_WANT_READ && c->would_block)
			return TLS_WANT_READ;
		if (rc != MBEDTLS_ERR_SSL_WANT_READ &&
		    rc != MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET &&
		    rc != MBEDTLS_ERR_SSL_RECEIVED_EARLY_DATA) {
			c->err = rc;
			return TLS_ERROR;
		}
	}
}

enum tls_status
tls_conn_write(struct tls_conn *c, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	/* tls_bio_send never blocks, so every call takes a whole record. */
	while (len > 0) {
		int rc = mbedtls_ssl_write(&c->ssl, p, len);
		if (rc <= 0) {
			c->err = rc;
			return TLS_ERROR;
		}
		p += rc;
		len -= (size_t)rc;
	}
	return TLS_OK;
}

enum tls_status
tls_conn_close_notify(struct tls_conn *c)
{
	int rc = mbedtls_ssl_close_notify(&c->ssl);

	if (rc != 0) {
		c->err = rc;
		return TLS_ERROR;
	}
	return TLS_OK;
}

void
tls_conn_strerror(const struct tls_conn *c, char *buf, size_t len)
{
	if (c->err != 0)
		mbedtls_strerror(c->err, buf, len);
	else if (c->sys_errno != 0)
		snprintf(buf, len, "%s", strerror(c->sys_errno));
	else
		snprintf(buf, len, "connection closed");
}
