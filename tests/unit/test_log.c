/* Unit tests for server/log.c: the query-log line from a hand-built
 * query_t and explain_t. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

/* The unit-test targets link only the core library: compile the module in. */
#include "dns/rdata.h"
#include "log.h"

#define W(s) ((const uint8_t *)(s))

/* ---- a small strict JSON checker (RFC 8259), for the JSON lines ---------- */

static const char *js_value(const char *p);

static const char *js_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *js_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20)
			return NULL; /* raw control character (or the end) */
		if (c == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || p[i] == '\0')
						return NULL;
				p += 5;
				continue;
			}
			if (!strchr("\"\\/bfnrt", *p) || *p == '\0')
				return NULL;
		}
		p++;
	}
	return p + 1;
}

static const char *js_number(const char *p)
{
	const char *start = p;
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	return p > start ? p : NULL;
}

static const char *js_value(const char *p)
{
	p = js_ws(p);
	if (*p == '{') {
		p = js_ws(p + 1);
		if (*p == '}')
			return p + 1;
		for (;;) {
			if (!(p = js_string(js_ws(p))))
				return NULL;
			p = js_ws(p);
			if (*p++ != ':' || !(p = js_value(p)))
				return NULL;
			p = js_ws(p);
			if (*p == '}')
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '[') {
		p = js_ws(p + 1);
		if (*p == ']')
			return p + 1;
		for (;;) {
			if (!(p = js_value(p)))
				return NULL;
			p = js_ws(p);
			if (*p == ']')
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '"')
		return js_string(p);
	if (strncmp(p, "true", 4) == 0)
		return p + 4;
	if (strncmp(p, "false", 5) == 0)
		return p + 5;
	if (strncmp(p, "null", 4) == 0)
		return p + 4;
	return js_number(p);
}

/* One JSON object and nothing else. */
static bool json_valid(const char *s)
{
	if (js_ws(s)[0] != '{')
		return false;
	const char *end = js_value(s);
	return end != NULL && *js_ws(end) == '\0';
}

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
	ex->ns[0] = (explain_ns_t){ W("\3ns1\7example\3lab\0"), GLUE_CLASS_IN_DOMAIN, FATE_ADDED, 1,
				    1 };
	ex->ns[1] = (explain_ns_t){ W("\3ns2\7example\3lab\0"), GLUE_CLASS_IN_DOMAIN, FATE_ADDED, 1,
				    0 };
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
	size_t n = log_format_query(buf, sizeof(buf), "127.0.0.1#53000", "tld", false, &q, &ex);
	const char *want =
		"client=127.0.0.1#53000 server=tld udp www.example.lab. A NOERROR qr rd 0/2/4 referral "
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
	ex.ns[2] = (explain_ns_t){ W("\2ns\7example\3lab\0"), GLUE_CLASS_IN_DOMAIN, FATE_NO_ADDRESS,
				   0, 0 };
	ex.ns_total = 20;
	ex.tc = TC_REQUIRED_GLUE;
	ex.flags = DNS_QR | DNS_TC;
	ex.size = 500;
	ex.limit = 512;
	log_format_query(buf, sizeof(buf), "::1#4242", "tld", true, &q, &ex);
	assert_string_equal(
		buf,
		"client=::1#4242 server=tld tcp WwW.example.lab. AAAA NOERROR qr tc 0/2/4 referral "
		"zone=lab. cut=example.lab. policy=in-domain "
		"ns=ns1.example.lab.(in-domain:size) ns.side.lab.(sibling:policy) "
		"ns.example.lab.(in-domain:no-address) +17 more "
		"tc=yes(required-glue) size=500/512");
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
	log_format_query(buf, sizeof(buf), "192.0.2.1#1", "child", false, &q, &ex);
	assert_string_equal(
		buf, "client=192.0.2.1#1 server=child udp www.lab. A NOERROR qr aa 1/0/0 answer "
		     "wildcard cnames=2 zone=lab. tc=no size=52/1232");

	/* DO=1 to a signed zone: which signatures and proofs went in. */
	ex.dnssec = true;
	ex.rrsigs = 4;
	ex.nsecs = 3;
	ex.count[1] = 6;
	log_format_query(buf, sizeof(buf), "192.0.2.1#1", "child", false, &q, &ex);
	assert_string_equal(
		buf, "client=192.0.2.1#1 server=child udp www.lab. A NOERROR qr aa 1/6/0 answer "
		     "wildcard cnames=2 dnssec=signed rrsig=4 nsec=3 zone=lab. tc=no size=52/1232");
	log_format_query_json(buf, sizeof(buf), "c", "child", false, &q, &ex);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "\"dnssec\":true,\"rrsigs\":4,\"nsecs\":3"));

	/* REFUSED: no zone; an unknown type; a header without flags. */
	make_query(&q, "\3foo\0", 5, 65280);
	memset(&ex, 0, sizeof(ex));
	ex.kind = ANSWER_REFUSED;
	ex.rcode = RCODE_REFUSED;
	ex.size = 23;
	ex.limit = 512;
	log_format_query(buf, sizeof(buf), "c", NULL, false, &q, &ex);
	assert_string_equal(buf,
			    "client=c server=- udp foo. TYPE65280 REFUSED - 0/0/0 refused tc=no "
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
	log_format_query(buf, sizeof(buf), "c", "s", true, &q, &ex);
	assert_string_equal(buf,
			    "client=c server=s tcp - FORMERR qr 0/0/0 error tc=no size=12/512");

	log_format_query(buf, sizeof(buf), "c", "s", false, &q, NULL);
	assert_string_equal(buf, "client=c server=s udp - dropped");
	log_format_query(buf, sizeof(buf), NULL, NULL, false, NULL, NULL);
	assert_string_equal(buf, "client=? server=- udp - dropped");
}

