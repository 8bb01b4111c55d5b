#include "net/udp.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert(UDP_SLAB_SIZE % 65536 == 0, "libuv 1.44 recvmmsg needs a multiple of 64 KiB");

static void udp_alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	udp_sock_t *s = handle->data;
	(void)suggested;
	/* The same slab every time: libuv hands each datagram to recv_cb
	 * before it asks again. */
	buf->base = (char *)s->slab;
	buf->len = UDP_SLAB_SIZE;
}

static void delayed_close_cb(uv_handle_t *handle)
{
	free(handle->data);
}

/* Off the worker's list and closed: from here only the close callback
 * touches the block. */
static void delayed_close(udp_delayed_t *d)
{
	worker_t *w = d->s->w;
	if (d->prev != NULL)
		d->prev->next = d->next;
	else
		w->udp_delayed = d->next;
	if (d->next != NULL)
		d->next->prev = d->prev;
	w->ndelayed--;
	uv_close((uv_handle_t *)&d->timer, delayed_close_cb);
}

void udp_delayed_close_all(worker_t *w)
{
	while (w->udp_delayed != NULL)
		delayed_close(w->udp_delayed);
}

static void delayed_send_cb(uv_timer_t *timer)
{
	udp_delayed_t *d = timer->data;
	worker_t *w = d->s->w;
	uv_buf_t out = uv_buf_init((char *)d->bytes, (unsigned)d->len);
	int r = uv_udp_try_send(&d->s->handle, &out, 1, (const struct sockaddr *)&d->peer);
	if (r == UV_EAGAIN)
		w->stats.udp_send_again++;
	else if (r < 0)
		w->stats.udp_errors++;
	else
		w->stats.delayed++;
	delayed_close(d);
}

/* Hold the reply in w->out back for delay_ms. Dropped (and counted) when
 * too many are waiting or memory is short. */
static void send_later(udp_sock_t *s, const struct sockaddr *peer, size_t len, uint32_t delay_ms)
{
	worker_t *w = s->w;
	if (!worker_delay_admit(w))
		return;
	udp_delayed_t *d = malloc(sizeof(*d) + len);
	if (d == NULL) {
		w->stats.delay_dropped++;
		return;
	}
	memset(d, 0, sizeof(*d));
	d->s = s;
	d->len = len;
	memcpy(&d->peer, peer,
	       peer->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	memcpy(d->bytes, w->out, len);
	if (uv_timer_init(&w->loop, &d->timer) < 0) {
		free(d);
		w->stats.delay_dropped++;
		return;
	}
	d->timer.data = d;
	d->next = w->udp_delayed;
	if (d->next != NULL)
		d->next->prev = d;
	w->udp_delayed = d;
	w->ndelayed++;
	if (uv_timer_start(&d->timer, delayed_send_cb, delay_ms, 0) < 0) {
		w->stats.delay_dropped++;
		delayed_close(d);
	}
}

static void udp_recv_cb(uv_udp_t *handle, ssize_t nread, const uv_buf_t *buf,
			const struct sockaddr *addr, unsigned flags)
{
	udp_sock_t *s = handle->data;
	worker_t *w = s->w;

	/* nread == 0 with addr == NULL: nothing more to read, or the end of a
	 * recvmmsg batch (UV_UDP_MMSG_FREE; the slab is static, nothing to
	 * free). nread == 0 with an address is an empty datagram. Every one
	 * of these is a no-op. */
	if (nread <= 0) {
		if (nread < 0)
			w->stats.udp_errors++;
		return;
	}
	if (flags & UV_UDP_PARTIAL) {
		w->stats.udp_dropped++;
		return;
	}
	/* libuv#5161: the recvmmsg path may pass a peer it never filled. */
	if (addr == NULL || (addr->sa_family != AF_INET && addr->sa_family != AF_INET6))
		return;

	w->stats.udp_queries++;
	size_t len = worker_respond(w, s->server, addr, false, (const uint8_t *)buf->base,
				    (size_t)nread);
	if (len == 0) {
		w->stats.udp_dropped++;
		return;
	}
	if (w->ex.delay_ms > 0) {
		send_later(s, addr, len, w->ex.delay_ms);
		return;
	}
	uv_buf_t out = uv_buf_init((char *)w->out, (unsigned)len);
	int r = uv_udp_try_send(handle, &out, 1, addr);
	if (r == UV_EAGAIN)
		w->stats.udp_send_again++;
	else if (r < 0)
		w->stats.udp_errors++;
}

int udp_start(udp_sock_t *s, worker_t *w, size_t server, int fd)
{
	int r;

	s->w = w;
	s->server = server;
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

void udp_free(udp_sock_t *s)
{
	free(s->slab);
	s->slab = NULL;
}
