/* sendmmsg(2) and struct mmsghdr are GNU extensions in glibc. */
#define _GNU_SOURCE
#include "net/udp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "net/delay.h"

_Static_assert(UDP_SLAB_SIZE % 65536 == 0, "libuv 1.44 recvmmsg needs a multiple of 64 KiB");

/*
 * The replies of one receive batch, waiting for one sendmmsg. Reply i is
 * iov[i] = {out + its offset, its length} to peer[i]; msg[i] points at
 * both. A reply is encoded in place at out + used, which always has
 * RESPOND_MAX bytes free (respond()'s contract), so out is that much
 * bigger than the UDP_BATCH_BYTES that trigger a flush. Every reply is
 * for sock.
 */
typedef union udp_peer {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
} udp_peer_t;

_Static_assert(UDP_MMSG_WIDTH <= RESPOND_BATCH_MAX, "one recvmmsg batch is one engine batch");

typedef struct udp_batch {
	/* Received: answered together when the batch ends; entry i of rb
	 * came from rpeer[i], all on rsock. */
	respond_batch_t *rb;
	udp_sock_t *rsock;
	unsigned npend;
	udp_peer_t rpeer[UDP_MMSG_WIDTH];
	/* Answered: sent together with one sendmmsg. */
	udp_sock_t *sock;
	unsigned n;
	size_t used;
	struct mmsghdr msg[UDP_BATCH_MAX];
	struct iovec iov[UDP_BATCH_MAX];
	udp_peer_t peer[UDP_BATCH_MAX];
	uint8_t out[UDP_BATCH_BYTES + RESPOND_MAX];
} udp_batch_t;

/* Send every held reply with as few sendmmsg calls as the kernel allows. */
static void udp_flush(worker_t *w)
{
	udp_batch_t *b = w->udp_batch;
	if (b == NULL || b->n == 0)
		return;
	unsigned i = 0;
	while (i < b->n) {
		int r = sendmmsg(b->sock->send_fd, b->msg + i, b->n - i, 0);
		if (r > 0) {
			i += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
			/* Socket buffer full: UDP may drop, as one
			 * uv_udp_try_send per reply did. */
			w->stats.udp_send_again += b->n - i;
			break;
		}
		/* The first unsent reply was refused (its peer, its size):
		 * count it and send the rest. */
		w->stats.udp_errors++;
		i++;
	}
	b->n = 0;
	b->used = 0;
}

/* Hold the reply of len bytes at b->out + b->used for peer. */
static void udp_hold(udp_batch_t *b, udp_sock_t *s, const struct sockaddr *peer, size_t len)
{
	unsigned i = b->n++;
	socklen_t plen = peer->sa_family == AF_INET ? sizeof(struct sockaddr_in)
						    : sizeof(struct sockaddr_in6);
	memcpy(&b->peer[i], peer, plen);
	b->iov[i].iov_base = b->out + b->used;
	b->iov[i].iov_len = len;
	b->msg[i].msg_hdr = (struct msghdr){
		.msg_name = &b->peer[i],
		.msg_namelen = plen,
		.msg_iov = &b->iov[i],
		.msg_iovlen = 1,
	};
	b->msg[i].msg_len = 0;
	b->used += len;
	b->sock = s;
}

void udp_batch_free(worker_t *w)
{
	if (w->udp_batch != NULL)
		respond_batch_free(w->udp_batch->rb);
	free(w->udp_batch);
	w->udp_batch = NULL;
}

static void udp_answer_pending(worker_t *w);

static void udp_alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	udp_sock_t *s = handle->data;
	(void)suggested;
	/* The slab is about to be read into: whatever of it is still
	 * waiting is answered now. (The batch end always comes first; this
	 * keeps the slab safe without relying on it.) */
	udp_answer_pending(s->w);
	/* The same slab every time: libuv hands each datagram to recv_cb
	 * before it asks again. */
	buf->base = (char *)s->slab;
	buf->len = UDP_SLAB_SIZE;
}

/* delay.h's send function: a reply a delay fault held back. */
static bool udp_send_delayed(void *owner, const struct sockaddr *peer, const uint8_t *bytes,
			     size_t len)
{
	udp_sock_t *s = owner;
	uv_buf_t out = uv_buf_init((char *)bytes, (unsigned)len);
	int r = uv_udp_try_send(&s->handle, &out, 1, peer);
	if (r == UV_EAGAIN)
		s->w->stats.udp_send_again++;
	else if (r < 0)
		s->w->stats.udp_errors++;
	return r >= 0;
}

/* Answer one request from peer on s into the batch: entry i of the
 * engine's batch (req NULL), or the raw request req. */
static void udp_answer(worker_t *w, udp_sock_t *s, const struct sockaddr *peer, unsigned i,
		       const uint8_t *req, size_t reqlen)
{
	udp_batch_t *b = w->udp_batch;

	/* Room for one more reply of any size, on this socket. */
	if (b->n == UDP_BATCH_MAX || b->used > UDP_BATCH_BYTES || (b->n > 0 && b->sock != s))
		udp_flush(w);
	uint8_t *out = b->out + b->used;

	w->stats.udp_queries++;
	reply_t r = req == NULL ? worker_batch_answer(w, b->rb, i, s->server, peer, out)
				: worker_answer(w, s->server, peer, false, req, reqlen, out);
	if (r.len == 0) {
		w->stats.udp_dropped++;
		return;
	}
	if (r.delay_ms > 0) {
		(void)delay_hold(w, &w->udp_delayed, udp_send_delayed, s, peer, r.bytes, r.len,
				 r.delay_ms);
		return;
	}
	udp_hold(b, s, peer, r.len);
}

