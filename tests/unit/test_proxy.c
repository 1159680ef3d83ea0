/* Clients behind proxies: networks (src/util/netaddr.c), PROXY headers and
 * X-Forwarded-* (src/http/proxy.c). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "netaddr.h"
#include "proxy.h"

static struct net_addr
addr(const char *s)
{
	struct net_addr a;

	assert_true(net_addr_parse(s, strlen(s), &a));
	return a;
}

static const char *
text(const struct net_addr *a)
{
	static char out[NET_ADDR_TEXT];

	net_addr_text(a, out);
	return out;
}

static void
test_addr(void **state)
{
	struct net_addr a;
	struct sockaddr_storage ss;

	(void)state;
	a = addr("10.1.2.3");
	assert_string_equal(text(&a), "10.1.2.3");
	a = addr("2001:DB8:0:0::1");
	assert_string_equal(text(&a), "2001:db8::1");
	/* v4-mapped IPv6 is the IPv4 address. */
	a = addr("::ffff:192.0.2.7");
	assert_string_equal(text(&a), "192.0.2.7");
	assert_int_equal(net_addr_to_sockaddr(&a, 8080, &ss),
	                 sizeof(struct sockaddr_in));
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8080);
	assert_true(net_addr_from_sockaddr((struct sockaddr *)&ss, &a));
	assert_string_equal(text(&a), "192.0.2.7");
	a = addr("::1");
	assert_int_equal(net_addr_to_sockaddr(&a, 1, &ss),
	                 sizeof(struct sockaddr_in6));
	/* Only the address: no port, brackets, zone, space or NUL. */
	assert_false(net_addr_parse("1.2.3.4:80", 10, &a));
	assert_false(net_addr_parse("[::1]", 5, &a));
	assert_false(net_addr_parse("fe80::1%eth0", 12, &a));
	assert_false(net_addr_parse(" 1.2.3.4", 8, &a));
	assert_false(net_addr_parse("1.2.3.4\0", 8, &a));
	assert_false(net_addr_parse("", 0, &a));
	assert_false(net_addr_parse("unknown", 7, &a));
	assert_false(net_addr_parse("1.2.3.256", 9, &a));
	/* The length bounds the text: "1.2.3.4" of "1.2.3.45". */
	assert_true(net_addr_parse("1.2.3.45", 7, &a));
	assert_string_equal(text(&a), "1.2.3.4");
}

static void
test_list(void **state)
{
	struct net_list l;
	char bad[64];
	struct net_addr a;

	(void)state;
	assert_int_equal(net_list_parse("", &l, bad, sizeof(bad)), 0);
	assert_int_equal(l.n, 0);
	a = addr("127.0.0.1");
	assert_false(net_list_match(&l, &a));
	assert_int_equal(net_list_parse(" 10.0.0.0/8 ,192.168.1.7, "
	                                "2001:db8::/32,172.16.5.9/12",
	                                &l, bad, sizeof(bad)),
	                 0);
	assert_int_equal(l.n, 4);
	a = addr("10.255.1.2");
	assert_true(net_list_match(&l, &a));
	a = addr("11.0.0.1");
	assert_false(net_list_match(&l, &a));
	a = addr("192.168.1.7"); /* a bare address is /32 */
	assert_true(net_list_match(&l, &a));
	a = addr("192.168.1.8");
	assert_false(net_list_match(&l, &a));
	a = addr("172.31.255.255"); /* host bits of 172.16.5.9/12 cleared */
	assert_true(net_list_match(&l, &a));
	a = addr("172.32.0.0");
	assert_false(net_list_match(&l, &a));
	a = addr("2001:db8:ffff::1");
	assert_true(net_list_match(&l, &a));
	a = addr("2001:db9::1");
	assert_false(net_list_match(&l, &a));
	/* A dual-stack socket's IPv4 peer matches the IPv4 network. */
	a = addr("::ffff:10.9.8.7");
	assert_true(net_list_match(&l, &a));
	net_list_free(&l);

	assert_int_equal(net_list_parse("0.0.0.0/0", &l, bad, sizeof(bad)), 0);
	a = addr("203.0.113.1");
	assert_true(net_list_match(&l, &a));
	a = addr("2001:db8::1"); /* an IPv4 /0 is not every IPv6 address */
	assert_false(net_list_match(&l, &a));
	net_list_free(&l);
	assert_int_equal(net_list_parse("::/0", &l, bad, sizeof(bad)), 0);
	assert_true(net_list_match(&l, &a));
	net_list_free(&l);

	static const char *const bads[][2] = {
	    {"10.0.0.0/33", "10.0.0.0/33"},
	    {"::/129", "::/129"},
	    {"10.0.0.0/", "10.0.0.0/"},
	    {"10.0.0.0/-1", "10.0.0.0/-1"},
	    {"10.0.0.0/0008", "10.0.0.0/0008"},
	    {"1.2.3.4, x", "x"},
	    {"1.2.3.4,,5.6.7.8", ""},
	    {"1.2.3.4,", ""},
	    {"example.com", "example.com"},
	    {"10.0.0.0/8 /8", "10.0.0.0/8 /8"},
	};
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		assert_int_equal(
		    net_list_parse(bads[i][0], &l, bad, sizeof(bad)), -1);
		assert_string_equal(bad, bads[i][1]);
		assert_int_equal(l.n, 0);
	}
}

