/*
 * worker.h -- one thread, one uv_loop, its own sockets on every address.
 *
 * Every worker opens, for each listen address, its own UDP and TCP socket
 * with SO_REUSEPORT (sock.h), so the kernel spreads queries over the
 * workers and no lock sits on the query path. All set-up (loop, sockets,
 * handles) happens in the calling thread in worker_init(), so a bind error
 * is reported before anything is served; the thread only runs the loop.
 *
 * What the workers answer from is one immutable view: one zoneset per
 * virtual server, indexed like the servers of the srvconf_t the sockets
 * were opened for; each socket knows the index of its server, so a query is
 * answered only from the zones of the server whose address received it. A
 * reload hands a new view pointer to each worker with worker_swap(); the
 * worker switches to it on its own thread and calls the acknowledge
 * function, after which it never touches the old one.
 *
 * The transports ask the worker for answers (worker_answer, or the batch
 * pair for UDP) and get back a reply_t: the bytes, their length and the
 * delay a fault puts on them, which they hand to delay.h. Stopping a worker
 * drops the replies still waiting. A query goes to the engine through
 * respond.h. A zone transfer (AXFR, IXFR) or NOTIFY to a server whose
 * zones have transfer settings (zoneset_t.nxfr) goes to xfr_answer() in
 * xfr.h instead, which returns one reply or, for a transfer over TCP, a
 * stream that tcp.c sends message by message (reply_t.stream). Of the
 * zoneset, the worker reads only that count and its name (the query log).
 *
 * Life cycle: worker_init -> worker_start -> (worker_swap)* -> worker_stop ->
 * worker_join -> worker_destroy. worker_destroy alone is also fine after
 * worker_init (failed or not) when the thread was never started.
 */
#ifndef GLUED_NET_WORKER_H
#define GLUED_NET_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "config.h"
#include "dns/answer.h"
#include "dns/query.h"
#include "dns/respond.h"
#include "dns/zoneset.h"
#include "view.h"

struct udp_sock;
struct tcp_listener;
struct conn;

/* Called on the worker's thread once it has switched to the new view. */
typedef void (*worker_ack_fn)(void *ctx);

#define WORKER_MAX_DELAYED 10000

typedef struct worker_stats {
	uint64_t udp_queries;
	uint64_t udp_dropped;    /* no answer (respond() said drop), truncated datagrams */
	uint64_t udp_send_again; /* socket buffer full: reply dropped */
	uint64_t udp_errors;
	uint64_t tcp_queries;
	uint64_t tcp_accepted;
	uint64_t tcp_refused;   /* over the connection limit */
	uint64_t delayed;       /* responses sent later by a delay fault */
	uint64_t delay_dropped; /* over WORKER_MAX_DELAYED: not sent */
} worker_stats_t;

/*
 * What a transport sends for one request: len bytes at bytes, delay_ms from
 * now (0: at once). len 0: nothing at all (a drop, or a malformed
 * request). bytes is the out buffer the transport gave, or the worker's
 * own, valid until the worker's next answer.
 */
typedef struct reply {
	const uint8_t *bytes;
	uint32_t len;
	uint32_t delay_ms;
	/* TCP only: a zone transfer to send instead, message by message
	 * (dns/xfr.h), with a reference on the worker's view that the
	 * transport drops (view_free) once the stream is freed. */
	struct xfr_out *stream;
	const view_t *stream_view;
} reply_t;

/* A NOTIFY accepted for zone origin of server `server` (a zone pulled from
 * its primary), carrying serial (0: none): called on the worker's thread,
 * origin valid for the call only. */
typedef void (*worker_notify_fn)(void *ctx, size_t server, const uint8_t *origin, uint32_t serial);

/* The replies waiting for a delay fault on one socket or connection
 * (delay.h). */
typedef struct delay_list {
	struct delayed *head;
	unsigned n;
} delay_list_t;

/*
 * One worker. worker.c owns the loop, the handles, the view and the
 * scratch (tcp.c borrows out, see there); each transport owns its part and
 * nobody else touches it: udp.c the UDP sockets and the batch, tcp.c the
 * listeners and the connections, delay.c ndelayed. Each transport counts
 * its own figures in stats.
 */
