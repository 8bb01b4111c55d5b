/*
 * config.h -- the command line (DESIGN.md 3) -> struct config.
 *
 * config_parse() is a pure function of argv: it opens no file and no socket,
 * prints nothing, and reports every problem as a message in err. main.c
 * decides what to do with the result (help, version, --check, serve).
 * YAML configuration (-c) is parsed into cfg->config_file but rejected until
 * the YAML reader lands.
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

#define CONFIG_PORT 53            /* -l ADDR without :PORT */
#define CONFIG_DEFAULT_ADDR "127.0.0.1"
#define CONFIG_DEFAULT_PORT 5300  /* no -l at all (lab and -z alike) */
#define CONFIG_MAX_THREADS 1024
#define CONFIG_LAB_ORIGIN "lab"
#define CONFIG_LAB_FILE "lab.zone"
/* "[ffff:...:255.255.255.255]:65535" */
#define CONFIG_ADDR_TEXT_MAX (INET6_ADDRSTRLEN + 10)

/* One address to listen on, UDP and TCP alike. */
typedef struct listen_addr {
	struct sockaddr_storage ss;  /* AF_INET or AF_INET6, port set */
	socklen_t sslen;
	char text[CONFIG_ADDR_TEXT_MAX]; /* "127.0.0.1:5300", "[::1]:53" */
	char host[INET6_ADDRSTRLEN];     /* "127.0.0.1", "::1" */
	uint16_t port;
} listen_addr_t;

typedef struct config {
	char *config_file;       /* -c FILE (not supported yet), or NULL */
	listen_addr_t *listen;   /* never empty after a successful parse */
	size_t nlisten;
	zone_spec_t *zones;      /* origin and file strings owned by the config */
	size_t nzones;
	uint8_t glue_policy;     /* GLUE_FULL (default), GLUE_IN_DOMAIN, GLUE_NONE */
	unsigned threads;        /* 0 = one per CPU, decided by main */
	bool log_queries;        /* -q */
	bool check;              /* --check */
	bool help;               /* -h: print usage, nothing else is checked */
	bool version;            /* -V */
	/* Neither -c nor -z: serve the bundled lab. main adds the zone with
	 * config_add_zone() once it has found lab.zone. */
	bool lab;
	bool listen_given;       /* at least one -l (else the default was added) */
} config_t;

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
 * Append a zone to load. origin may be NULL (take it from the file). Both
 * strings are copied. Returns 0 or ST_ENOMEM.
 */
int config_add_zone(config_t *cfg, const char *origin, const char *file) MUST_CHECK;

/* Free what cfg owns and zero it. Safe on a zeroed or already freed cfg. */
void config_free(config_t *cfg);

/* The --help text. */
const char *config_usage(void);

#endif
