#include "config.h"

#include "dns/xfr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/zone.h"
#include "yamlconf.h"

/* Long-only options get values above any short option character. */
enum {
	OPT_GLUE = 256,
	OPT_NO_GLUE,
	OPT_CHECK,
	OPT_LOG_FORMAT,
	OPT_JSON,
	OPT_DNSSEC,
	OPT_TRUST_ANCHOR,
	OPT_CONTROL
};

static const char short_opts[] = ":c:l:z:t:u:qhV";

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "listen", required_argument, NULL, 'l' },
	{ "zone", required_argument, NULL, 'z' },
	{ "glue", required_argument, NULL, OPT_GLUE },
	{ "no-glue", no_argument, NULL, OPT_NO_GLUE },
	{ "dnssec", required_argument, NULL, OPT_DNSSEC },
	{ "trust-anchor", required_argument, NULL, OPT_TRUST_ANCHOR },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "threads", required_argument, NULL, 't' },
	{ "log-queries", no_argument, NULL, 'q' },
	{ "user", required_argument, NULL, 'u' },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
	"usage: glued [options]\n"
	"  -c, --config FILE          YAML configuration: several virtual servers, each\n"
	"                             with its listen addresses, zones and policies\n"
	"                             (docs/config.md); not with -l, -z or --glue\n"
	"  -l, --listen ADDR[:PORT]   listen address, UDP and TCP, repeatable;\n"
	"                             [::1]:PORT for IPv6; port 53 if ADDR has none;\n"
	"                             without -l: 127.0.0.1:5300 (needs -z)\n"
	"  -z, --zone [ORIGIN=]FILE   load a zone, repeatable; without ORIGIN= the\n"
	"                             origin is the SOA owner / $ORIGIN of the file\n"
	"      --glue full|in-domain|none   glue policy with -z (default full, RFC 9471)\n"
	"      --no-glue              same as --glue none (breaks RFC 9471 on purpose)\n"
	"      --dnssec sign|off      with -z: sign every zone at load (default off), with\n"
	"                             keys kept in keys/ beside each zone file\n"
	"      --trust-anchor FILE    write the DS of the signed root zone glued serves\n"
	"                             into FILE (zone-file syntax, for Unbound's\n"
	"                             trust-anchor-file and kresd), at start and reload\n"
	"      --control PATH         the control socket for gluectl (a Unix socket,\n"
	"                             mode 0600); also the YAML's control: key\n"
	"  -t, --threads N            worker threads (default: one per CPU)\n"
	"  -q, --log-queries          one line per query on stdout, with the explanation\n"
	"  -u, --user USER            after binding the listen sockets (port 53 needs\n"
	"                             root), run as USER; zone and configuration files\n"
	"                             must be readable by USER for SIGHUP reloads\n"
	"      --log-format text|json the query log as text (default) or one JSON\n"
	"                             object per line\n"
	"      --check                load every zone, check every delegation (missing\n"
	"                             glue, lame, glue mismatch, ...), predict what a\n"
	"                             resolver gets, print the findings and exit (0 if\n"
	"                             there are no errors, 1 otherwise)\n"
	"      --json                 with --check: one JSON object per line\n"
	"  -h, --help                 this text\n"
	"  -V, --version              print the version\n"
	"\n"
	"With neither -c nor -z, glued serves the bundled lab (zones/lab.yaml): a root,\n"
	"TLDs and child servers on 127.0.x.y, port 5300, and prints the dig commands\n"
	"to try. -l, -z and --glue describe one server, -c many. SIGHUP reloads the\n"
	"configuration and the zones (the old ones keep serving if the new ones fail);\n"
	"SIGINT and SIGTERM stop glued with exit status 0. Bad usage exits with 2,\n"
	"a configuration, zone or listen address that cannot be used with 1.\n";

const char *config_usage(void) { return usage_text; }

