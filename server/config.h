/*
 * config.h -- the command line (DESIGN.md 3) -> struct config.
 *
 * config_parse() is a pure function of argv: it opens no file and no socket,
 * prints nothing, and reports every problem as a message in err. main.c
 * decides what to do with the result (help, version, --check, serve).
 *
 * What glued serves is a srvconf_t: N virtual servers, each with its listen
 * addresses and its server_spec_t (zones, rules, faults), plus the lab's
 * scenarios. The command line (-l/-z/--glue) describes exactly one server
 * (srvconf_from_cmdline); a YAML file (-c) describes many (yamlconf.h).
 */
#ifndef GLUED_CONFIG_H
#define GLUED_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "dns/status.h"
#include "dns/zoneset.h"
#include "log.h"

#define CONFIG_PORT 53 /* -l ADDR without :PORT */
#define CONFIG_DEFAULT_ADDR "127.0.0.1"
#define CONFIG_DEFAULT_PORT 5300 /* no -l at all (lab and -z alike) */
#define CONFIG_MAX_THREADS 1024
#define CONFIG_LAB_FILE "lab.yaml"      /* the bundled lab, in the zones dir */
#define CONFIG_CMDLINE_SERVER "default" /* the one server -l/-z describe */
#define CONFIG_WHERE_MAX 96             /* = sizeof(fault_t.where) */
#define CONFIG_ERR_MAX 1024             /* an error message about the configuration */
/* "[ffff:...:255.255.255.255]:65535" */
#define CONFIG_ADDR_TEXT_MAX (INET6_ADDRSTRLEN + 10)

/* One address to listen on, UDP and TCP alike. */
typedef struct listen_addr {
	struct sockaddr_storage ss; /* AF_INET or AF_INET6, port set */
	socklen_t sslen;
	char text[CONFIG_ADDR_TEXT_MAX]; /* "127.0.0.1:5300", "[::1]:53" */
	char host[INET6_ADDRSTRLEN];     /* "127.0.0.1", "::1" */
	uint16_t port;
} listen_addr_t;

typedef struct config {
	char *config_file;     /* -c FILE, or NULL */
	char *user;            /* -u USER: drop to it after binding, or NULL */
	char *trust_anchor;    /* --trust-anchor FILE: the root's DS goes there, or NULL */
	char *control;         /* --control PATH: the control socket, or NULL */
	listen_addr_t *listen; /* -l; with -z never empty after a parse */
	size_t nlisten;
	zone_spec_t *zones; /* origin and file strings owned by the config */
	size_t nzones;
	uint8_t glue_policy; /* GLUE_FULL (default), GLUE_IN_DOMAIN, GLUE_NONE */
	unsigned threads;    /* 0 = one per CPU, decided by main */
	bool log_queries;    /* -q */
	uint8_t log_format;  /* --log-format: enum log_format */
	bool check;          /* --check */
	bool json;           /* --json: --check prints JSON lines */
	bool help;           /* -h: print usage, nothing else is checked */
	bool version;        /* -V */
	/* Neither -c nor -z: serve the bundled lab. main sets config_file to
	 * lab.yaml once it has found it. */
	bool lab;
	bool listen_given; /* at least one -l (else the default was added) */
	bool glue_given;   /* --glue or --no-glue */
	uint8_t dnssec;    /* --dnssec: enum dnssec_mode, INHERIT when not given */
} config_t;

/* One virtual server: where it listens and what it serves. */
typedef struct vserver {
	char *name;            /* unique; spec.name points here */
	listen_addr_t *listen; /* at least one */
	size_t nlisten;
	/* spec.zones, every zone's origin, file, delegs and faults, and
	 * spec.faults are owned by the vserver. */
	server_spec_t spec; /* spec.where: "lab.yaml:12", "" on the command line */
} vserver_t;

/* The DNSSEC state (RFC 4033 5) a validating resolver reaches for a
 * scenario's answer: secure (AD set), insecure (no AD), bogus (SERVFAIL). */
enum scenario_dnssec {
	SCENARIO_DNSSEC_NONE = -1,
	SCENARIO_DNSSEC_INSECURE = 0,
	SCENARIO_DNSSEC_SECURE = 1,
	SCENARIO_DNSSEC_BOGUS = 2,
};

/* The resolvers besides Unbound that tools/lab runs, in a scenario's
 * per-resolver keys knot: and bind:. */
enum scenario_others {
	SCENARIO_KNOT = 0, /* Knot Resolver (kresd) */
	SCENARIO_BIND = 1,
	SCENARIO_NOTHERS = 2,
};

/* What one other resolver returns for a scenario where, by design, it is
 * not what Unbound returns (the scenario's own keys). tools/lab expects
 * this from that resolver; --check judges the scenario's own keys only. A
 * key left out is the scenario's, except that a resolver: other than the
 * scenario's drops the scenario's answer, dnssec and ede. */
typedef struct scenario_other {
	bool given;     /* the scenario has this mapping; without it the rest says nothing */
	char *resolver; /* NOERROR | SERVFAIL | NXDOMAIN | REFUSED, or NULL */
	char *answer;   /* or NULL */
	int dnssec;     /* enum scenario_dnssec, SCENARIO_DNSSEC_NONE: not given */
	bool has_ede;   /* ede: given */
	int ede;        /* with has_ede: the EDE INFO-CODE, -1: it reports none */
	char *why;      /* one line: why this resolver differs */
	char where[CONFIG_WHERE_MAX];
} scenario_other_t;

