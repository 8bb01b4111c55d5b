/*
 * tcp.h -- DNS over TCP (RFC 7766): a listening socket per worker and its
 * connections.
 *
 * Each connection has one receive buffer that holds any DNS message with its
 * 2-byte length. Every complete message in it is answered (pipelining), then
 * the rest is moved to the front. A length of 0 closes the connection. Each
 * reply is one heap block {uv_write_t, length, message} freed in write_cb:
 * libuv copies the uv_buf_t array but not the bytes. A connection with no
 * complete message for TCP_IDLE_MS is closed; on EOF it closes once its
 * pending writes have drained. Over TCP_MAX_CONNS connections per worker, new
 * ones are accepted and closed at once. A client that does not read its
 * answers makes us stop reading after TCP_MAX_PENDING queued replies or
 * TCP_MAX_PENDING_BYTES queued bytes.
 *
 * A reply held back by a delay fault waits in delay.h, on a list of its
 * connection; when its timer fires it is written like any reply. Closing
 * the connection closes those timers unsent, so nothing is ever written to
 * a closed connection; a connection waiting for a delayed reply is neither
 * idle nor finished at EOF.
 */
#ifndef GLUED_NET_TCP_H
#define GLUED_NET_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "net/worker.h"

#define TCP_IDLE_MS 10000
#define TCP_MAX_CONNS 256
#define TCP_MAX_PENDING 64
/* ... or after this many bytes of queued replies, so that a worker's TCP
 * memory stays within TCP_MAX_CONNS x (receive buffer + this + one reply):
 * about 64 MiB, whatever the clients do. */
#define TCP_MAX_PENDING_BYTES (128 * 1024)
#define TCP_BACKLOG 128

typedef struct tcp_listener {
	uv_tcp_t handle; /* handle.data = this */
	worker_t *w;
	size_t server; /* index of the virtual server this address belongs to */
} tcp_listener_t;

/*
 * Adopt the bound socket fd into l on w's loop and start listening. Takes
 * ownership of fd in every case. On failure the handle may be initialised
 * and is closed with the rest of the loop. Returns 0 or a negative UV_E*.
 */
int tcp_start(tcp_listener_t *l, worker_t *w, size_t server, int fd) MUST_CHECK;

/* Close every open connection of w (stop path); each frees itself once
 * both its handles are closed. */
void tcp_close_all(worker_t *w);

#endif
