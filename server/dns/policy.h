/*
 * policy.h -- what a virtual server does on purpose: glue rules, truncation
 * modes and faults, at server, zone and delegation level.
 *
 * These are plain data, already parsed (names in wire form, addresses as
 * bytes, durations in ms): the YAML and command-line readers fill them,
 * zoneset_load() copies and applies them. A rule field left at *_INHERIT
 * takes the value of the enclosing level: delegation -> zone -> server; the
 * server level defaults to GLUE_FULL and TRUNC_RFC9471, which is RFC 9471.
 */
#ifndef GLUED_POLICY_H
#define GLUED_POLICY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/ede.h"
#include "dns/name.h"

enum glue_mode {
	GLUE_FULL = 0,      /* RFC 9471: in-domain required, sibling/in-zone optional */
	GLUE_IN_DOMAIN = 1, /* only in-domain glue */
	GLUE_NONE = 2,      /* no glue at all: breaks RFC 9471 on purpose */
	GLUE_PARTIAL = 3,   /* only the glue of the named NS, or of the first N */
	GLUE_WRONG = 4,     /* glue addresses rewritten to the given ones */
	GLUE_INHERIT = 255, /* use the enclosing level's mode */
};

enum trunc_mode {
	TRUNC_RFC9471 = 0, /* TC when required (in-domain) glue does not fit */
	TRUNC_LEGACY = 1,  /* drop glue that does not fit, TC=0 (pre-RFC 9471) */
	TRUNC_ALWAYS = 2,  /* TC on every UDP answer, empty sections */
	TRUNC_INHERIT = 255,
};

#define RULE_MAX_NAMES 16

typedef struct glue_rule {
	uint8_t mode;       /* enum glue_mode */
	uint8_t truncation; /* enum trunc_mode */
	/* GLUE_PARTIAL: keep the glue of the first `first` NS names in NS
	 * order, or (first == 0) of the names listed. */
	uint16_t first;
	uint8_t nnames;
	uint8_t names[RULE_MAX_NAMES][NAME_MAXLEN]; /* lowercased wire form */
	/* GLUE_WRONG: every glue A becomes wrong_a, every glue AAAA becomes
	 * wrong_aaaa; a family with no wrong address loses its glue. */
	bool has_wrong_a, has_wrong_aaaa;
	uint8_t wrong_a[4];
	uint8_t wrong_aaaa[16];
} glue_rule_t;

/* A rule that inherits everything. */
#define GLUE_RULE_INHERIT ((glue_rule_t){ .mode = GLUE_INHERIT, .truncation = TRUNC_INHERIT })

enum fault_action {
	FAULT_REFUSE = 1, /* REFUSED instead of the answer */
	FAULT_SERVFAIL,   /* SERVFAIL instead of the answer */
	FAULT_DROP,       /* no response at all */
	FAULT_DELAY,      /* the normal response, delay_ms later */
	FAULT_LAME,       /* the normal response without AA */
	FAULT_UPWARD,     /* an upward referral: AA=0, the root's NS */
};

/* One fault. Matches a query when every given criterion does; fires on
 * every `every`-th matching query (1 = each one). */
typedef struct fault {
	uint8_t action; /* enum fault_action */
	bool has_name;
	uint8_t name[NAME_MAXLEN]; /* lowercased; matches the name and below */
	uint16_t type;             /* 0 = any type */
	uint32_t every;            /* >= 1 */
	uint32_t delay_ms;         /* FAULT_DELAY */
	/* FAULT_UPWARD: the NS names put under "." (at least one). */
	uint8_t nupward;
	uint8_t upward[RULE_MAX_NAMES][NAME_MAXLEN];
	/* FAULT_REFUSE, FAULT_SERVFAIL: the Extended DNS Error sent with the
	 * rcode (RFC 8914), unless has_ede is false; ede_text is UTF-8,
	 * ede_textlen bytes, NUL-terminated for printing. */
	bool has_ede;
	uint16_t ede_code;
	uint8_t ede_textlen;
	char ede_text[EDE_TEXT_MAX + 1];
	char where[96]; /* where it was configured, for logs ("lab.yaml:40") */
} fault_t;

/* The EDE INFO-CODE a refuse or servfail fault sends unless configured
 * otherwise (docs/config.md says why these). */
#define FAULT_EDE_REFUSE EDE_PROHIBITED
#define FAULT_EDE_SERVFAIL EDE_NOT_READY

/* A rule for one delegation (zone cut) of a zone. */
typedef struct deleg_spec {
	uint8_t name[NAME_MAXLEN]; /* the cut, lowercased wire form */
	glue_rule_t rule;
	char where[96]; /* for error messages: "lab.yaml:31" */
} deleg_spec_t;

/* Whether glued signs a zone at load (dnssec/sign.h). */
enum dnssec_mode {
	DNSSEC_INHERIT = 0, /* the server's; a server's INHERIT is OFF */
	DNSSEC_OFF = 1,
	DNSSEC_SIGN = 2,
};