/* A lab scenario: only for the banner, --check and tools/lab. */
typedef struct scenario {
	char *name;
	char *title;
	char *qname;    /* "www.nog.lab." as written */
	char *qtype;    /* "A" as written */
	char *resolver; /* NOERROR | SERVFAIL | NXDOMAIN | REFUSED */
	char *answer;   /* or NULL */
	int dnssec;     /* enum scenario_dnssec: what a validating resolver finds */
	int ede;        /* the EDE INFO-CODE (RFC 8914) Unbound reports, -1: none */
	size_t server;  /* index into srvconf_t.servers */
	scenario_other_t others[SCENARIO_NOTHERS]; /* knot:, bind: */
	char where[CONFIG_WHERE_MAX];
} scenario_t;

/* Everything glued serves; rebuilt from its source on every reload. */
typedef struct srvconf {
	char *file;    /* the YAML file, or NULL for the command line */
	uint16_t port; /* default port of the file's listen entries */
	vserver_t *servers;
	size_t nservers;
	scenario_t *scenarios;
	size_t nscenarios;
	dnssec_spec_t dnssec;  /* the YAML's top-level dnssec: (the servers' default) */
	char *control;         /* the YAML's control: path, or NULL */
	struct tsig_key *keys; /* the YAML's tsig: keys */
	size_t nkeys;
} srvconf_t;

/*
 * Parse the command line into cfg (which need not be initialised). Returns 0,
 * or a negative status with a one-line message in err (errcap bytes) for bad
 * usage; on failure cfg is freed already. With -h or -V the other options are
 * still parsed but not required to make sense together. Uses getopt_long, so
 * it is not reentrant and may permute argv (the strings are not modified).
 */
int config_parse(int argc, char **argv, config_t *cfg, char *err, size_t errcap) MUST_CHECK;

/*
 * Parse "ADDR[:PORT]" ("127.0.0.1", "127.0.0.1:5353", "[::1]:53", "[::1]",
 * "::1") into out; a missing port means default_port. Port 0 is refused: every
 * worker binds its own socket and they must share one port. Returns 0 or
 * ST_EINVAL with a message in err.
 */
int config_parse_addr(const char *text, uint16_t default_port, listen_addr_t *out, char *err,
		      size_t errcap) MUST_CHECK;

/*
 * The value checks the YAML and gluectl set share, with the same words:
 * a whole number from min to max for the setting key, and a domain name
 * (absolute whether or not it ends in a dot; lowercased into out). Return
 * 0, or -1 with what was expected in err.
 */
int config_uint_parse(const char *key, const char *s, unsigned long min, unsigned long max,
		      unsigned long *out, char *err, size_t errcap);
int config_name_parse(const char *key, const char *s, uint8_t out[NAME_MAXLEN], char *err,
		      size_t errcap);

/*
 * Append a zone to load. origin may be NULL (take it from the file). Both
 * strings are copied. Returns 0 or ST_ENOMEM.
 */
int config_add_zone(config_t *cfg, const char *origin, const char *file) MUST_CHECK;

/* Free what cfg owns and zero it. Safe on a zeroed or already freed cfg. */
void config_free(config_t *cfg);

/*
 * The one server the command line describes (cfg from config_parse, not in
 * lab mode): named CONFIG_CMDLINE_SERVER, cfg's listen addresses and zones,
 * server glue mode --glue. Everything is copied. Returns 0, or ST_ENOMEM
 * with a message in err.
 */
int srvconf_from_cmdline(const config_t *cfg, srvconf_t *out, char *err, size_t errcap) MUST_CHECK;

/* Free what sc owns and zero it. Safe on a zeroed or already freed sc. */
void srvconf_free(srvconf_t *sc);

/* The total number of listen addresses over all servers. */
size_t srvconf_nlisten(const srvconf_t *sc);

/*
 * A reload may change everything but where glued listens: the sockets stay
 * open and each belongs to one server. Reorder next->servers (and the
 * scenarios' server indexes) so that server i of next listens on exactly
 * the addresses of server i of cur. Returns 0, or ST_EINVAL with a message
 * naming an address that was added, removed or moved to another server.
 */
int srvconf_match_listen(const srvconf_t *cur, srvconf_t *next, char *err,
			 size_t errcap) MUST_CHECK;

/* The --help text. */
const char *config_usage(void);

/*
 * Neither -c nor -z: point cfg->config_file at the bundled lab's lab.yaml
 * (symlinks and ".." resolved), the first readable one of: the source
 * tree's zones/ when the executable is in the build directory it was
 * compiled in (or below it); GLUED_LAB_RELDIR beside the executable
 * (../share/glued/lab from sbin/: a DESTDIR or relocated installation);
 * GLUED_LAB_DIR, the installation prefix's share/glued/lab. Returns 0, or
 * -1 after logging where it looked.
 */
int config_use_lab(config_t *cfg);

/*
 * What glued serves, from its source: the YAML file of cfg, or the one
 * server of its command line. Returns 0 or a negative status with the
 * message in err.
 */
int srvconf_load(const config_t *cfg, srvconf_t *out, char *err, size_t errcap) MUST_CHECK;

#endif