__attribute__((format(printf, 3, 4))) static int usage_error(char *err, size_t errcap,
							     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (errcap > 0)
		vsnprintf(err, errcap, fmt, ap);
	va_end(ap);
	return ST_EINVAL;
}

static int parse_port(const char *s, uint16_t *port)
{
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int config_parse_addr(const char *text, uint16_t default_port, listen_addr_t *out, char *err,
		      size_t errcap)
{
	char host[INET6_ADDRSTRLEN];
	const char *port_text = NULL;
	bool bracketed = text[0] == '[';
	size_t hostlen;

	memset(out, 0, sizeof(*out));
	if (bracketed) {
		const char *close = strchr(text, ']');
		if (close == NULL)
			return usage_error(err, errcap, "bad listen address '%s': missing ']'",
					   text);
		hostlen = (size_t)(close - text - 1);
		if (close[1] == ':')
			port_text = close + 2;
		else if (close[1] != '\0')
			return usage_error(err, errcap,
					   "bad listen address '%s': expected ':PORT' after ']'",
					   text);
		text++;
	} else {
		const char *colon = strchr(text, ':');
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			/* Exactly one colon: IPv4 (or a name) with a port. */
			hostlen = (size_t)(colon - text);
			port_text = colon + 1;
		} else {
			/* No colon, or a bare IPv6 address without a port. */
			hostlen = strlen(text);
		}
	}
	if (hostlen == 0 || hostlen >= sizeof(host))
		return usage_error(err, errcap, "bad listen address '%.*s': expected an IP address",
				   (int)(hostlen < 200 ? hostlen : 200), text);
	memcpy(host, text, hostlen);
	host[hostlen] = '\0';

	uint16_t port = default_port;
	if (port_text != NULL && parse_port(port_text, &port) < 0)
		return usage_error(err, errcap, "bad port '%s' in listen address: expected 1-65535",
				   port_text);

	struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;
	if (!bracketed && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		out->sslen = sizeof(*sin);
		inet_ntop(AF_INET, &sin->sin_addr, out->host, sizeof(out->host));
		snprintf(out->text, sizeof(out->text), "%s:%u", out->host, port);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		out->sslen = sizeof(*sin6);
		inet_ntop(AF_INET6, &sin6->sin6_addr, out->host, sizeof(out->host));
		snprintf(out->text, sizeof(out->text), "[%s]:%u", out->host, port);
	} else {
		return usage_error(
			err, errcap,
			"bad listen address '%s': expected an IPv4 address or [IPv6]:PORT", host);
	}
	out->port = port;
	return 0;
}

int config_uint_parse(const char *key, const char *s, unsigned long min, unsigned long max,
		      unsigned long *out, char *err, size_t errcap)
{
	bool digits = s[0] != '\0';
	for (const char *p = s; *p && digits; p++)
		digits = *p >= '0' && *p <= '9';
	errno = 0;
	unsigned long long val = digits ? strtoull(s, NULL, 10) : 0;
	if (!digits || errno != 0 || strlen(s) > 12 || val < min || val > max) {
		snprintf(err, errcap,
			 "expected a whole number from %lu to %lu for '%s', got '%.100s'", min, max,
			 key, s);
		return -1;
	}
	*out = (unsigned long)val;
	return 0;
}

int config_name_parse(const char *key, const char *s, uint8_t out[NAME_MAXLEN], char *err,
		      size_t errcap)
{
	uint8_t wire[NAME_MAXLEN];
	if (strpbrk(s, " \t\r\n") != NULL) {
		snprintf(err, errcap,
			 "expected a domain name for '%s', got '%.100s' (it has a blank)", key, s);
		return -1;
	}
	int r = name_from_text(s, strlen(s), (const uint8_t *)"", wire);
	if (r < 0) {
		snprintf(err, errcap, "expected a domain name for '%s', got '%.100s' (%s)", key, s,
			 status_str(r));
		return -1;
	}
	name_lower(out, wire);
	return 0;
}

