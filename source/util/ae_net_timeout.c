/*
 * The per-step network bound of ae_net_timeout.h: a process-wide value,
 * set once at session start, read by the transport and directory layers.
 */
#include <netinet/in.h>
#include <resolv.h>
#include "ae_net_timeout.h"

static unsigned net_timeout_s = AE_NET_TIMEOUT_DEFAULT_S;

void ae_net_timeout_set(unsigned seconds)
{
	if (seconds == 0) {
		seconds = AE_NET_TIMEOUT_DEFAULT_S;
	}
	net_timeout_s = seconds > AE_NET_TIMEOUT_MAX_S ? AE_NET_TIMEOUT_MAX_S : seconds;
	ae_net_timeout_resolver();
}

void ae_net_timeout_res(struct __res_state *rs)
{
	unsigned per_try = net_timeout_s < 5 ? net_timeout_s : 5;

	/*
	 * resolver(3): each query waits RES_TIMEOUT (5 s) per try and nameserver,
	 * RES_DFLRETRY (2) tries. Never more than that, and no more than the
	 * step's bound per nameserver: 30 s -> 5 s x 2 (glibc's default), 5 s ->
	 * 5 s x 1, 2 s -> 2 s x 1. getaddrinfo() asks A and AAAA in parallel.
	 */
	rs->retrans = (int)per_try;
	rs->retry = net_timeout_s >= 2 * per_try ? 2 : 1;
}

void ae_net_timeout_resolver(void)
{
	if (res_init() == 0) {
		ae_net_timeout_res(&_res);
	}
}

unsigned ae_net_timeout(void)
{
	return net_timeout_s;
}
