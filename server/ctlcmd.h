/*
 * ctlcmd.h -- the commands of the control socket (gluectl), apart from
 * the socket and the daemon: parsing a command line against what glued
 * serves, the rule and fault overrides of `set` and applying them to a
 * configuration, and the `status` report.
 *
 * Commands (one line of blank-separated words; a word may be put in
 * double quotes, with \" and \\ inside; --json may be any word):
 *   status
 *   set TARGET glue full|in-domain|none
 *   set TARGET glue partial N | first=N | names=NAME[,NAME...]
 *   set TARGET glue wrong ADDR [ADDR] | address=ADDR[,ADDR]
 *   set TARGET truncation rfc9471|legacy|always
 *   set TARGET fault ACTION [KEY=VALUE...]
 *     ACTION: refuse, servfail, drop, lame, delay DURATION (or delay=),
 *     upward [NAME...] (or upward=NAME,...); KEY: name, type, every, and
 *     for refuse and servfail ede (a code or none) and ede-text
 *   clear TARGET [glue|truncation|fault]
 *   reload [ZONE]
 *   stats [--reset]
 *   wait-ready
 *   stop
 * TARGET is SERVER[/ZONE[/DELEGATION]]. Values are those of the YAML
 * (docs/config.md: glue-first, glue-names, glue-address and a fault's
 * keys) with its limits and its error messages. An override stays until
 * it is cleared, across reloads: each rebuild applies the overrides, in
 * the order they were set, on top of the configuration as its files say,
 * and marks the where of each rule it sets (zoneset.h: "control").
 */
#ifndef GLUED_CTLCMD_H
#define GLUED_CTLCMD_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "view.h"

enum ctl_op {
	CTL_STATUS = 1,
	CTL_SET,
	CTL_CLEAR,
	CTL_RELOAD,
	CTL_STATS,
	CTL_WAIT_READY,
	CTL_STOP,
};

enum ctl_kind {
	CTL_ANY = 0, /* clear: every override at the target */
	CTL_GLUE,
	CTL_TRUNCATION,
	CTL_FAULT,
};

/* One `set`, as it is applied: a target and one rule or fault. */
typedef struct ctl_override {
	char server[CONFIG_WHERE_MAX];
	bool has_zone;
	uint8_t zone[NAME_MAXLEN]; /* lowercased */
	bool has_cut;
	uint8_t cut[NAME_MAXLEN]; /* lowercased, below zone */
	uint8_t kind;             /* enum ctl_kind */
	glue_rule_t rule;         /* CTL_GLUE, CTL_TRUNCATION: the fields set */
	fault_t fault;            /* CTL_FAULT */
	char text[512];           /* the command's target and value, for logs */
} ctl_override_t;

typedef struct ctl_cmd {
	uint8_t op; /* enum ctl_op */
	bool json;
	bool reset;                /* stats --reset */
	ctl_override_t ov;         /* set: the override; clear: target and kind */
	uint8_t zone[NAME_MAXLEN]; /* reload ZONE */
	bool has_zone;
} ctl_cmd_t;

/*
 * Parse line into cmd. A target must name a server of sc (the error names
 * those that exist), a zone that server serves in v (the error names its
 * zones), a delegation below that zone. Returns 0, or -1 with a one-line
 * error in err; cmd->json says whether --json was given, also on error.
 */
int ctl_parse(const char *line, const srvconf_t *sc, const view_t *v, ctl_cmd_t *cmd, char *err,
	      size_t errcap);

/*
 * Apply overrides[0..n) to sc (loaded from the files, with v's zone
 * layout: zone i of a server is that server's zone i in sc), in order.
 * Returns 0, or -1 with why in err (out of memory).
 */
int ctl_apply(srvconf_t *sc, const view_t *v, const ctl_override_t *ov, size_t n, char *err,
	      size_t errcap);

/* Does override o fall under clear command c (same target, and same
 * kind unless c's is CTL_ANY)? */
bool ctl_clears(const ctl_override_t *c, const ctl_override_t *o);

/*
 * The status report into buf: each server with its listen addresses and
 * rule, each zone with its serial, whether it is signed, its rule and its
 * delegation rules, then the overrides in force. Each rule is the one in
 * force there, after inheritance, with where each field was set
 * ("glue none (control), truncation rfc9471 (default)"). Text, or one
 * JSON object.
 */
size_t ctl_status(const srvconf_t *sc, const view_t *v, const ctl_override_t *ov, size_t n,
		  bool json, char *buf, size_t cap);

#endif