/* How a zone glued signs proves what does not exist. */
enum dnssec_denial {
	DNSSEC_DENIAL_INHERIT = 0, /* the enclosing level's; at the top: NSEC */
	DNSSEC_DENIAL_NSEC = 1,    /* RFC 4034 */
	DNSSEC_DENIAL_NSEC3 = 2,   /* RFC 5155, SHA-1 */
};

/* How a zone is signed: every field left zero takes the enclosing level's
 * value (zone -> server -> the YAML's top level), and at the top the
 * defaults in dnssec_spec_effective(). */
typedef struct dnssec_spec {
	uint8_t mode;      /* enum dnssec_mode */
	uint8_t algorithm; /* DNSSEC algorithm number; 0: 13 (ECDSAP256SHA256) */
	uint8_t denial;    /* enum dnssec_denial */
	uint8_t optout;    /* NSEC3 opt-out: 0 inherit, 1 no, 2 yes */
	bool has_iterations;
	uint16_t iterations; /* NSEC3 extra iterations (RFC 9276: 0) */
	bool has_salt;
	uint8_t saltlen; /* NSEC3 salt (RFC 9276: none) */
	uint8_t salt[255];
	uint32_t validity;  /* RRSIG validity in seconds; 0: 30 days */
	const char *keydir; /* key directory; NULL: "keys" beside the zone file */
} dnssec_spec_t;

#define DNSSEC_DEFAULT_ALG 13
#define DNSSEC_DEFAULT_VALIDITY (30u * 86400u)

/* The spec after inheritance: zone's fields, else server's, with the
 * defaults filled in (keydir stays NULL for "beside the zone file"). */
void dnssec_spec_effective(const dnssec_spec_t *server, const dnssec_spec_t *zone,
			   dnssec_spec_t *out);

/* Fill the fields of *to that are unset from *from (one level of
 * inheritance, used to apply the YAML's top level to each server). */
void dnssec_spec_inherit(dnssec_spec_t *to, const dnssec_spec_t *from);

/*
 * A DNSSEC fault: the signer breaks the zone (or the DS and its RRSIG at
 * one cut of it) on purpose, so that validating resolvers fail there as
 * they do on the Internet. Applied at load, never on the query path.
 */
enum dnssec_fault_kind {
	DF_DS = 1, /* at a cut: the parent's DS */
	DF_RRSIG,  /* the zone's signatures (at a cut: over the DS) */
	DF_DNSKEY, /* the zone's DNSKEY RRset */
	DF_DENIAL, /* the zone's NSEC or NSEC3 records */
	DF_NSEC3,  /* the zone's NSEC3 parameters: "iterations N" */
};

enum dnssec_fault_value {
	/* ds: */
	DF_DS_MISMATCH = 1,   /* a DS whose digest matches no DNSKEY */
	DF_DS_MISSING,        /* no DS (the child is then insecure) */
	DF_DS_UNKNOWN_DIGEST, /* digest type 100 (unassigned): no resolver knows it */
	DF_DS_UNKNOWN_ALG,    /* algorithm 100 (unassigned) in the DS */
	/* rrsig: */
	DF_RRSIG_EXPIRED,       /* expired a week before the load */
	DF_RRSIG_NOT_YET_VALID, /* valid from a week after the load */
	DF_RRSIG_BOGUS,         /* the signature bytes corrupted */
	DF_RRSIG_MISSING,       /* no RRSIG at all */
	/* dnskey: */
	DF_DNSKEY_MISSING,         /* no DNSKEY RRset (the RRSIGs stay) */
	DF_DNSKEY_UNSUPPORTED_ALG, /* DNSKEY, RRSIG and DS say algorithm 100 */
	DF_DNSKEY_NO_SEP,          /* the key's flags are 256, not 257 */
	/* denial: */
	DF_DENIAL_MISSING, /* no NSEC/NSEC3 records at all */
	DF_DENIAL_WRONG,   /* each NSEC/NSEC3 covers nothing: next = just after itself */
	/* nsec3: */
	DF_NSEC3_ITERATIONS, /* NSEC3 with `iterations` extra iterations */
};

/* The algorithm (and digest type) number the faults above put in: it is
 * unassigned, so no resolver implements it. */
#define DF_UNSUPPORTED_ALG 100

typedef struct dnssec_fault {
	uint8_t kind;  /* enum dnssec_fault_kind */
	uint8_t value; /* enum dnssec_fault_value */
	uint16_t iterations;
	bool at_cut;              /* a delegation's fault: cut says which */
	uint8_t cut[NAME_MAXLEN]; /* lowercased wire form */
	char where[96];           /* where it was configured ("lab.yaml:40") */
} dnssec_fault_t;

/* Parse "key: value" of a DNSSEC fault (key ds, rrsig, dnskey, denial,
 * nsec3; value as in enum dnssec_fault_value, "iterations N" for nsec3,
 * N 1..2500). Returns ST_OK, or ST_EINVAL with what was expected in msg. */
int dnssec_fault_parse(const char *key, const char *value, dnssec_fault_t *f, char *msg,
		       size_t cap);

