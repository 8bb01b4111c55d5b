/* Unit tests for server/yamlconf.c: the YAML configuration -> srvconf_t.
 * Every key, the defaults, and every error with its line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* The unit-test targets link only the core library (and libyaml for this
 * one): compile the modules in. */
#include "config.h"
#include "dns/rdata.h"
#include "yamlconf.h"

#define YDIR TEST_DATA_DIR "/yaml"

static int parse_text(const char *text, srvconf_t *sc, char *err, size_t errcap)
{
	return yamlconf_parse("t.yaml", text, strlen(text), sc, err, errcap);
}

static const uint8_t *wire(const char *text, uint8_t *buf)
{
	uint8_t tmp[NAME_MAXLEN];
	assert_true(name_from_text(text, strlen(text), (const uint8_t *)"", tmp) > 0);
	name_lower(buf, tmp);
	return buf;
}

static void assert_name(const uint8_t *got, const char *want)
{
	uint8_t w[NAME_MAXLEN];
	wire(want, w);
	if (!name_equal(got, w)) {
		char text[NAME_TEXT_MAX];
		name_to_text(got, text, sizeof(text));
		fail_msg("name %s, want %s", text, want);
	}
}

static void test_full(void **state)
{
	srvconf_t sc;
	char err[512];

	int r = yamlconf_load(YDIR "/full.yaml", &sc, err, sizeof(err));
	if (r != 0)
		fail_msg("%s", err);
	assert_string_equal(sc.file, YDIR "/full.yaml");
	assert_int_equal(sc.port, 5353);
	assert_int_equal(sc.nservers, 2);

	/* Server 1: addresses with and without a port, the file's port as
	 * the default; a server rule; two faults. */
	const vserver_t *v = &sc.servers[0];
	assert_string_equal(v->name, "tld");
	assert_string_equal(v->spec.name, "tld");
	assert_string_equal(v->spec.where, "full.yaml:4");
	assert_int_equal(v->nlisten, 3);
	assert_string_equal(v->listen[0].text, "127.0.1.1:5353");
	assert_string_equal(v->listen[1].text, "127.0.1.2:5301");
	assert_string_equal(v->listen[2].text, "[::1]:5302");
	assert_int_equal(v->spec.rule.mode, GLUE_PARTIAL);
	assert_int_equal(v->spec.rule.first, 2);
	assert_int_equal(v->spec.rule.nnames, 0);
	assert_int_equal(v->spec.rule.truncation, TRUNC_LEGACY);
	assert_int_equal(v->spec.nfaults, 2);
	const fault_t *f = &v->spec.faults[0];
	assert_int_equal(f->action, FAULT_SERVFAIL);
	assert_true(f->has_name);
	assert_name(f->name, "sf.lab.");
	assert_int_equal(f->type, RR_AAAA);
	assert_int_equal(f->every, 3);
	/* Its default Extended DNS Error: 14 Not Ready, no text. */
	assert_true(f->has_ede);
	assert_int_equal(f->ede_code, 14);
	assert_int_equal(f->ede_textlen, 0);
	assert_string_equal(f->where, "full.yaml:10");
	f = &v->spec.faults[1];
	assert_int_equal(f->action, FAULT_UPWARD);
	assert_false(f->has_name);
	assert_int_equal(f->type, 0);
	assert_int_equal(f->every, 1);
	assert_false(f->has_ede); /* only refuse and servfail send one */
	assert_int_equal(f->nupward, 2);
	assert_name(f->upward[0], "a.root-servers.net.");
	assert_name(f->upward[1], "b.root-servers.net.");
	assert_string_equal(f->where, "full.yaml:14");

	/* Its first zone: relative to the YAML file; a wrong rule; faults of
	 * every other action; three delegations. */
	assert_int_equal(v->spec.nzones, 2);
	const zone_spec_t *z = &v->spec.zones[0];
	assert_string_equal(z->file, YDIR "/../diff/parent.zone");
	assert_string_equal(z->origin, "test.");
	assert_string_equal(v->spec.zones[0].where, "full.yaml:17");
	assert_int_equal(z->rule.mode, GLUE_WRONG);
	assert_true(z->rule.has_wrong_a);
	assert_true(z->rule.has_wrong_aaaa);
	assert_memory_equal(z->rule.wrong_a, "\x7f\x00\x09\x09", 4);
	uint8_t v6[16];
	inet_pton(AF_INET6, "fd00::99", v6);
	assert_memory_equal(z->rule.wrong_aaaa, v6, 16);
	assert_int_equal(z->rule.truncation, TRUNC_ALWAYS);
	assert_int_equal(z->nfaults, 5);
	assert_int_equal(z->faults[0].action, FAULT_DELAY);
	assert_int_equal(z->faults[0].delay_ms, 1500);
	assert_int_equal(z->faults[1].action, FAULT_DELAY);
	assert_int_equal(z->faults[1].delay_ms, 2000);
	assert_name(z->faults[1].name, "slow.test.");
	assert_int_equal(z->faults[2].action, FAULT_DROP);
	assert_int_equal(z->faults[3].action, FAULT_REFUSE);
	assert_true(z->faults[3].has_ede);
	assert_int_equal(z->faults[3].ede_code, 20);
	assert_int_equal(z->faults[3].ede_textlen, 15);
	assert_string_equal(z->faults[3].ede_text, "not served here");
	assert_false(z->faults[2].has_ede);
	assert_int_equal(z->faults[4].action, FAULT_LAME);
	assert_string_equal(z->faults[4].where, "full.yaml:32");
	assert_int_equal(z->ndelegs, 3);
	assert_name(z->delegs[0].name, "child.test.");
	assert_int_equal(z->delegs[0].rule.mode, GLUE_NONE);
	assert_int_equal(z->delegs[0].rule.truncation, TRUNC_INHERIT);
	assert_string_equal(z->delegs[0].where, "full.yaml:34");
	assert_name(z->delegs[1].name, "mixed.test.");
	assert_int_equal(z->delegs[1].rule.mode, GLUE_PARTIAL);
	assert_int_equal(z->delegs[1].rule.first, 0);
	assert_int_equal(z->delegs[1].rule.nnames, 2);
	assert_name(z->delegs[1].rule.names[0], "ns.sb.test.");
	assert_name(z->delegs[1].rule.names[1], "ns.mixed.test.");
	assert_int_equal(z->delegs[1].rule.truncation, TRUNC_RFC9471);
	assert_int_equal(z->delegs[2].rule.mode, GLUE_INHERIT);
	assert_int_equal(z->delegs[2].rule.truncation, TRUNC_LEGACY);

	/* Its second zone: an absolute path stays; nothing else set. */
	z = &v->spec.zones[1];
	assert_string_equal(z->file, "/abs/child.zone");
	assert_null(z->origin);
	assert_int_equal(z->rule.mode, GLUE_INHERIT);
	assert_int_equal(z->rule.truncation, TRUNC_INHERIT);
	assert_int_equal(z->nfaults, 0);
	assert_int_equal(z->ndelegs, 0);

	/* Server 2: one address as a plain value; no zones at all. */
	v = &sc.servers[1];
	assert_string_equal(v->name, "child-2");
	assert_int_equal(v->nlisten, 1);
	assert_string_equal(v->listen[0].text, "127.0.2.1:5353");
	assert_int_equal(v->spec.rule.mode, GLUE_IN_DOMAIN);
	assert_int_equal(v->spec.nzones, 0);
	assert_int_equal(v->spec.nfaults, 0);

	/* Scenarios. */
	assert_int_equal(sc.nscenarios, 2);
	const scenario_t *s = &sc.scenarios[0];
	assert_string_equal(s->name, "no-glue");
	assert_string_equal(s->title, "in-domain NS, glue removed by policy");
	assert_int_equal(s->server, 1);
	assert_string_equal(s->qname, "www.nog.lab.");
	assert_string_equal(s->qtype, "AAAA");
	assert_string_equal(s->resolver, "SERVFAIL");
	assert_null(s->answer);
	assert_int_equal(s->dnssec, SCENARIO_DNSSEC_NONE);
	assert_string_equal(s->where, "full.yaml:48");
	s = &sc.scenarios[1];
	assert_string_equal(s->name, "Ok_1.x");
	assert_int_equal(s->server, 0);
	assert_string_equal(s->qname, "www.good.lab");
	assert_string_equal(s->qtype, "A");
	assert_string_equal(s->resolver, "NOERROR");
	assert_string_equal(s->answer, "192.0.2.1");
	assert_int_equal(s->dnssec, SCENARIO_DNSSEC_SECURE);

	assert_int_equal(srvconf_nlisten(&sc), 4);
	srvconf_free(&sc);
	assert_null(sc.servers);
}

