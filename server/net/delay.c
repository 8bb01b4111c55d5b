/*
 * delay.c -- replies held back by a delay fault (delay.h).
 */
#include "net/delay.h"

#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

typedef struct delayed {
	uv_timer_t timer; /* timer.data = this */
	worker_t *w;
	delay_list_t *list; /* NULL once off it */
	struct delayed *prev, *next;
	delay_send_fn send;
	void *owner;
	bool has_peer;
	struct sockaddr_storage peer;
	size_t len;
	uint8_t bytes[];
} delayed_t;

static void delayed_close_cb(uv_handle_t *handle) { free(handle->data); }

/* Off its list: from here only the timer and its close callback touch d. */
static void delayed_unlink(delayed_t *d)
{
	delay_list_t *list = d->list;
	if (d->prev != NULL)
		d->prev->next = d->next;
	else
		list->head = d->next;
	if (d->next != NULL)
		d->next->prev = d->prev;
	list->n--;
	d->w->ndelayed--;
	d->list = NULL;
}

static void delayed_close(delayed_t *d)
{
	delayed_unlink(d);
	uv_close((uv_handle_t *)&d->timer, delayed_close_cb);
}

void delay_close_all(delay_list_t *list)
{
	while (list->head != NULL)
		delayed_close(list->head);
}

static void delayed_send_cb(uv_timer_t *timer)
{
	delayed_t *d = timer->data;
	worker_t *w = d->w;
	delayed_unlink(d);
	if (d->send(d->owner, d->has_peer ? (const struct sockaddr *)&d->peer : NULL, d->bytes,
		    d->len))
		w->stats.delayed++;
	uv_close((uv_handle_t *)&d->timer, delayed_close_cb);
}

bool delay_hold(worker_t *w, delay_list_t *list, delay_send_fn send, void *owner,
		const struct sockaddr *peer, const uint8_t *bytes, size_t len, uint32_t delay_ms)
{
	if (w->ndelayed >= WORKER_MAX_DELAYED) {
		w->stats.delay_dropped++;
		return false;
	}
	delayed_t *d = malloc(sizeof(*d) + len);
	if (d == NULL) {
		w->stats.delay_dropped++;
		return false;
	}
	memset(d, 0, sizeof(*d));
	d->w = w;
	d->send = send;
	d->owner = owner;
	d->len = len;
	if (peer != NULL) {
		d->has_peer = true;
		memcpy(&d->peer, peer,
		       peer->sa_family == AF_INET ? sizeof(struct sockaddr_in)
						  : sizeof(struct sockaddr_in6));
	}
	memcpy(d->bytes, bytes, len);
	if (uv_timer_init(&w->loop, &d->timer) < 0) {
		free(d);
		w->stats.delay_dropped++;
		return false;
	}
	d->timer.data = d;
	d->list = list;
	d->next = list->head;
	if (d->next != NULL)
		d->next->prev = d;
	list->head = d;
	list->n++;
	w->ndelayed++;
	if (uv_timer_start(&d->timer, delayed_send_cb, delay_ms, 0) < 0) {
		w->stats.delay_dropped++;
		delayed_close(d);
		return false;
	}
	return true;
}