static void test_truncation(void **state)
{
	query_t q;
	explain_t ex;
	char full[LOG_QUERY_MAX], small[40];

	make_query(&q, "\3www\7example\3lab", 17, RR_A);
	make_referral(&ex);
	size_t n = log_format_query(full, sizeof(full), "127.0.0.1#53000", "tld", false, &q, &ex);
	/* A short buffer gets a prefix, NUL-terminated, and never overflows. */
	memset(small, 'X', sizeof(small));
	size_t m = log_format_query(small, sizeof(small), "127.0.0.1#53000", "tld", false, &q, &ex);
	assert_int_equal(m, sizeof(small) - 1);
	assert_int_equal(small[sizeof(small) - 1], '\0');
	assert_memory_equal(small, full, m);
	assert_true(n > m);
	assert_int_equal(log_format_query(small, 0, "c", "s", false, &q, &ex), 0);
	assert_int_equal(log_format_query(small, 1, "c", "s", false, &q, &ex), 0);
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
	size_t n = log_format_query(buf, sizeof(buf), "127.0.0.1#1", "tld", false, &q, &ex);
	assert_true(n < sizeof(buf) - 1);
	assert_non_null(strstr(buf, " tc=no size=181/1232"));
	/* JSON: the whole object, so still valid, with every entry. */
	n = log_format_query_json(buf, sizeof(buf), "127.0.0.1#1", "tld", false, &q, &ex);
	assert_true(n < sizeof(buf) - 1);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "\"ns_total\":16,"));
	assert_non_null(strstr(buf, "\"limit\":1232}"));
}

static void test_json_checker(void **state)
{
	/* The checker itself: it must say no to what is not JSON. */
	assert_true(json_valid("{}"));
	assert_true(json_valid("{\"a\":[1,-2,true,null,\"x\\u00e9\\n\"],\"b\":{\"c\":0}}"));
	assert_false(json_valid("{\"a\":1,}"));
	assert_false(json_valid("{\"a\":\"\x01\"}"));
	assert_false(json_valid("{\"a\":\"\\x\"}"));
	assert_false(json_valid("{\"a\":01}"));
	assert_false(json_valid("{\"a\":1} x"));
	assert_false(json_valid("{\"a\":1"));
}

