/*
 * udp.h -- one UDP socket of one worker: recvmmsg into a static slab,
 * synchronous replies.
 *
 * libuv 1.44 with UV_UDP_RECVMMSG reads up to 20 datagrams per system call
 * into the buffer alloc_cb returns; that buffer must be a multiple of 64 KiB
 * (a smaller one wedges the loop, STYLE.md). Each socket owns one slab for
 * its whole life, so nothing is allocated per query. Replies go out with
 * uv_udp_try_send from the worker's out buffer; when the socket buffer is
 * full (UV_EAGAIN) the reply is dropped and counted, as a UDP server may.
 *
 * A reply that a delay fault holds back is copied into one heap block
 * {uv_timer_t, socket, peer, length, bytes}; the timer sends it with
 * uv_udp_try_send and closes itself, and the close callback frees the block.
 * The blocks waiting are on a list in the worker, so stopping closes them.
 */
#ifndef GLUED_NET_UDP_H
#define GLUED_NET_UDP_H

#include <stdint.h>

#include <uv.h>

#include "net/worker.h"

#define UDP_MMSG_WIDTH 20                       /* libuv 1.44 UV__MMSG_MAXWIDTH */
#define UDP_SLAB_SIZE (UDP_MMSG_WIDTH * 65536)  /* a multiple of 64 KiB */

typedef struct udp_sock {
	uv_udp_t handle;  /* handle.data = this */
	worker_t *w;
	size_t server;    /* index of the virtual server this address belongs to */
	uint8_t *slab;    /* UDP_SLAB_SIZE bytes */
} udp_sock_t;

/* One reply waiting for its delay. */
typedef struct udp_delayed {
	uv_timer_t timer;  /* timer.data = this */
	udp_sock_t *s;
	struct udp_delayed *prev, *next; /* w->udp_delayed */
	struct sockaddr_storage peer;
	size_t len;
	uint8_t bytes[];
} udp_delayed_t;

/*
 * Adopt the bound socket fd into s on w's loop and start receiving. Takes
 * ownership of fd in every case (closed on failure). On failure the handle
 * may be initialised already: it is closed with the rest of the loop, and
 * udp_free() still has to run. Returns 0 or a negative UV_E* code.
 */
int udp_start(udp_sock_t *s, worker_t *w, size_t server, int fd) MUST_CHECK;

/* Close every waiting delayed reply of w unsent (stop path); each block is
 * freed in its timer's close callback. */
void udp_delayed_close_all(worker_t *w);

/* Free the slab; only after the handle's close has completed. */
void udp_free(udp_sock_t *s);

#endif
