/*
 * flipload -- paced UDP referral load that classifies every answer.
 *
 *   flipload [options] SERVER PORT QNAME
 *     -r RATE     queries per second, paced (default 30000)
 *     -d SECONDS  how long to send (default 4; at most 60)
 *     -n COUNT    at most COUNT queries (default RATE * SECONDS)
 *     -s N        UDP sockets, queries go round-robin (default 8; 1-64)
 *     -w SECONDS  after the last query, wait this long for answers (default 1)
 *     -b BYTES    SO_RCVBUF and SO_SNDBUF of each socket (default 4 MiB; as
 *                 root beyond net.core.rmem_max with SO_RCVBUFFORCE)
 *     -g NAME=ADDR[,ADDR...]
 *                 an NS name of the delegation and the glue addresses (A and
 *                 AAAA) the full rule gives it; repeat for every NS name
 *
 * Every query is QNAME/A with EDNS (1232), RD=0, to SERVER:PORT. Each socket
 * numbers its queries 0, 1, 2, ... in the DNS ID (so at most 65535 queries a
 * socket), and an answer is matched by socket and ID. Each answer is one of:
 *   full   a referral: NOERROR, AA=0, TC=0, no answer records, the NS RRset
 *          of exactly the -g names, and in ADDITIONAL exactly the -g
 *          addresses, each once (besides the OPT);
 *   none   the same referral with no address records in ADDITIONAL;
 *   mixed  the same referral with some glue and not the rest, or an address
 *          not in -g, or a record there that is not an address;
 *   bad    anything else: not a referral of these NS names, another rcode,
 *          TC, a question that is not ours, malformed.
 * An answer to an ID never sent, or a second one, counts as unexpected.
 * Queries without an answer when the wait ends are lost. The first three
 * mixed and bad answers are dumped in hex on stderr.
 *
 * It prints one JSON object on stdout: the counts, the achieved rate, the
 * latency percentiles, for each socket how often its answers (in the order
 * the queries were sent) changed between full and none, when sending started
 * and ended (CLOCK_MONOTONIC, the clock of Python's time.monotonic()), and
 * the kernel's UDP receive-buffer drops in this network namespace during the
 * run (/proc/net/snmp). Exit status 0 when it ran (the
 * caller judges the counts), 2 on bad usage or a socket error. It always
 * stops by itself: sending ends after -d seconds or -n queries, the wait
 * after -w seconds, and an alarm ends it in any case after -d + -w + 10 s.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOCKS 64
#define MAX_NS 8
#define MAX_ADDRS 32
#define NAME_TEXT 256

enum klass { K_FULL, K_NONE, K_MIXED, K_BAD, K_COUNT };
static const char *const klass_name[K_COUNT] = { "full", "none", "mixed", "bad" };

struct glue_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t bytes[16];
	int ns; /* index into ns_names */
};

static char ns_names[MAX_NS][NAME_TEXT]; /* lowercased, absolute */
static int n_ns;
static struct glue_addr addrs[MAX_ADDRS];
static int n_addrs;

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void usage(void)
{
	fputs("usage: flipload [-r RATE] [-d S] [-n COUNT] [-s N] [-w S] [-b BYTES]\n"
	      "                -g NAME=ADDR[,ADDR...] ... SERVER PORT QNAME\n",
	      stderr);
	exit(2);
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "flipload: hard time limit reached\n";
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do */
	}
	_exit(3);
}

/* Text name -> lowercased absolute text ("a.b." form). */
static void canon_name(const char *in, char *out, size_t cap)
{
	size_t n = strlen(in);
	if (n + 2 > cap) {
		fprintf(stderr, "flipload: name too long: %s\n", in);
		exit(2);
	}
	for (size_t i = 0; i < n; i++)
		out[i] = (char)((in[i] >= 'A' && in[i] <= 'Z') ? in[i] + 32 : in[i]);
	if (n == 0 || out[n - 1] != '.')
		out[n++] = '.';
	out[n] = '\0';
}

/* Text name -> wire; returns its length or exits. */
static size_t name_to_wire(const char *text, uint8_t *out, size_t cap)
{
	size_t o = 0;
	const char *p = text;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (len == 0 || len > 63 || o + len + 2 > cap) {
			fprintf(stderr, "flipload: bad name %s\n", text);
			exit(2);
		}
		out[o++] = (uint8_t)len;
		memcpy(out + o, p, len);
		o += len;
		p += len;
		if (*p == '.')
			p++;
	}
	out[o++] = 0;
	return o;
}