int config_add_zone(config_t *cfg, const char *origin, const char *file)
{
	zone_spec_t *z = realloc(cfg->zones, (cfg->nzones + 1) * sizeof(*z));
	if (z == NULL)
		return ST_ENOMEM;
	cfg->zones = z;
	z += cfg->nzones;
	*z = (zone_spec_t){ .rule = GLUE_RULE_INHERIT };
	z->file = strdup(file);
	if (origin != NULL)
		z->origin = strdup(origin);
	if (z->file == NULL || (origin != NULL && z->origin == NULL)) {
		free((char *)z->origin);
		free((char *)z->file);
		return ST_ENOMEM;
	}
	cfg->nzones++;
	return 0;
}

/* "[ORIGIN=]FILE": an '=' splits only when what is before it cannot be a
 * path, so "dir/a=b.zone" stays a file name. */
static int add_zone_arg(config_t *cfg, const char *arg, char *err, size_t errcap)
{
	const char *eq = strchr(arg, '=');
	if (eq != NULL && memchr(arg, '/', (size_t)(eq - arg)) == NULL) {
		if (eq == arg)
			return usage_error(err, errcap, "bad zone '%s': empty ORIGIN before '='",
					   arg);
		if (eq[1] == '\0')
			return usage_error(err, errcap, "bad zone '%s': expected a FILE after '='",
					   arg);
		char *origin = strndup(arg, (size_t)(eq - arg));
		if (origin == NULL)
			return usage_error(err, errcap, "out of memory");
		int r = config_add_zone(cfg, origin, eq + 1);
		free(origin);
		if (r < 0)
			return usage_error(err, errcap, "out of memory");
		return 0;
	}
	if (arg[0] == '\0')
		return usage_error(err, errcap, "bad zone '': expected [ORIGIN=]FILE");
	if (config_add_zone(cfg, NULL, arg) < 0)
		return usage_error(err, errcap, "out of memory");
	return 0;
}

static int add_listen(config_t *cfg, const char *arg, uint16_t default_port, char *err,
		      size_t errcap)
{
	listen_addr_t a;
	int r = config_parse_addr(arg, default_port, &a, err, errcap);
	if (r < 0)
		return r;
	for (size_t i = 0; i < cfg->nlisten; i++) {
		if (strcmp(cfg->listen[i].text, a.text) == 0)
			return usage_error(err, errcap, "listen address %s given twice", a.text);
	}
	listen_addr_t *l = realloc(cfg->listen, (cfg->nlisten + 1) * sizeof(*l));
	if (l == NULL)
		return usage_error(err, errcap, "out of memory");
	cfg->listen = l;
	l[cfg->nlisten++] = a;
	return 0;
}

static int parse_glue(const char *s, uint8_t *policy)
{
	if (strcmp(s, "full") == 0)
		*policy = GLUE_FULL;
	else if (strcmp(s, "in-domain") == 0)
		*policy = GLUE_IN_DOMAIN;
	else if (strcmp(s, "none") == 0)
		*policy = GLUE_NONE;
	else
		return -1;
	return 0;
}

static int parse_threads(const char *s, unsigned *n)
{
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > CONFIG_MAX_THREADS)
		return -1;
	*n = (unsigned)v;
	return 0;
}