static void test_minimal_defaults(void **state)
{
	srvconf_t sc;
	char err[512];

	int r = yamlconf_load(YDIR "/minimal.yaml", &sc, err, sizeof(err));
	if (r != 0)
		fail_msg("%s", err);
	assert_int_equal(sc.port, 53);
	assert_int_equal(sc.nservers, 1);
	assert_int_equal(sc.nscenarios, 0);
	assert_null(sc.scenarios);
	const vserver_t *v = &sc.servers[0];
	assert_string_equal(v->listen[0].text, "127.0.0.1:53");
	/* Every rule inherits: the engine's defaults are RFC 9471. */
	assert_int_equal(v->spec.rule.mode, GLUE_INHERIT);
	assert_int_equal(v->spec.rule.truncation, TRUNC_INHERIT);
	assert_int_equal(v->spec.nfaults, 0);
	assert_null(v->spec.faults);
	assert_int_equal(v->spec.nzones, 1);
	assert_string_equal(v->spec.zones[0].file, YDIR "/z.zone");
	assert_null(v->spec.zones[0].origin);
	assert_int_equal(v->spec.zones[0].rule.mode, GLUE_INHERIT);
	assert_int_equal(v->spec.zones[0].ndelegs, 0);
	srvconf_free(&sc);
}

static void test_fault_ede(void **state)
{
	srvconf_t sc;
	char err[512];

	/* The defaults (refuse 18, servfail 14), none, a code of one's own,
	 * the largest, text alone with the default code, UTF-8 text. */
	const char *text = "servers:\n  - name: a\n    listen: [127.0.0.1]\n    faults:\n"
			   "      - {action: refuse}\n"
			   "      - {action: servfail}\n"
			   "      - {action: servfail, ede: none}\n"
			   "      - {action: refuse, ede: 0}\n"
			   "      - {action: refuse, ede: 65535}\n"
			   "      - {action: servfail, ede-text: zone expired}\n"
			   "      - {action: refuse, ede: 20, ede-text: \"pas ici \u00e9\"}\n"
			   "    zones: []\n";
	int r = parse_text(text, &sc, err, sizeof(err));
	if (r != 0)
		fail_msg("%s", err);
	const fault_t *f = sc.servers[0].spec.faults;
	assert_int_equal(sc.servers[0].spec.nfaults, 7);
	assert_true(f[0].has_ede);
	assert_int_equal(f[0].ede_code, 18);
	assert_int_equal(f[0].ede_textlen, 0);
	assert_true(f[1].has_ede);
	assert_int_equal(f[1].ede_code, 14);
	assert_false(f[2].has_ede);
	assert_true(f[3].has_ede);
	assert_int_equal(f[3].ede_code, 0);
	assert_int_equal(f[4].ede_code, 65535);
	assert_int_equal(f[5].ede_code, 14);
	assert_string_equal(f[5].ede_text, "zone expired");
	assert_int_equal(f[5].ede_textlen, 12);
	assert_int_equal(f[6].ede_code, 20);
	assert_string_equal(f[6].ede_text, "pas ici \xc3\xa9");
	assert_int_equal(f[6].ede_textlen, 10);
	srvconf_free(&sc);
}

