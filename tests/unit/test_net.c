/*
 * Unit tests for the network layer without a whole server: delay.c
 * (delayed replies) on a real uv loop, sock.c (socket options, the port
 * probe) on loopback sockets, tcp.c's framing with a client thread on a
 * loopback connection, worker_answer() on its own, and a worker set up
 * and run as the daemon runs it (worker_init, worker_add_senders,
 * worker_start, worker_swap) answering a client's datagrams through udp.c:
 * a recvmmsg batch, a delay fault, a view swap.
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

#include "analysis/msg.h"
#include "dns/header.h"
#include "dns/zone_build.h"
#include "dns/zoneset.h"
#include "net/delay.h"
#include "net/sock.h"
#include "net/tcp.h"
#include "net/udp.h"
#include "net/worker.h"
#include "respond_fixture.h"
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
	listen_addr_t a;
	int u = -1, t = -1;
	/* A UDP port the kernel picks and TCP on the same port, as glued
	 * listens; the TCP port may be another program's, so try again. */
	for (int tries = 0; tries < 20 && t < 0; tries++) {
		if (u >= 0)
			close(u);
		a = loopback(0);
		u = sock_bind(&a, SOCK_DGRAM, err, sizeof(err));
		assert_true(u >= 0);
		a = loopback(bound_port(u));
		t = sock_bind(&a, SOCK_STREAM, err, sizeof(err));
	}
	assert_true(t >= 0);
	assert_int_equal(getint(u, SOL_SOCKET, SO_REUSEPORT), 1);
	assert_int_equal(getint(u, SOL_SOCKET, SO_REUSEADDR), 1);
	assert_int_equal(getint(u, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
	/* Bigger than the kernel's default 208 KiB (Linux reports double). */
	assert_true(getint(u, SOL_SOCKET, SO_RCVBUF) > 416 * 1024);
	assert_int_equal(getint(t, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
	/* A second worker's socket shares the port. */
	int u2 = sock_bind(&a, SOCK_DGRAM, err, sizeof(err));
	assert_true(u2 >= 0);
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

/* ---- worker.c and udp.c ------------------------------------------------ */

/* The first address of the ANSWER section of the reply m (n bytes), in host
 * order, or 0 when it has none. */
static uint32_t answer_a(const uint8_t *m, size_t n)
{
	static msg_rr_t rr; /* big: not on the stack */
	msg_t msg;
	if (msg_open(&msg, m, n) < 0)
		return 0;
	while (msg_next(&msg, &rr) == 1)
		if (rr.section == 1 && rr.type == RR_A && rr.rdlen == 4)
			return (uint32_t)rr.rd[0] << 24 | (uint32_t)rr.rd[1] << 16 |
			       (uint32_t)rr.rd[2] << 8 | rr.rd[3];
	return 0;
}

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* The reply m (n bytes) answers the request q (qlen bytes, no EDNS): its
 * ID, QR, one question, and the question itself byte for byte (in the
 * client's case). */
static void check_answers(const uint8_t *m, size_t n, const uint8_t *q, size_t qlen)
{
	assert_true(n >= qlen);
	assert_int_equal(fix_id(m), fix_id(q));
	assert_int_equal(fix_flags(m) & DNS_QR, DNS_QR);
	assert_int_equal(fix_count(m, 0), 1);
	assert_memory_equal(m + DNS_HEADER_LEN, q + DNS_HEADER_LEN, qlen - DNS_HEADER_LEN);
}

/* FIX_TEST_ZONE as a reload may bring it: other addresses for www and slow. */
static const char NEW_TEST_ZONE[] = "$ORIGIN test.\n"
				    "$TTL 3600\n"
				    "@ SOA ns.test. hostmaster.test. 2 7200 900 1209600 300\n"
				    "@ NS ns.test.\n"
				    "ns A 192.0.2.1\n"
				    "www A 192.0.2.90\n"
				    "slow A 192.0.2.91\n";

static view_t *view_of(const char *zone_text)
{
	zoneset_t *zs = fix_zoneset("test.", zone_text, 0, true);
	assert_non_null(zs);
	view_t *v = view_new(1);
	assert_non_null(v);
	v->zs[0] = zs;
	return v;
}

/* worker_answer alone: the reply's bytes in the buffer given (or the
 * worker's own), what respond() writes for the same request, and the
 * delay of a delay fault; a drop fault gives nothing. */
static void test_worker_answer_bytes_and_delay(void **state)
{
	(void)state;
	static uint8_t out[RESPOND_MAX], direct[RESPOND_MAX];
	worker_t *w = new_worker();
	view_t *v = view_of(FIX_TEST_ZONE);
	w->view = v;
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(5353) };
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	uint8_t req[300];

	size_t len =
		fix_query(req, 0x4242, DNS_RD, "www.test.", RR_A, CLASS_IN, FIX_NO_EDNS, false);
	reply_t r = worker_answer(w, 0, (struct sockaddr *)&peer, false, req, len, out);
	assert_ptr_equal(r.bytes, out);
	assert_int_equal(r.delay_ms, 0);
	assert_null(r.stream);
	check_answers(r.bytes, r.len, req, len);
	assert_int_equal(fix_flags(r.bytes) & 0xF, RCODE_NOERROR);
	assert_int_equal(answer_a(r.bytes, r.len), IP4(192, 0, 2, 80));
	size_t n = respond(v->zs[0], req, len, false, direct, NULL, NULL);
	assert_int_equal(r.len, n);
	assert_memory_equal(r.bytes, direct, n);

	/* A delay fault: the reply is there at once, with its delay; without
	 * a buffer it is in the worker's own. */
	len = fix_query(req, 0x4243, 0, "slow.test.", RR_A, CLASS_IN, FIX_NO_EDNS, false);
	r = worker_answer(w, 0, (struct sockaddr *)&peer, false, req, len, NULL);
	assert_ptr_equal(r.bytes, w->out);
	assert_int_equal(r.delay_ms, FIX_DELAY_MS);
	check_answers(r.bytes, r.len, req, len);
	assert_int_equal(answer_a(r.bytes, r.len), IP4(192, 0, 2, 81));
	/* The same over TCP. */
	r = worker_answer(w, 0, (struct sockaddr *)&peer, true, req, len, out);
	assert_int_equal(r.delay_ms, FIX_DELAY_MS);
	check_answers(r.bytes, r.len, req, len);

	/* A drop fault: nothing to send, nothing to wait for. */
	len = fix_query(req, 0x4244, 0, "gone.test.", RR_A, CLASS_IN, FIX_NO_EDNS, false);
	r = worker_answer(w, 0, (struct sockaddr *)&peer, false, req, len, out);
	assert_int_equal(r.len, 0);
	assert_int_equal(r.delay_ms, 0);

	free_worker(w);
	view_free(v);
}

/*
 * A worker as daemon.c runs it: one server listening on 127.0.0.1 (the
 * port the kernel picks), set up with worker_init on this thread, its
 * reply-only twin added, the loop on the worker's thread; a swap is
 * acknowledged through ack, after which the old view is freed.
 */
typedef struct served {
	listen_addr_t la;
	vserver_t vs;
	srvconf_t sc;
	view_t *view; /* the one the worker answers from */
	worker_t *w;
	atomic_uint acks;        /* swaps acknowledged */
	struct sockaddr_in addr; /* where it listens */
	int client;              /* a UDP socket to ask it from */
} served_t;

static void served_ack(void *ctx) { atomic_fetch_add(&((served_t *)ctx)->acks, 1); }

/* Set up the worker on zone_text (test. with the fixture's faults) and a
 * client socket; the loop does not run yet, so what the client sends
 * waits in the socket. */
static void serve(served_t *s, const char *zone_text)
{
	char err[256];
	memset(s, 0, sizeof(*s));
	s->view = view_of(zone_text);
	s->la = loopback(0);
	s->vs = (vserver_t){ .name = "unit", .listen = &s->la, .nlisten = 1 };
	s->sc = (srvconf_t){ .servers = &s->vs, .nservers = 1 };
	atomic_init(&s->acks, 0);
	s->w = calloc(1, sizeof(*s->w));
	assert_non_null(s->w);
	worker_opts_t opts = { .nworkers = 1 };
	if (worker_init(s->w, 0, &s->sc, s->view, &opts, served_ack, s, err, sizeof(err)) < 0)
		fail_msg("worker_init: %s", err);
	assert_int_equal(s->w->nudp, 1);
	/* The daemon's addresses name their port: the twin binds the one the
	 * reading socket got, and joins its group. */
	s->la = loopback(bound_port(s->w->udp[0].fd));
	worker_add_senders(s->w, &s->sc);
	if (s->w->udp[0].steered) /* the replies go out of the twin */
		assert_int_not_equal(s->w->udp[0].send_fd, s->w->udp[0].fd);
	memcpy(&s->addr, &s->la.ss, sizeof(s->addr));

	s->client = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s->client >= 0);
	struct timeval tv = { .tv_sec = 5 }; /* a reply that never comes ends the test */
	assert_int_equal(setsockopt(s->client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
}

static void served_start(served_t *s) { assert_int_equal(worker_start(s->w), 0); }

/* Stop and free everything; the worker's figures stay readable in stats. */
static void served_end(served_t *s, worker_stats_t *stats)
{
	worker_stop(s->w);
	worker_join(s->w);
	*stats = s->w->stats;
	assert_int_equal(worker_destroy(s->w), 0);
	free(s->w);
	view_free(s->view);
	close(s->client);
}

/* Hand the worker a view of zone_text and, once it has acknowledged,
 * free the old one, as daemon.c does on a reload. */
static void served_swap(served_t *s, const char *zone_text)
{
	view_t *next = view_of(zone_text);
	unsigned before = atomic_load(&s->acks);
	worker_swap(s->w, next);
	for (int i = 0; i < 500 && atomic_load(&s->acks) == before; i++)
		usleep(10000); /* 5 s at most */
	assert_int_equal(atomic_load(&s->acks), before + 1);
	view_free(s->view);
	s->view = next;
}

static void ask(const served_t *s, const uint8_t *q, size_t len)
{
	assert_int_equal(
		sendto(s->client, q, len, 0, (const struct sockaddr *)&s->addr, sizeof(s->addr)),
		(ssize_t)len);
}

/* The next reply to the client, which must come from the address the
 * queries went to. Returns its length. */
static size_t reply_from(const served_t *s, uint8_t *buf, size_t cap)
{
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	ssize_t n = recvfrom(s->client, buf, cap, 0, (struct sockaddr *)&from, &flen);
	if (n < 0)
		fail_msg("no reply: %s", strerror(errno));
	assert_int_equal(flen, sizeof(from));
	assert_int_equal(from.sin_family, AF_INET);
	assert_int_equal(from.sin_port, s->addr.sin_port);
	assert_int_equal(from.sin_addr.s_addr, s->addr.sin_addr.s_addr);
	return (size_t)n;
}

static uint64_t now_us(void) { return uv_hrtime() / 1000; }

/* What the batch asks, in turn, and what each reply says. */
typedef struct asked {
	const char *name; /* in the case the client writes it */
	uint16_t type;
	uint16_t rcode;
	uint16_t ancount;
	uint32_t a; /* the answer's address, or 0 */
} asked_t;

static const asked_t BATCH[] = {
	{ "www.test.", RR_A, RCODE_NOERROR, 1, IP4(192, 0, 2, 80) },
	{ "WwW.TeSt.", RR_AAAA, RCODE_NOERROR, 1, 0 },
	{ "ns.test.", RR_A, RCODE_NOERROR, 1, IP4(192, 0, 2, 1) },
	{ "host.child.test.", RR_A, RCODE_NOERROR, 0, 0 }, /* a referral */
	{ "nowhere.test.", RR_A, RCODE_NXDOMAIN, 0, 0 },
	{ "www.elsewhere.", RR_A, RCODE_REFUSED, 0, 0 },
};
#define NBATCH (sizeof(BATCH) / sizeof(BATCH[0]))

/* More than two recvmmsg batches' worth (UDP_MMSG_WIDTH each), all in the
 * socket before the loop first reads. */
#define BATCH_QUERIES 45

static void test_udp_batch_answers_each(void **state)
{
	(void)state;
	served_t s;
	static uint8_t q[BATCH_QUERIES][300];
	size_t qlen[BATCH_QUERIES];
	bool seen[BATCH_QUERIES] = { false };
	uint8_t buf[1500];

	serve(&s, FIX_TEST_ZONE);
	for (unsigned i = 0; i < BATCH_QUERIES; i++) {
		const asked_t *a = &BATCH[i % NBATCH];
		qlen[i] = fix_query(q[i], (uint16_t)(0x3000 + i), 0, a->name, a->type, CLASS_IN,
				    FIX_NO_EDNS, false);
		ask(&s, q[i], qlen[i]);
	}
	served_start(&s);
	for (unsigned k = 0; k < BATCH_QUERIES; k++) {
		size_t n = reply_from(&s, buf, sizeof(buf));
		assert_true(n >= DNS_HEADER_LEN);
		unsigned i = (unsigned)(fix_id(buf) - 0x3000);
		assert_true(i < BATCH_QUERIES);
		assert_false(seen[i]);
		seen[i] = true;
		const asked_t *a = &BATCH[i % NBATCH];
		check_answers(buf, n, q[i], qlen[i]);
		assert_int_equal(fix_flags(buf) & 0xF, a->rcode);
		assert_int_equal(fix_count(buf, 1), a->ancount);
		if (a->a != 0)
			assert_int_equal(answer_a(buf, n), a->a);
	}
	worker_stats_t st;
	served_end(&s, &st);
	assert_int_equal(st.udp_queries, BATCH_QUERIES);
	assert_int_equal(st.udp_dropped, 0);
	assert_int_equal(st.udp_errors, 0);
}

/* libuv's timers count whole milliseconds of a clock that may lag the
 * precise one by one: a delayed reply can come this much early. */
#define TIMER_SLACK_US 2000

static void test_udp_delay_comes_last(void **state)
{
	(void)state;
	served_t s;
	uint8_t q[6][300], buf[1500];
	size_t qlen[6];

	serve(&s, FIX_TEST_ZONE);
	served_start(&s);
	/* slow.test. first, then five that are answered at once. */
	qlen[0] = fix_query(q[0], 0x5000, 0, "slow.test.", RR_A, CLASS_IN, FIX_NO_EDNS, false);
	for (unsigned i = 1; i < 6; i++)
		qlen[i] = fix_query(q[i], (uint16_t)(0x5000 + i), 0, "www.test.", RR_A, CLASS_IN,
				    FIX_NO_EDNS, false);
	uint64_t t0 = now_us();
	for (unsigned i = 0; i < 6; i++)
		ask(&s, q[i], qlen[i]);
	for (unsigned k = 0; k < 6; k++) {
		size_t n = reply_from(&s, buf, sizeof(buf));
		uint64_t waited = now_us() - t0;
		unsigned i = (unsigned)(fix_id(buf) - 0x5000);
		assert_true(i < 6);
		check_answers(buf, n, q[i], qlen[i]);
		if (k < 5) {
			/* The others first, without waiting for it. */
			assert_int_not_equal(i, 0);
			assert_true(waited < FIX_DELAY_MS * 1000);
			assert_int_equal(answer_a(buf, n), IP4(192, 0, 2, 80));
		} else {
			assert_int_equal(i, 0);
			assert_true(waited + TIMER_SLACK_US >= FIX_DELAY_MS * 1000);
			assert_int_equal(answer_a(buf, n), IP4(192, 0, 2, 81));
		}
	}
	worker_stats_t st;
	served_end(&s, &st);
	assert_int_equal(st.udp_queries, 6);
	assert_int_equal(st.delayed, 1);
	assert_int_equal(st.delay_dropped, 0);
}

/* A reload under a delayed reply: the reply prepared from the old view
 * goes out as it was, after the old view is freed; the next query is
 * answered from the new one. */
static void test_udp_swap_keeps_prepared_reply(void **state)
{
	(void)state;
	served_t s;
	uint8_t q[3][300], buf[1500];
	size_t qlen[3];
	bool seen[3] = { false };

	serve(&s, FIX_TEST_ZONE);
	served_start(&s);
	qlen[0] = fix_query(q[0], 0x6000, 0, "slow.test.", RR_A, CLASS_IN, FIX_NO_EDNS, false);
	qlen[1] = fix_query(q[1], 0x6001, 0, "www.test.", RR_A, CLASS_IN, FIX_NO_EDNS, false);
	qlen[2] = fix_query(q[2], 0x6002, 0, "www.test.", RR_A, CLASS_IN, FIX_NO_EDNS, false);
	uint64_t t0 = now_us();
	ask(&s, q[0], qlen[0]);
	ask(&s, q[1], qlen[1]);
	/* The worker answers in order: once the second reply is here, the
	 * first is prepared and waits on its timer. */
	size_t n = reply_from(&s, buf, sizeof(buf));
	check_answers(buf, n, q[1], qlen[1]);
	assert_int_equal(answer_a(buf, n), IP4(192, 0, 2, 80));
	seen[1] = true;

	served_swap(&s, NEW_TEST_ZONE);
	ask(&s, q[2], qlen[2]);
	for (unsigned k = 0; k < 2; k++) {
		n = reply_from(&s, buf, sizeof(buf));
		unsigned i = (unsigned)(fix_id(buf) - 0x6000);
		assert_true(i < 3);
		assert_false(seen[i]);
		seen[i] = true;
		check_answers(buf, n, q[i], qlen[i]);
		if (i == 0) {
			assert_true(now_us() - t0 + TIMER_SLACK_US >= FIX_DELAY_MS * 1000);
			assert_int_equal(answer_a(buf, n), IP4(192, 0, 2, 81)); /* the old view's */
		} else {
			assert_int_equal(answer_a(buf, n), IP4(192, 0, 2, 90)); /* the new view's */
		}
	}
	worker_stats_t st;
	served_end(&s, &st);
	assert_int_equal(st.udp_queries, 3);
	assert_int_equal(st.delayed, 1);
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
		cmocka_unit_test(test_worker_answer_bytes_and_delay),
		cmocka_unit_test(test_udp_batch_answers_each),
		cmocka_unit_test(test_udp_delay_comes_last),
		cmocka_unit_test(test_udp_swap_keeps_prepared_reply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