static int parse_options(int argc, char **argv, config_t *cfg, char *err, size_t errcap)
{
	int c, r;

	optind = 0; /* glibc: full re-initialisation, so tests can parse again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			free(cfg->config_file);
			cfg->config_file = strdup(optarg);
			if (cfg->config_file == NULL)
				return usage_error(err, errcap, "out of memory");
			break;
		case 'l':
			r = add_listen(cfg, optarg, CONFIG_PORT, err, errcap);
			if (r < 0)
				return r;
			cfg->listen_given = true;
			break;
		case 'z':
			r = add_zone_arg(cfg, optarg, err, errcap);
			if (r < 0)
				return r;
			break;
		case OPT_GLUE:
			if (parse_glue(optarg, &cfg->glue_policy) < 0)
				return usage_error(
					err, errcap,
					"bad --glue '%s': expected full, in-domain or none",
					optarg);
			cfg->glue_given = true;
			break;
		case OPT_DNSSEC:
			if (strcmp(optarg, "sign") == 0)
				cfg->dnssec = DNSSEC_SIGN;
			else if (strcmp(optarg, "off") == 0)
				cfg->dnssec = DNSSEC_OFF;
			else
				return usage_error(err, errcap,
						   "bad --dnssec '%s': expected sign or off",
						   optarg);
			break;
		case OPT_NO_GLUE:
			cfg->glue_policy = GLUE_NONE;
			cfg->glue_given = true;
			break;
		case OPT_LOG_FORMAT:
			if (strcmp(optarg, "text") == 0)
				cfg->log_format = LOG_FORMAT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				cfg->log_format = LOG_FORMAT_JSON;
			else
				return usage_error(err, errcap,
						   "bad --log-format '%s': expected text or json",
						   optarg);
			break;
		case 't':
			if (parse_threads(optarg, &cfg->threads) < 0)
				return usage_error(err, errcap, "bad --threads '%s': expected 1-%d",
						   optarg, CONFIG_MAX_THREADS);
			break;
		case 'q':
			cfg->log_queries = true;
			break;
		case OPT_CONTROL:
			free(cfg->control);
			cfg->control = strdup(optarg);
			if (cfg->control == NULL)
				return usage_error(err, errcap, "out of memory");
			break;
		case OPT_TRUST_ANCHOR:
			free(cfg->trust_anchor);
			free(cfg->control);
			cfg->trust_anchor = strdup(optarg);
			if (cfg->trust_anchor == NULL)
				return usage_error(err, errcap, "out of memory");
			break;
		case 'u':
			free(cfg->user);
			free(cfg->trust_anchor);
			free(cfg->control);
			cfg->user = strdup(optarg);
			if (cfg->user == NULL)
				return usage_error(err, errcap, "out of memory");
			break;
		case OPT_CHECK:
			cfg->check = true;
			break;
		case OPT_JSON:
			cfg->json = true;
			break;
		case 'h':
			cfg->help = true;
			break;
		case 'V':
			cfg->version = true;
			break;
		case ':':
			return usage_error(err, errcap, "option '%s' needs an argument",
					   argv[optind - 1]);
		case '?':
		default:
			if (optopt != 0)
				return usage_error(err, errcap, "unknown option '-%c'", optopt);
			return usage_error(err, errcap, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(err, errcap, "unexpected argument '%s'", argv[optind]);
	return 0;
}

int config_parse(int argc, char **argv, config_t *cfg, char *err, size_t errcap)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->glue_policy = GLUE_FULL;
	if (errcap > 0)
		err[0] = '\0';

	int r = parse_options(argc, argv, cfg, err, errcap);
	if (r < 0)
		goto fail;
	if (cfg->help || cfg->version)
		return 0;
	if (cfg->json && !cfg->check) {
		r = usage_error(err, errcap, "--json is the output format of --check: use both");
		goto fail;
	}
	if (cfg->config_file != NULL) {
		/* The file describes every server; mixing would leave it
		 * unclear which server an -l or -z belongs to. */
		if (cfg->nlisten > 0 || cfg->nzones > 0) {
			r = usage_error(
				err, errcap,
				"-c %s describes every server: it cannot be combined with -l or -z",
				cfg->config_file);
			goto fail;
		}
		if (cfg->glue_given || cfg->dnssec != DNSSEC_INHERIT) {
			r = usage_error(
				err, errcap,
				"--glue/--no-glue/--dnssec cannot be used with -c: policies live in %s",
				cfg->config_file);
			goto fail;
		}
		return 0;
	}
	cfg->lab = cfg->nzones == 0;
	if (cfg->lab) {
		/* The bundled lab's addresses and policies are in lab.yaml. */
		if (cfg->nlisten > 0) {
			r = usage_error(
				err, errcap,
				"-l needs -z: without -z glued serves the bundled lab, whose "
				"addresses are in %s (copy it and use -c to change them)",
				CONFIG_LAB_FILE);
			goto fail;
		}
		if (cfg->glue_given || cfg->dnssec != DNSSEC_INHERIT) {
			r = usage_error(
				err, errcap,
				"--glue/--no-glue/--dnssec need -z: the bundled lab's policies are in %s "
				"(copy it and use -c to change them)",
				CONFIG_LAB_FILE);
			goto fail;
		}
		return 0;
	}
	if (cfg->nlisten == 0) {
		char def[32];
		snprintf(def, sizeof(def), "%s:%d", CONFIG_DEFAULT_ADDR, CONFIG_DEFAULT_PORT);
		r = add_listen(cfg, def, CONFIG_DEFAULT_PORT, err, errcap);
		if (r < 0)
			goto fail;
	}
	return 0;