/* proxy_header_parse over the whole of s, then over every shorter prefix,
 * which must ask for more. */
static enum proxy_status
parse_all(const void *s, size_t n, struct proxy_header *h)
{
	enum proxy_status st = proxy_header_parse(s, n, h);

	if (st == PROXY_DONE)
		for (size_t i = 0; i < h->len; i++) {
			struct proxy_header x;

			assert_int_equal(proxy_header_parse(s, i, &x),
			                 PROXY_MORE);
		}
	return st;
}

static void
test_v1(void **state)
{
	struct proxy_header h;
	const char *s;

	(void)state;
	s = "PROXY TCP4 192.0.2.10 10.0.0.1 56324 443\r\nGET / HTTP/1.1\r\n";
	assert_int_equal(parse_all(s, strlen(s), &h), PROXY_DONE);
	assert_int_equal(h.len, strlen("PROXY TCP4 192.0.2.10 10.0.0.1 "
	                               "56324 443\r\n"));
	assert_true(h.has_addr);
	assert_string_equal(text(&h.addr), "192.0.2.10");
	assert_int_equal(h.port, 56324);
	s = "PROXY TCP6 2001:db8::5 2001:db8::1 65535 80\r\n";
	assert_int_equal(parse_all(s, strlen(s), &h), PROXY_DONE);
	assert_string_equal(text(&h.addr), "2001:db8::5");
	assert_int_equal(h.port, 65535);
	/* UNKNOWN: the peer is the client. */
	s = "PROXY UNKNOWN\r\n";
	assert_int_equal(parse_all(s, strlen(s), &h), PROXY_DONE);
	assert_false(h.has_addr);
	assert_int_equal(h.len, strlen(s));
	s = "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n";
	assert_int_equal(parse_all(s, strlen(s), &h), PROXY_DONE);
	assert_false(h.has_addr);

	static const char *const bad[] = {
	    "GET / HTTP/1.1\r\n",
	    "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
	    "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",
	    "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n",
	    "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",
	    "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n",
	    "PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n",
	    "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n",
	    "PROXY TCP4 ::1 ::1 1 2\r\n",
	    "PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n",
	    "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n",
	    "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n",
	    "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n",
	    "PROXY \r\n",
	    "PROXY UNKNOWNX\r\n",
	    "\x16\x03\x01\x02\x00", /* a TLS ClientHello */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(proxy_header_parse(bad[i], strlen(bad[i]), &h),
		                 PROXY_BAD);
	/* No CRLF within the 107 bytes a v1 line may take. */
	char longline[200];
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "PROXY UNKNOWN ", 14);
	assert_int_equal(proxy_header_parse(longline, 106, &h), PROXY_MORE);
	assert_int_equal(proxy_header_parse(longline, 107, &h), PROXY_BAD);
	assert_int_equal(proxy_header_parse(longline, 200, &h), PROXY_BAD);
	assert_int_equal(proxy_header_parse("PRO", 3, &h), PROXY_MORE);
	assert_int_equal(proxy_header_parse("PRX", 3, &h), PROXY_BAD);
}