typedef struct worker {
	unsigned id;
	uv_loop_t loop;
	uv_thread_t thread;
	bool loop_ready;
	bool started;
	uv_async_t stop;
	uv_async_t swap;
	uv_check_t udp_check; /* after each poll: send the UDP replies (udp.c) */

	/* Only the worker's thread reads view once started. next is the
	 * hand-off slot written by worker_swap(). */
	const view_t *view;
	_Atomic(const view_t *) next;
	worker_ack_fn ack;
	void *ack_ctx;
	worker_notify_fn notify; /* set before worker_start, or NULL */
	void *notify_ctx;

	bool log_queries;
	uint8_t log_format;   /* enum log_format */
	struct udp_sock *udp; /* one per listen address of every server */
	size_t nudp;
	struct tcp_listener *tcp; /* one per listen address of every server */
	size_t ntcp;
	struct conn *conns; /* open TCP connections (list) */
	size_t nconns;
	delay_list_t udp_delayed;    /* UDP responses waiting on a timer */
	struct udp_batch *udp_batch; /* UDP replies held for one sendmmsg (udp.c) */
	size_t ndelayed;             /* UDP and TCP responses waiting (delay.c) */
	worker_stats_t stats;

	/* Scratch for the request being answered. q and ex are worker.c's.
	 * out is where worker_answer encodes when the transport gives no
	 * buffer, which is what tcp.c does; tcp.c also has each message of a
	 * zone transfer written into out (xfr_out_next). Both times tcp.c
	 * copies the bytes into the write's own heap block (or delay.h copies
	 * them) before its callback returns, and the loop runs one callback
	 * at a time, so one buffer per worker serves every connection: no
	 * malloc per query, no 64 KiB per connection. udp.c gives its batch
	 * arena instead. */
	query_t q;
	explain_t ex;
	uint8_t out[RESPOND_MAX];
} worker_t;

/* How a worker logs queries. */
typedef struct worker_opts {
	bool log_queries;   /* -q */
	uint8_t log_format; /* enum log_format */
	unsigned nworkers;  /* workers that will share each address */
} worker_opts_t;

/*
 * Set up w on the calling thread: loop, stop/swap handles, and a UDP and a
 * TCP socket bound to every address of every server of sc. view is the
 * first view (view->n == sc->nservers). On failure returns a negative
 * status with a message naming the address in err, and w must still be
 * passed to worker_destroy().
 */
int worker_init(worker_t *w, unsigned id, const srvconf_t *sc, const view_t *view,
		const worker_opts_t *opts, worker_ack_fn ack, void *ack_ctx, char *err,
		size_t errcap) MUST_CHECK;

/* Start the thread that runs the loop. Returns 0 or a negative UV_E* code. */
int worker_start(worker_t *w) MUST_CHECK;

/* Ask the worker to close everything and end its loop. Any thread. */
void worker_stop(worker_t *w);

/* Once every worker is initialised: give each steered UDP socket of w its
 * reply-only twin (sock_bind_replier). */
void worker_add_senders(worker_t *w, const srvconf_t *sc);

/* Hand the worker a new view (same servers in the same order); it
 * acknowledges through its ack function. Any thread; one swap at a time per
 * worker. */
void worker_swap(worker_t *w, const view_t *view);

/* Wait for the thread to end (after worker_stop). */
void worker_join(worker_t *w);

/* Close what is left, close the loop and free everything w owns. Returns 0,
 * or the UV_EBUSY of uv_loop_close() if a handle leaked (a bug). */
int worker_destroy(worker_t *w);

/*
 * Answer one request that server number `server` received from peer, on
 * w's thread, and write its query-log line when enabled. The response is
 * encoded into out (RESPOND_MAX bytes), or into the worker's own buffer
 * when out is NULL.
 */
reply_t worker_answer(worker_t *w, size_t server, const struct sockaddr *peer, bool tcp,
		      const uint8_t *req, size_t len, uint8_t *out);

/* Whether a UDP request must be answered by worker_answer rather than
 * through the batch: a zone transfer or NOTIFY to a server whose zones
 * have transfer settings (the batch does not keep request bytes). */
bool worker_wants_single(const worker_t *w, size_t server, const uint8_t *req, size_t len);

/*
 * The same for a batch of UDP requests (respond.h): add each request of
 * server `server` to b as it arrives; once the batch is complete and
 * respond_batch_finish(b) has run, answer entry i (from peer) into out
 * (RESPOND_MAX bytes), with its query-log line. The view must not change
 * between the add and the answer (worker_swap answers what is pending
 * first).
 */
void worker_batch_add(worker_t *w, respond_batch_t *b, size_t server, const uint8_t *req,
		      size_t len);
reply_t worker_batch_answer(worker_t *w, const respond_batch_t *b, unsigned i, size_t server,
			    const struct sockaddr *peer, uint8_t *out);

#endif
