/*
 * Unit tests for the network layer without a whole server: delay.c
 * (delayed replies) on a real uv loop, sock.c (socket options, the port
 * probe) on loopback sockets, and tcp.c's framing with a client thread on
 * a loopback connection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <uv.h>

#include "dns/zone_build.h"
#include "dns/zoneset.h"
#include "net/delay.h"
#include "net/sock.h"
#include "net/tcp.h"
#include "net/worker.h"
#include "view.h"

/* ---- delay.c ------------------------------------------------------------ */

typedef struct sent {
	int n;
	uint64_t at_ms[4];
	uint8_t bytes[16];
	size_t len;
	bool had_peer;
	uint16_t peer_port;
	uv_loop_t *loop;
} sent_t;

static bool record_send(void *owner, const struct sockaddr *peer, const uint8_t *bytes, size_t len)
{
	sent_t *s = owner;
	if (s->n < 4)
		s->at_ms[s->n] = uv_now(s->loop);
	s->n++;
	memcpy(s->bytes, bytes, len < sizeof(s->bytes) ? len : sizeof(s->bytes));
	s->len = len;
	s->had_peer = peer != NULL;
	if (peer)
		s->peer_port = ntohs(((const struct sockaddr_in *)peer)->sin_port);
	return true;
}

static worker_t *new_worker(void)
{
	worker_t *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	assert_int_equal(uv_loop_init(&w->loop), 0);
	return w;
}

static void free_worker(worker_t *w)
{
	uv_run(&w->loop, UV_RUN_DEFAULT); /* the close callbacks free the blocks */
	assert_int_equal(uv_loop_close(&w->loop), 0);
	free(w);
}

static void test_delay_sends_later(void **state)
{
	(void)state;
	worker_t *w = new_worker();
	delay_list_t list = { 0 };
	sent_t s = { .loop = &w->loop };
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(5353) };
	uint8_t reply[] = { 0xab, 0xcd, 0x81, 0x80 };
	uv_update_time(&w->loop);
	uint64_t t0 = uv_now(&w->loop);
	assert_true(delay_hold(w, &list, record_send, &s, (struct sockaddr *)&peer, reply,
			       sizeof(reply), 50));
	/* The reply was copied: the caller's buffer may change at once. */
	memset(reply, 0, sizeof(reply));
	assert_int_equal(list.n, 1);
	assert_int_equal(w->ndelayed, 1);
	assert_int_equal(s.n, 0);
	uv_run(&w->loop, UV_RUN_DEFAULT);
	assert_int_equal(s.n, 1);
	assert_true(s.at_ms[0] - t0 >= 50);
	assert_int_equal(s.len, 4);
	assert_memory_equal(s.bytes, "\xab\xcd\x81\x80", 4);
	assert_true(s.had_peer);
	assert_int_equal(s.peer_port, 5353);
	assert_int_equal(list.n, 0);
	assert_int_equal(w->ndelayed, 0);
	assert_int_equal(w->stats.delayed, 1);
	free_worker(w);
}

static void test_delay_close_all_sends_nothing(void **state)
{
	(void)state;
	worker_t *w = new_worker();
	delay_list_t a = { 0 }, b = { 0 };
	sent_t s = { .loop = &w->loop };
	const uint8_t reply[2] = { 1, 2 };
	/* Two lists (two connections, say) on one worker; one goes away. */
	for (int i = 0; i < 3; i++)
		assert_true(delay_hold(w, &a, record_send, &s, NULL, reply, 2, 20));
	assert_true(delay_hold(w, &b, record_send, &s, NULL, reply, 2, 20));
	assert_int_equal(w->ndelayed, 4);
	delay_close_all(&a);
	assert_int_equal(a.n, 0);
	assert_null(a.head);
	assert_int_equal(w->ndelayed, 1);
	uv_run(&w->loop, UV_RUN_DEFAULT);
	assert_int_equal(s.n, 1); /* only b's */
	assert_false(s.had_peer);
	assert_int_equal(w->stats.delayed, 1);
	free_worker(w);
}