static void test_paths_and_forms(void **state)
{
	srvconf_t sc;
	char err[512];

	/* No directory in the path: zone files as written. Flow style, null
	 * lists, ~, and a server rule that only sets truncation. */
	const char *text = "{port: 99, servers: [{name: a, listen: 10.0.0.1, truncation: always,\n"
			   "  zones: [{file: x.zone, faults: ~, delegations: }], faults: null}],\n"
			   "  scenarios: []}\n";
	assert_int_equal(parse_text(text, &sc, err, sizeof(err)), 0);
	assert_string_equal(sc.servers[0].spec.zones[0].file, "x.zone");
	assert_string_equal(sc.servers[0].listen[0].text, "10.0.0.1:99");
	assert_int_equal(sc.servers[0].spec.rule.mode, GLUE_INHERIT);
	assert_int_equal(sc.servers[0].spec.rule.truncation, TRUNC_ALWAYS);
	assert_int_equal(sc.nscenarios, 0);
	srvconf_free(&sc);

	/* A path in a directory: relative zone files start there. */
	text = "servers:\n- name: a\n  listen: ['[::1]']\n  zones:\n  - file: sub/x.zone\n";
	assert_int_equal(
		yamlconf_parse("/etc/glued/g.yaml", text, strlen(text), &sc, err, sizeof(err)), 0);
	assert_string_equal(sc.servers[0].spec.zones[0].file, "/etc/glued/sub/x.zone");
	assert_string_equal(sc.servers[0].listen[0].text, "[::1]:53");
	assert_string_equal(sc.servers[0].spec.where, "g.yaml:2");
	srvconf_free(&sc);

	/* A document marker and a comment-only end are fine. */
	text = "---\nservers: [{name: a, listen: [127.0.0.1], zones: []}]\n...\n# end\n";
	assert_int_equal(parse_text(text, &sc, err, sizeof(err)), 0);
	srvconf_free(&sc);
}

#define HEAD "servers:\n  - name: a\n    listen: [127.0.0.1]\n"
#define ZONE HEAD "    zones:\n      - file: z.zone\n"