/* The fields the lab's policies and faults add to the text line. */
static void test_text_policy_fields(void **state)
{
	query_t q;
	explain_t ex;
	fault_t lame = { .action = FAULT_LAME, .every = 1, .where = "lab.yaml:40" };
	fault_t delay = { .action = FAULT_DELAY, .every = 1, .delay_ms = 1500 };
	char buf[LOG_QUERY_MAX];

	/* Legacy truncation that dropped required glue, a wrong-glue fate,
	 * a lame fault: all named. */
	make_query(&q, "\3www\7example\3lab", 17, RR_A);
	make_referral(&ex);
	ex.policy = GLUE_WRONG;
	ex.ns[0].fate = FATE_WRONG;
	ex.ns[1].fate = FATE_WRONG;
	ex.truncation = TRUNC_LEGACY;
	ex.legacy_dropped = true;
	ex.fault = &lame;
	log_format_query(buf, sizeof(buf), "127.0.0.1#1", "tld", false, &q, &ex);
	assert_string_equal(
		buf,
		"client=127.0.0.1#1 server=tld udp www.example.lab. A NOERROR qr rd 0/2/4 "
		"referral zone=lab. cut=example.lab. policy=wrong "
		"ns=ns1.example.lab.(in-domain:wrong A+AAAA) ns2.example.lab.(in-domain:wrong A) "
		"ns.other.test.(out-of-zone:never) truncation=legacy legacy-dropped "
		"fault=lame(lab.yaml:40) tc=no size=181/1232");

	/* "always": TC on every UDP answer; a delay fault without a place. */
	memset(&ex, 0, sizeof(ex));
	ex.kind = ANSWER_POSITIVE;
	ex.zone = W("\3lab\0");
	ex.truncation = TRUNC_ALWAYS;
	ex.tc = TC_ALWAYS;
	ex.flags = DNS_QR | DNS_AA | DNS_TC;
	ex.fault = &delay;
	ex.delay_ms = 1500;
	ex.size = 33;
	ex.limit = 1232;
	log_format_query(buf, sizeof(buf), "c", "tld", false, &q, &ex);
	assert_string_equal(buf,
			    "client=c server=tld udp www.example.lab. A NOERROR qr aa tc 0/0/0 "
			    "answer zone=lab. truncation=always fault=delay delay=1500ms "
			    "tc=yes(always) size=33/1232");

	/* TC because the answer itself did not fit. */
	ex.truncation = TRUNC_RFC9471;
	ex.tc = TC_SIZE;
	ex.fault = NULL;
	ex.delay_ms = 0;
	log_format_query(buf, sizeof(buf), "c", "tld", false, &q, &ex);
	assert_non_null(strstr(buf, " answer zone=lab. tc=yes(size) size=33/1232"));
}

static void test_text_fault_drop(void **state)
{
	query_t q;
	explain_t ex;
	fault_t drop = { .action = FAULT_DROP, .every = 1, .where = "lab.yaml:7" };
	char buf[LOG_QUERY_MAX];

	make_query(&q, "\3www\3lab", 9, RR_AAAA);
	memset(&ex, 0, sizeof(ex));
	ex.kind = ANSWER_FAULT;
	ex.zone = W("\3lab\0");
	ex.fault = &drop;
	log_format_query(buf, sizeof(buf), "c", "root", true, &q, &ex);
	assert_string_equal(buf, "client=c server=root tcp www.lab. AAAA dropped zone=lab. "
				 "fault=drop(lab.yaml:7)");
	/* Other faults: the answer they made, and the fault. */
	fault_t sf = { .action = FAULT_SERVFAIL, .every = 3, .where = "x.yaml:2" };
	ex.fault = &sf;
	ex.rcode = RCODE_SERVFAIL;
	ex.flags = DNS_QR;
	ex.size = 29;
	ex.limit = 65535;
	log_format_query(buf, sizeof(buf), "c", "root", true, &q, &ex);
	assert_string_equal(buf, "client=c server=root tcp www.lab. AAAA SERVFAIL qr 0/0/0 fault "
				 "zone=lab. fault=servfail(x.yaml:2) tc=no size=29/65535");
	/* The Extended DNS Error the encoder sent, by its code. */
	ex.ede_sent = true;
	ex.ede = 14;
	ex.size = 35;
	log_format_query(buf, sizeof(buf), "c", "root", true, &q, &ex);
	assert_string_equal(buf, "client=c server=root tcp www.lab. AAAA SERVFAIL qr 0/0/0 fault "
				 "zone=lab. fault=servfail(x.yaml:2) ede=14 tc=no size=35/65535");
	log_format_query_json(buf, sizeof(buf), "c", "root", true, &q, &ex);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "\"delay_ms\":0,\"ede\":14,\"size\":35,"));
	/* A drop sends nothing, so no EDE either. */
	ex.fault = &drop;
	log_format_query_json(buf, sizeof(buf), "c", "root", true, &q, &ex);
	assert_non_null(strstr(buf, "\"ede\":null,"));
}