fail:
	config_free(cfg);
	return r;
}

void config_free(config_t *cfg)
{
	for (size_t i = 0; i < cfg->nzones; i++) {
		free((char *)cfg->zones[i].origin);
		free((char *)cfg->zones[i].file);
	}
	free(cfg->zones);
	free(cfg->listen);
	free(cfg->config_file);
	free(cfg->user);
	memset(cfg, 0, sizeof(*cfg));
	cfg->glue_policy = GLUE_FULL;
}

/* ---- virtual servers ------------------------------------------------------ */

int srvconf_from_cmdline(const config_t *cfg, srvconf_t *out, char *err, size_t errcap)
{
	memset(out, 0, sizeof(*out));
	out->port = CONFIG_PORT;
	vserver_t *v = calloc(1, sizeof(*v));
	if (v == NULL)
		goto nomem;
	out->servers = v;
	out->nservers = 1;
	v->name = strdup(CONFIG_CMDLINE_SERVER);
	v->listen = calloc(cfg->nlisten ? cfg->nlisten : 1, sizeof(*v->listen));
	zone_spec_t *zones = calloc(cfg->nzones ? cfg->nzones : 1, sizeof(*zones));
	v->spec.zones = zones;
	if (v->name == NULL || v->listen == NULL || zones == NULL)
		goto nomem;
	memcpy(v->listen, cfg->listen, cfg->nlisten * sizeof(*v->listen));
	v->nlisten = cfg->nlisten;
	v->spec.name = v->name;
	v->spec.rule = GLUE_RULE_INHERIT;
	v->spec.rule.mode = cfg->glue_policy;
	v->spec.dnssec.mode = cfg->dnssec;
	for (size_t i = 0; i < cfg->nzones; i++) {
		zones[i] = (zone_spec_t){ .rule = GLUE_RULE_INHERIT };
		zones[i].file = strdup(cfg->zones[i].file);
		if (cfg->zones[i].origin != NULL)
			zones[i].origin = strdup(cfg->zones[i].origin);
		v->spec.nzones++;
		if (zones[i].file == NULL ||
		    (cfg->zones[i].origin != NULL && zones[i].origin == NULL))
			goto nomem;
	}
	return 0;
nomem:
	srvconf_free(out);
	return usage_error(err, errcap, "out of memory");
}

static void zone_specs_free(zone_spec_t *zones, size_t n)
{
	for (size_t i = 0; zones != NULL && i < n; i++) {
		free((char *)zones[i].origin);
		free((char *)zones[i].file);
		free((deleg_spec_t *)zones[i].delegs);
		free((fault_t *)zones[i].faults);
		free((dnssec_fault_t *)zones[i].dfaults);
		free((char *)zones[i].dnssec.keydir);
		free((xfr_spec_t *)zones[i].xfr);
	}
	free(zones);
}