/* A v2 header: sig, ver_cmd, fam, body of blen bytes from body. */
static size_t
v2(unsigned char *out, unsigned char ver_cmd, unsigned char fam,
   const void *body, size_t blen)
{
	static const unsigned char sig[12] = {0x0d, 0x0a, 0x0d, 0x0a,
	                                      0x00, 0x0d, 0x0a, 0x51,
	                                      0x55, 0x49, 0x54, 0x0a};

	memcpy(out, sig, 12);
	out[12] = ver_cmd;
	out[13] = fam;
	out[14] = (unsigned char)(blen >> 8);
	out[15] = (unsigned char)blen;
	memcpy(out + 16, body, blen);
	return 16 + blen;
}

static void
test_v2(void **state)
{
	unsigned char buf[PROXY_HEADER_MAX + 64], body[PROXY_HEADER_MAX];
	struct proxy_header h;
	size_t n;

	(void)state;
	/* TCP over IPv4: 198.51.100.9:40000 -> 10.0.0.1:443, then a TLV
	 * (type 0x04, NOOP) to skip, then the stream. */
	static const unsigned char in4[] = {198,  51,   100,  9,    10,   0,
	                                    0,    1,    0x9c, 0x40, 0x01, 0xbb,
	                                    0x04, 0x00, 0x02, 0xaa, 0xbb};
	n = v2(buf, 0x21, 0x11, in4, sizeof(in4));
	memcpy(buf + n, "\x16\x03\x01", 3);
	assert_int_equal(parse_all(buf, n + 3, &h), PROXY_DONE);
	assert_int_equal(h.len, n);
	assert_true(h.has_addr);
	assert_string_equal(text(&h.addr), "198.51.100.9");
	assert_int_equal(h.port, 40000);
	/* TCP over IPv6. */
	memset(body, 0, 36);
	inet_pton(AF_INET6, "2001:db8::77", body);
	body[32] = 0x01;
	body[33] = 0x02;
	n = v2(buf, 0x21, 0x21, body, 36);
	assert_int_equal(parse_all(buf, n, &h), PROXY_DONE);
	assert_string_equal(text(&h.addr), "2001:db8::77");
	assert_int_equal(h.port, 258);
	/* LOCAL (a health check of the balancer's own): the peer. */
	n = v2(buf, 0x20, 0x00, "", 0);
	assert_int_equal(parse_all(buf, n, &h), PROXY_DONE);
	assert_false(h.has_addr);
	n = v2(buf, 0x20, 0x11, in4, sizeof(in4));
	assert_int_equal(parse_all(buf, n, &h), PROXY_DONE);
	assert_false(h.has_addr);
	assert_int_equal(h.len, n);
	/* UNSPEC, UDP and UNIX: the peer. */
	memset(body, 0, 216);
	static const unsigned char fams[] = {0x00, 0x12, 0x22, 0x31, 0x32};
	for (size_t i = 0; i < sizeof(fams); i++) {
		n = v2(buf, 0x21, fams[i], body, 216);
		assert_int_equal(parse_all(buf, n, &h), PROXY_DONE);
		assert_false(h.has_addr);
	}
	/* Bad: version, command, too short for the family, too long. */
	n = v2(buf, 0x11, 0x11, in4, sizeof(in4));
	assert_int_equal(proxy_header_parse(buf, n, &h), PROXY_BAD);
	n = v2(buf, 0x22, 0x11, in4, sizeof(in4));
	assert_int_equal(proxy_header_parse(buf, n, &h), PROXY_BAD);
	n = v2(buf, 0x21, 0x11, in4, 11);
	assert_int_equal(proxy_header_parse(buf, n, &h), PROXY_BAD);
	n = v2(buf, 0x21, 0x21, body, 35);
	assert_int_equal(proxy_header_parse(buf, n, &h), PROXY_BAD);
	memset(body, 0, sizeof(body));
	n = v2(buf, 0x21, 0x11, body, PROXY_HEADER_MAX - 16);
	assert_int_equal(proxy_header_parse(buf, n, &h), PROXY_DONE);
	n = v2(buf, 0x21, 0x11, body, PROXY_HEADER_MAX - 15);
	assert_int_equal(proxy_header_parse(buf, n, &h), PROXY_BAD);
	/* A signature that goes wrong. */
	n = v2(buf, 0x21, 0x11, in4, sizeof(in4));
	buf[7] = 'X';
	assert_int_equal(proxy_header_parse(buf, 8, &h), PROXY_BAD);
	assert_int_equal(proxy_header_parse(buf, 7, &h), PROXY_MORE);
}