static void test_delay_limit(void **state)
{
	(void)state;
	worker_t *w = new_worker();
	delay_list_t list = { 0 };
	sent_t s = { .loop = &w->loop };
	const uint8_t reply[1] = { 7 };
	w->ndelayed = WORKER_MAX_DELAYED; /* as if every slot were taken */
	assert_false(delay_hold(w, &list, record_send, &s, NULL, reply, 1, 1));
	assert_int_equal(w->stats.delay_dropped, 1);
	assert_int_equal(list.n, 0);
	w->ndelayed = 0;
	assert_true(delay_hold(w, &list, record_send, &s, NULL, reply, 1, 1));
	uv_run(&w->loop, UV_RUN_DEFAULT);
	assert_int_equal(s.n, 1);
	free_worker(w);
}

/* ---- sock.c ------------------------------------------------------------- */

static listen_addr_t loopback(uint16_t port)
{
	listen_addr_t a;
	memset(&a, 0, sizeof(a));
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sslen = sizeof(*sin);
	a.port = port;
	snprintf(a.text, sizeof(a.text), "127.0.0.1:%u", port);
	snprintf(a.host, sizeof(a.host), "127.0.0.1");
	return a;
}

static int getint(int fd, int level, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);
	assert_int_equal(getsockopt(fd, level, opt, &v, &len), 0);
	return v;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	return ntohs(sin.sin_port);
}