/* Each error: the text, the line it must name, and what it must say. */
static const struct {
	const char *text;
	unsigned line;
	const char *msg;
} errors[] = {
	/* libyaml itself */
	{ "servers: [\n", 2, "YAML syntax: did not find expected node content" },
	{ "servers:\n\t- name: a\n", 2,
	  "YAML syntax: found character that cannot start any token" },
	{ "a: b\nc\n", 3, "YAML syntax" },
	{ "servers: [{name: a, listen: [127.0.0.1], zones: []}]\n---\nservers: []\n", 3,
	  "expected one YAML document, found a second" },
	{ "servers: *x\n", 1, "YAML syntax: found undefined alias" },
	/* the top level */
	{ "", 1, "the file is empty: expected 'servers:'" },
	{ "# only a comment\n", 1, "the file is empty" },
	{ "- a\n", 1, "expected the configuration (key: value lines), got a list" },
	{ "just text\n", 1, "expected the configuration (key: value lines), got 'just text'" },
	{ "port: 53\nservrs: []\n", 2,
	  "unknown key 'servrs' in the configuration (expected one of: port, dnssec, control, tsig, servers, scenarios)" },
	{ "port: 53\nport: 54\n", 2,
	  "duplicate key 'port' in the configuration (first at line 1)" },
	{ "? [a]\n: b\n", 1, "expected a key name in the configuration, got a list" },
	{ "port: 53\n", 1, "expected 'servers:' (the list of virtual servers)" },
	{ "servers: []\n", 1, "'servers' needs at least one server" },
	{ "servers:\n", 1, "'servers' needs at least one server" },
	{ "servers: {name: a}\n", 1, "expected a list for 'servers'" },
	{ "servers: a\n", 1, "expected a list for 'servers' (- item lines, or [a, b]), got 'a'" },
	{ "port: 0\n" HEAD, 1, "expected a whole number from 1 to 65535 for 'port', got '0'" },
	{ "port: 65536\n" HEAD, 1, "expected a whole number from 1 to 65535 for 'port'" },
	{ "port: -1\n" HEAD, 1, "for 'port', got '-1'" },
	{ "port: 53x\n" HEAD, 1, "for 'port', got '53x'" },
	{ "port: 99999999999999999999\n" HEAD, 1, "for 'port'" },
	{ "port:\n" HEAD, 1, "expected a value for 'port', got nothing" },
	{ "port: [53]\n" HEAD, 1, "expected a value for 'port', got a list" },
	/* servers */
	{ "servers:\n  - a\n", 2, "expected a server (key: value lines), got 'a'" },
	{ "servers:\n  - listen: [127.0.0.1]\n    zones: []\n", 2, "a server needs a 'name'" },
	{ "servers:\n  - name: Tld\n", 2,
	  "expected a server name of a-z, 0-9 and '-' (at most 63) for 'name', got 'Tld'" },
	{ "servers:\n  - name: a_b\n", 2, "server name of a-z" },
	{ "servers:\n  - name: ''\n", 2, "'name' is empty" },
	{ "servers:\n  - name:\n", 2, "expected a value for 'name', got nothing" },
	{ ZONE "  - name: a\n    listen: [127.0.0.2]\n    zones: []\n", 6,
	  "server name 'a' is used twice (first at t.yaml:2)" },
	{ "servers:\n  - name: a\n    zones: []\n", 2, "server a needs 'listen' (its addresses)" },
	{ "servers:\n  - name: a\n    listen: []\n    zones: []\n", 3,
	  "'listen' needs at least one address" },
	{ "servers:\n  - name: a\n    listen: {x: 1}\n", 3, "expected a list for 'listen'" },
	{ "servers:\n  - name: a\n    listen:\n      - 127.0.0.1\n      - localhost\n", 5,
	  "bad listen address 'localhost'" },
	{ "servers:\n  - name: a\n    listen: ['127.0.0.1:0']\n", 3,
	  "bad port '0' in listen address: expected 1-65535" },
	{ "servers:\n  - name: a\n    listen: ['[::1']\n", 3, "missing ']'" },
	{ "servers:\n  - name: a\n    listen: [[127.0.0.1]]\n", 3,
	  "expected a value for 'listen', got a list" },
	{ "servers:\n  - name: a\n    listen: [127.0.0.1, '127.0.0.1:53']\n    zones: []\n", 3,
	  "listen address 127.0.0.1:53 is listed twice" },
	{ ZONE "  - name: b\n    listen: ['127.0.0.1:53']\n    zones: []\n", 7,
	  "listen address 127.0.0.1:53 is already used by server a (t.yaml:2)" },
	{ "port: 5300\n" ZONE "  - name: b\n    listen: [127.0.0.1]\n    zones: []\n", 8,
	  "127.0.0.1:5300 is already used by server a" },
	{ HEAD, 2, "server a needs 'zones' (a list, which may be empty: zones: [])" },
	{ HEAD "    zones: z.zone\n", 4, "expected a list for 'zones'" },
	{ HEAD "    zones: []\n    zone: []\n", 5,
	  "unknown key 'zone' in a server (expected one of: name, listen, glue, glue-first, glue-names, glue-address, truncation, dnssec, faults, zones)" },
	{ HEAD "    zones: []\n    name: b\n", 5,
	  "duplicate key 'name' in a server (first at line 2)" },
	/* zones */
	{ HEAD "    zones:\n      - z.zone\n", 5,
	  "expected a zone (key: value lines), got 'z.zone'" },
	{ HEAD "    zones:\n      - origin: lab.\n", 5, "a zone needs a 'file' (its zone file)" },
	{ ZONE "        glu: none\n", 6,
	  "unknown key 'glu' in a zone (expected one of: file, origin, glue, glue-first, glue-names, glue-address, truncation, dnssec, faults, delegations, transfer, notify, primary, rrsig, dnskey, denial, nsec3, ds)" },
	{ ZONE "        origin: a..lab.\n", 6,
	  "expected a domain name for 'origin', got 'a..lab.'" },
	{ ZONE "        origin: lab com\n", 6, "got 'lab com' (it has a blank)" },
	{ ZONE
	  "        origin: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.lab.\n",
	  6, "expected a domain name for 'origin'" },
	{ ZONE "        file: y.zone\n", 6, "duplicate key 'file' in a zone (first at line 5)" },
	{ HEAD "    zones:\n      - file: ''\n", 5, "'file' is empty" },
	/* rules */
	{ ZONE "        glue: some\n", 6,
	  "expected full, in-domain, none, partial or wrong for 'glue', got 'some'" },
	{ ZONE "        glue: [none]\n", 6, "expected a value for 'glue', got a list" },
	{ ZONE "        truncation: never\n", 6,
	  "expected rfc9471, legacy or always for 'truncation', got 'never'" },
	{ ZONE "        dnssec: yes\n", 6,
	  "expected sign, off or a mapping (algorithm, denial, ...) for 'dnssec', got 'yes'" },
	{ HEAD "    dnssec: [sign]\n    zones: []\n", 4,
	  "expected a value for 'dnssec', got a list" },
	/* dnssec: as a mapping */
	{ ZONE "        dnssec:\n          algorithm: dsa\n", 7,
	  "expected ecdsap256sha256 (13), ed25519 (15) or rsasha256 (8) for 'algorithm', got 'dsa'" },
	{ ZONE "        dnssec:\n          denial: nsec5\n", 7,
	  "expected nsec or nsec3 for 'denial', got 'nsec5'" },
	{ ZONE "        dnssec:\n          iterations: 3000\n", 7,
	  "expected a whole number from 0 to 2500 for 'iterations', got '3000'" },
	{ ZONE "        dnssec:\n          salt: abc\n", 7,
	  "expected hex digits (an even number, at most 510) or - for 'salt', got 'abc'" },
	{ ZONE "        dnssec:\n          salt: zz\n", 7,
	  "expected hex digits or - for 'salt', got 'zz'" },
	{ ZONE "        dnssec:\n          opt-out: maybe\n", 7,
	  "expected true or false for 'opt-out', got 'maybe'" },
	{ ZONE "        dnssec:\n          validity: 30y\n", 7,
	  "expected a validity from 1h to 3650d for 'validity'" },
	{ ZONE "        dnssec:\n          validity: 60s\n", 7,
	  "expected a validity from 1h to 3650d for 'validity'" },
	{ ZONE "        dnssec:\n          key-dir: k\n", 7,
	  "unknown key 'key-dir' in 'dnssec' (expected one of: algorithm, denial, iterations, salt, opt-out, validity, keys)" },
	/* DNSSEC faults */
	{ ZONE "        rrsig: expired\n", 6,
	  "'rrsig: expired' breaks a signed zone, and this zone is not signed: add 'dnssec: sign' to it or to its server" },
	{ HEAD
	  "    dnssec: sign\n    zones:\n      - file: z.zone\n        dnssec: off\n        dnskey: missing\n",
	  8, "'dnskey: missing' breaks a signed zone, and this zone is not signed" },
	{ HEAD "    dnssec: sign\n    zones:\n      - file: z.zone\n        rrsig: old\n", 7,
	  "expected expired, not-yet-valid, bogus, missing for 'rrsig', got 'old'" },
	{ HEAD "    dnssec: sign\n    zones:\n      - file: z.zone\n        nsec3: 200\n", 7,
	  "expected 'iterations N' (N 1..2500) for 'nsec3', got '200'" },
	{ HEAD "    dnssec: sign\n    zones:\n      - file: z.zone\n        nsec3: iterations 0\n",
	  7, "expected 'iterations N' (N 1..2500) for 'nsec3', got 'iterations 0'" },
	{ HEAD "    dnssec: sign\n    zones:\n      - file: z.zone\n        ds: mismatch\n", 7,
	  "'ds' is the parent's data: set it on the delegation in the parent zone" },
	{ "dnssec: sign\n" HEAD
	  "    zones:\n      - file: z.zone\n        origin: lab.\n        delegations:\n          - name: x.lab.\n            ds: wrong\n",
	  10,
	  "expected mismatch, missing, unknown-digest, unknown-algorithm for 'ds', got 'wrong'" },
	{ ZONE
	  "        origin: lab.\n        delegations:\n          - name: x.lab.\n            ds: missing\n",
	  9, "'ds: missing' breaks a signed zone, and this zone is not signed" },
	{ "dnssec: on\n" HEAD "    zones: []\n", 1,
	  "expected sign, off or a mapping (algorithm, denial, ...) for 'dnssec', got 'on'" },
	{ ZONE "        glue-first: 1\n", 6,
	  "'glue-first' needs 'glue: partial' in the same place" },
	{ ZONE "        glue: none\n        glue-names: [a.lab.]\n", 7,
	  "'glue-names' needs 'glue: partial' in the same place" },
	{ ZONE "        glue: partial\n        glue-address: [127.0.0.9]\n", 7,
	  "'glue-address' needs 'glue: wrong' in the same place" },
	{ ZONE "        glue: partial\n", 6,
	  "'glue: partial' needs glue-first (keep the glue of the first N NS names) or glue-names" },
	{ ZONE "        glue: partial\n        glue-first: 1\n        glue-names: [a.lab.]\n", 8,
	  "give glue-first or glue-names, not both" },
	{ ZONE "        glue: partial\n        glue-first: 0\n", 7,
	  "expected a whole number from 1 to 65535 for 'glue-first', got '0'" },
	{ ZONE "        glue: partial\n        glue-names: []\n", 7,
	  "'glue-names' needs at least one NS name" },
	{ ZONE
	  "        glue: partial\n        glue-names: [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q]\n",
	  7, "'glue-names' takes at most 16 names, got 17" },
	{ ZONE
	  "        glue: partial\n        glue-names:\n          - ok.lab.\n          - bad..lab.\n",
	  9, "expected a domain name for 'glue-names', got 'bad..lab.'" },
	{ ZONE "        glue: wrong\n", 6,
	  "'glue: wrong' needs glue-address (the IPv4 and/or IPv6 address the glue is rewritten to)" },
	{ ZONE "        glue: wrong\n        glue-address: []\n", 7,
	  "'glue-address' needs an IPv4 or IPv6 address" },
	{ ZONE "        glue: wrong\n        glue-address: [127.0.0.9, 127.0.0.8]\n", 7,
	  "'glue-address' takes one IPv4 address at most" },
	{ ZONE "        glue: wrong\n        glue-address: ['::9', '::8']\n", 7,
	  "'glue-address' takes one IPv6 address at most" },
	{ ZONE "        glue: wrong\n        glue-address: [300.0.0.1]\n", 7,
	  "expected an IPv4 or IPv6 address for 'glue-address', got '300.0.0.1'" },
	/* faults */
	{ ZONE "        faults: {action: drop}\n", 6, "expected a list for 'faults'" },
	{ ZONE "        faults:\n          - drop\n", 7,
	  "expected a fault (key: value lines), got 'drop'" },
	{ ZONE "        faults:\n          - name: x.lab.\n", 7,
	  "a fault needs an 'action' (refuse, servfail, drop, delay, lame or upward)" },
	{ ZONE "        faults:\n          - action: crash\n", 7,
	  "expected refuse, servfail, drop, delay, lame or upward for 'action', got 'crash'" },
	{ ZONE "        faults:\n          - action: drop\n            when: always\n", 8,
	  "unknown key 'when' in a fault (expected one of: action, name, type, every, delay, upward, ede, ede-text)" },
	{ ZONE "        faults:\n          - action: drop\n            ede: 18\n", 8,
	  "'ede' only goes with 'action: refuse' or 'action: servfail'" },
	{ ZONE "        faults:\n          - action: lame\n            ede-text: x\n", 8,
	  "'ede-text' only goes with 'action: refuse' or 'action: servfail'" },
	{ ZONE "        faults:\n          - action: refuse\n            ede: prohibited\n", 8,
	  "expected an EDE code (0 to 65535, RFC 8914) or none for 'ede', got 'prohibited'" },
	{ ZONE "        faults:\n          - action: refuse\n            ede: -1\n", 8,
	  "expected an EDE code (0 to 65535, RFC 8914) or none for 'ede', got '-1'" },
	{ ZONE "        faults:\n          - action: refuse\n            ede: 65536\n", 8,
	  "expected a whole number from 0 to 65535 for 'ede', got '65536'" },
	{ ZONE "        faults:\n          - action: servfail\n            ede:\n", 8,
	  "expected a value for 'ede', got nothing" },
	{ ZONE "        faults:\n          - action: servfail\n            ede: none\n"
	       "            ede-text: why\n",
	  9, "'ede-text' needs an EDE code, not 'ede: none'" },
	{ ZONE "        faults:\n          - action: servfail\n            ede-text: \"\"\n", 8,
	  "'ede-text' is empty" },
	{ ZONE "        faults:\n          - action: servfail\n            ede-text: \"a\\tb\"\n",
	  8, "'ede-text' must be one line without control characters" },
	{ ZONE "        faults:\n          - action: servfail\n            ede-text: [a]\n", 8,
	  "expected a value for 'ede-text', got a list" },
	{ ZONE "        faults:\n          - action: servfail\n            ede-text: "
	       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
	  8, "'ede-text' is 128 bytes, at most 127 are sent" },
	{ ZONE "        faults:\n          - action: delay\n", 7,
	  "'action: delay' needs 'delay' (250ms, 2s)" },
	{ ZONE "        faults:\n          - action: delay\n            delay: 1500\n", 8,
	  "expected a duration with units for 'delay' (250ms, 2s), got '1500'" },
	{ ZONE "        faults:\n          - action: delay\n            delay: 1.5s\n", 8,
	  "expected a duration with units for 'delay'" },
	{ ZONE "        faults:\n          - action: delay\n            delay: 2m\n", 8,
	  "expected a duration with units for 'delay'" },
	{ ZONE "        faults:\n          - action: delay\n            delay: ms\n", 8,
	  "expected a duration with units for 'delay'" },
	{ ZONE "        faults:\n          - action: delay\n            delay: 0ms\n", 8,
	  "'delay' must be from 1ms to 60s, got '0ms'" },
	{ ZONE "        faults:\n          - action: delay\n            delay: 61s\n", 8,
	  "'delay' must be from 1ms to 60s, got '61s'" },
	{ ZONE
	  "        faults:\n          - action: delay\n            delay: 99999999999999999999ms\n",
	  8, "'delay' must be from 1ms to 60s" },
	{ ZONE "        faults:\n          - action: servfail\n            delay: 1s\n", 8,
	  "'delay' only goes with 'action: delay'" },
	{ ZONE "        faults:\n          - action: drop\n            every: 0\n", 8,
	  "expected a whole number from 1 to 4294967295 for 'every', got '0'" },
	{ ZONE "        faults:\n          - action: drop\n            every: 4294967296\n", 8,
	  "for 'every'" },
	{ ZONE "        faults:\n          - action: drop\n            type: AX\n", 8,
	  "expected a record type for 'type' (A, AAAA, NS, ...), got 'AX'" },
	{ ZONE "        faults:\n          - action: drop\n            name: a..b\n", 8,
	  "expected a domain name for 'name', got 'a..b'" },
	{ ZONE "        faults:\n          - action: lame\n            upward: [a.root.]\n", 8,
	  "'upward' only goes with 'action: upward'" },
	{ ZONE "        faults:\n          - action: upward\n            upward: []\n", 8,
	  "'upward' needs at least one NS name" },
	{ ZONE
	  "        faults:\n          - action: upward\n            upward: [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q]\n",
	  8, "'upward' takes at most 16 names, got 17" },
	{ ZONE "        faults:\n          - action: upward\n            upward: ['a b']\n", 8,
	  "expected a domain name for 'upward'" },
	{ HEAD "    faults:\n      - action: nope\n    zones: []\n", 5,
	  "for 'action', got 'nope'" },
	/* delegations */
	{ ZONE "        delegations: child.lab.\n", 6, "expected a list for 'delegations'" },
	{ ZONE "        delegations:\n          - glue: none\n", 7,
	  "a delegation needs a 'name' (the zone cut, e.g. child.lab.)" },
	{ ZONE "        delegations:\n          - name: x.lab.\n            glue: nope\n", 8,
	  "for 'glue', got 'nope'" },
	{ ZONE "        delegations:\n          - name: x.lab.\n            faults: []\n", 8,
	  "unknown key 'faults' in a delegation (expected one of: name, glue, glue-first, glue-names, glue-address, truncation, ds, rrsig)" },
	{ ZONE "        delegations:\n          - name: x..lab.\n", 7,
	  "expected a domain name for 'name', got 'x..lab.'" },
	{ ZONE "        origin: lab.\n        delegations:\n          - name: x.other.\n", 8,
	  "delegation x.other. is not below the zone's origin lab." },
	{ ZONE "        origin: lab.\n        delegations:\n          - name: LAB.\n", 8,
	  "delegation LAB. is not below the zone's origin lab." },
	{ ZONE "        delegations:\n          - name: x.lab.\n          - name: X.lab\n", 8,
	  "delegation X.lab is listed twice (first at t.yaml:7)" },
	/* scenarios */
	{ ZONE "scenarios: {name: a}\n", 6, "expected a list for 'scenarios'" },
	{ ZONE "scenarios:\n  - name: s\n    title: t\n    server: a\n    query: x.lab. A\n", 7,
	  "a scenario needs 'resolver'" },
	{ ZONE
	  "scenarios:\n  - name: s\n    server: a\n    query: x.lab. A\n    resolver: NOERROR\n",
	  7, "a scenario needs 'title'" },
	{ ZONE
	  "scenarios:\n  - name: s\n    title: t\n    server: a\n    query: x.lab. A\n    resolver: NOERROR\n    expect: x\n",
	  12,
	  "unknown key 'expect' in a scenario (expected one of: name, title, server, query, resolver, answer, dnssec, ede, knot, bind)" },
	{ ZONE
	  "scenarios:\n  - name: 's 1'\n    title: t\n    server: a\n    query: x.lab. A\n    resolver: NOERROR\n",
	  7,
	  "expected a scenario name of letters, digits, '-', '_' and '.' for 'name', got 's 1'" },
	{ ZONE
	  "scenarios:\n  - name: s\n    title: \"a\\nb\"\n    server: a\n    query: x.lab. A\n    resolver: NOERROR\n",
	  8, "'title' must be one line" },
	{ ZONE
	  "scenarios:\n  - name: s\n    title: t\n    server: b\n    query: x.lab. A\n    resolver: NOERROR\n",
	  9, "no server is named 'b'" },
	{ ZONE
	  "scenarios:\n  - name: s\n    title: t\n    server: a\n    query: x.lab.\n    resolver: NOERROR\n",
	  10, "expected 'NAME TYPE' for 'query' (www.nog.lab. A), got 'x.lab.'" },
	{ ZONE
	  "scenarios:\n  - name: s\n    title: t\n    server: a\n    query: x.lab. A extra\n    resolver: NOERROR\n",
	  10, "expected 'NAME TYPE' for 'query'" },
	{ ZONE
	  "scenarios:\n  - name: s\n    title: t\n    server: a\n    query: x..lab. A\n    resolver: NOERROR\n",
	  10, "expected a domain name in 'query', got 'x..lab.'" },
	{ ZONE
	  "scenarios:\n  - name: s\n    title: t\n    server: a\n    query: x.lab. AX\n    resolver: NOERROR\n",
	  10, "expected a record type in 'query' (A, AAAA, NS, ...), got 'AX'" },
	{ ZONE
	  "scenarios:\n  - name: s\n    title: t\n    server: a\n    query: x.lab. A\n    resolver: FORMERR\n",
	  11, "expected NOERROR, SERVFAIL, NXDOMAIN or REFUSED for 'resolver', got 'FORMERR'" },
	{ ZONE
	  "scenarios:\n  - name: s\n    title: t\n    server: a\n    query: x.lab. A\n    resolver: NOERROR\n    answer: ''\n",
	  12, "'answer' is empty" },
	{ ZONE
	  "scenarios:\n  - name: s\n    title: t\n    server: a\n    query: x.lab. A\n    resolver: NOERROR\n    dnssec: valid\n",
	  12, "expected secure, insecure or bogus for 'dnssec', got 'valid'" },
	{ ZONE
	  "scenarios:\n  - name: s\n    title: t\n    server: a\n    query: x.lab. A\n    resolver: NOERROR\n"
	  "  - name: s\n    title: t\n    server: a\n    query: x.lab. A\n    resolver: NOERROR\n",
	  12, "scenario name 's' is used twice (first at t.yaml:7)" },
/* a scenario's per-resolver mappings */
#define SCEN ZONE "scenarios:\n  - name: s\n    title: t\n    server: a\n    query: x.lab. A\n"
	{ SCEN "    resolver: NOERROR\n    knot: SERVFAIL\n", 12,
	  "expected a scenario's 'knot' (key: value lines), got 'SERVFAIL'" },
	{ SCEN "    resolver: NOERROR\n    bind: {resolver: SERVFAIL, reason: x}\n", 12,
	  "unknown key 'reason' in a scenario's 'bind' (expected one of: resolver, answer, dnssec, ede, why)" },
	{ SCEN "    resolver: NOERROR\n    bind: {resolver: SERVFAIL}\n", 12,
	  "'bind' needs 'why': the reason this resolver differs" },
	{ SCEN "    resolver: NOERROR\n    knot: {why: x}\n", 12,
	  "'knot' needs resolver, answer, dnssec or ede: what it returns" },
	{ SCEN "    resolver: NOERROR\n    knot: {resolver: NODATA, why: x}\n", 12,
	  "expected NOERROR, SERVFAIL, NXDOMAIN or REFUSED for 'resolver', got 'NODATA'" },
	{ SCEN "    resolver: NOERROR\n    knot: {dnssec: valid, why: x}\n", 12,
	  "expected secure, insecure or bogus for 'dnssec', got 'valid'" },
	{ SCEN "    resolver: SERVFAIL\n    knot:\n      ede: nine\n      why: x\n", 13,
	  "expected an EDE code (0 to 65535, RFC 8914) or none for 'ede', got 'nine'" },
	{ SCEN "    resolver: SERVFAIL\n    knot: {ede: 65536, why: x}\n", 12,
	  "expected a whole number from 0 to 65535 for 'ede', got '65536'" },
	{ SCEN "    resolver: SERVFAIL\n    knot:\n      ede: 6\n      why: \"a\\nb\"\n", 14,
	  "'why' must be one line" },
	{ SCEN "    resolver: SERVFAIL\n    bind: {ede: 6, why: ''}\n", 12, "'why' is empty" },
	{ SCEN
	  "    resolver: SERVFAIL\n    ede: 9\n    knot: {resolver: SERVFAIL, ede: 9, why: x}\n",
	  13, "'knot' says what the scenario says: leave it out" },
	{ SCEN
	  "    resolver: NOERROR\n    answer: 192.0.2.1\n    bind: {answer: 192.0.2.1, why: x}\n",
	  13, "'bind' says what the scenario says: leave it out" },
	{ SCEN "    resolver: NOERROR\n    knot: {ede: 6, why: x}\n    knot: {ede: 7, why: y}\n",
	  13, "duplicate key 'knot' in a scenario (first at line 12)" },
#undef SCEN
};