static void vserver_free(vserver_t *v)
{
	zone_specs_free((zone_spec_t *)v->spec.zones, v->spec.nzones);
	zone_specs_free((zone_spec_t *)v->spec.waiting, v->spec.nwaiting);
	free((fault_t *)v->spec.faults);
	free((char *)v->spec.dnssec.keydir);
	free(v->listen);
	free(v->name);
	memset(v, 0, sizeof(*v));
}

void srvconf_free(srvconf_t *sc)
{
	free(sc->keys);
	for (size_t i = 0; sc->servers != NULL && i < sc->nservers; i++)
		vserver_free(&sc->servers[i]);
	free(sc->servers);
	for (size_t i = 0; sc->scenarios != NULL && i < sc->nscenarios; i++) {
		scenario_t *s = &sc->scenarios[i];
		free(s->name);
		free(s->title);
		free(s->qname);
		free(s->qtype);
		free(s->resolver);
		free(s->answer);
		for (size_t k = 0; k < SCENARIO_NOTHERS; k++) {
			free(s->others[k].resolver);
			free(s->others[k].answer);
			free(s->others[k].why);
		}
	}
	free(sc->scenarios);
	free(sc->file);
	free(sc->control);
	free((char *)sc->dnssec.keydir);
	memset(sc, 0, sizeof(*sc));
}

size_t srvconf_nlisten(const srvconf_t *sc)
{
	size_t n = 0;
	for (size_t i = 0; i < sc->nservers; i++)
		n += sc->servers[i].nlisten;
	return n;
}

/* The server of sc that listens on text, or SIZE_MAX. */
static size_t server_of(const srvconf_t *sc, const char *text)
{
	for (size_t i = 0; i < sc->nservers; i++)
		for (size_t k = 0; k < sc->servers[i].nlisten; k++)
			if (strcmp(sc->servers[i].listen[k].text, text) == 0)
				return i;
	return SIZE_MAX;
}

int srvconf_match_listen(const srvconf_t *cur, srvconf_t *next, char *err, size_t errcap)
{
	/* Every current address must still be there... */
	for (size_t i = 0; i < cur->nservers; i++) {
		for (size_t k = 0; k < cur->servers[i].nlisten; k++) {
			const char *a = cur->servers[i].listen[k].text;
			if (server_of(next, a) == SIZE_MAX)
				return usage_error(
					err, errcap,
					"listen address %s (server %s) was removed; a restart is "
					"needed to change where glued listens",
					a, cur->servers[i].name);
		}
	}
	/* ...and no new one may appear. */
	for (size_t i = 0; i < next->nservers; i++) {
		for (size_t k = 0; k < next->servers[i].nlisten; k++) {
			const char *a = next->servers[i].listen[k].text;
			if (server_of(cur, a) == SIZE_MAX)
				return usage_error(
					err, errcap,
					"listen address %s (server %s) is new; a restart is needed "
					"to change where glued listens",
					a, next->servers[i].name);
		}
	}
	if (next->nservers != cur->nservers)
		return usage_error(
			err, errcap,
			"the number of servers changed (%zu -> %zu); a restart is needed",
			cur->nservers, next->nservers);
	/* Same addresses: each current server's addresses must now belong to
	 * one server, and to it alone. */
	size_t *map = calloc(cur->nservers, sizeof(*map));
	if (map == NULL)
		return usage_error(err, errcap, "out of memory");
	for (size_t i = 0; i < cur->nservers; i++) {
		const vserver_t *c = &cur->servers[i];
		map[i] = server_of(next, c->listen[0].text);
		const vserver_t *n = &next->servers[map[i]];
		bool same = n->nlisten == c->nlisten;
		for (size_t k = 0; same && k < c->nlisten; k++)
			same = server_of(next, c->listen[k].text) == map[i];
		if (!same) {
			free(map);
			return usage_error(
				err, errcap,
				"the listen addresses of server %s moved to another server; a "
				"restart is needed",
				c->name);
		}
	}
	/* map is a permutation: put next's servers in cur's order. */
	vserver_t *sorted = calloc(cur->nservers, sizeof(*sorted));
	if (sorted == NULL) {
		free(map);
		return usage_error(err, errcap, "out of memory");
	}
	for (size_t i = 0; i < cur->nservers; i++)
		sorted[i] = next->servers[map[i]];
	for (size_t s = 0; s < next->nscenarios; s++) {
		for (size_t i = 0; i < cur->nservers; i++) {
			if (map[i] == next->scenarios[s].server) {
				next->scenarios[s].server = i;
				break;
			}
		}
	}
	free(next->servers);
	next->servers = sorted;
	free(map);
	return 0;
}