/* proxy_forwarded_for over a NUL-terminated value; "" when it gives up. */
static const char *
xff(const char *v, const struct net_list *trusted)
{
	struct net_addr a;

	if (!proxy_forwarded_for(v, strlen(v), trusted, &a))
		return "";
	return text(&a);
}

static void
test_forwarded_for(void **state)
{
	struct net_list t, none = {NULL, 0};
	char bad[64], many[2048];

	(void)state;
	assert_int_equal(
	    net_list_parse("10.0.0.0/8, 2001:db8::/32", &t, bad, sizeof(bad)),
	    0);
	assert_string_equal(xff("203.0.113.5", &t), "203.0.113.5");
	/* The right-most hop not trusted: what was left of it, the client
	 * may have written. */
	assert_string_equal(xff("1.1.1.1, 203.0.113.5", &t), "203.0.113.5");
	assert_string_equal(xff("1.1.1.1,203.0.113.5, 10.0.0.7,10.1.1.1", &t),
	                    "203.0.113.5");
	assert_string_equal(xff("garbage, <script>, 203.0.113.5", &t),
	                    "203.0.113.5");
	assert_string_equal(xff(" \t2001:DB9::1 ", &t), "2001:db9::1");
	/* Every hop trusted: the left-most. */
	assert_string_equal(xff("10.0.0.1, 10.0.0.2", &t), "10.0.0.1");
	/* Nobody trusted: the right-most, always. */
	assert_string_equal(xff("10.0.0.1, 10.0.0.2", &none), "10.0.0.2");
	/* A malformed hop where the walk looks: give up (keep the peer). */
	static const char *const bads[] = {
	    "",
	    " ",
	    "1.1.1.1,",
	    "1.1.1.1, 10.0.0.1,,10.0.0.2",
	    "1.1.1.1, unknown",
	    "1.1.1.1, 203.0.113.5:4711",
	    "[2001:db9::1]",
	    "1.1.1.1, 10.0.0.1 10.0.0.2",
	    "203.0.113.5\x01",
	};
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
		assert_string_equal(xff(bads[i], &t), "");
	/* PROXY_XFF_MAX_HOPS trusted hops are walked, not one more. */
	strcpy(many, "203.0.113.5");
	for (int i = 0; i < PROXY_XFF_MAX_HOPS; i++)
		strcat(many, ", 10.0.0.1");
	assert_string_equal(xff(many, &t), "203.0.113.5");
	memmove(many, many + strlen("203.0.113.5, "),
	        strlen(many) - strlen("203.0.113.5, ") + 1);
	strcat(many, ", 10.0.0.1");
	assert_int_equal(strncmp(many, "10.0.0.1", 8), 0);
	memmove(many + 13, many, strlen(many) + 1);
	memcpy(many, "203.0.113.5, ", 13);
	assert_string_equal(xff(many, &t), "");
	/* The value's length bounds it: no NUL needed. */
	struct net_addr a;
	assert_true(proxy_forwarded_for("1.2.3.4, 5.6.7.8", 7, &t, &a));
	assert_string_equal(text(&a), "1.2.3.4");
	net_list_free(&t);
}

static void
test_forwarded_https(void **state)
{
	(void)state;
	assert_true(proxy_forwarded_https("https"));
	assert_true(proxy_forwarded_https(" HTTPS "));
	assert_true(proxy_forwarded_https("http, https"));
	assert_false(proxy_forwarded_https("https, http"));
	assert_false(proxy_forwarded_https("http"));
	assert_false(proxy_forwarded_https(""));
	assert_false(proxy_forwarded_https("httpsx"));
	assert_false(proxy_forwarded_https("https;"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addr),
	    cmocka_unit_test(test_list),
	    cmocka_unit_test(test_v1),
	    cmocka_unit_test(test_v2),
	    cmocka_unit_test(test_forwarded_for),
	    cmocka_unit_test(test_forwarded_https),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