/* Where the glue rule and the truncation came from: "(control)" in the
 * text for a rule gluectl set; every where in the JSON. */
static void test_rule_where(void **state)
{
	query_t q;
	explain_t ex;
	char buf[LOG_QUERY_MAX];

	make_query(&q, "\3www\7example\3lab", 17, RR_A);
	make_referral(&ex);
	ex.policy = GLUE_NONE;
	ex.policy_where = "control";
	ex.truncation = TRUNC_LEGACY;
	ex.truncation_where = "control";
	log_format_query(buf, sizeof(buf), "c", "tld", false, &q, &ex);
	assert_non_null(strstr(buf, " cut=example.lab. policy=none(control) ns=ns1.example.lab."));
	assert_non_null(strstr(buf, " truncation=legacy(control) tc=no "));
	log_format_query_json(buf, sizeof(buf), "c", "tld", false, &q, &ex);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "\"policy\":\"none\",\"policy_where\":\"control\","
				    "\"truncation\":\"legacy\",\"truncation_where\":\"control\","));

	/* The file's rules: the text stays as it was (the banner has their
	 * lines); the JSON says where. The defaults say so. */
	ex.policy_where = "lab.yaml:40";
	ex.truncation_where = "lab.yaml:41";
	log_format_query(buf, sizeof(buf), "c", "tld", false, &q, &ex);
	assert_non_null(strstr(buf, " policy=none ns=ns1.example.lab."));
	assert_non_null(strstr(buf, " truncation=legacy tc=no "));
	assert_null(strstr(buf, "lab.yaml"));
	log_format_query_json(buf, sizeof(buf), "c", "tld", false, &q, &ex);
	assert_non_null(strstr(buf, "\"policy_where\":\"lab.yaml:40\","));
	assert_non_null(strstr(buf, "\"truncation_where\":\"lab.yaml:41\","));
	ex.policy = GLUE_FULL;
	ex.policy_where = "default";
	ex.truncation = TRUNC_RFC9471;
	ex.truncation_where = "";
	log_format_query(buf, sizeof(buf), "c", "tld", false, &q, &ex);
	assert_non_null(strstr(buf, " policy=full ns="));
	log_format_query_json(buf, sizeof(buf), "c", "tld", false, &q, &ex);
	assert_non_null(strstr(buf, "\"policy_where\":\"default\","));
	assert_non_null(strstr(buf, "\"truncation_where\":null,"));

	/* Not a referral: no policy, so no policy_where either. */
	ex.kind = ANSWER_POSITIVE;
	ex.policy_where = "control";
	ex.truncation = TRUNC_ALWAYS;
	ex.truncation_where = "control";
	log_format_query(buf, sizeof(buf), "c", "tld", false, &q, &ex);
	assert_null(strstr(buf, "policy="));
	assert_non_null(strstr(buf, " truncation=always(control) "));
	log_format_query_json(buf, sizeof(buf), "c", "tld", false, &q, &ex);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "\"policy\":null,\"policy_where\":null,"));
}

