/* Unit tests for server/log.c: the query-log line from a hand-built
 * query_t and explain_t. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

/* The unit-test targets link only the core library: compile the module in. */
#include "../../server/log.c"

#define W(s) ((const uint8_t *)(s))

static void make_query(query_t *q, const char *wire, size_t len, uint16_t qtype)
{
	memset(q, 0, sizeof(*q));
	q->has_question = true;
	memcpy(q->qname, wire, len);
	q->qname_len = (uint8_t)len;
	q->qtype = qtype;
	q->qclass = CLASS_IN;
	q->flags = DNS_RD;
	q->edns = true;
	q->edns_size = 4096;
}

/* The referral of the lab: two in-domain NS with glue, one out of zone. */
static void make_referral(explain_t *ex)
{
	memset(ex, 0, sizeof(*ex));
	ex->kind = ANSWER_REFERRAL;
	ex->zone = W("\3lab\0");
	ex->cut = W("\7example\3lab\0");
	ex->policy = GLUE_FULL;
	ex->nns = 3;
	ex->ns_total = 3;
	ex->ns[0] = (explain_ns_t){ W("\3ns1\7example\3lab\0"), GLUE_CLASS_IN_DOMAIN, FATE_ADDED,
				    1, 1 };
	ex->ns[1] = (explain_ns_t){ W("\3ns2\7example\3lab\0"), GLUE_CLASS_IN_DOMAIN, FATE_ADDED,
				    1, 0 };
	ex->ns[2] = (explain_ns_t){ W("\2ns\5other\4test\0"), GLUE_CLASS_OUT_OF_ZONE,
				    FATE_OUT_OF_ZONE, 0, 0 };
	ex->tc = TC_NONE;
	ex->flags = DNS_QR | DNS_RD;
	ex->rcode = RCODE_NOERROR;
	ex->count[0] = 0;
	ex->count[1] = 2;
	ex->count[2] = 4;
	ex->size = 181;
	ex->limit = 1232;
}

