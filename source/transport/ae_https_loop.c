/*
 * ae_https_loop.c: libcurl's multi interface driven by tevent, through
 * curl's socket API (CURLMOPT_SOCKETFUNCTION / CURLMOPT_TIMERFUNCTION):
 * each socket curl wants watched becomes a tevent_fd, curl's one timeout a
 * tevent_timer; curl_multi_socket_action runs only from those handlers, never
 * from inside a curl callback, so there is no busy loop and no thread.
 */
#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>
#include "ae_https_priv.h"
#include "ae_log.h"

struct ae_curl_loop {
	struct tevent_context *ev;
	CURLM *multi;
	struct tevent_timer *timer;
	ae_curl_done_fn done;
	void *priv;
};

/* one watched socket; curl_multi_assign keeps it with the socket */
struct ae_curl_sock {
	struct ae_curl_loop *loop;
	struct tevent_fd *fde;
	curl_socket_t s;
};

static void loop_check_done(struct ae_curl_loop *loop)
{
	CURLMsg *msg;
	int left = 0;

	/* one finished transfer at a time: done() may free the loop */
	msg = curl_multi_info_read(loop->multi, &left);
	while (msg != NULL && msg->msg != CURLMSG_DONE) {
		msg = curl_multi_info_read(loop->multi, &left);
	}
	if (msg != NULL) {
		loop->done(loop->priv, msg->easy_handle, msg->data.result);
	}
}

static void loop_action(struct ae_curl_loop *loop, curl_socket_t s, int mask)
{
	int running = 0;
	CURLMcode mc = curl_multi_socket_action(loop->multi, s, mask, &running);

	if (mc != CURLM_OK) {
		AE_DEBUG("https: curl_multi_socket_action: %s", curl_multi_strerror(mc));
	}
	loop_check_done(loop);
}

static void loop_fd_handler(struct tevent_context *ev, struct tevent_fd *fde,
			    uint16_t flags, void *private_data)
{
	struct ae_curl_sock *cs = talloc_get_type_abort(private_data, struct ae_curl_sock);
	int mask = 0;

	(void)ev;
	(void)fde;
	if (flags & TEVENT_FD_READ) {
		mask |= CURL_CSELECT_IN;
	}
	if (flags & TEVENT_FD_WRITE) {
		mask |= CURL_CSELECT_OUT;
	}
	loop_action(cs->loop, cs->s, mask);
}

static void loop_timer_handler(struct tevent_context *ev, struct tevent_timer *te,
			       struct timeval now, void *private_data)
{
	struct ae_curl_loop *loop = talloc_get_type_abort(private_data, struct ae_curl_loop);

	(void)ev;
	(void)te;
	(void)now;
	loop->timer = NULL;	/* tevent frees a timer once it fired */
	loop_action(loop, CURL_SOCKET_TIMEOUT, 0);
}

static uint16_t poll_to_tevent(int what)
{
	switch (what) {
	case CURL_POLL_IN:
		return TEVENT_FD_READ;
	case CURL_POLL_OUT:
		return TEVENT_FD_WRITE;
	case CURL_POLL_INOUT:
		return TEVENT_FD_READ | TEVENT_FD_WRITE;
	default:
		return 0;
	}
}

/* CURLMOPT_SOCKETFUNCTION */
static int loop_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct ae_curl_loop *loop = userp;
	struct ae_curl_sock *cs = socketp;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (cs != NULL) {
			curl_multi_assign(loop->multi, s, NULL);
			TALLOC_FREE(cs);
		}
		return 0;
	}
	if (cs == NULL) {
		cs = talloc_zero(loop, struct ae_curl_sock);
		if (cs == NULL) {
			return -1;
		}
		cs->loop = loop;
		cs->s = s;
		cs->fde = tevent_add_fd(loop->ev, cs, s, poll_to_tevent(what), loop_fd_handler, cs);
		if (cs->fde == NULL) {
			talloc_free(cs);
			return -1;
		}
		curl_multi_assign(loop->multi, s, cs);
		return 0;
	}
	tevent_fd_set_flags(cs->fde, poll_to_tevent(what));
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: -1 removes the timer, else fire in timeout_ms */
static int loop_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct ae_curl_loop *loop = userp;

	(void)multi;
	TALLOC_FREE(loop->timer);
	if (timeout_ms < 0) {
		return 0;
	}
	loop->timer = tevent_add_timer(loop->ev, loop,
				       tevent_timeval_current_ofs(timeout_ms / 1000,
								  (timeout_ms % 1000) * 1000),
				       loop_timer_handler, loop);
	return loop->timer == NULL ? -1 : 0;
}

static int loop_destructor(struct ae_curl_loop *loop)
{
	/* the socket callback may run here and free our fds: all still valid */
	curl_multi_cleanup(loop->multi);
	loop->multi = NULL;
	TALLOC_FREE(loop->timer);
	return 0;
}

struct ae_curl_loop *ae_curl_loop_new(TALLOC_CTX *mem, struct tevent_context *ev,
				      ae_curl_done_fn done, void *priv)
{
	struct ae_curl_loop *loop = talloc_zero(mem, struct ae_curl_loop);

	if (loop == NULL) {
		return NULL;
	}
	loop->ev = ev;
	loop->done = done;
	loop->priv = priv;
	loop->multi = curl_multi_init();
	if (loop->multi == NULL) {
		talloc_free(loop);
		return NULL;
	}
	talloc_set_destructor(loop, loop_destructor);
	if (curl_multi_setopt(loop->multi, CURLMOPT_SOCKETFUNCTION, loop_socket_cb) != CURLM_OK ||
	    curl_multi_setopt(loop->multi, CURLMOPT_SOCKETDATA, loop) != CURLM_OK ||
	    curl_multi_setopt(loop->multi, CURLMOPT_TIMERFUNCTION, loop_timer_cb) != CURLM_OK ||
	    curl_multi_setopt(loop->multi, CURLMOPT_TIMERDATA, loop) != CURLM_OK) {
		talloc_free(loop);
		return NULL;
	}
	return loop;
}

ae_err ae_curl_loop_add(struct ae_curl_loop *loop, CURL *easy)
{
	/* curl calls the timer callback from here: the transfer starts on it */
	return curl_multi_add_handle(loop->multi, easy) == CURLM_OK ? AE_OK : AE_ERR_NOMEM;
}

void ae_curl_loop_remove(struct ae_curl_loop *loop, CURL *easy)
{
	curl_multi_remove_handle(loop->multi, easy);
}