static void test_json_referral(void **state)
{
	query_t q;
	explain_t ex;
	char buf[LOG_QUERY_MAX];

	make_query(&q, "\3www\7example\3lab", 17, RR_A);
	make_referral(&ex);
	size_t n =
		log_format_query_json(buf, sizeof(buf), "127.0.0.1#53000", "tld", false, &q, &ex);
	const char *want =
		"{\"client\":\"127.0.0.1#53000\",\"server\":\"tld\",\"transport\":\"udp\","
		"\"qname\":\"www.example.lab.\",\"qtype\":\"A\",\"qclass\":1,\"dropped\":false,"
		"\"rcode\":\"NOERROR\",\"flags\":[\"qr\",\"rd\"],"
		"\"counts\":{\"answer\":0,\"authority\":2,\"additional\":4},"
		"\"kind\":\"referral\",\"wildcard\":false,\"cnames\":0,\"dnssec\":false,\"rrsigs\":0,\"nsecs\":0,\"zone\":\"lab.\","
		"\"cut\":\"example.lab.\",\"policy\":\"full\",\"policy_where\":null,"
		"\"truncation\":\"rfc9471\",\"truncation_where\":null,"
		"\"legacy_dropped\":false,\"ns\":["
		"{\"name\":\"ns1.example.lab.\",\"class\":\"in-domain\",\"fate\":\"glue\",\"a\":1,\"aaaa\":1},"
		"{\"name\":\"ns2.example.lab.\",\"class\":\"in-domain\",\"fate\":\"glue\",\"a\":1,\"aaaa\":0},"
		"{\"name\":\"ns.other.test.\",\"class\":\"out-of-zone\",\"fate\":\"never\",\"a\":0,\"aaaa\":0}],"
		"\"ns_total\":3,\"tc\":false,\"tc_reason\":null,\"fault\":null,\"dnssec_fault\":null,\"delay_ms\":0,"
		"\"ede\":null,\"size\":181,\"limit\":1232}";
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
	assert_true(json_valid(buf));
}

static void test_json_fields(void **state)
{
	query_t q;
	explain_t ex;
	fault_t lame = { .action = FAULT_LAME, .every = 1, .where = "a\"b\\c.yaml:4" };
	char buf[LOG_QUERY_MAX];

	/* Policies, TC, a fault whose place needs escaping, a delay. */
	make_query(&q, "\3www\7example\3lab", 17, RR_A);
	make_referral(&ex);
	ex.policy = GLUE_PARTIAL;
	ex.ns[1].fate = FATE_POLICY;
	ex.truncation = TRUNC_LEGACY;
	ex.legacy_dropped = true;
	ex.tc = TC_REQUIRED_GLUE;
	ex.flags = DNS_QR | DNS_TC;
	ex.fault = &lame;
	ex.delay_ms = 250;
	log_format_query_json(buf, sizeof(buf), "::1#5", "a-b", true, &q, &ex);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "\"transport\":\"tcp\""));
	assert_non_null(strstr(buf, "\"flags\":[\"qr\",\"tc\"]"));
	assert_non_null(strstr(buf, "\"policy\":\"partial\",\"policy_where\":null,"
				    "\"truncation\":\"legacy\",\"truncation_where\":null,"
				    "\"legacy_dropped\":true"));
	assert_non_null(strstr(buf, "\"fate\":\"policy\""));
	assert_non_null(strstr(buf, "\"tc\":true,\"tc_reason\":\"required-glue\""));
	assert_non_null(
		strstr(buf, "\"fault\":{\"action\":\"lame\",\"where\":\"a\\\"b\\\\c.yaml:4\"}"));
	assert_non_null(strstr(buf, "\"delay_ms\":250,"));

	/* Not a referral: no cut, policy or ns; TC always; wildcard; CNAMEs. */
	memset(&ex, 0, sizeof(ex));
	ex.kind = ANSWER_POSITIVE;
	ex.zone = W("\3lab\0");
	ex.truncation = TRUNC_ALWAYS;
	ex.tc = TC_ALWAYS;
	ex.wildcard = true;
	ex.cnames = 2;
	ex.flags = DNS_QR | DNS_AA | DNS_TC;
	ex.size = 40;
	ex.limit = 512;
	log_format_query_json(buf, sizeof(buf), "c", "s", false, &q, &ex);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "\"kind\":\"answer\",\"wildcard\":true,\"cnames\":2,"
				    "\"dnssec\":false,\"rrsigs\":0,\"nsecs\":0,"
				    "\"zone\":\"lab.\",\"cut\":null,\"policy\":null,"
				    "\"policy_where\":null,\"truncation\":\"always\""));
	assert_non_null(
		strstr(buf, "\"ns\":[],\"ns_total\":0,\"tc\":true,\"tc_reason\":\"always\""));
	assert_non_null(strstr(buf, "\"size\":40,\"limit\":512}"));

	/* A class other than IN; a name and a client that need escaping. */
	make_query(&q, "\4a\"b\\\3lab", 10, RR_TXT);
	q.qclass = 3;
	log_format_query_json(buf, sizeof(buf), "x\001\xe9", NULL, false, &q, &ex);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "\"client\":\"x\\u0001\\u00e9\",\"server\":null"));
	/* name_to_text gives a\"b\\.lab.; JSON escapes each of those. */
	assert_non_null(strstr(buf, "\"qname\":\"a\\\\\\\"b\\\\\\\\.lab.\""));
	assert_non_null(strstr(buf, "\"qtype\":\"TXT\",\"qclass\":3"));
}