static void test_errors(void **state)
{
	unsigned bad = 0;
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		srvconf_t sc;
		char err[512] = "", want[32];
		int r = parse_text(errors[i].text, &sc, err, sizeof(err));
		snprintf(want, sizeof(want), "t.yaml:%u: ", errors[i].line);
		if (r >= 0 || strncmp(err, want, strlen(want)) != 0 ||
		    strstr(err, errors[i].msg) == NULL) {
			print_error(
				"case %zu: r=%d\n  got:  '%s'\n  want: '%s...%s'\n  text:\n%s\n", i,
				r, err, want, errors[i].msg, errors[i].text);
			bad++;
		}
		/* Nothing is left allocated on failure. */
		assert_null(sc.servers);
		assert_null(sc.scenarios);
		assert_null(sc.file);
	}
	assert_int_equal(bad, 0);
}

static void test_load_errors(void **state)
{
	srvconf_t sc;
	char err[512];

	/* A fixture: the message names the file as given and the line. */
	assert_true(yamlconf_load(YDIR "/bad-key.yaml", &sc, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, YDIR "/bad-key.yaml:6: unknown key 'glu' in a zone"));
	assert_null(sc.servers);

	assert_int_equal(yamlconf_load(YDIR "/no-such.yaml", &sc, err, sizeof(err)), ST_EIO);
	assert_non_null(
		strstr(err, "cannot read " YDIR "/no-such.yaml: No such file or directory"));
	assert_int_equal(yamlconf_load(YDIR, &sc, err, sizeof(err)), ST_EIO);

	/* Bad UTF-8: the reader's error, with a line. */
	const char bad[] = "servers:\n  - name: \xff\n";
	assert_true(yamlconf_parse("u.yaml", bad, sizeof(bad) - 1, &sc, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "u.yaml:2: YAML syntax: invalid leading UTF-8 octet"));

	/* A message that does not fit is cut, never overflowed. */
	char small[12];
	assert_true(parse_text("port: 0\n", &sc, small, sizeof(small)) < 0);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_true(parse_text("port: 0\n", &sc, small, 0) < 0);
}

