/* loadgen: a batched, closed-loop UDP DNS load generator for 127.0.0.1.
 *
 *   loadgen -p PORT -f QUERYFILE [-d SECONDS] [-w WINDOW] [-n MAXQUERIES]
 *           [-W WARMUP] [-t TIMEOUT_MS] [-P PID,PID,...] [--dnssec] [-b BUFSIZE]
 *   loadgen -p PORT --probe [--any] [--dnssec] [-b BUFSIZE] NAME TYPE [-T SECONDS]
 *
 * Every query carries EDNS(0) OPT with a payload size of BUFSIZE (1232
 * unless -b, 512..4096); --dnssec sets the DO bit in it, for the signed
 * benchmark.
 *
 * Load mode keeps WINDOW queries outstanding: it sends in batches with
 * sendmmsg and receives in batches with recvmmsg, and every answer frees
 * a slot for the next query. A query unanswered after TIMEOUT_MS is lost;
 * its ID goes back to the end of a FIFO so that a late answer cannot be
 * taken for the answer of a newer query with the same ID (the question is
 * compared too). It runs for WARMUP seconds unmeasured, then measures for
 * SECONDS or MAXQUERIES sent, whichever comes first, then waits at most
 * TIMEOUT_MS for the stragglers. With -P it reads utime+stime of the given
 * processes (all their threads) from /proc before and after the measured
 * interval and reports the server's CPU time per answered query.
 *
 * Output: one line of key=value pairs (qps, cpu_us, p50_us, p99_us, lost,
 * rcode counts, AA and TC counts, and the mean AUTHORITY count and size of
 * the answers, which tell a signed answer from an unsigned one) for
 * bench/run to parse.
 *
 * Probe mode sends NAME TYPE every 2 ms until an answer with RCODE NOERROR
 * and AA or a referral (NSCOUNT > 0) arrives, and prints the CLOCK_REALTIME
 * of that answer in nanoseconds: bench/run's "time to first answer".
 * With --any every answer counts (for bench/echo).
 *
 * Only ever talks to 127.0.0.1; every run is bounded in time and count.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#define BATCH 64
#define MAXMSG 512
#define NIDS 65536
#define HIST_US 200000 /* latency histogram: 1 us buckets up to 200 ms */
#define MAX_DURATION 600.0
#define MAX_PIDS 64

typedef struct {
	uint8_t wire[MAXMSG];
	uint16_t len;
	uint16_t qlen; /* question section length, from offset 12 */
} query_t;

static query_t *queries;
static size_t nqueries;
static bool edns_do;              /* --dnssec */
static uint16_t edns_size = 1232; /* -b */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int type_code(const char *t)
{
	static const struct {
		const char *n;
		int c;
	} tab[] = {
		{ "A", 1 },    { "NS", 2 },  { "CNAME", 5 }, { "SOA", 6 },
		{ "PTR", 12 }, { "MX", 15 }, { "TXT", 16 },  { "AAAA", 28 },
		{ "SRV", 33 }, { "DS", 43 }, { "ANY", 255 },
	};
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (strcasecmp(t, tab[i].n) == 0)
			return tab[i].c;
	if (strncasecmp(t, "TYPE", 4) == 0)
		return atoi(t + 4);
	return -1;
}

/* Builds a query with EDNS(0), payload edns_size, DO = edns_do. Returns -1
 * if the name does not fit. */