static void test_json_dropped(void **state)
{
	query_t q;
	explain_t ex;
	fault_t drop = { .action = FAULT_DROP, .every = 2, .where = "lab.yaml:7" };
	char buf[LOG_QUERY_MAX];

	/* Malformed: nothing known but the client. */
	log_format_query_json(buf, sizeof(buf), "c", "s", false, NULL, NULL);
	assert_true(json_valid(buf));
	assert_string_equal(
		buf,
		"{\"client\":\"c\",\"server\":\"s\",\"transport\":\"udp\",\"qname\":null,"
		"\"qtype\":null,\"qclass\":null,\"dropped\":true,\"rcode\":null,\"flags\":[],"
		"\"counts\":null,\"kind\":null,\"wildcard\":false,\"cnames\":0,\"dnssec\":false,"
		"\"rrsigs\":0,\"nsecs\":0,\"zone\":null,"
		"\"cut\":null,\"policy\":null,\"policy_where\":null,\"truncation\":null,"
		"\"truncation_where\":null,\"legacy_dropped\":false,"
		"\"ns\":[],\"ns_total\":0,\"tc\":false,\"tc_reason\":null,\"fault\":null,"
		"\"dnssec_fault\":null,\"delay_ms\":0,\"ede\":null,\"size\":0,\"limit\":0}");
	/* A header-only FORMERR: no question. */
	memset(&q, 0, sizeof(q));
	memset(&ex, 0, sizeof(ex));
	ex.kind = ANSWER_ERROR;
	ex.rcode = RCODE_FORMERR;
	ex.flags = DNS_QR;
	ex.size = 12;
	ex.limit = 512;
	log_format_query_json(buf, sizeof(buf), "c", "s", true, &q, &ex);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf,
			       "\"qname\":null,\"qtype\":null,\"qclass\":null,\"dropped\":false,"
			       "\"rcode\":\"FORMERR\""));
	/* A drop fault: dropped, with the zone and the fault. */
	make_query(&q, "\3www\3lab", 9, RR_A);
	memset(&ex, 0, sizeof(ex));
	ex.kind = ANSWER_FAULT;
	ex.zone = W("\3lab\0");
	ex.fault = &drop;
	log_format_query_json(buf, sizeof(buf), "c", "s", false, &q, &ex);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "\"dropped\":true,\"rcode\":null"));
	assert_non_null(strstr(buf, "\"zone\":\"lab.\""));
	assert_non_null(strstr(buf, "\"fault\":{\"action\":\"drop\",\"where\":\"lab.yaml:7\"}"));
	/* A short buffer never overflows. */
	char small[16];
	assert_int_equal(log_format_query_json(small, sizeof(small), "c", "s", false, &q, &ex), 15);
	assert_int_equal(log_format_query_json(small, 0, "c", "s", false, &q, &ex), 0);
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
		cmocka_unit_test(test_json_checker),
		cmocka_unit_test(test_text_policy_fields),
		cmocka_unit_test(test_text_fault_drop),
		cmocka_unit_test(test_rule_where),
		cmocka_unit_test(test_json_referral),
		cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_json_dropped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