/* The two-server example: IPv6, a port per entry, a scenario. */
static void test_two_servers(void **state)
{
	srvconf_t sc;
	char err[512];

	int r = yamlconf_load(YDIR "/two-servers.yaml", &sc, err, sizeof(err));
	if (r != 0)
		fail_msg("%s", err);
	assert_int_equal(sc.nservers, 2);
	assert_string_equal(sc.servers[0].name, "parent");
	assert_string_equal(sc.servers[0].listen[0].text, "127.0.0.1:5399");
	assert_int_equal(sc.servers[0].spec.zones[0].ndelegs, 1);
	assert_int_equal(sc.servers[0].spec.nfaults, 1);
	assert_string_equal(sc.servers[1].listen[1].text, "[::1]:5399");
	assert_int_equal(sc.nscenarios, 1);
	assert_int_equal(sc.scenarios[0].server, 0);
	assert_string_equal(sc.scenarios[0].answer, "127.0.11.10");
	srvconf_free(&sc);
}

/* The bundled lab, when it is there, must always parse. */
/* A scenario's knot: and bind: mappings: what that resolver returns where
 * it is not the scenario's (Unbound's) outcome. */
static void test_scenario_others(void **state)
{
	srvconf_t sc;
	char err[512];
	const char *text = HEAD "    zones: []\n"
				"scenarios:\n"
				"  - name: cyc\n"
				"    title: t\n"
				"    server: a\n"
				"    query: www.cyc.lab. A\n"
				"    resolver: NOERROR\n"
				"    answer: 192.0.2.1\n"
				"    bind:\n"
				"      resolver: SERVFAIL\n"
				"      why: no sibling glue\n"
				"  - name: bogus\n"
				"    title: t\n"
				"    server: a\n"
				"    query: www.b.lab. A\n"
				"    resolver: SERVFAIL\n"
				"    dnssec: bogus\n"
				"    ede: 9\n"
				"    knot: {ede: 6, why: \"kresd: DNSSEC Bogus\"}\n"
				"    bind: {ede: none, why: no EDE}\n"
				"  - name: plain\n"
				"    title: t\n"
				"    server: a\n"
				"    query: www.p.lab. A\n"
				"    resolver: NOERROR\n"
				"    dnssec: insecure\n"
				"    knot: {ede: 0, dnssec: insecure, answer: 192.0.2.2, why: w}\n";
	int r = parse_text(text, &sc, err, sizeof(err));
	if (r != 0)
		fail_msg("%s", err);
	assert_int_equal(sc.nscenarios, 3);

	const scenario_other_t *o = &sc.scenarios[0].others[SCENARIO_BIND];
	assert_false(sc.scenarios[0].others[SCENARIO_KNOT].given);
	assert_true(o->given);
	assert_string_equal(o->resolver, "SERVFAIL");
	assert_null(o->answer);
	assert_int_equal(o->dnssec, SCENARIO_DNSSEC_NONE);
	assert_false(o->has_ede);
	assert_string_equal(o->why, "no sibling glue");
	assert_string_equal(o->where, "t.yaml:13");

	o = &sc.scenarios[1].others[SCENARIO_KNOT];
	assert_true(o->given);
	assert_null(o->resolver);
	assert_true(o->has_ede);
	assert_int_equal(o->ede, 6);
	assert_string_equal(o->why, "kresd: DNSSEC Bogus");
	o = &sc.scenarios[1].others[SCENARIO_BIND];
	assert_true(o->has_ede);
	assert_int_equal(o->ede, -1); /* ede: none */
	assert_string_equal(o->where, "t.yaml:23");
	/* The scenario's own expectation is untouched: --check judges it. */
	assert_int_equal(sc.scenarios[1].ede, 9);
	assert_int_equal(sc.scenarios[1].dnssec, SCENARIO_DNSSEC_BOGUS);

	o = &sc.scenarios[2].others[SCENARIO_KNOT];
	assert_int_equal(o->ede, 0);
	assert_int_equal(o->dnssec, SCENARIO_DNSSEC_INSECURE);
	assert_string_equal(o->answer, "192.0.2.2");
	assert_false(sc.scenarios[2].others[SCENARIO_BIND].given);
	srvconf_free(&sc);
}