static int build_query(query_t *q, const char *name, int type)
{
	uint8_t *p = q->wire;
	memset(p, 0, 12);
	p[2] = 0x00; /* RD=0: authoritative servers */
	p[5] = 1;    /* QDCOUNT */
	p[11] = 1;   /* ARCOUNT (OPT) */
	size_t off = 12;
	const char *s = name;
	if (strcmp(s, ".") != 0) {
		while (*s) {
			const char *dot = strchr(s, '.');
			size_t l = dot ? (size_t)(dot - s) : strlen(s);
			if (l == 0 || l > 63 || off + l + 1 > 12 + 255)
				return -1;
			p[off++] = (uint8_t)l;
			memcpy(p + off, s, l);
			off += l;
			s += l;
			if (*s == '.')
				s++;
		}
	}
	p[off++] = 0;
	p[off++] = (uint8_t)(type >> 8);
	p[off++] = (uint8_t)type;
	p[off++] = 0;
	p[off++] = 1; /* IN */
	q->qlen = (uint16_t)(off - 12);
	/* OPT: root owner, type 41, payload, ext rcode 0, version 0, flags
	 * (DO is the top bit), no options. */
	const uint8_t opt[] = {
		0, 0, 41, (uint8_t)(edns_size >> 8), (uint8_t)edns_size, 0, 0, edns_do ? 0x80 : 0,
		0, 0, 0
	};
	memcpy(p + off, opt, sizeof opt);
	off += sizeof opt;
	q->len = (uint16_t)off;
	return 0;
}

static void load_queries(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "loadgen: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	size_t cap = 1024;
	queries = malloc(cap * sizeof *queries);
	char line[1024];
	unsigned lineno = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char name[512], type[32];
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%511s %31s", name, type) != 2) {
			fprintf(stderr, "loadgen: %s:%u: want NAME TYPE\n", path, lineno);
			exit(2);
		}
		int t = type_code(type);
		if (nqueries == cap) {
			cap *= 2;
			queries = realloc(queries, cap * sizeof *queries);
		}
		if (t < 0 || build_query(&queries[nqueries], name, t) < 0) {
			fprintf(stderr, "loadgen: %s:%u: bad name or type\n", path, lineno);
			exit(2);
		}
		nqueries++;
	}
	fclose(f);
	if (nqueries == 0) {
		fprintf(stderr, "loadgen: %s: no queries\n", path);
		exit(2);
	}
}

static int open_socket(int port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("loadgen: socket");
		exit(2);
	}
	int sz = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* 127.0.0.1 only, by design */
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("loadgen: connect");
		exit(2);
	}
	return fd;
}

/* Sum of utime+stime in clock ticks over every given process. */
static long long cpu_ticks(const int *pids, int npids)
{
	long long total = 0;
	for (int i = 0; i < npids; i++) {
		char path[64], buf[2048];
		snprintf(path, sizeof path, "/proc/%d/stat", pids[i]);
		FILE *f = fopen(path, "r");
		if (f == NULL)
			continue;
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[n] = 0;
		char *p = strrchr(buf, ')'); /* comm may contain spaces */
		if (p == NULL)
			continue;
		/* After ")": state(3) ppid ... utime is field 14, stime 15. */
		unsigned long long ut = 0, st = 0;
		if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
			   &st) == 2)
			total += (long long)(ut + st);
	}
	return total;
}