/*
 * The directory of the running executable (/proc/self/exe, which the kernel
 * gives with every symlink resolved) into dir. Returns 0, or -1 when it
 * cannot be read (no /proc).
 */
static int exe_dir(char *dir, size_t cap)
{
	ssize_t n = readlink("/proc/self/exe", dir, cap - 1);
	if (n <= 0 || (size_t)n >= cap - 1)
		return -1;
	dir[n] = '\0';
	char *slash = strrchr(dir, '/');
	if (slash == NULL)
		return -1;
	if (slash == dir)
		slash++; /* an executable in / */
	*slash = '\0';
	return 0;
}

#ifdef GLUED_SOURCE_LAB_DIR
/* Whether dir is the build directory glued was compiled in, or below it. */
static bool in_build_dir(const char *dir)
{
	char *build = realpath(GLUED_BUILD_DIR, NULL);
	if (build == NULL)
		return false;
	size_t n = strlen(build);
	bool in = strncmp(dir, build, n) == 0 && (dir[n] == '\0' || dir[n] == '/');
	free(build);
	return in;
}
#endif

int config_use_lab(config_t *cfg)
{
	/* Where the lab may be, in order (docs/glued.8, FILES). */
	char dirs[3][PATH_MAX];
	size_t ndirs = 0;
	char exe[PATH_MAX];
	bool have_exe = exe_dir(exe, sizeof(exe)) == 0;
#ifdef GLUED_SOURCE_LAB_DIR
	/* The source tree, only for a glued that runs from its build directory:
	 * an installed glued never looks there. */
	if (have_exe && in_build_dir(exe) &&
	    snprintf(dirs[ndirs], PATH_MAX, "%s", GLUED_SOURCE_LAB_DIR) < PATH_MAX)
		ndirs++;
#endif
	/* Beside the executable: a DESTDIR or relocated installation. */
	if (have_exe && snprintf(dirs[ndirs], PATH_MAX, "%s/%s", exe, GLUED_LAB_RELDIR) < PATH_MAX)
		ndirs++;
	/* The prefix glued was configured with. */
	if (snprintf(dirs[ndirs], PATH_MAX, "%s", GLUED_LAB_DIR) < PATH_MAX)
		ndirs++;

	char path[PATH_MAX + sizeof(CONFIG_LAB_FILE) + 1];
	char looked[3 * sizeof(path) + 16] = "";
	for (size_t i = 0; i < ndirs; i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], CONFIG_LAB_FILE);
		const char *sep = ", ";
		if (i == 0)
			sep = "";
		else if (i + 1 == ndirs)
			sep = " and ";
		size_t len = strlen(looked);
		snprintf(looked + len, sizeof(looked) - len, "%s%s", sep, path);
		if (access(path, R_OK) != 0)
			continue;
		/* The banner and the query log name the file: without "..". */
		char *real = realpath(path, NULL);
		free(cfg->config_file);
		cfg->config_file = real != NULL ? real : strdup(path);
		return cfg->config_file != NULL ? 0 : -1;
	}
	log_error("the bundled lab is missing: looked for %s", looked);
	return -1;
}

int srvconf_load(const config_t *cfg, srvconf_t *out, char *err, size_t errcap)
{
	if (cfg->config_file != NULL)
		return yamlconf_load(cfg->config_file, out, err, errcap);
	return srvconf_from_cmdline(cfg, out, err, errcap);
}
