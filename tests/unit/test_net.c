/*
 * Unit tests for the network layer's helpers, without a whole server:
 * delay.c (delayed replies) on a real uv loop, and sock.c (socket options,
 * the port probe) on loopback sockets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "net/delay.h"
#include "net/sock.h"
#include "net/worker.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delay_sends_later),
		cmocka_unit_test(test_delay_close_all_sends_nothing),
		cmocka_unit_test(test_delay_limit),
		cmocka_unit_test(test_sock_bind_options),
		cmocka_unit_test(test_sock_probe_refuses_a_held_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