static int probe(int port, const char *name, const char *type, double limit, bool any)
{
	query_t q;
	int t = type_code(type);
	if (t < 0 || build_query(&q, name, t) < 0) {
		fprintf(stderr, "loadgen: bad probe query\n");
		return 2;
	}
	int fd = open_socket(port);
	double end = now_s() + limit;
	uint16_t id = 1;
	while (now_s() < end) {
		q.wire[0] = (uint8_t)(id >> 8);
		q.wire[1] = (uint8_t)id;
		(void)send(fd, q.wire, q.len, 0); /* ECONNREFUSED until it listens */
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, 2) > 0) {
			uint8_t r[4096];
			ssize_t n;
			while ((n = recv(fd, r, sizeof r, MSG_DONTWAIT)) >= 12 ||
			       (n < 0 && errno == ECONNREFUSED)) {
				if (n < 0)
					continue;
				int rcode = r[3] & 15;
				bool aa = r[2] & 4;
				unsigned ns = (unsigned)(r[8] << 8 | r[9]);
				if ((r[2] & 0x80) && (any || (rcode == 0 && (aa || ns > 0)))) {
					struct timespec ts;
					clock_gettime(CLOCK_REALTIME, &ts);
					printf("%lld\n",
					       (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
					return 0;
				}
			}
		}
		id++;
	}
	fprintf(stderr, "loadgen: probe: no good answer within %.0f s\n", limit);
	return 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: loadgen -p PORT -f FILE [-d SECS] [-w WINDOW] [-n MAXQ] [-W WARMUP]\n"
		"               [-t TIMEOUT_MS] [-P PID,...] [--dnssec] [-b BUFSIZE]\n"
		"       loadgen -p PORT --probe [--any] [--dnssec] [-b BUFSIZE] NAME TYPE [-T SECS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int port = 0, window = 256, timeout_ms = 1000;
	double duration = 5, warmup = 0.5, probe_limit = 120;
	long long maxq = 100000000;
	const char *file = NULL;
	bool probe_mode = false, probe_any = false;
	int pids[MAX_PIDS], npids = 0;

	static const struct option lo[] = { { "probe", no_argument, 0, 'X' },
					    { "any", no_argument, 0, 'Y' },
					    { "dnssec", no_argument, 0, 'D' },
					    { 0, 0, 0, 0 } };
	int c, bufsize;
	while ((c = getopt_long(argc, argv, "p:f:d:w:n:W:t:P:T:b:", lo, NULL)) != -1) {
		switch (c) {
		case 'D':
			edns_do = true;
			break;
		case 'b':
			bufsize = atoi(optarg);
			if (bufsize < 512 || bufsize > 4096)
				usage();
			edns_size = (uint16_t)bufsize;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'f':
			file = optarg;
			break;
		case 'd':
			duration = atof(optarg);
			break;
		case 'w':
			window = atoi(optarg);
			break;
		case 'n':
			maxq = atoll(optarg);
			break;
		case 'W':
			warmup = atof(optarg);
			break;
		case 't':
			timeout_ms = atoi(optarg);
			break;
		case 'T':
			probe_limit = atof(optarg);
			break;
		case 'X':
			probe_mode = true;
			break;
		case 'Y':
			probe_any = true;
			break;
		case 'P':
			for (char *s = strtok(optarg, ","); s && npids < MAX_PIDS;
			     s = strtok(NULL, ","))
				pids[npids++] = atoi(s);
			break;
		default:
			usage();
		}
	}
	if (port <= 0 || port > 65535)
		usage();
	if (probe_mode) {
		if (optind + 2 != argc)
			usage();
		if (probe_limit > MAX_DURATION)
			probe_limit = MAX_DURATION;
		return probe(port, argv[optind], argv[optind + 1], probe_limit, probe_any);
	}
	if (file == NULL || window < 1 || window > 8192 || duration <= 0 || timeout_ms < 1)
		usage();
	if (duration > MAX_DURATION)
		duration = MAX_DURATION;
	if (warmup < 0 || warmup > 60)
		warmup = 0;
	load_queries(file);
	int fd = open_socket(port);

	/* ID pool: a FIFO of free IDs, and per ID the send time and query. */
	static uint16_t idq[NIDS];
	static uint64_t sent_at[NIDS]; /* 0 = free */
	static uint32_t which[NIDS];
	static uint32_t hist[HIST_US + 1];
	static bool measured[NIDS];
	static uint8_t rbuf[BATCH][4096];
	static uint8_t sbuf[BATCH][MAXMSG];
	unsigned qhead = 0, qtail = 0, nfree = NIDS;
	for (unsigned i = 0; i < NIDS; i++)
		idq[i] = (uint16_t)i;
	/* Every ID sent, in send order, for timeouts. An entry leaves the ring
	 * when it reaches the head and is answered or expired, so the ring must
	 * hold up to a timeout's worth of sends; sending pauses when it is full. */
	unsigned ring_cap = 1u << 22, rhead = 0, rcount = 0;
	uint16_t *ring = calloc(ring_cap, sizeof *ring);
	if (ring == NULL) {
		perror("loadgen: calloc");
		return 2;
	}

	struct mmsghdr smsg[BATCH], rmsg[BATCH];
	struct iovec siov[BATCH], riov[BATCH];
	memset(rmsg, 0, sizeof rmsg);
	memset(smsg, 0, sizeof smsg);
	for (int i = 0; i < BATCH; i++) {
		riov[i].iov_base = rbuf[i];
		riov[i].iov_len = sizeof rbuf[i];
		rmsg[i].msg_hdr.msg_iov = &riov[i];
		rmsg[i].msg_hdr.msg_iovlen = 1;
		siov[i].iov_base = sbuf[i];
		smsg[i].msg_hdr.msg_iov = &siov[i];
		smsg[i].msg_hdr.msg_iovlen = 1;
	}

	uint64_t timeout_ns = (uint64_t)timeout_ms * 1000000u;
	size_t qi = 0;
	long long sent = 0, recvd = 0, lost = 0, stray = 0, senderr = 0;
	long long rc[16] = { 0 }, aa = 0, tc = 0, late_hist = 0, nsrr = 0, rbytes = 0;
	int outstanding = 0;
	bool measuring = false, stop_sending = false;
	double t0 = now_s(), tm_start = 0, tm_end = 0;
	long long ticks0 = 0, ticks1 = 0;
	double send_end = t0 + warmup + duration;

	for (;;) {
		double t = now_s();
		if (!measuring && t >= t0 + warmup) {
			measuring = true;
			tm_start = t;
			ticks0 = cpu_ticks(pids, npids);
		}
		if (!stop_sending && (t >= send_end || (measuring && sent >= maxq))) {
			stop_sending = true;
			tm_end = t;
			ticks1 = cpu_ticks(pids, npids);
		}
		if (stop_sending && (outstanding == 0 || t >= tm_end + timeout_ms / 1000.0))
			break;

		/* Fill the window. */
		while (!stop_sending && outstanding < window && nfree > 0 &&
		       rcount + BATCH < ring_cap) {
			int nb = window - outstanding;
			if (nb > BATCH)
				nb = BATCH;
			if ((unsigned)nb > nfree)
				nb = (int)nfree;
			uint64_t ts = now_ns();
			for (int i = 0; i < nb; i++) {
				uint16_t id = idq[qhead];
				qhead = (qhead + 1) % NIDS;
				nfree--;
				const query_t *q = &queries[qi];
				which[id] = (uint32_t)qi;
				if (++qi == nqueries)
					qi = 0;
				memcpy(sbuf[i], q->wire, q->len);
				sbuf[i][0] = (uint8_t)(id >> 8);
				sbuf[i][1] = (uint8_t)id;
				siov[i].iov_len = q->len;
				sent_at[id] = ts;
				measured[id] = measuring;
				ring[(rhead + rcount) % ring_cap] = id;
				rcount++;
			}
			int r = sendmmsg(fd, smsg, (unsigned)nb, 0);
			int ok = r < 0 ? 0 : r;
			if (r < 0 && errno != EAGAIN && errno != ECONNREFUSED && errno != ENOBUFS)
				senderr++;
			/* Unsent ones: give their IDs back at once (newest first). */
			for (int i = nb - 1; i >= ok; i--) {
				rcount--;
				uint16_t id = ring[(rhead + rcount) % ring_cap];
				sent_at[id] = 0;
				idq[qtail] = id;
				qtail = (qtail + 1) % NIDS;
				nfree++;
				if (--qi == (size_t)-1)
					qi = nqueries - 1;
			}
			outstanding += ok;
			if (measuring)
				sent += ok;
			if (ok < nb)
				break;
		}

		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int pr = poll(&pfd, 1, 1);
		if (pr > 0) {
			int n = recvmmsg(fd, rmsg, BATCH, MSG_DONTWAIT, NULL);
			uint64_t ts = now_ns();
			for (int i = 0; i < n; i++) {
				const uint8_t *r = rbuf[i];
				size_t len = rmsg[i].msg_len;
				if (len < 12 || !(r[2] & 0x80)) {
					stray++;
					continue;
				}
				uint16_t id = (uint16_t)(r[0] << 8 | r[1]);
				if (sent_at[id] == 0) {
					stray++;
					continue;
				}
				const query_t *q = &queries[which[id]];
				if (len < 12u + q->qlen ||
				    memcmp(r + 12, q->wire + 12, q->qlen) != 0) {
					stray++;
					continue;
				}
				uint64_t lat = (ts - sent_at[id]) / 1000u;
				sent_at[id] = 0;
				outstanding--;
				idq[qtail] = id;
				qtail = (qtail + 1) % NIDS;
				nfree++;
				if (!measured[id])
					continue;
				recvd++;
				if (lat > HIST_US) {
					lat = HIST_US;
					late_hist++;
				}
				hist[lat]++;
				rc[r[3] & 15]++;
				if (r[2] & 4)
					aa++;
				if (r[2] & 2)
					tc++;
				nsrr += r[8] << 8 | r[9];
				rbytes += (long long)len;
			}
		}

		/* Expire the oldest outstanding queries; answered ones are skipped. */
		uint64_t tnow = now_ns();
		while (rcount > 0) {
			uint16_t id = ring[rhead];
			if (sent_at[id] != 0) {
				if (tnow - sent_at[id] < timeout_ns)
					break;
				sent_at[id] = 0;
				outstanding--;
				if (measured[id])
					lost++;
				idq[qtail] = id;
				qtail = (qtail + 1) % NIDS;
				nfree++;
			}
			rhead = (rhead + 1) % ring_cap;
			rcount--;
		}
	}
	/* Whatever is still outstanding after the grace period is lost. */
	while (rcount > 0) {
		uint16_t id = ring[rhead];
		if (sent_at[id] != 0 && measured[id])
			lost++;
		rhead = (rhead + 1) % ring_cap;
		rcount--;
	}

	double secs = tm_end - tm_start;
	long long p50 = -1, p99 = -1, acc = 0;
	for (long long i = 0; i <= HIST_US && recvd > 0; i++) {
		acc += hist[i];
		if (p50 < 0 && acc * 2 >= recvd)
			p50 = i;
		if (p99 < 0 && acc * 100 >= recvd * 99) {
			p99 = i;
			break;
		}
	}
	double cpu_us = 0;
	if (npids > 0 && recvd > 0)
		cpu_us = (double)(ticks1 - ticks0) * 1e6 / (double)sysconf(_SC_CLK_TCK) /
			 (double)recvd;
	printf("qps=%.0f sent=%lld recv=%lld lost=%lld stray=%lld p50_us=%lld p99_us=%lld "
	       "cpu_us=%.3f cpu_s=%.2f secs=%.3f noerror=%lld nxdomain=%lld servfail=%lld "
	       "refused=%lld other_rcode=%lld aa=%lld tc=%lld senderr=%lld auth_rr=%.2f "
	       "bytes=%.0f\n",
	       secs > 0 ? (double)recvd / secs : 0, sent, recvd, lost, stray, p50, p99, cpu_us,
	       (double)(ticks1 - ticks0) / (double)sysconf(_SC_CLK_TCK), secs, rc[0], rc[3], rc[2],
	       rc[5], recvd - rc[0] - rc[3] - rc[2] - rc[5], aa, tc, senderr,
	       recvd > 0 ? (double)nsrr / (double)recvd : 0,
	       recvd > 0 ? (double)rbytes / (double)recvd : 0);
	(void)late_hist;
	return 0;
}
