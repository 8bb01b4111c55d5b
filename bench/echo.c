/* echo: the kernel's ceiling for one UDP worker.
 *
 *   echo -p PORT [-T MAX_SECONDS]
 *
 * Binds 127.0.0.1:PORT and answers every datagram with the same bytes and
 * QR set, receiving with recvmmsg and sending with sendmmsg, 64 at a time.
 * It does no DNS work at all, so its q/s and CPU per packet are what the
 * kernel's UDP path alone costs: the ceiling any one-worker server can
 * reach on this machine. Exits on SIGTERM/SIGINT, or after MAX_SECONDS
 * (default 3600) so that a forgotten instance cannot run for ever.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#define BATCH 64
#define MSGSZ 4096

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	int port = 0, c;
	unsigned max_secs = 3600;
	while ((c = getopt(argc, argv, "p:T:")) != -1) {
		if (c == 'p')
			port = atoi(optarg);
		else if (c == 'T')
			max_secs = (unsigned)atoi(optarg);
		else
			port = -1;
	}
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "usage: echo -p PORT [-T MAX_SECONDS]\n");
		return 2;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	alarm(max_secs);

	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("echo: socket");
		return 1;
	}
	int one = 1, sz = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		perror("echo: bind");
		return 1;
	}

	static char bufs[BATCH][MSGSZ];
	static struct sockaddr_storage peers[BATCH];
	struct iovec iov[BATCH];
	struct mmsghdr msgs[BATCH];

	while (!stop) {
		memset(msgs, 0, sizeof msgs);
		for (int i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = MSGSZ;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &peers[i];
			msgs[i].msg_hdr.msg_namelen = sizeof peers[i];
		}
		/* Block for the first datagram, then take what is queued. */
		int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("echo: recvmmsg");
			return 1;
		}
		int k = 0;
		for (int i = 0; i < n; i++) {
			unsigned len = msgs[i].msg_len;
			if (len < 12 || (bufs[i][2] & 0x80))
				continue; /* not a query: never answer an answer */
			bufs[i][2] |= (char)0x80;
			iov[i].iov_len = len;
			if (k != i) {
				msgs[k].msg_hdr = msgs[i].msg_hdr;
			}
			k++;
		}
		for (int sent = 0; sent < k;) {
			int r = sendmmsg(fd, msgs + sent, (unsigned)(k - sent), 0);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				break; /* buffer full: drop the rest, like a real server */
			}
			sent += r;
		}
	}
	close(fd);
	return 0;
}