static void test_bundled_lab(void **state)
{
	srvconf_t sc;
	char err[512];
	const char *path = TEST_DATA_DIR "/../../zones/lab.yaml";
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		skip();
		return;
	}
	fclose(f);
	int r = yamlconf_load(path, &sc, err, sizeof(err));
	if (r != 0)
		fail_msg("%s", err);
	assert_true(sc.nservers >= 3);
	srvconf_free(&sc);
}

static void test_dnssec_specs_and_faults(void **state)
{
	srvconf_t sc;
	char err[512];
	uint8_t buf[NAME_MAXLEN];
	/* The top level is every server's default; a server's mapping
	 * overrides field by field; a zone's own settings and faults. */
	const char *text = "dnssec:\n"
			   "  denial: nsec3\n"
			   "  salt: ABcd\n"
			   "  keys: k\n"
			   "servers:\n"
			   "  - name: a\n"
			   "    listen: [127.0.0.1]\n"
			   "    dnssec: {algorithm: ed25519, opt-out: yes, validity: 12h}\n"
			   "    zones:\n"
			   "      - file: p.zone\n"
			   "        origin: lab.\n"
			   "        rrsig: expired\n"
			   "        delegations:\n"
			   "          - name: c.lab.\n"
			   "            ds: unknown-digest\n"
			   "            rrsig: bogus\n"
			   "      - file: c.zone\n"
			   "        dnssec: {iterations: 5, salt: '-', denial: nsec}\n"
			   "        nsec3: iterations 300\n"
			   "      - file: u.zone\n"
			   "        dnssec: off\n"
			   "  - name: b\n"
			   "    listen: [127.0.0.2]\n"
			   "    zones: [{file: b.zone}]\n";
	int r = yamlconf_parse("/d/t.yaml", text, strlen(text), &sc, err, sizeof(err));
	if (r != 0)
		fail_msg("%s", err);
	const server_spec_t *a = &sc.servers[0].spec, *b = &sc.servers[1].spec;
	assert_int_equal(a->dnssec.mode, DNSSEC_SIGN);
	assert_int_equal(a->dnssec.algorithm, 15);
	assert_int_equal(a->dnssec.optout, 2);
	assert_int_equal(a->dnssec.validity, 12 * 3600);
	assert_int_equal(a->dnssec.denial, DNSSEC_DENIAL_NSEC3);
	assert_string_equal(a->dnssec.keydir, "/d/k");
	/* b has the top level's: a mapping means sign. */
	dnssec_spec_t e;
	dnssec_spec_effective(&b->dnssec, &b->zones[0].dnssec, &e);
	assert_int_equal(e.mode, DNSSEC_SIGN);
	assert_int_equal(e.algorithm, 13);
	assert_int_equal(e.denial, DNSSEC_DENIAL_NSEC3);
	assert_int_equal(e.optout, 1);
	assert_int_equal(e.validity, 30 * 86400);
	assert_string_equal(e.keydir, "/d/k");

	dnssec_spec_effective(&a->dnssec, &a->zones[0].dnssec, &e);
	assert_int_equal(e.mode, DNSSEC_SIGN);
	assert_int_equal(e.algorithm, 15);
	assert_int_equal(e.saltlen, 2);
	assert_int_equal(e.salt[0], 0xab);
	assert_int_equal(e.iterations, 0);
	assert_int_equal(a->zones[0].ndfaults, 3);
	const dnssec_fault_t *f = a->zones[0].dfaults;
	assert_int_equal(f[0].kind, DF_RRSIG);
	assert_int_equal(f[0].value, DF_RRSIG_EXPIRED);
	assert_false(f[0].at_cut);
	assert_string_equal(f[0].where, "t.yaml:12");
	assert_true(f[1].at_cut);
	assert_true(name_equal(f[1].cut, wire("c.lab.", buf)));
	assert_int_equal(f[1].value, DF_DS_UNKNOWN_DIGEST);
	assert_int_equal(f[2].kind, DF_RRSIG);
	assert_int_equal(f[2].value, DF_RRSIG_BOGUS);

	dnssec_spec_effective(&a->dnssec, &a->zones[1].dnssec, &e);
	assert_int_equal(e.denial, DNSSEC_DENIAL_NSEC);
	assert_int_equal(e.iterations, 5);
	assert_int_equal(e.saltlen, 0);
	assert_int_equal(e.optout, 2);
	assert_int_equal(a->zones[1].ndfaults, 1);
	assert_int_equal(a->zones[1].dfaults[0].iterations, 300);
	dnssec_spec_effective(&a->dnssec, &a->zones[2].dnssec, &e);
	assert_int_equal(e.mode, DNSSEC_OFF);
	srvconf_free(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),        cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_fault_ede),   cmocka_unit_test(test_paths_and_forms),
		cmocka_unit_test(test_errors),      cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_two_servers), cmocka_unit_test(test_scenario_others),
		cmocka_unit_test(test_bundled_lab), cmocka_unit_test(test_dnssec_specs_and_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
