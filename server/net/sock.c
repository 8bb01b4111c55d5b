#include "net/sock.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/filter.h>
#include <netinet/in.h>
#include <sys/socket.h>

static const char *type_name(int type) { return type == SOCK_DGRAM ? "udp" : "tcp"; }

static int bind_error(const listen_addr_t *a, int type, int e, char *err, size_t errcap)
{
	if (e == EADDRINUSE)
		snprintf(err, errcap, "cannot listen on %s (%s): address already in use", a->text,
			 type_name(type));
	else if (e == EADDRNOTAVAIL)
		snprintf(err, errcap, "cannot listen on %s (%s): no such address on this host",
			 a->text, type_name(type));
	else if (e == EACCES)
		snprintf(
			err, errcap,
			"cannot listen on %s (%s): permission denied (ports below 1024 need privileges)",
			a->text, type_name(type));
	else
		snprintf(err, errcap, "cannot listen on %s (%s): %s", a->text, type_name(type),
			 strerror(e));
	return -e;
}

/* Best effort: each option that the kernel refuses keeps its default. */
static void udp_tune(int fd, int family)
{
	int size = SOCK_UDP_BUFSIZE;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		/* Never set DF nor learn a path MTU from ICMP: a forged "fragmentation
	 * needed" cannot shrink our answers, and answers stay <= 1232 bytes. */
#if defined(IP_MTU_DISCOVER) && defined(IP_PMTUDISC_OMIT)
	if (family == AF_INET) {
		int v = IP_PMTUDISC_OMIT;
		(void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof(v));
	}
#endif
#if defined(IPV6_MTU_DISCOVER) && defined(IPV6_PMTUDISC_OMIT)
	if (family == AF_INET6) {
		int v = IPV6_PMTUDISC_OMIT;
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v, sizeof(v));
	}
#endif
	(void)family;
}

int sock_bind(const listen_addr_t *a, int type, char *err, size_t errcap)
{
	int one = 1;
	int fd = socket(a->ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return bind_error(a, type, errno, err, errcap);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    (a->ss.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, (const struct sockaddr *)&a->ss, a->sslen) < 0) {
		int e = errno;
		close(fd);
		return bind_error(a, type, e, err, errcap);
	}
	if (type == SOCK_DGRAM)
		udp_tune(fd, a->ss.ss_family);
	return fd;
}

/* Bind without SO_REUSEPORT: fails if any socket already holds the port. */
static int probe_one(const listen_addr_t *a, int type, char *err, size_t errcap)
{
	int one = 1;
	int fd = socket(a->ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return bind_error(a, type, errno, err, errcap);
	/* TCP: SO_REUSEADDR ignores TIME_WAIT leftovers of a previous run but
	 * still refuses a live listener. UDP: no option, so any holder counts. */
	if ((type == SOCK_STREAM &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
	    (a->ss.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, (const struct sockaddr *)&a->ss, a->sslen) < 0) {
		int e = errno;
		close(fd);
		return bind_error(a, type, e, err, errcap);
	}
	close(fd);
	return 0;
}

int sock_probe(const listen_addr_t *a, char *err, size_t errcap)
{
	int r = probe_one(a, SOCK_DGRAM, err, errcap);
	if (r == 0)
		r = probe_one(a, SOCK_STREAM, err, errcap);
	return r;
}

int sock_steer(int fd, int family, unsigned nreaders)
{
	/*
	 * Classic BPF, run by the kernel on each datagram for the group: the
	 * index of the socket to get it. As the kernel's own choice, it
	 * depends only on the client's address and port, so one client's
	 * datagrams keep going to one worker, in order: the last 32 bits of
	 * the source address plus the source port (IPv4 without options,
	 * IPv6 without extension headers; otherwise other bytes of the
	 * header, still the same for the whole flow), mixed, modulo the
	 * number of workers. Offsets are from the network header.
	 */
	uint32_t addr = family == AF_INET6 ? 8 + 12 : 12;
	uint32_t port = family == AF_INET6 ? 40 : 20;
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + addr),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, (uint32_t)SKF_NET_OFF + port),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
		BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 0x9E3779B1u),
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16),
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, nreaders > 0 ? nreaders : 1),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_fprog prog;
	memset(&prog, 0, sizeof(prog)); /* no uninitialised padding to the kernel */
	prog.len = sizeof(code) / sizeof(code[0]);
	prog.filter = code;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog)) < 0)
		return -errno;
	return 0;
}

int sock_bind_replier(const listen_addr_t *a)
{
	/* The same options as a reading socket: SO_REUSEPORT to join the
	 * group, the same buffers (it is the one that sends). */
	char err[256];
	return sock_bind(a, SOCK_DGRAM, err, sizeof(err));
}
