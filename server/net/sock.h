/*
 * sock.h -- every socket option glued sets, in one place.
 *
 * The network layer makes its sockets itself and hands them to libuv
 * (uv_udp_open, uv_tcp_open), because libuv 1.44 cannot set SO_REUSEPORT
 * (UV_UDP_REUSEPORT and UV_TCP_REUSEPORT are 1.49+): each worker has its
 * own socket on every address, and the kernel spreads the clients over
 * them. Here: binding (SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY), the UDP
 * buffer sizes and path-MTU discovery, the probe that refuses a port
 * another process holds, the classic BPF program that steers each client
 * to one reading socket, and the bind of the reply-only twin sockets.
 * Nothing here knows about DNS or the loop.
 */
#ifndef GLUED_NET_SOCK_H
#define GLUED_NET_SOCK_H

#include <stddef.h>

#include "config.h"

/* UDP socket buffers: the default 208 KiB holds only ~100 queued queries on
 * loopback (about 2 KiB of truesize each), which a worker descheduled for a
 * moment overruns (docs/performance.md, "lost"). */
#define SOCK_UDP_BUFSIZE (4 * 1024 * 1024)

/*
 * Open a socket of type SOCK_DGRAM or SOCK_STREAM bound to a (SO_REUSEADDR,
 * SO_REUSEPORT, IPV6_V6ONLY for IPv6), close-on-exec. A UDP socket also
 * gets SOCK_UDP_BUFSIZE of receive and send buffer (SO_RCVBUFFORCE /
 * SO_SNDBUFFORCE when privileged, else SO_RCVBUF / SO_SNDBUF up to the
 * sysctl limits) and path-MTU discovery off (IP_PMTUDISC_OMIT /
 * IPV6_PMTUDISC_OMIT, as Knot Resolver does); failing any of these is not
 * an error. Returns the fd, or -errno with a message naming the address in
 * err.
 */
int sock_bind(const listen_addr_t *a, int type, char *err, size_t errcap);

/*
 * Check, before any worker binds with SO_REUSEPORT, that nothing else holds
 * a's UDP or TCP port (a reuseport bind would silently share it with another
 * process of the same user). Returns 0 or -errno with a message in err.
 */
int sock_probe(const listen_addr_t *a, char *err, size_t errcap);

/*
 * Steer the SO_REUSEPORT group of fd (a UDP socket of address family
 * `family`, one per worker, bound in worker order) so that datagrams go
 * only to the first nreaders sockets bound, chosen by the client's address
 * and port: one client, one worker, in order, as with the kernel's own
 * hash. The reply-only sockets bound after them (sock_bind_replier) then
 * never receive. Returns 0 or -errno.
 */
int sock_steer(int fd, int family, unsigned nreaders);

/*
 * Open a UDP socket on a that only sends replies: the same address and
 * port as the reading sockets, in their SO_REUSEPORT group, but bound after
 * every one of them has been bound and steered, so the steering program
 * never picks it; it is never polled either. Sending from the polled
 * socket costs an epoll wake-up per reply when the kernel frees the sent
 * packet (about 0.1 us each, docs/performance.md). Returns the fd, or
 * -errno (replies then go out of the reading socket).
 */
int sock_bind_replier(const listen_addr_t *a);

#endif
