/*
 * worker.h -- one thread, one uv_loop, its own sockets on every address.
 *
 * Every worker opens, for each listen address, its own UDP and TCP socket
 * with SO_REUSEPORT, so the kernel spreads queries over the workers and no
 * lock sits on the query path. All set-up (loop, sockets, handles) happens in
 * the calling thread in worker_init(), so a bind error is reported before
 * anything is served; the thread only runs the loop.
 *
 * The zoneset is shared read-only. A reload hands a new pointer to each
 * worker with worker_swap(); the worker switches to it on its own thread and
 * calls the acknowledge function, after which it never touches the old one.
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

struct udp_sock;
struct tcp_listener;
struct conn;

/* Called on the worker's thread once it has switched to the new zoneset. */
typedef void (*worker_ack_fn)(void *ctx);

typedef struct worker_stats {
	uint64_t udp_queries;
	uint64_t udp_dropped;    /* no answer (respond() said drop), truncated datagrams */
	uint64_t udp_send_again; /* socket buffer full: reply dropped */
	uint64_t udp_errors;
	uint64_t tcp_queries;
	uint64_t tcp_accepted;
	uint64_t tcp_refused;    /* over the connection limit */
} worker_stats_t;

typedef struct worker {
	unsigned id;
	uv_loop_t loop;
	uv_thread_t thread;
	bool loop_ready;
	bool started;
	uv_async_t stop;
	uv_async_t swap;

	/* Only the worker's thread reads zs once started. next is the
	 * hand-off slot written by worker_swap(). */
	const zoneset_t *zs;
	_Atomic(const zoneset_t *) next;
	worker_ack_fn ack;
	void *ack_ctx;

	bool log_queries;
	struct udp_sock *udp;       /* one per listen address */
	size_t nudp;
	struct tcp_listener *tcp;   /* one per listen address */
	size_t ntcp;
	struct conn *conns;         /* open TCP connections (list) */
	size_t nconns;
	worker_stats_t stats;

	/* Scratch for the query being answered: the loop runs one callback at
	 * a time, so one buffer per worker is enough (no malloc per query). */
	query_t q;
	explain_t ex;
	uint8_t out[RESPOND_MAX];
} worker_t;

/*
 * Set up w on the calling thread: loop, stop/swap handles, and a UDP and a
 * TCP socket bound to every address of cfg->listen. zs is the first zoneset.
 * On failure returns a negative status with a message naming the address in
 * err, and w must still be passed to worker_destroy().
 */
int worker_init(worker_t *w, unsigned id, const config_t *cfg, const zoneset_t *zs,
		worker_ack_fn ack, void *ack_ctx, char *err, size_t errcap) MUST_CHECK;

/* Start the thread that runs the loop. Returns 0 or a negative UV_E* code. */
int worker_start(worker_t *w) MUST_CHECK;

/* Ask the worker to close everything and end its loop. Any thread. */
void worker_stop(worker_t *w);

/* Hand the worker a new zoneset; it acknowledges through its ack function.
 * Any thread; one swap at a time per worker. */
void worker_swap(worker_t *w, const zoneset_t *zs);

/* Wait for the thread to end (after worker_stop). */
void worker_join(worker_t *w);

/* Close what is left, close the loop and free everything w owns. Returns 0,
 * or the UV_EBUSY of uv_loop_close() if a handle leaked (a bug). */
int worker_destroy(worker_t *w);

/*
 * Answer one request on w's thread: runs respond() into w->out and writes
 * the query-log line when enabled. peer is the client address. Returns the
 * response length in w->out, or 0 to send nothing.
 */
size_t worker_respond(worker_t *w, const struct sockaddr *peer, bool tcp, const uint8_t *req,
		      size_t len);

/*
 * Open a socket of type SOCK_DGRAM or SOCK_STREAM bound to a (SO_REUSEADDR,
 * SO_REUSEPORT, IPV6_V6ONLY for IPv6). Returns the fd, or -errno with a
 * message naming the address in err.
 */
int worker_bind(const listen_addr_t *a, int type, char *err, size_t errcap);

/*
 * Check, before any worker binds with SO_REUSEPORT, that nothing else holds
 * a's UDP or TCP port (a reuseport bind would silently share it with another
 * process of the same user). Returns 0 or -errno with a message in err.
 */
int worker_probe(const listen_addr_t *a, char *err, size_t errcap);

#endif
