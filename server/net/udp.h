/*
 * udp.h -- one UDP socket of one worker: recvmmsg into a static slab,
 * synchronous replies.
 *
 * libuv 1.44 with UV_UDP_RECVMMSG reads up to 20 datagrams per system call
 * into the buffer alloc_cb returns; that buffer must be a multiple of 64 KiB
 * (a smaller one wedges the loop, STYLE.md). Each socket owns one slab for
 * its whole life, so nothing is allocated per query.
 *
 * Requests are answered a batch at a time through the engine's batch API
 * (respond.h, by way of worker_batch_add / worker_batch_answer): each
 * datagram of a recvmmsg batch is added as it comes (the engine parses it
 * and starts its lookup), and when libuv signals the end of the batch
 * (recv_cb with addr == NULL: UV_UDP_MMSG_FREE after the chunks, or
 * "nothing more to read") the engine finishes the batch's lookups and each
 * request is answered.
 * Each reply is encoded straight into the worker's batch arena (one per
 * worker, allocated with its first socket) and its peer is recorded. The
 * replies go out with one sendmmsg(2) when the loop's poll phase is over
 * (a uv_check handle): libuv reads at most two batches of 20 per wake-up,
 * and both go out in one system call. One system call per forty replies
 * instead of one per reply is most of the CPU a reply costs
 * (docs/performance.md). The arena is also flushed when it is full, when
 * a reply for another socket comes, and after a reply to a plain
 * (non-recvmmsg) read, so no reply waits for a later datagram. When the socket buffer is full
 * (EAGAIN/ENOBUFS) the replies not yet sent are dropped and counted, as a
 * UDP server may; another error costs only the reply it concerns.
 *
 * A reply that a delay fault holds back waits in delay.h, on the worker's
 * list, and goes out with uv_udp_try_send from the socket that read it.
 */
#ifndef GLUED_NET_UDP_H
#define GLUED_NET_UDP_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "net/worker.h"

#define UDP_MMSG_WIDTH 20                      /* libuv 1.44 UV__MMSG_MAXWIDTH */
#define UDP_SLAB_SIZE (UDP_MMSG_WIDTH * 65536) /* a multiple of 64 KiB */

typedef struct udp_sock {
	uv_udp_t handle; /* handle.data = this */
	worker_t *w;
	size_t server; /* index of the virtual server this address belongs to */
	int fd;        /* the socket libuv reads */
	/* The socket replies are sent from: the same address and port, in
	 * the same SO_REUSEPORT group, but never given a datagram (the
	 * group's steering program picks only the sockets libuv reads) and
	 * never polled. Sending from the polled socket costs an epoll
	 * wake-up per reply when the kernel frees the sent packet (about
	 * 0.1 us each here, docs/performance.md). fd when there is none. */
	int send_fd;
	bool steered;  /* sock_steer succeeded: a reply-only socket may join */
	uint8_t *slab; /* UDP_SLAB_SIZE bytes */
} udp_sock_t;

#define UDP_BATCH_MAX 64            /* replies per sendmmsg */
#define UDP_BATCH_BYTES (64 * 1024) /* reply bytes held before a flush */

/*
 * Adopt the bound socket fd into s on w's loop and start receiving. Takes
 * ownership of fd in every case (closed on failure). On failure the handle
 * may be initialised already: it is closed with the rest of the loop, and
 * udp_free() still has to run. Returns 0 or a negative UV_E* code.
 */
int udp_start(udp_sock_t *s, worker_t *w, size_t server, int fd) MUST_CHECK;

/* Send s's replies out of fd from now on (its reply-only twin, bound by
 * sock_bind_replier once every reading socket of the group is bound and
 * steered; s owns it). */
void udp_set_sender(udp_sock_t *s, int fd);

/* The loop's check callback (handle->data is the worker): after the poll
 * phase has run every socket's reads, send every reply they produced. */
void udp_loop_end(uv_check_t *handle);

/* Free the slab; only after the handle's close has completed. */
void udp_free(udp_sock_t *s);

/* Free w's batch arena (worker_destroy). Safe when it was never made. */
void udp_batch_free(worker_t *w);

#endif