/*
 * Answer the datagrams of the batch. Their lookups were started as they
 * came in; the engine finishes them for the whole batch first, so that the
 * cache misses of twenty lookups in a big zone overlap instead of each
 * query waiting for its own, one after the other (docs/performance.md).
 */
static void udp_answer_pending(worker_t *w)
{
	udp_batch_t *b = w->udp_batch;
	unsigned n = b->npend;
	if (n == 0)
		return;
	respond_batch_finish(b->rb);
	for (unsigned i = 0; i < n; i++)
		udp_answer(w, b->rsock, &b->rpeer[i].sa, i, NULL, 0);
	respond_batch_clear(b->rb);
	b->npend = 0;
}

static void udp_recv_cb(uv_udp_t *handle, ssize_t nread, const uv_buf_t *buf,
			const struct sockaddr *addr, unsigned flags)
{
	udp_sock_t *s = handle->data;
	worker_t *w = s->w;
	udp_batch_t *b = w->udp_batch;

	/* nread <= 0 with addr == NULL: the end of a recvmmsg batch
	 * (UV_UDP_MMSG_FREE; the slab is static, nothing to free), nothing
	 * more to read, or a read error: answer what the batch brought and
	 * send the replies. Every one of these is otherwise a no-op, so a
	 * repeated one is harmless. nread == 0 with an address is an empty
	 * datagram: dropped. The replies go out in udp_loop_end. */
	if (nread <= 0) {
		if (nread < 0)
			w->stats.udp_errors++;
		if (addr == NULL)
			udp_answer_pending(w);
		return;
	}
	if (flags & UV_UDP_PARTIAL) {
		w->stats.udp_dropped++;
		return;
	}
	/* libuv#5161: the recvmmsg path may pass a peer it never filled. */
	if (addr == NULL || (addr->sa_family != AF_INET && addr->sa_family != AF_INET6))
		return;

	/* A plain read (libuv without recvmmsg) has no batch end to wait for. */
	if (!(flags & UV_UDP_MMSG_CHUNK)) {
		udp_answer(w, s, addr, 0, (const uint8_t *)buf->base, (size_t)nread);
		udp_flush(w);
		return;
	}
	/* IXFR over UDP and NOTIFY: answered on their own (the batch does not
	 * keep the request bytes xfr_answer reads). */
	if (worker_wants_single(w, s->server, (const uint8_t *)buf->base, (size_t)nread)) {
		udp_answer(w, s, addr, 0, (const uint8_t *)buf->base, (size_t)nread);
		return;
	}
	if (b->npend == UDP_MMSG_WIDTH || (b->npend > 0 && b->rsock != s))
		udp_answer_pending(w);
	b->rsock = s;
	memcpy(&b->rpeer[b->npend++], addr,
	       addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
					  : sizeof(struct sockaddr_in6));
	worker_batch_add(w, b->rb, s->server, (const uint8_t *)buf->base, (size_t)nread);
}

void udp_loop_end(uv_check_t *handle)
{
	worker_t *w = handle->data;
	if (w == NULL)
		return;
	if (w->udp_batch == NULL)
		return;
	udp_answer_pending(w);
	udp_flush(w);
}

int udp_start(udp_sock_t *s, worker_t *w, size_t server, int fd)
{
	int r;

	s->w = w;
	s->server = server;
	s->fd = fd;
	s->send_fd = fd;
	if (w->udp_batch == NULL) {
		w->udp_batch = malloc(sizeof(*w->udp_batch));
		if (w->udp_batch == NULL) {
			close(fd);
			return UV_ENOMEM;
		}
		w->udp_batch->rb = respond_batch_new();
		if (w->udp_batch->rb == NULL) {
			free(w->udp_batch);
			w->udp_batch = NULL;
			close(fd);
			return UV_ENOMEM;
		}
		w->udp_batch->n = 0;
		w->udp_batch->used = 0;
		w->udp_batch->sock = NULL;
		w->udp_batch->npend = 0;
		w->udp_batch->rsock = NULL;
	}
	s->slab = malloc(UDP_SLAB_SIZE);
	if (s->slab == NULL) {
		close(fd);
		return UV_ENOMEM;
	}
	/* AF_UNSPEC: libuv must not create its own socket, or uv_udp_open
	 * fails with UV_EBUSY. */
	r = uv_udp_init_ex(&w->loop, &s->handle, AF_UNSPEC | UV_UDP_RECVMMSG);
	if (r < 0) {
		close(fd);
		return r;
	}
	s->handle.data = s;
	r = uv_udp_open(&s->handle, fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	return uv_udp_recv_start(&s->handle, udp_alloc_cb, udp_recv_cb);
}

void udp_set_sender(udp_sock_t *s, int fd) { s->send_fd = fd; }

void udp_free(udp_sock_t *s)
{
	if (s->send_fd >= 0 && s->send_fd != s->fd)
		close(s->send_fd);
	s->send_fd = -1;
	free(s->slab);
	s->slab = NULL;
}