static void test_referral_line(void **state)
{
	query_t q;
	explain_t ex;
	char buf[LOG_QUERY_MAX];

	make_query(&q, "\3www\7example\3lab", 17, RR_A);
	make_referral(&ex);
	size_t n = log_format_query(buf, sizeof(buf), "127.0.0.1#53000", false, &q, &ex);
	const char *want =
		"client=127.0.0.1#53000 udp www.example.lab. A NOERROR qr rd 0/2/4 referral "
		"zone=lab. cut=example.lab. policy=full "
		"ns=ns1.example.lab.(in-domain:glue A+AAAA) ns2.example.lab.(in-domain:glue A) "
		"ns.other.test.(out-of-zone:never) tc=no size=181/1232";
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void test_referral_tc_and_fates(void **state)
{
	query_t q;
	explain_t ex;
	char buf[LOG_QUERY_MAX];

	/* The client's case is kept; the NS list says what was left out. */
	make_query(&q, "\3WwW\7example\3lab", 17, RR_AAAA);
	make_referral(&ex);
	ex.policy = GLUE_IN_DOMAIN;
	ex.ns[0].fate = FATE_SIZE;
	ex.ns[1] = (explain_ns_t){ W("\2ns\4side\3lab\0"), GLUE_CLASS_SIBLING, FATE_POLICY, 1, 0 };
	ex.ns[2] = (explain_ns_t){ W("\2ns\7example\3lab\0"), GLUE_CLASS_IN_DOMAIN,
				   FATE_NO_ADDRESS, 0, 0 };
	ex.ns_total = 20;
	ex.tc = TC_REQUIRED_GLUE;
	ex.flags = DNS_QR | DNS_TC;
	ex.size = 500;
	ex.limit = 512;
	log_format_query(buf, sizeof(buf), "::1#4242", true, &q, &ex);
	assert_string_equal(buf,
			    "client=::1#4242 tcp WwW.example.lab. AAAA NOERROR qr tc 0/2/4 referral "
			    "zone=lab. cut=example.lab. policy=in-domain "
			    "ns=ns1.example.lab.(in-domain:size) ns.side.lab.(sibling:policy) "
			    "ns.example.lab.(in-domain:no-address) +17 more "
			    "tc=required-glue size=500/512");
}

static void test_answer_and_negative(void **state)
{
	query_t q;
	explain_t ex;
	char buf[LOG_QUERY_MAX];

	make_query(&q, "\3www\3lab", 9, RR_A);
	memset(&ex, 0, sizeof(ex));
	ex.kind = ANSWER_POSITIVE;
	ex.zone = W("\3lab\0");
	ex.flags = DNS_QR | DNS_AA;
	ex.count[0] = 1;
	ex.size = 52;
	ex.limit = 1232;
	ex.wildcard = true;
	ex.cnames = 2;
	log_format_query(buf, sizeof(buf), "192.0.2.1#1", false, &q, &ex);
	assert_string_equal(buf, "client=192.0.2.1#1 udp www.lab. A NOERROR qr aa 1/0/0 answer "
				 "wildcard cnames=2 zone=lab. tc=no size=52/1232");

	/* REFUSED: no zone; an unknown type; a header without flags. */
	make_query(&q, "\3foo\0", 5, 65280);
	memset(&ex, 0, sizeof(ex));
	ex.kind = ANSWER_REFUSED;
	ex.rcode = RCODE_REFUSED;
	ex.size = 23;
	ex.limit = 512;
	log_format_query(buf, sizeof(buf), "c", false, &q, &ex);
	assert_string_equal(buf, "client=c udp foo. TYPE65280 REFUSED - 0/0/0 refused tc=no "
				 "size=23/512");
}

static void test_no_question_and_drop(void **state)
{
	query_t q;
	explain_t ex;
	char buf[LOG_QUERY_MAX];

	memset(&q, 0, sizeof(q));
	memset(&ex, 0, sizeof(ex));
	ex.kind = ANSWER_ERROR;
	ex.rcode = RCODE_FORMERR;
	ex.flags = DNS_QR;
	ex.size = 12;
	ex.limit = 512;
	log_format_query(buf, sizeof(buf), "c", true, &q, &ex);
	assert_string_equal(buf, "client=c tcp - FORMERR qr 0/0/0 error tc=no size=12/512");

	log_format_query(buf, sizeof(buf), "c", false, &q, NULL);
	assert_string_equal(buf, "client=c udp - dropped");
	log_format_query(buf, sizeof(buf), NULL, false, NULL, NULL);
	assert_string_equal(buf, "client=? udp - dropped");
}

static void test_truncation(void **state)
{
	query_t q;
	explain_t ex;
	char full[LOG_QUERY_MAX], small[40];

	make_query(&q, "\3www\7example\3lab", 17, RR_A);
	make_referral(&ex);
	size_t n = log_format_query(full, sizeof(full), "127.0.0.1#53000", false, &q, &ex);
	/* A short buffer gets a prefix, NUL-terminated, and never overflows. */
	memset(small, 'X', sizeof(small));
	size_t m = log_format_query(small, sizeof(small), "127.0.0.1#53000", false, &q, &ex);
	assert_int_equal(m, sizeof(small) - 1);
	assert_int_equal(small[sizeof(small) - 1], '\0');
	assert_memory_equal(small, full, m);
	assert_true(n > m);
	assert_int_equal(log_format_query(small, 0, "c", false, &q, &ex), 0);
	assert_int_equal(log_format_query(small, 1, "c", false, &q, &ex), 0);
	assert_string_equal(small, "");
}

static void test_all_ns(void **state)
{
	query_t q;
	explain_t ex;
	char buf[LOG_QUERY_MAX];

	/* EXPLAIN_MAX_NS long names still fit the log line. */
	make_query(&q, "\3www\7example\3lab", 17, RR_A);
	make_referral(&ex);
	static uint8_t names[EXPLAIN_MAX_NS][NAME_MAXLEN];
	for (int i = 0; i < EXPLAIN_MAX_NS; i++) {
		uint8_t *p = names[i];
		for (int l = 0; l < 3; l++) {
			*p++ = 63;
			memset(p, 'a' + i, 63);
			p += 63;
		}
		memcpy(p, "\7example\3lab", 13);
		ex.ns[i] = (explain_ns_t){ names[i], GLUE_CLASS_IN_DOMAIN, FATE_ADDED, 1, 1 };
	}
	ex.nns = ex.ns_total = EXPLAIN_MAX_NS;
	size_t n = log_format_query(buf, sizeof(buf), "127.0.0.1#1", false, &q, &ex);
	assert_true(n < sizeof(buf) - 1);
	assert_non_null(strstr(buf, " tc=no size=181/1232"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_referral_line),
		cmocka_unit_test(test_referral_tc_and_fates),
		cmocka_unit_test(test_answer_and_negative),
		cmocka_unit_test(test_no_question_and_drop),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_all_ns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
