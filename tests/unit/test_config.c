/* Unit tests for server/config.c: the command line -> struct config. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

/* The unit-test targets link only the core library: compile the module in. */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int parse(int argc, char **argv, config_t *cfg, char *err, size_t errcap)
{
	return config_parse(argc, argv, cfg, err, errcap);
}

static void test_defaults_lab(void **state)
{
	char *argv[] = { "glued" };
	config_t cfg;
	char err[256];

	assert_int_equal(parse(ARGC(argv), argv, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.lab);
	assert_int_equal(cfg.nzones, 0);
	/* The bundled lab's addresses are in lab.yaml: none added here. */
	assert_int_equal(cfg.nlisten, 0);
	assert_false(cfg.listen_given);
	assert_int_equal(cfg.log_format, LOG_FORMAT_TEXT);
	assert_int_equal(cfg.glue_policy, GLUE_FULL);
	assert_int_equal(cfg.threads, 0);
	assert_false(cfg.log_queries);
	assert_false(cfg.check);
	assert_false(cfg.json);
	assert_null(cfg.config_file);
	config_free(&cfg);
}

static void test_every_option(void **state)
{
	char *argv[] = { "glued",
			 "-l",
			 "127.0.0.2:5353",
			 "--listen",
			 "[::1]:53",
			 "-z",
			 "lab=zones/lab.zone",
			 "--zone",
			 "child.zone",
			 "--glue",
			 "in-domain",
			 "-t",
			 "3",
			 "-q",
			 "--check",
			 "-u",
			 "nobody" };
	config_t cfg;
	char err[256];

	assert_int_equal(parse(ARGC(argv), argv, &cfg, err, sizeof(err)), 0);
	assert_false(cfg.lab);
	assert_true(cfg.listen_given);
	assert_int_equal(cfg.nlisten, 2);
	assert_string_equal(cfg.listen[0].text, "127.0.0.2:5353");
	assert_string_equal(cfg.listen[1].text, "[::1]:53");
	assert_int_equal(cfg.nzones, 2);
	assert_string_equal(cfg.zones[0].origin, "lab");
	assert_string_equal(cfg.zones[0].file, "zones/lab.zone");
	assert_int_equal(cfg.zones[0].rule.mode, GLUE_INHERIT);
	assert_null(cfg.zones[1].origin);
	assert_string_equal(cfg.zones[1].file, "child.zone");
	assert_int_equal(cfg.glue_policy, GLUE_IN_DOMAIN);
	assert_int_equal(cfg.threads, 3);
	assert_true(cfg.log_queries);
	assert_true(cfg.check);
	assert_string_equal(cfg.user, "nobody");
	config_free(&cfg);
	assert_int_equal(cfg.nzones, 0);
	assert_null(cfg.user);
	assert_null(cfg.zones);
}

static void test_long_forms_and_equals(void **state)
{
	char *argv[] = { "glued",       "--listen=127.0.0.1:1053", "--zone=x.zone",
			 "--threads=2", "--log-queries",           "--glue=none" };
	config_t cfg;
	char err[256];

	assert_int_equal(parse(ARGC(argv), argv, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.listen[0].text, "127.0.0.1:1053");
	assert_string_equal(cfg.zones[0].file, "x.zone");
	assert_int_equal(cfg.threads, 2);
	assert_true(cfg.log_queries);
	assert_int_equal(cfg.glue_policy, GLUE_NONE);
	config_free(&cfg);
}

static void test_glue_policies(void **state)
{
	static const struct {
		const char *opt, *arg;
		uint8_t want;
	} cases[] = {
		{ "--glue", "full", GLUE_FULL },
		{ "--glue", "in-domain", GLUE_IN_DOMAIN },
		{ "--glue", "none", GLUE_NONE },
		{ "--no-glue", NULL, GLUE_NONE },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[] = { "glued", "-z", "x.zone", (char *)cases[i].opt,
				 (char *)cases[i].arg };
		int argc = cases[i].arg != NULL ? 5 : 4;
		config_t cfg;
		char err[256];
		assert_int_equal(parse(argc, argv, &cfg, err, sizeof(err)), 0);
		assert_int_equal(cfg.glue_policy, cases[i].want);
		config_free(&cfg);
	}
	/* The last one wins. */
	char *argv[] = { "glued", "--no-glue", "--glue", "full", "-z", "x.zone" };
	config_t cfg;
	char err[256];
	assert_int_equal(parse(ARGC(argv), argv, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.glue_policy, GLUE_FULL);
	config_free(&cfg);
}

static void test_help_version(void **state)
{
	char *argv1[] = { "glued", "-h" };
	char *argv2[] = { "glued", "--version" };
	char *argv3[] = { "glued", "-c", "x.yaml", "--help" };
	config_t cfg;
	char err[256];

	assert_int_equal(parse(ARGC(argv1), argv1, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.help);
	config_free(&cfg);
	assert_int_equal(parse(ARGC(argv2), argv2, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.version);
	config_free(&cfg);
	/* --help wins over an option that would be refused. */
	assert_int_equal(parse(ARGC(argv3), argv3, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.help);
	config_free(&cfg);
	assert_non_null(strstr(config_usage(), "--no-glue"));
	assert_non_null(strstr(config_usage(), "127.0.0.1:5300"));
}

static void test_config_file(void **state)
{
	char *argv[] = { "glued", "--config", "lab.yaml", "-q", "--log-format", "json", "-t", "2" };
	config_t cfg;
	char err[256];

	assert_int_equal(parse(ARGC(argv), argv, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.config_file, "lab.yaml");
	assert_false(cfg.lab);
	assert_int_equal(cfg.nlisten, 0); /* the file says where */
	assert_int_equal(cfg.nzones, 0);
	assert_true(cfg.log_queries);
	assert_int_equal(cfg.log_format, LOG_FORMAT_JSON);
	config_free(&cfg);
	assert_null(cfg.config_file);

	char *argv2[] = { "glued", "-c", "x.yaml", "--check" };
	assert_int_equal(parse(ARGC(argv2), argv2, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.check);
	config_free(&cfg);
}

static void test_log_format(void **state)
{
	char *text[] = { "glued", "-z", "x.zone", "--log-format=text" };
	char *json[] = { "glued", "-z", "x.zone", "--log-format", "json" };
	char *bad[] = { "glued", "-z", "x.zone", "--log-format", "xml" };
	config_t cfg;
	char err[256];

	assert_int_equal(parse(ARGC(text), text, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.log_format, LOG_FORMAT_TEXT);
	config_free(&cfg);
	assert_int_equal(parse(ARGC(json), json, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.log_format, LOG_FORMAT_JSON);
	config_free(&cfg);
	assert_true(parse(ARGC(bad), bad, &cfg, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "bad --log-format 'xml': expected text or json"));
}

/* --json is --check's output format: with -c, with -z, with the lab;
 * alone it is bad usage. */
static void test_check_json(void **state)
{
	char *with_c[] = { "glued", "--check", "-c", "lab.yaml", "--json" };
	char *with_z[] = { "glued", "-z", "x.zone", "--json", "--check" };
	char *lab[] = { "glued", "--check", "--json" };
	char *text[] = { "glued", "-c", "lab.yaml", "--check" };
	char *alone[] = { "glued", "-c", "lab.yaml", "--json" };
	char *serving[] = { "glued", "-z", "x.zone", "-q", "--json" };
	config_t cfg;
	char err[256];

	assert_int_equal(parse(ARGC(with_c), with_c, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.check);
	assert_true(cfg.json);
	assert_string_equal(cfg.config_file, "lab.yaml");
	config_free(&cfg);
	assert_false(cfg.json);
	assert_int_equal(parse(ARGC(with_z), with_z, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.check && cfg.json);
	assert_int_equal(cfg.nzones, 1);
	config_free(&cfg);
	assert_int_equal(parse(ARGC(lab), lab, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.check && cfg.json && cfg.lab);
	config_free(&cfg);
	assert_int_equal(parse(ARGC(text), text, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.check);
	assert_false(cfg.json);
	config_free(&cfg);
	assert_true(parse(ARGC(alone), alone, &cfg, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "--json is the output format of --check"));
	assert_true(parse(ARGC(serving), serving, &cfg, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "--json is the output format of --check"));
	/* The usage text names it. */
	assert_non_null(strstr(config_usage(), "--json"));
}

/* -c describes every server; the bundled lab is a file too. */
static void test_mode_conflicts(void **state)
{
	static const struct {
		int argc;
		const char *argv[5];
		const char *msg;
	} cases[] = {
		{ 5,
		  { "glued", "-c", "a.yaml", "-l", "127.0.0.1" },
		  "cannot be combined with -l or -z" },
		{ 5,
		  { "glued", "-c", "a.yaml", "-z", "x.zone" },
		  "cannot be combined with -l or -z" },
		{ 5, { "glued", "-c", "a.yaml", "--glue", "none" }, "policies live in a.yaml" },
		{ 4, { "glued", "-c", "a.yaml", "--no-glue" }, "policies live in a.yaml" },
		{ 3, { "glued", "-l", "127.0.0.1:5353" }, "-l needs -z" },
		{ 2, { "glued", "--no-glue" }, "--glue/--no-glue/--dnssec need -z" },
		{ 3, { "glued", "--glue", "in-domain" }, "--glue/--no-glue/--dnssec need -z" },
		{ 3, { "glued", "--dnssec", "sign" }, "--glue/--no-glue/--dnssec need -z" },
		{ 5, { "glued", "-c", "a.yaml", "--dnssec", "sign" }, "policies live in a.yaml" },
		{ 5, { "glued", "-z", "x.zone", "--dnssec", "yes" }, "expected sign or off" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[5];
		memcpy(argv, cases[i].argv, sizeof(argv));
		config_t cfg;
		char err[256] = "";
		int r = parse(cases[i].argc, argv, &cfg, err, sizeof(err));
		if (r >= 0 || strstr(err, cases[i].msg) == NULL)
			fail_msg("case %zu: r=%d err='%s', want '%s'", i, r, err, cases[i].msg);
		assert_null(cfg.config_file);
		assert_null(cfg.listen);
	}
}

/* Every one of these is bad usage with a message. */
static void test_errors(void **state)
{
	static const struct {
		int argc;
		const char *argv[4];
		const char *msg;
	} cases[] = {
		{ 2, { "glued", "-x" }, "unknown option '-x'" },
		{ 2, { "glued", "--bogus" }, "unknown option '--bogus'" },
		{ 2, { "glued", "-z" }, "needs an argument" },
		{ 2, { "glued", "--listen" }, "needs an argument" },
		{ 3, { "glued", "--glue", "some" }, "bad --glue 'some'" },
		{ 3, { "glued", "-t", "0" }, "bad --threads '0'" },
		{ 3, { "glued", "-t", "two" }, "bad --threads" },
		{ 3, { "glued", "-t", "-1" }, "bad --threads" },
		{ 3, { "glued", "-t", "99999" }, "bad --threads" },
		{ 3, { "glued", "-l", "127.0.0.1:0" }, "bad port '0'" },
		{ 3, { "glued", "-l", "127.0.0.1:65536" }, "bad port" },
		{ 3, { "glued", "-l", "127.0.0.1:" }, "bad port" },
		{ 3, { "glued", "-l", "localhost:53" }, "bad listen address" },
		{ 3, { "glued", "-l", "[::1" }, "missing ']'" },
		{ 3, { "glued", "-l", "[::1]53" }, "expected ':PORT'" },
		{ 3, { "glued", "-l", "[127.0.0.1]:53" }, "bad listen address" },
		{ 3, { "glued", "-l", "" }, "bad listen address" },
		{ 3, { "glued", "-z", "=x.zone" }, "empty ORIGIN" },
		{ 3, { "glued", "-z", "lab=" }, "expected a FILE" },
		{ 3, { "glued", "-z", "" }, "bad zone" },
		{ 2, { "glued", "extra" }, "unexpected argument 'extra'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[4];
		memcpy(argv, cases[i].argv, sizeof(argv));
		config_t cfg;
		char err[256] = "";
		int r = parse(cases[i].argc, argv, &cfg, err, sizeof(err));
		if (r >= 0 || strstr(err, cases[i].msg) == NULL)
			fail_msg("case %zu (%s %s): r=%d err='%s', want '%s'", i, cases[i].argv[1],
				 cases[i].argv[2] ? cases[i].argv[2] : "", r, err, cases[i].msg);
		/* Nothing is left allocated on failure. */
		assert_null(cfg.listen);
		assert_null(cfg.zones);
	}
}

static void test_listen_twice(void **state)
{
	char *argv[] = { "glued", "-l", "127.0.0.1", "-l", "127.0.0.1:53" };
	config_t cfg;
	char err[256];

	assert_true(parse(ARGC(argv), argv, &cfg, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "127.0.0.1:53 given twice"));
}

static void test_parse_addr(void **state)
{
	listen_addr_t a;
	char err[256];
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&a.ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a.ss;

	assert_int_equal(config_parse_addr("127.0.0.1", 53, &a, err, sizeof(err)), 0);
	assert_int_equal(a.ss.ss_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 53);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(a.sslen, sizeof(struct sockaddr_in));
	assert_string_equal(a.text, "127.0.0.1:53");
	assert_string_equal(a.host, "127.0.0.1");
	assert_int_equal(a.port, 53);

	assert_int_equal(config_parse_addr("10.1.2.3:5300", 53, &a, err, sizeof(err)), 0);
	assert_int_equal(ntohs(sin->sin_port), 5300);
	assert_string_equal(a.text, "10.1.2.3:5300");

	assert_int_equal(config_parse_addr("[::1]:53", 5300, &a, err, sizeof(err)), 0);
	assert_int_equal(a.ss.ss_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 53);
	assert_true(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	assert_int_equal(a.sslen, sizeof(struct sockaddr_in6));
	assert_string_equal(a.text, "[::1]:53");
	assert_string_equal(a.host, "::1");

	/* Brackets without a port, and a bare IPv6 address: default port. */
	assert_int_equal(config_parse_addr("[::1]", 53, &a, err, sizeof(err)), 0);
	assert_string_equal(a.text, "[::1]:53");
	assert_int_equal(config_parse_addr("fd00:0:0::1", 53, &a, err, sizeof(err)), 0);
	assert_string_equal(a.text, "[fd00::1]:53");
	assert_int_equal(config_parse_addr("[::]:65535", 53, &a, err, sizeof(err)), 0);
	assert_string_equal(a.text, "[::]:65535");
}

static void test_zone_split(void **state)
{
	char *argv[] = { "glued",        "-z", "example.lab.=a.zone", "-z",
			 "dir/x=y.zone", "-z", "lab=dir/a=b.zone",    "-z",
			 "plain.zone" };
	config_t cfg;
	char err[256];

	assert_int_equal(parse(ARGC(argv), argv, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.nzones, 4);
	assert_string_equal(cfg.zones[0].origin, "example.lab.");
	assert_string_equal(cfg.zones[0].file, "a.zone");
	/* A '/' before the '=': the whole thing is a path. */
	assert_null(cfg.zones[1].origin);
	assert_string_equal(cfg.zones[1].file, "dir/x=y.zone");
	/* Only the first '=' splits. */
	assert_string_equal(cfg.zones[2].origin, "lab");
	assert_string_equal(cfg.zones[2].file, "dir/a=b.zone");
	assert_null(cfg.zones[3].origin);
	assert_string_equal(cfg.zones[3].file, "plain.zone");
	/* main adds the lab zone the same way. */
	assert_int_equal(config_add_zone(&cfg, "lab", "/x/lab.zone"), 0);
	assert_int_equal(cfg.nzones, 5);
	assert_string_equal(cfg.zones[4].file, "/x/lab.zone");
	config_free(&cfg);
}

static void test_parse_twice(void **state)
{
	/* getopt state is reset on every call. */
	char *argv1[] = { "glued", "-z", "a.zone", "-q" };
	char *argv2[] = { "glued", "-z", "b.zone" };
	config_t cfg;
	char err[256];

	assert_int_equal(parse(ARGC(argv1), argv1, &cfg, err, sizeof(err)), 0);
	config_free(&cfg);
	assert_int_equal(parse(ARGC(argv2), argv2, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.nzones, 1);
	assert_string_equal(cfg.zones[0].file, "b.zone");
	assert_false(cfg.log_queries);
	config_free(&cfg);
}

static void test_srvconf_from_cmdline(void **state)
{
	char *argv[] = { "glued",       "-l", "127.0.0.2:5353", "-l",       "[::1]:53", "-z",
			 "lab.=a.zone", "-z", "b.zone",         "--no-glue" };
	config_t cfg;
	srvconf_t sc;
	char err[256];

	assert_int_equal(parse(ARGC(argv), argv, &cfg, err, sizeof(err)), 0);
	assert_int_equal(srvconf_from_cmdline(&cfg, &sc, err, sizeof(err)), 0);
	config_free(&cfg); /* sc holds copies */
	assert_null(sc.file);
	assert_int_equal(sc.nservers, 1);
	assert_int_equal(sc.nscenarios, 0);
	const vserver_t *v = &sc.servers[0];
	assert_string_equal(v->name, CONFIG_CMDLINE_SERVER);
	assert_string_equal(v->spec.name, CONFIG_CMDLINE_SERVER);
	assert_int_equal(v->nlisten, 2);
	assert_string_equal(v->listen[0].text, "127.0.0.2:5353");
	assert_string_equal(v->listen[1].text, "[::1]:53");
	assert_int_equal(v->spec.nzones, 2);
	assert_string_equal(v->spec.zones[0].origin, "lab.");
	assert_string_equal(v->spec.zones[0].file, "a.zone");
	assert_int_equal(v->spec.zones[0].rule.mode, GLUE_INHERIT);
	assert_null(v->spec.zones[1].origin);
	assert_string_equal(v->spec.zones[1].file, "b.zone");
	assert_int_equal(v->spec.rule.mode, GLUE_NONE);
	assert_int_equal(v->spec.rule.truncation, TRUNC_INHERIT);
	assert_int_equal(v->spec.nfaults, 0);
	assert_int_equal(srvconf_nlisten(&sc), 2);
	srvconf_free(&sc);
	assert_null(sc.servers);
	srvconf_free(&sc); /* twice is fine */
}

/* A srvconf with servers named by letters, each listening on the given
 * comma-separated addresses ("a=127.0.0.1:53,127.0.0.2:53 b=..."). */
static void make_sc(srvconf_t *sc, const char *spec)
{
	char buf[256], err[128];
	memset(sc, 0, sizeof(*sc));
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok != NULL;
	     tok = strtok_r(NULL, " ", &save)) {
		sc->servers = realloc(sc->servers, (sc->nservers + 1) * sizeof(*sc->servers));
		assert_non_null(sc->servers);
		vserver_t *v = &sc->servers[sc->nservers++];
		memset(v, 0, sizeof(*v));
		char *eq = strchr(tok, '=');
		assert_non_null(eq);
		*eq = '\0';
		v->name = strdup(tok);
		for (char *s2 = NULL, *a = strtok_r(eq + 1, ",", &s2); a != NULL;
		     a = strtok_r(NULL, ",", &s2)) {
			v->listen = realloc(v->listen, (v->nlisten + 1) * sizeof(*v->listen));
			assert_int_equal(config_parse_addr(a, 53, &v->listen[v->nlisten++], err,
							   sizeof(err)),
					 0);
		}
	}
}

static void test_srvconf_match_listen(void **state)
{
	srvconf_t cur, next;
	char err[256];

	/* Same layout, servers reordered and renamed: next follows cur. */
	make_sc(&cur, "a=127.0.0.1,127.0.0.2 b=127.0.0.3");
	make_sc(&next, "c=127.0.0.3 d=127.0.0.2,127.0.0.1");
	next.scenarios = calloc(1, sizeof(*next.scenarios));
	next.nscenarios = 1;
	next.scenarios[0].server = 0; /* c, which becomes index 1 */
	assert_int_equal(srvconf_match_listen(&cur, &next, err, sizeof(err)), 0);
	assert_string_equal(next.servers[0].name, "d");
	assert_string_equal(next.servers[1].name, "c");
	assert_int_equal(next.scenarios[0].server, 1);
	srvconf_free(&next);

	static const struct {
		const char *next;
		const char *msg;
	} bad[] = {
		{ "a=127.0.0.1 b=127.0.0.3", "127.0.0.2:53 (server a) was removed" },
		{ "a=127.0.0.1,127.0.0.2 b=127.0.0.3,127.0.0.4", "127.0.0.4:53 (server b) is new" },
		{ "a=127.0.0.1 b=127.0.0.3,127.0.0.2", "server a moved to another server" },
		{ "a=127.0.0.1,127.0.0.2,127.0.0.3", "the number of servers changed" },
		{ "a=127.0.0.1:54,127.0.0.2 b=127.0.0.3", "was removed" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_sc(&next, bad[i].next);
		err[0] = '\0';
		int r = srvconf_match_listen(&cur, &next, err, sizeof(err));
		if (r >= 0 || strstr(err, bad[i].msg) == NULL)
			fail_msg("case %zu: r=%d err='%s', want '%s'", i, r, err, bad[i].msg);
		assert_non_null(strstr(err, "restart"));
		srvconf_free(&next);
	}
	srvconf_free(&cur);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_lab),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_long_forms_and_equals),
		cmocka_unit_test(test_glue_policies),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_log_format),
		cmocka_unit_test(test_check_json),
		cmocka_unit_test(test_mode_conflicts),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_listen_twice),
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_zone_split),
		cmocka_unit_test(test_parse_twice),
		cmocka_unit_test(test_srvconf_from_cmdline),
		cmocka_unit_test(test_srvconf_match_listen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