static void test_sock_bind_options(void **state)
{
	(void)state;
	char err[256];
	listen_addr_t a = loopback(0);
	int u = sock_bind(&a, SOCK_DGRAM, err, sizeof(err));
	assert_true(u >= 0);
	assert_int_equal(getint(u, SOL_SOCKET, SO_REUSEPORT), 1);
	assert_int_equal(getint(u, SOL_SOCKET, SO_REUSEADDR), 1);
	assert_int_equal(getint(u, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
	/* Bigger than the kernel's default 208 KiB (Linux reports double). */
	assert_true(getint(u, SOL_SOCKET, SO_RCVBUF) > 416 * 1024);
	/* A second worker's socket shares the port. */
	a = loopback(bound_port(u));
	int u2 = sock_bind(&a, SOCK_DGRAM, err, sizeof(err));
	assert_true(u2 >= 0);
	int t = sock_bind(&a, SOCK_STREAM, err, sizeof(err));
	assert_true(t >= 0);
	assert_int_equal(getint(t, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
	close(u);
	close(u2);
	close(t);
}

static void test_sock_probe_refuses_a_held_port(void **state)
{
	(void)state;
	char err[256];
	/* Another program's socket, without SO_REUSEPORT. */
	int other = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(other >= 0);
	listen_addr_t a = loopback(0);
	assert_int_equal(bind(other, (struct sockaddr *)&a.ss, a.sslen), 0);
	a = loopback(bound_port(other));
	int rc = sock_probe(&a, err, sizeof(err));
	assert_true(rc < 0);
	assert_non_null(strstr(err, a.text));
	close(other);
	/* Free again: the probe passes. */
	assert_int_equal(sock_probe(&a, err, sizeof(err)), 0);
}

/* ---- tcp.c -------------------------------------------------------------- */

static const char ZONE[] = "$ORIGIN test.\n"
			   "$TTL 3600\n"
			   "@ SOA ns.test. host.test. 1 7200 900 1209600 300\n"
			   "@ NS ns.test.\n"
			   "ns A 192.0.2.1\n";

/* A query for ns.test./A with the given ID, behind its two-byte length. */
static size_t framed_query(uint8_t *buf, uint16_t id)
{
	static const uint8_t q[] = { 0,   0,   0x01, 0x00, 0,   1,   0,   0, 0, 0, 0, 0, 2,
				     'n', 's', 4,    't',  'e', 's', 't', 0, 0, 1, 0, 1 };
	buf[0] = 0;
	buf[1] = sizeof(q);
	memcpy(buf + 2, q, sizeof(q));
	buf[2] = (uint8_t)(id >> 8);
	buf[3] = (uint8_t)id;
	return 2 + sizeof(q);
}

typedef struct client {
	uint16_t port;
	int step; /* how the three queries are cut into writes */
	int answers;
	uint16_t ids[4]; /* room for one answer too many */
	uint16_t ancount[4];
	bool eof; /* the server closed after the zero-length message */
	atomic_bool done;
} client_t;

static bool read_full(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
	}
	return true;
}

static void client_run(void *arg)
{
	client_t *c = arg;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(c->port) };
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval tv = { .tv_sec = 5 }; /* a server that never answers ends the test */
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		goto out;

	/* Three queries and a zero-length message (which ends the
	 * connection), 3*27+2 bytes, written c->step bytes at a time. */
	uint8_t buf[128];
	size_t len = 0;
	for (uint16_t id = 1; id <= 3; id++)
		len += framed_query(buf + len, (uint16_t)(0x1000 + id));
	buf[len++] = 0;
	buf[len++] = 0;
	for (size_t off = 0; off < len; off += (size_t)c->step) {
		size_t n = len - off < (size_t)c->step ? len - off : (size_t)c->step;
		if (write(fd, buf + off, n) != (ssize_t)n)
			goto out;
		if (c->step < (int)len)
			usleep(2000); /* let the server see each piece apart */
	}
	while (c->answers < 4) {
		uint8_t hdr[2], msg[512];
		if (!read_full(fd, hdr, 2)) {
			c->eof = true;
			break;
		}
		size_t mlen = (size_t)hdr[0] << 8 | hdr[1];
		if (mlen < 12 || mlen > sizeof(msg) || !read_full(fd, msg, mlen))
			break;
		c->ids[c->answers] = (uint16_t)(msg[0] << 8 | msg[1]);
		c->ancount[c->answers] = (uint16_t)(msg[6] << 8 | msg[7]);
		c->answers++;
	}
out:
	if (fd >= 0)
		close(fd);
	atomic_store(&c->done, true);
}

static void poll_cb(uv_timer_t *t)
{
	client_t *c = t->data;
	if (atomic_load(&c->done))
		uv_stop(t->loop);
}

static void close_cb(uv_handle_t *h) { (void)h; }

/* Serve one client connection on a worker of one zone, with the queries
 * written step bytes at a time: every query is answered, in order, whatever
 * the cut, and the zero-length message closes the connection. */
static void tcp_framing(int step)
{
	char err[256];
	zone_t *z = NULL;
	assert_int_equal(zone_load_mem("mem.zone", ZONE, strlen(ZONE), NULL, NULL, NULL, &z, err,
				       sizeof(err)),
			 ST_OK);
	view_t *v = view_new(1);
	assert_non_null(v);
	assert_int_equal(zoneset_from_zones(&z, 1, GLUE_FULL, &v->zs[0], err, sizeof(err)), ST_OK);

	worker_t *w = new_worker();
	w->view = v;
	listen_addr_t a = loopback(0);
	int fd = sock_bind(&a, SOCK_STREAM, err, sizeof(err));
	assert_true(fd >= 0);
	client_t c = { .port = bound_port(fd), .step = step };
	tcp_listener_t l;
	assert_int_equal(tcp_start(&l, w, 0, fd), 0);

	uv_timer_t poll;
	assert_int_equal(uv_timer_init(&w->loop, &poll), 0);
	poll.data = &c;
	assert_int_equal(uv_timer_start(&poll, poll_cb, 5, 5), 0);
	uv_thread_t th;
	assert_int_equal(uv_thread_create(&th, client_run, &c), 0);
	uv_run(&w->loop, UV_RUN_DEFAULT); /* until the client is done */
	uv_thread_join(&th);

	assert_int_equal(c.answers, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(c.ids[i], 0x1001 + i);
		assert_int_equal(c.ancount[i], 1);
	}
	assert_true(c.eof);
	assert_int_equal(w->stats.tcp_accepted, 1);
	assert_int_equal(w->stats.tcp_queries, 3);

	tcp_close_all(w);
	uv_close((uv_handle_t *)&l.handle, close_cb);
	uv_close((uv_handle_t *)&poll, close_cb);
	free_worker(w);
	view_free(v);
}

static void test_tcp_one_write(void **state)
{
	(void)state;
	tcp_framing(1000);
}

static void test_tcp_byte_by_byte(void **state)
{
	(void)state;
	tcp_framing(1);
}

static void test_tcp_cut_inside_length_and_message(void **state)
{
	(void)state;
	tcp_framing(28); /* cuts after the 2nd query's first length byte, then inside the 3rd */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delay_sends_later),
		cmocka_unit_test(test_delay_close_all_sends_nothing),
		cmocka_unit_test(test_delay_limit),
		cmocka_unit_test(test_sock_bind_options),
		cmocka_unit_test(test_sock_probe_refuses_a_held_port),
		cmocka_unit_test(test_tcp_one_write),
		cmocka_unit_test(test_tcp_byte_by_byte),
		cmocka_unit_test(test_tcp_cut_inside_length_and_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
