/*
 * control.h -- the control socket: a Unix stream socket served on the
 * daemon's main loop, for gluectl.
 *
 * One command per connection: the client sends one line (at most
 * CONTROL_LINE_MAX bytes, ending in '\n', or the end of its data), the
 * handler answers it once, now or later (a change answers when every
 * worker serves it), and the connection closes. The reply on the wire is
 * a status line, "ok" or "error", then the body. The socket file is made
 * with mode 0600, so only its owner (the user glued runs as) and root can
 * connect; any other user's connect() fails with EACCES.
 */
#ifndef GLUED_CONTROL_H
#define GLUED_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#define CONTROL_LINE_MAX 4096
#define CONTROL_CONNS_MAX 16 /* connections at once; more are closed at once */

typedef struct control control_t;
typedef struct control_req control_req_t;

/* A command line (NUL-terminated, no '\n'). Call control_reply(req)
 * exactly once, from this call or later on the same loop. */
typedef void (*control_fn)(void *ctx, control_req_t *req, const char *line);

/*
 * Listen on path. A socket file there that nothing answers on (left by a
 * glued that died) is replaced; one another process answers on is an
 * error ("... is in use"), as is a path that is not a socket. Returns 0,
 * or -1 with the reason in err.
 */
int control_open(uv_loop_t *loop, const char *path, control_fn fn, void *ctx, control_t **out,
		 char *err, size_t errcap);

/* The checks control_open makes of path before it listens, alone: a
 * daemon makes them before it binds anything, so that a second glued on
 * the same path stops before it serves a query. Returns 0, or -1 with the
 * reason in err. */
int control_probe(const char *path, char *err, size_t errcap);

/* Send the reply (status ok or error, then body) and close the
 * connection; then, if done is not NULL, call it (for "stop"). */
void control_reply(control_req_t *req, bool ok, const char *body, size_t len,
		   void (*done)(void *ctx), void *done_ctx);

/* Stop listening, close every connection (pending requests get no
 * reply), remove the socket file. Its handles are closed when the loop
 * runs again; the memory goes with them. Safe on NULL. */
void control_close(control_t *c);

#endif