/* Wire name at off in msg -> lowercased text; returns the offset after it
 * in the record, or -1 if malformed. */
static long name_from_wire(const uint8_t *msg, size_t len, size_t off, char *out, size_t cap)
{
	size_t o = 0, pos = off;
	long after = -1;
	int jumps = 0;
	for (;;) {
		if (pos >= len)
			return -1;
		uint8_t l = msg[pos];
		if ((l & 0xC0) == 0xC0) {
			if (pos + 1 >= len || ++jumps > 32)
				return -1;
			if (after < 0)
				after = (long)pos + 2;
			pos = ((size_t)(l & 0x3F) << 8) | msg[pos + 1];
			continue;
		}
		if (l & 0xC0)
			return -1;
		pos++;
		if (l == 0)
			break;
		if (pos + l > len || o + l + 2 > cap)
			return -1;
		for (size_t i = 0; i < l; i++) {
			uint8_t c = msg[pos + i];
			out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
		}
		out[o++] = '.';
		pos += l;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return after >= 0 ? after : (long)pos;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

/* The class of one response to our query (qname_text: the question's name,
 * lowercased, absolute). */
static enum klass classify(const uint8_t *m, size_t len, const char *qname_text)
{
	if (len < 12)
		return K_BAD;
	uint16_t fl = get16(m + 2);
	if (!(fl & 0x8000) || (fl & 0x7800) || (fl & 0x0400) || (fl & 0x0200) || (fl & 0x000F))
		return K_BAD; /* QR, opcode QUERY, AA=0, TC=0, NOERROR */
	uint16_t qd = get16(m + 4), an = get16(m + 6), ns = get16(m + 8), ar = get16(m + 10);
	if (qd != 1 || an != 0 || ns != n_ns)
		return K_BAD;
	char name[NAME_TEXT];
	long off = name_from_wire(m, len, 12, name, sizeof(name));
	if (off < 0 || (size_t)off + 4 > len || strcmp(name, qname_text) != 0 ||
	    get16(m + off) != 1 || get16(m + off + 2) != 1)
		return K_BAD;
	off += 4;
	bool ns_seen[MAX_NS] = { false };
	for (int i = 0; i < ns; i++) {
		off = name_from_wire(m, len, (size_t)off, name, sizeof(name));
		if (off < 0 || (size_t)off + 10 > len)
			return K_BAD;
		uint16_t type = get16(m + off), klass = get16(m + off + 2),
			 rdlen = get16(m + off + 8);
		off += 10;
		if (type != 2 || klass != 1 || (size_t)off + rdlen > len)
			return K_BAD;
		if (name_from_wire(m, len, (size_t)off, name, sizeof(name)) < 0)
			return K_BAD;
		int k = 0;
		while (k < n_ns && strcmp(ns_names[k], name) != 0)
			k++;
		if (k == n_ns || ns_seen[k])
			return K_BAD;
		ns_seen[k] = true;
		off += rdlen;
	}
	bool addr_seen[MAX_ADDRS] = { false };
	int addresses = 0, opts = 0;
	bool mixed = false;
	for (int i = 0; i < ar; i++) {
		off = name_from_wire(m, len, (size_t)off, name, sizeof(name));
		if (off < 0 || (size_t)off + 10 > len)
			return K_BAD;
		uint16_t type = get16(m + off), rdlen = get16(m + off + 8);
		off += 10;
		if ((size_t)off + rdlen > len)
			return K_BAD;
		if (type == 41) {
			if (++opts > 1)
				return K_BAD;
		} else if ((type == 1 && rdlen == 4) || (type == 28 && rdlen == 16)) {
			addresses++;
			int fam = type == 1 ? AF_INET : AF_INET6, k = 0;
			for (; k < n_addrs; k++) {
				if (addrs[k].family == fam &&
				    memcmp(addrs[k].bytes, m + off, rdlen) == 0 &&
				    strcmp(ns_names[addrs[k].ns], name) == 0)
					break;
			}
			if (k == n_addrs || addr_seen[k])
				mixed = true; /* wrong, or twice */
			else
				addr_seen[k] = true;
		} else {
			mixed = true;
		}
		off += rdlen;
	}
	if ((size_t)off != len)
		return K_BAD;
	if (addresses == 0)
		return K_NONE;
	if (!mixed && addresses == n_addrs)
		return K_FULL;
	return K_MIXED;
}

/* Udp: RcvbufErrors from /proc/net/snmp, or -1. */
static long long udp_rcvbuf_errors(void)
{
	FILE *f = fopen("/proc/net/snmp", "r");
	if (f == NULL)
		return -1;
	char hdr[1024], val[1024];
	long long out = -1;
	while (fgets(hdr, sizeof(hdr), f) && fgets(val, sizeof(val), f)) {
		if (strncmp(hdr, "Udp:", 4) != 0)
			continue;
		char *hs, *vs;
		char *h = strtok_r(hdr, " \n", &hs), *v = strtok_r(val, " \n", &vs);
		while (h && v) {
			if (strcmp(h, "RcvbufErrors") == 0)
				out = atoll(v);
			h = strtok_r(NULL, " \n", &hs);
			v = strtok_r(NULL, " \n", &vs);
		}
		break;
	}
	fclose(f);
	return out;
}

/* The first few mixed or bad answers, in hex on stderr, for the record. */
static void dump(const char *what, int sock, uint32_t id, const uint8_t *m, size_t len)
{
	fprintf(stderr, "flipload: %s answer (socket %d, id %u, %zu bytes):", what, sock, id, len);
	for (size_t i = 0; i < len && i < 512; i++)
		fprintf(stderr, "%s%02x", i % 32 ? " " : "\n  ", m[i]);
	fputc('\n', stderr);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void add_glue(const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (eq == NULL || n_ns == MAX_NS)
		usage();
	char name[NAME_TEXT];
	size_t nl = (size_t)(eq - arg);
	if (nl == 0 || nl >= sizeof(name))
		usage();
	memcpy(name, arg, nl);
	name[nl] = '\0';
	canon_name(name, ns_names[n_ns], sizeof(ns_names[0]));
	char list[1024];
	snprintf(list, sizeof(list), "%s", eq + 1);
	char *save, *a = strtok_r(list, ",", &save);
	for (; a; a = strtok_r(NULL, ",", &save)) {
		if (n_addrs == MAX_ADDRS)
			usage();
		struct glue_addr *g = &addrs[n_addrs];
		g->ns = n_ns;
		if (inet_pton(AF_INET, a, g->bytes) == 1)
			g->family = AF_INET;
		else if (inet_pton(AF_INET6, a, g->bytes) == 1)
			g->family = AF_INET6;
		else {
			fprintf(stderr, "flipload: bad address %s\n", a);
			exit(2);
		}
		n_addrs++;
	}
	n_ns++;
}

int main(int argc, char **argv)
{
	double rate = 30000, duration = 4, wait_s = 1;
	long long max_count = -1;
	int nsock = 8, opt;
	int bufsize = 4 << 20;
	while ((opt = getopt(argc, argv, "r:d:n:s:w:b:g:")) != -1) {
		switch (opt) {
		case 'r':
			rate = atof(optarg);
			break;
		case 'd':
			duration = atof(optarg);
			break;
		case 'n':
			max_count = atoll(optarg);
			break;
		case 's':
			nsock = atoi(optarg);
			break;
		case 'w':
			wait_s = atof(optarg);
			break;
		case 'b':
			bufsize = atoi(optarg);
			break;
		case 'g':
			add_glue(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 3 || rate < 1 || rate > 1e6 || duration <= 0 || duration > 60 ||
	    wait_s < 0 || wait_s > 30 || nsock < 1 || nsock > MAX_SOCKS || n_ns == 0 ||
	    bufsize < 4096)
		usage();
	if (max_count < 0)
		max_count = (long long)(rate * duration);
	if (max_count > (long long)nsock * 65535) {
		fprintf(stderr,
			"flipload: %lld queries need more than %d sockets (65535 IDs each)\n",
			max_count, nsock);
		return 2;
	}
	signal(SIGALRM, on_alarm);
	alarm((unsigned)(duration + wait_s + 10));

	const char *server = argv[optind];
	int port = atoi(argv[optind + 1]);
	char qname[NAME_TEXT];
	canon_name(argv[optind + 2], qname, sizeof(qname));

	struct sockaddr_storage ss;
	socklen_t sslen;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, server, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		sslen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, server, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		sslen = sizeof(*s6);
	} else {
		fprintf(stderr, "flipload: bad server address %s\n", server);
		return 2;
	}

	/* The query: header, question, OPT. The ID (bytes 0-1) changes. */
	uint8_t q[512];
	size_t qlen = 12;
	memset(q, 0, 12);
	q[5] = 1;  /* QDCOUNT */
	q[11] = 1; /* ARCOUNT: OPT */
	qlen += name_to_wire(qname, q + qlen, sizeof(q) - qlen - 16);
	const uint8_t tail[] = { 0, 1, 0,  1,                              /* A IN */
				 0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0 }; /* OPT 1232 */
	memcpy(q + qlen, tail, sizeof(tail));
	qlen += sizeof(tail);

	int fds[MAX_SOCKS], maxfd = 0;
	for (int i = 0; i < nsock; i++) {
		fds[i] = socket(ss.ss_family, SOCK_DGRAM, 0);
		if (fds[i] < 0) {
			perror("flipload: socket");
			return 2;
		}
		if (setsockopt(fds[i], SOL_SOCKET, SO_RCVBUFFORCE, &bufsize, sizeof(bufsize)) < 0)
			setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
		if (setsockopt(fds[i], SOL_SOCKET, SO_SNDBUFFORCE, &bufsize, sizeof(bufsize)) < 0)
			setsockopt(fds[i], SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize));
		if (connect(fds[i], (struct sockaddr *)&ss, sslen) < 0) {
			perror("flipload: connect");
			return 2;
		}
		if (fds[i] >= FD_SETSIZE) {
			fprintf(stderr, "flipload: descriptor %d over FD_SETSIZE\n", fds[i]);
			return 2;
		}
		if (fds[i] > maxfd)
			maxfd = fds[i];
	}
	int got_rcvbuf = 0;
	socklen_t gl = sizeof(got_rcvbuf);
	getsockopt(fds[0], SOL_SOCKET, SO_RCVBUF, &got_rcvbuf, &gl);

	/* Per socket and ID: the send time (0: never sent) and whether answered. */
	double *sent_at = calloc((size_t)nsock * 65536, sizeof(double));
	uint8_t *answered = calloc((size_t)nsock * 65536, 1); /* 1 + enum klass */
	uint32_t *lat_us = calloc((size_t)max_count + 1, sizeof(uint32_t));
	if (!sent_at || !answered || !lat_us) {
		fprintf(stderr, "flipload: out of memory\n");
		return 2;
	}
	uint32_t next_id[MAX_SOCKS] = { 0 };
	long long sent = 0, received = 0, unexpected = 0, send_again = 0, send_errors = 0;
	long long klass_count[K_COUNT] = { 0 };
	double klass_first[K_COUNT], klass_last[K_COUNT];
	for (int k = 0; k < K_COUNT; k++)
		klass_first[k] = klass_last[k] = -1;
	long long rcvbuf_before = udp_rcvbuf_errors();

	uint8_t buf[4096];
	double start = now_s(), send_end = start, stop_at = 0;
	bool sending = true;
	int rr = 0;
	for (;;) {
		double t = now_s();
		if (sending && (t - start >= duration || sent >= max_count)) {
			sending = false;
			send_end = t;
			stop_at = t + wait_s;
		}
		if (!sending && (received >= sent || t >= stop_at))
			break;
		if (sending) {
			long long due = (long long)((t - start) * rate) + 1;
			if (due > max_count)
				due = max_count;
			for (int burst = 0; sent < due && burst < 256; burst++) {
				int s = rr;
				uint32_t id = next_id[s];
				q[0] = (uint8_t)(id >> 8);
				q[1] = (uint8_t)id;
				ssize_t n = send(fds[s], q, qlen, MSG_DONTWAIT);
				if (n < 0) {
					if (errno == EAGAIN || errno == EWOULDBLOCK ||
					    errno == ENOBUFS)
						send_again++;
					else
						send_errors++;
					break; /* try again on the next turn */
				}
				sent_at[(size_t)s * 65536 + id] = now_s();
				next_id[s]++;
				sent++;
				rr = (rr + 1) % nsock;
			}
		}
		/* Drain every socket. */
		int drained = 0;
		for (int s = 0; s < nsock; s++) {
			for (;;) {
				ssize_t n = recv(fds[s], buf, sizeof(buf), MSG_DONTWAIT);
				if (n < 0)
					break; /* EAGAIN, or ECONNREFUSED from an ICMP */
				drained++;
				double tr = now_s();
				if (n < 2) {
					unexpected++;
					continue;
				}
				uint32_t id = get16(buf);
				size_t slot = (size_t)s * 65536 + id;
				if (id >= next_id[s] || answered[slot]) {
					unexpected++;
					continue;
				}
				enum klass k = classify(buf, (size_t)n, qname);
				answered[slot] = (uint8_t)(1 + k);
				double lat = (tr - sent_at[slot]) * 1e6;
				lat_us[received] = lat > 4e9 ? 4000000000u : (uint32_t)lat;
				received++;
				klass_count[k]++;
				if ((k == K_MIXED || k == K_BAD) && klass_count[k] <= 3)
					dump(klass_name[k], s, id, buf, (size_t)n);
				if (klass_first[k] < 0)
					klass_first[k] = tr - start;
				klass_last[k] = tr - start;
			}
		}
		if (drained == 0) {
			/* Sleep until the next query is due (sending) or an answer comes. */
			double next = sending ? start + (double)(sent + 1) / rate : stop_at;
			double dt = next - now_s();
			if (dt > 0.0005)
				dt = 0.0005;
			if (dt > 0) {
				fd_set rd;
				FD_ZERO(&rd);
				for (int s = 0; s < nsock; s++)
					FD_SET(fds[s], &rd);
				struct timeval tv = { 0, (suseconds_t)(dt * 1e6) };
				select(maxfd + 1, &rd, NULL, NULL, &tv);
			}
		}
	}
	double end = now_s();
	/* Per socket, in the order its queries were sent: how often the answer
	 * changed between full and none. SO_REUSEPORT keeps one socket's queries
	 * on one worker of glued, which answers them in order, so each change of
	 * rule while the socket sends shows up exactly once. */
	long long sock_changes[MAX_SOCKS] = { 0 };
	for (int s = 0; s < nsock; s++) {
		int last = -1;
		for (uint32_t id = 0; id < next_id[s]; id++) {
			int a = answered[(size_t)s * 65536 + id];
			if (a != 1 + K_FULL && a != 1 + K_NONE)
				continue;
			if (last >= 0 && a != last)
				sock_changes[s]++;
			last = a;
		}
	}
	long long rcvbuf_after = udp_rcvbuf_errors();
	qsort(lat_us, (size_t)received, sizeof(uint32_t), cmp_u32);
#define PCT(p) (received ? lat_us[(size_t)((double)(received - 1) * (p))] : 0)
	double send_time = send_end - start;
	printf("{\"server\":\"%s\",\"port\":%d,\"qname\":\"%s\",\"sockets\":%d,\"rcvbuf\":%d,"
	       "\"target_qps\":%.0f,\"duration\":%.3f,\"sent\":%lld,\"received\":%lld,\"lost\":%lld,"
	       "\"unexpected\":%lld,\"send_eagain\":%lld,\"send_errors\":%lld,\"qps\":%.0f,",
	       server, port, qname, nsock, got_rcvbuf, rate, send_time, sent, received,
	       sent - received, unexpected, send_again, send_errors,
	       send_time > 0 ? (double)sent / send_time : 0);
	for (int k = 0; k < K_COUNT; k++)
		printf("\"%s\":%lld,\"%s_first\":%.3f,\"%s_last\":%.3f,", klass_name[k],
		       klass_count[k], klass_name[k], klass_first[k], klass_name[k], klass_last[k]);
	printf("\"changes_per_socket\":[");
	for (int s = 0; s < nsock; s++)
		printf("%s%lld", s ? "," : "", sock_changes[s]);
	printf("],\"start_mono\":%.6f,\"send_end_mono\":%.6f,", start, send_end);
	printf("\"latency_us\":{\"p50\":%u,\"p99\":%u,\"p999\":%u,\"max\":%u},"
	       "\"udp_rcvbuf_errors\":%lld,\"elapsed\":%.3f}\n",
	       PCT(0.5), PCT(0.99), PCT(0.999), received ? lat_us[received - 1] : 0,
	       (rcvbuf_before >= 0 && rcvbuf_after >= 0) ? rcvbuf_after - rcvbuf_before : -1,
	       end - start);
	for (int i = 0; i < nsock; i++)
		close(fds[i]);
	free(sent_at);
	free(answered);
	free(lat_us);
	return 0;
}
