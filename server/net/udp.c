#include "net/udp.h"

#include <stdlib.h>
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
	size_t len = worker_respond(w, addr, false, (const uint8_t *)buf->base, (size_t)nread);
	if (len == 0) {
		w->stats.udp_dropped++;
		return;
	}
	uv_buf_t out = uv_buf_init((char *)w->out, (unsigned)len);
	int r = uv_udp_try_send(handle, &out, 1, addr);
	if (r == UV_EAGAIN)
		w->stats.udp_send_again++;
	else if (r < 0)
		w->stats.udp_errors++;
}

int udp_start(udp_sock_t *s, worker_t *w, int fd)
{
	int r;

	s->w = w;
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
