/*
 * delay.h -- replies held back by a delay fault, for every transport.
 *
 * A delay fault (explain_t.delay_ms) answers a query, but later. The reply
 * is copied into one heap block {uv_timer_t, list links, peer, length,
 * bytes}; when the timer fires the block is taken off its list and its
 * bytes are handed to the transport's send function, then the timer is
 * closed and its close callback frees the block. The transport owns the
 * list the blocks wait on (one per worker for UDP, one per connection for
 * TCP) and closes it when the socket or connection goes: closed blocks are
 * never sent.
 *
 * At most WORKER_MAX_DELAYED replies wait per worker (w->ndelayed counts
 * every list of the worker); more are dropped and counted in
 * w->stats.delay_dropped, as are replies for which there is no memory.
 * A reply the send function reports as sent counts in w->stats.delayed.
 * The lists are delay_list_t (worker.h): all zero is empty.
 */
#ifndef GLUED_NET_DELAY_H
#define GLUED_NET_DELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include "net/worker.h"

/*
 * Send one delayed reply (len bytes) to peer; owner is what delay_hold was
 * given. Returns true when the reply went out. Called with the block
 * already off its list, so the function may close the list (a failed TCP
 * write closes the connection).
 */
typedef bool (*delay_send_fn)(void *owner, const struct sockaddr *peer, const uint8_t *bytes,
			      size_t len);

/*
 * Send the reply (len bytes at bytes) to peer through send(owner, ...)
 * delay_ms from now, on w's loop; it waits on list. peer may be NULL (a
 * connection needs none). Returns false when the reply was dropped (too
 * many waiting, no memory, no timer), which is counted.
 */
bool delay_hold(worker_t *w, delay_list_t *list, delay_send_fn send, void *owner,
		const struct sockaddr *peer, const uint8_t *bytes, size_t len, uint32_t delay_ms);

/* Close every reply waiting on list, unsent; each block is freed in its
 * timer's close callback. */
void delay_close_all(delay_list_t *list);

#endif