/* The longest delay a delay fault may put on an answer: clients have
 * given up long before. */
#define FAULT_DELAY_MAX_MS 60000u

/* Parse a delay fault's duration for the setting key: "250ms" or "2s",
 * 1 ms to FAULT_DELAY_MAX_MS, into *ms. Returns ST_OK, or ST_EINVAL with
 * what was expected in msg. */
int fault_delay_parse(const char *key, const char *s, uint32_t *ms, char *msg, size_t cap);

/* "ds: mismatch", "nsec3: iterations 200" (into buf, returned). */
const char *dnssec_fault_str(const dnssec_fault_t *f, char *buf, size_t cap);

/* One zone to load, with its policies. */

typedef struct zone_spec {
	const char *origin; /* text, or NULL: take it from the file */
	const char *file;
	glue_rule_t rule; /* GLUE_RULE_INHERIT unless set */
	const deleg_spec_t *delegs;
	size_t ndelegs;
	const fault_t *faults;
	size_t nfaults;
	dnssec_spec_t dnssec;
	/* DNSSEC faults of the zone and (at_cut) of its delegations. */
	const dnssec_fault_t *dfaults;
	size_t ndfaults;
	/* Zone transfers (dns/xfr.h): who may pull it, whom to notify, and
	 * the primary it is pulled from; NULL: none of that. */
	const struct xfr_spec *xfr;
	/* A zone pulled from its primary: the copy transferred last
	 * (dns/xfrin.h), loaded instead of file; NULL: none yet (then the
	 * zone is left out until a transfer brings one, unless file holds an
	 * earlier copy). */
	const struct zone_copy *copy;
	char where[96]; /* where it was configured, for logs ("lab.yaml:17") */
} zone_spec_t;

/* One virtual server: its zones and policies (listen addresses are the
 * network layer's business). */
typedef struct server_spec {
	const char *name; /* for logs; may be NULL */
	const zone_spec_t *zones;
	size_t nzones;
	glue_rule_t rule; /* mode/truncation INHERIT here mean the RFC defaults */
	const fault_t *faults;
	size_t nfaults;
	dnssec_spec_t dnssec; /* the zones' default */
	/* Every server loaded with this one (itself included), or NULL: a
	 * zone signed here gets the DS of each child that one of them signs. */
	const struct server_spec *const *view;
	size_t nview;
	/* Zones pulled from a primary that have no copy yet: set aside from
	 * zones until a transfer brings one (zoneset_load keeps their
	 * origins and settings, so a NOTIFY for them is heard). */
	const zone_spec_t *waiting;
	size_t nwaiting;
	char where[96]; /* where it was configured ("lab.yaml:12"), or "" */
} server_spec_t;

/* Give f (its action set) the EDE its action sends by default: refuse
 * FAULT_EDE_REFUSE, servfail FAULT_EDE_SERVFAIL, both without text; the
 * other actions none. */
void fault_ede_default(fault_t *f);

/* Text names of the modes and actions ("full", "legacy", "servfail"...). */
const char *glue_mode_str(uint8_t mode);
const char *trunc_mode_str(uint8_t mode);
const char *fault_action_str(uint8_t action);

/* Parse those names; return 0 and set *out, or ST_EINVAL. */
int glue_mode_from_str(const char *s, uint8_t *out);
int trunc_mode_from_str(const char *s, uint8_t *out);
int fault_action_from_str(const char *s, uint8_t *out);

/* True when a rule (after inheritance) breaks the RFCs on purpose. */
bool glue_rule_breaks_rfc(uint8_t mode, uint8_t truncation);

/* ---- evaluation: what a rule or fault does to one query ------------------ */

struct zone;
struct node;
struct glue;
struct rrset;

/*
 * The rules that apply at a cut of zone z (cut NULL for an answer that is
 * not a referral): *glue gets the first of cut, zone and server rule whose
 * glue mode is set, *truncation the first truncation mode set. server_rule
 * is the fallback for both and must have neither field GLUE_/TRUNC_INHERIT.
 */
void glue_rule_effective(const struct zone *z, const struct node *cut,
			 const glue_rule_t *server_rule, const glue_rule_t **glue,
			 uint8_t *truncation);

/* Does rule r let the addresses of NS entry g (index-th of its cut) into a
 * referral? Out-of-zone names never; `wrong` keeps them, rewritten. */
bool glue_rule_keeps(const glue_rule_t *r, const struct glue *g, uint16_t index);

/* A fault as the query path uses it: the configured fault, how many
 * queries it has matched (the only thing the query path writes), and for
 * FAULT_UPWARD the ". NS ..." RRset it answers with. */
typedef struct fault_rt {
	fault_t f;
	_Atomic uint32_t seen; /* matching queries so far */
	const struct rrset *upward;
} fault_rt_t;

/* The first of faults[0..n) that matches lname (lowercased) / qtype and
 * fires on this query (every N-th match), or NULL. Counts the match. */
const fault_rt_t *fault_firing(fault_rt_t *faults, size_t n, const uint8_t *lname, uint16_t qtype);

#endif
