/*
 * encode.h -- plan -> response bytes: name compression, size limit, TC rules.
 */
#ifndef GLUED_ENCODE_H
#define GLUED_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/answer.h"
#include "dns/query.h"

/*
 * Write the response to q described by plan into out, at most limit bytes
 * (limit <= outcap; 512..65535). Header: ID and RD/CD copied from the query,
 * QR set, AA and rcode from the plan; the question echoed with the client's
 * case; OPT (advertising EDNS_ADVERTISED, DO echoed, extended rcode) iff the
 * query had a valid OPT, with its space reserved first; the OPT carries
 * plan->ede, when set, as an EDE option (RFC 8914). RRsets are written
 * whole or not at all. If an ANSWER or AUTHORITY RRset, or a *required*
 * ADDITIONAL RRset (in-domain glue), does not fit, TC is set and encoding
 * stops there (RFC 9471 3.1); optional ADDITIONAL RRsets that do not fit are
 * left out silently. Names are compressed, except inside rdata of types
 * other than those of RFC 1035 (RFC 3597 4). ex (may be NULL) receives the
 * counts, flags, size, TC reason, whether an EDE went out (ede_sent, ede)
 * and glue fates for size: ex->ns[i].fate
 * becomes FATE_SIZE when any glue RRset with ns_index i was left out (the
 * other fields of ex are left as answer_plan set them).
 * Returns the response length, or 0 if not even the header and question fit.
 */
size_t encode_response(const query_t *q, const plan_t *plan, uint8_t *out, size_t limit,
		       explain_t *ex);

/*
 * Write an error response (FORMERR, NOTIMP, BADVERS, REFUSED, ...) with the
 * question echoed if q->has_question, and OPT iff q->edns, carrying ede
 * (may be NULL: none) as an EDE option. ex (may be NULL) receives what the
 * encoder decided: the header flags, the record counts (the OPT only), the
 * size, the limit, TC (never set) and the EDE sent; flags and counts are 0
 * when nothing can be sent. The kind and rcode of ex are the caller's.
 * Returns the length, or 0 if nothing can be sent.
 */
size_t encode_error(const query_t *q, uint16_t rcode, const ede_t *ede, uint8_t *out, size_t limit,
		    explain_t *ex);

/*
 * A message written record by record, for zone transfers (RFC 5936 2.2):
 * header with ID, opcode and RD copied from q, QR and AA (when aa) set,
 * rcode; the question echoed when question is true (the first message of
 * a transfer), records in ANSWER, and an OPT at the end iff q had one.
 * reserve bytes are kept free below limit for what the caller appends
 * (a TSIG record). Names are compressed within the message as in
 * encode_response. Allocated once per transfer, not per query.
 */
typedef struct encode_msg encode_msg_t;

encode_msg_t *encode_msg_new(void); /* NULL when memory is short */
void encode_msg_free(encode_msg_t *m);

void encode_msg_begin(encode_msg_t *m, const query_t *q, uint16_t rcode, bool aa, bool question,
		      size_t reserve, uint8_t *out, size_t limit);

/* Append one record (owner and rdata uncompressed wire form) to ANSWER.
 * Returns false, with the message as it was, when it does not fit. */
bool encode_msg_rr(encode_msg_t *m, const uint8_t *owner, uint16_t type, uint32_t ttl,
		   const uint8_t *rd, uint16_t rdlen);

/* Records in ANSWER so far. */
uint16_t encode_msg_count(const encode_msg_t *m);

/* Finish: the OPT, the counts. Returns the length, or 0 when not even the
 * header and question fitted. */
size_t encode_msg_end(encode_msg_t *m);

#endif
