// SPDX-License-Identifier: GPL-2.0
/*
 * slow_accept: an application that accepts too slowly, with its own
 * measurement of how long each connection waited in the accept queue.
 *
 * The parent listens with a small backlog and accepts one connection every
 * ACCEPT_MS. A child process opens CLIENTS non-blocking loopback connects,
 * one every GAP_MS (faster than the accepts), so the accept queue fills
 * and SYNs are dropped; the kernel retransmits them (1 s apart on 6.5+,
 * tcp_syn_linear_timeouts). With -w, clients come in waves of WAVE with
 * PAUSE_MS between them: the queue drains and fills again, so the waits
 * spread over several log2 buckets instead of all being about
 * BACKLOG+1 accept intervals. Every client is accepted in the end.
 *
 * Ground truth, per accepted connection: wait = the time accept() returned
 * it minus the time its client's handshake completed. On loopback a
 * handshake that is not dropped completes inside connect(); one completed
 * by a retransmitted SYN completes in softirq and wakes the client's epoll
 * at once. Client and accepted socket are matched by the client's port.
 * Both processes run SCHED_FIFO when allowed, so that the clock readings
 * follow the kernel's events closely even on a busy machine.
 *
 * tcp_abort_on_overflow is set to 1 (-o 0 keeps the namespace's value):
 * two SYNs retransmitted in the same timer tick can both pass the
 * accept-queue check, and the second one's final ACK then overflows. With
 * 0, that client believes it is connected long before the server queues
 * it (at a SYN-ACK retransmit), which would falsify the ground truth; with
 * 1 the server resets it and the client connects again.
 *
 *   slow_accept [-6] [-p PORT] [-b BACKLOG] [-n CLIENTS] [-a ACCEPT_MS]
 *               [-g GAP_MS] [-w WAVE -W PAUSE_MS] [-o ABORT_ON_OVERFLOW]
 *               [-t HOLD_MS]
 *
 * After the last accept the listener is kept open until SIGUSR1 (or
 * HOLD_MS): a tracer reporting per interval must see the last accepts
 * before the listener goes away.
 */
#include "driver.h"

#include <sched.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define SA_MAX_CLIENTS		1024
#define SA_MAX_ATTEMPTS		(SA_MAX_CLIENTS * 8)
#define SA_CLIENT_DEADLINE_MS	25000

/* One connect attempt of the client: its port and when it became established. */
struct attempt {
	uint16_t port;
	bool established;
	bool reset;		/* established, then reset by the server */
	char fail;		/* how it failed: 'c' in connect(), 'p' pending, 'e' established */
	int fail_info;		/* TCP state ('c') or errno */
	uint64_t est_ns;
};

/* Written by the client process only; read by the parent after waitpid(). */
struct shared {
	int nattempts;
	int first_try;		/* established inside connect() */
	int after_retransmit;	/* established later, by a retransmitted SYN */
	int resets;		/* reset after an ACK-time overflow */
	int failures;		/* other errors (timeouts) */
	int done;		/* clients whose connection the server accepted */
	struct attempt att[SA_MAX_ATTEMPTS];
};

enum slot_state { SLOT_IDLE, SLOT_PENDING, SLOT_ESTABLISHED, SLOT_DONE };

struct slot {
	int fd;
	int att;		/* index into shared->att */
	enum slot_state state;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sleep_until_ns(uint64_t t)
{
	struct timespec ts = { t / 1000000000ULL, t % 1000000000ULL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/*
 * Real-time priority keeps the clock readings next to the kernel events.
 * The client runs above the server: woken together on one CPU, it reads
 * the clock for its new connection before the server can accept it.
 */
static bool go_realtime(int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	return sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
}

static void slot_open(struct slot *s, struct shared *sh, int family, uint16_t port, int epfd)
{
	struct epoll_event ev = { 0 };
	struct attempt *a;
	uint64_t t;
	int state;

	if (sh->nattempts >= SA_MAX_ATTEMPTS)
		_exit(10);
	s->att = sh->nattempts++;
	a = &sh->att[s->att];
	s->fd = tb_connect_nb(family, tb_loopback(family), port);
	/* a handshake that was not dropped is complete now */
	t = now_ns();
	a->port = tb_local_port(s->fd);
	state = tb_tcp_state(s->fd);
	ev.data.ptr = s;
	if (state == TCP_SYN_SENT) {
		s->state = SLOT_PENDING;
		ev.events = EPOLLOUT;
	} else if (state != TCP_CLOSE) {
		/* CLOSE_WAIT: the server accepted and closed it already */
		a->established = true;
		a->est_ns = t;
		sh->first_try++;
		s->state = SLOT_ESTABLISHED;
		ev.events = EPOLLRDHUP;		/* plus ERR/HUP, always reported */
	} else {
		/* reset inside connect(): try again at once */
		close(s->fd);
		a->fail = 'c';
		a->fail_info = state;
		sh->resets++;
		s->state = SLOT_IDLE;
		return;
	}
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev))
		_exit(11);
}

/* A slot whose connection failed: close it and connect again. */
static void slot_failed(struct slot *s, struct shared *sh, int epfd, int err)
{
	struct attempt *a = &sh->att[s->att];

	epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	a->fail = s->state == SLOT_ESTABLISHED ? 'e' : 'p';
	a->fail_info = err;
	if (s->state == SLOT_ESTABLISHED) {
		sh->att[s->att].reset = true;
		sh->resets++;
	} else if (err == ECONNRESET || err == ECONNREFUSED) {
		sh->resets++;
	} else {
		sh->failures++;
	}
	s->state = SLOT_IDLE;
}

static void slot_event(struct slot *s, uint32_t events, struct shared *sh, int epfd)
{
	struct epoll_event ev = { .data.ptr = s };
	socklen_t len = sizeof(int);
	uint64_t t = now_ns();
	int err = 0;

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
	if (err || (events & EPOLLHUP)) {
		slot_failed(s, sh, epfd, err);
		return;
	}
	if (s->state == SLOT_PENDING && (events & EPOLLOUT)) {
		/* past SYN_SENT: connected (CLOSE_WAIT if already accepted and closed) */
		if (tb_tcp_state(s->fd) == TCP_SYN_SENT)
			return;
		sh->att[s->att].established = true;
		sh->att[s->att].est_ns = t;
		sh->after_retransmit++;
		s->state = SLOT_ESTABLISHED;
		ev.events = EPOLLRDHUP;
		if (epoll_ctl(epfd, EPOLL_CTL_MOD, s->fd, &ev))
			_exit(12);
		return;
	}
	if (s->state == SLOT_ESTABLISHED && (events & EPOLLRDHUP)) {
		/* the server's FIN: it accepted and closed; keep the port held */
		epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
		s->state = SLOT_DONE;
		sh->done++;
	}
}

static void client(int family, uint16_t port, int n, unsigned int gap_ms, int wave,
		   unsigned int pause_ms, struct shared *sh)
{
	static struct slot slots[SA_MAX_CLIENTS];
	struct epoll_event evs[64];
	uint64_t deadline = tb_now_ms() + SA_CLIENT_DEADLINE_MS;
	uint64_t next_open = now_ns();
	int epfd, opened = 0, i, k, timeout;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		_exit(13);
	while (sh->done < n) {
		if (tb_now_ms() >= deadline)
			_exit(14);
		/* clients whose connection failed connect again at once */
		for (i = 0; i < opened; i++)
			if (slots[i].state == SLOT_IDLE)
				slot_open(&slots[i], sh, family, port, epfd);
		while (opened < n && now_ns() >= next_open) {
			slot_open(&slots[opened], sh, family, port, epfd);
			opened++;
			next_open += (uint64_t)gap_ms * 1000000;
			/* between waves the queue drains: short waits as well as long */
			if (wave && opened % wave == 0)
				next_open += (uint64_t)pause_ms * 1000000;
		}
		timeout = 100;
		if (opened < n) {
			uint64_t t = now_ns();

			timeout = next_open > t ? (int)((next_open - t) / 1000000) + 1 : 0;
		}
		k = epoll_wait(epfd, evs, 64, timeout);
		if (k < 0 && errno != EINTR)
			_exit(15);
		for (i = 0; i < k; i++)
			slot_event(evs[i].data.ptr, evs[i].events, sh, epfd);
	}
	_exit(0);
}

/* Sample of rank ceil(p/100 * n) (1..n) of sorted v: the rule of user/stats.c. */
static uint64_t percentile(const uint64_t *v, int n, double p)
{
	double r = p * n / 100.0;
	int rank;

	if (!n)
		return 0;
	if (!(r > 1))
		rank = 1;
	else if (r >= n)
		rank = n;
	else
		rank = (int)r + ((double)(int)r < r);
	return v[rank - 1];
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The client attempt behind an accepted connection: same port, established,
 * not reset. Established clients hold their ports to the end, so there is
 * one; a reset one's port may have been taken again.
 */
static int match(const struct shared *sh, uint16_t port)
{
	int i, found = -1;

	for (i = 0; i < sh->nattempts; i++) {
		const struct attempt *a = &sh->att[i];

		if (a->port != port || !a->established || a->reset)
			continue;
		if (found >= 0)
			return -2;	/* ambiguous: the test cannot tell */
		found = i;
	}
	return found;
}

int main(int argc, char **argv)
{
	const char *usage = "[-6] [-p PORT] [-b BACKLOG] [-n CLIENTS] [-a ACCEPT_MS] "
			    "[-g GAP_MS] [-w WAVE -W PAUSE_MS] [-o ABORT_ON_OVERFLOW] [-t HOLD_MS]";
	int family = AF_INET, backlog = 8, n = 120, wave = 0, abort_ovf = 1, i, lfd, status;
	unsigned int accept_ms = 50, gap_ms = 20, pause_ms = 1000, hold_ms = 10000;
	static uint16_t acc_port[SA_MAX_CLIENTS];
	static uint64_t acc_ns[SA_MAX_CLIENTS], waits[SA_MAX_CLIENTS], sorted[SA_MAX_CLIENTS];
	unsigned int qlen, qmax, peak_seen = 0;
	int accepted = 0, unmatched = 0, late = 0, rc = 0;
	uint64_t late_max = 0;
	struct tb_mib before, after;
	uint16_t port = 8080;
	uint64_t tick, deadline;
	struct shared *sh;
	bool rt;
	pid_t pid;
	char list[SA_MAX_CLIENTS * 12 + 1];
	size_t off = 0;

	tb_prog = "slow_accept";
	const struct tb_option options[] = {
		TB_SWITCH('6', family, AF_INET6),
		TB_NUMBER('p', port, 1, 65535, "port"),
		TB_NUMBER('b', backlog, 1, 128, "backlog"),
		TB_NUMBER('n', n, 1, SA_MAX_CLIENTS, "client count"),
		TB_NUMBER('a', accept_ms, 1, 1000, "accept interval"),
		TB_NUMBER('g', gap_ms, 0, 1000, "connect interval"),
		TB_NUMBER('w', wave, 0, SA_MAX_CLIENTS, "wave size"),
		TB_NUMBER('W', pause_ms, 0, 10000, "pause between waves"),
		TB_NUMBER('o', abort_ovf, -1, 1, "tcp_abort_on_overflow"),
		TB_NUMBER('t', hold_ms, 0, TB_MAX_WAIT_MS, "hold time"),
	};

	TB_OPTIONS_PARSE(argc, argv, usage, options);

	/* blocked before "hold=1" is printed, so the runner's signal waits for us */
	tb_block_usr1();
	if (abort_ovf >= 0)
		tb_sysctl_write("/proc/sys/net/ipv4/tcp_abort_on_overflow", abort_ovf);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		tb_die("mmap: %s", strerror(errno));
	rt = go_realtime(10);
	tb_mib_read(&before);

	lfd = tb_listener(family, tb_loopback(family), port, backlog, false);
	port = tb_local_port(lfd);
	tb_print_listener(family, tb_loopback(family), port);
	tb_kv("backlog", "%d", backlog);
	tb_kv("clients", "%d", n);
	tb_kv("accept_ms", "%u", accept_ms);
	tb_kv("gap_ms", "%u", gap_ms);
	tb_kv("wave", "%d", wave);
	tb_kv("wave_pause_ms", "%u", wave ? pause_ms : 0);
	tb_kv("realtime", "%d", rt);
	tb_kv("tcp_abort_on_overflow", "%ld",
	      tb_sysctl_read("/proc/sys/net/ipv4/tcp_abort_on_overflow"));
	tb_kv("tcp_syncookies", "%ld", tb_sysctl_read("/proc/sys/net/ipv4/tcp_syncookies"));
	tb_kv("tcp_syn_linear_timeouts", "%ld",
	      tb_sysctl_read("/proc/sys/net/ipv4/tcp_syn_linear_timeouts"));

	pid = fork();
	if (pid < 0)
		tb_die("fork: %s", strerror(errno));
	if (!pid) {
		if (rt)
			go_realtime(20);
		client(family, port, n, gap_ms, wave, pause_ms, sh);
	}

	/*
	 * One accept per tick: the application that does not keep up. After
	 * waiting for a connection in an empty queue the ticks start again
	 * from that accept: idle time is not saved up for a burst of accepts.
	 */
	tick = now_ns() + (uint64_t)accept_ms * 1000000;
	deadline = tb_now_ms() + SA_CLIENT_DEADLINE_MS + 2000;
	while (accepted < n) {
		union tb_sockaddr sa;
		socklen_t len = sizeof(sa);
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int fd;

		sleep_until_ns(tick);
		if (tb_now_ms() >= deadline)
			break;
		if (poll(&p, 1, 1000) <= 0)
			continue;
		/* sk_ack_backlog just before taking one: how full the queue got */
		if (!tb_listener_queue(lfd, &qlen, &qmax) && qlen > peak_seen)
			peak_seen = qlen;
		fd = accept4(lfd, &sa.sa, &len, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			tb_die("accept4: %s", strerror(errno));
		}
		acc_ns[accepted] = now_ns();
		if (acc_ns[accepted] > tick + 1000000)
			tick = acc_ns[accepted];
		tick += (uint64_t)accept_ms * 1000000;
		acc_port[accepted] = ntohs(sa.sa.sa_family == AF_INET6 ?
					   sa.in6.sin6_port : sa.in.sin_port);
		accepted++;
		close(fd);	/* the client sees the FIN: it was accepted */
	}

	if (waitpid(pid, &status, 0) != pid)
		tb_die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		tb_warn("client process ended with status 0x%x", status);
		rc = 1;
	}

	for (i = 0; i < accepted; i++) {
		int m = match(sh, acc_port[i]);

		waits[i] = 0;
		if (m < 0) {
			unmatched++;
			continue;
		}
		/*
		 * The client read its clock after the server's accept: it ran
		 * late (on another CPU). Counted, and the runner bounds it.
		 */
		if (sh->att[m].est_ns > acc_ns[i]) {
			late++;
			if (sh->att[m].est_ns - acc_ns[i] > late_max)
				late_max = sh->att[m].est_ns - acc_ns[i];
			continue;
		}
		waits[i] = (acc_ns[i] - sh->att[m].est_ns) / 1000;
	}
	memcpy(sorted, waits, accepted * sizeof(waits[0]));
	qsort(sorted, accepted, sizeof(sorted[0]), cmp_u64);
	/* every failed attempt: port:how:state-or-errno */
	off = 0;
	list[0] = '\0';
	for (i = 0; i < sh->nattempts && off < sizeof(list) - 32; i++)
		if (sh->att[i].fail)
			off += snprintf(list + off, sizeof(list) - off, "%s%u:%c:%d",
					off ? "," : "", sh->att[i].port, sh->att[i].fail,
					sh->att[i].fail_info);
	tb_kv("failed_attempts", "%s", list);
	off = 0;
	list[0] = '\0';
	for (i = 0; i < accepted; i++)
		off += snprintf(list + off, sizeof(list) - off, "%s%llu", i ? "," : "",
				(unsigned long long)waits[i]);

	tb_mib_read(&after);
	tb_kv("attempts", "%d", sh->nattempts);
	tb_kv("first_try", "%d", sh->first_try);
	tb_kv("after_retransmit", "%d", sh->after_retransmit);
	tb_kv("resets", "%d", sh->resets);
	tb_kv("failures", "%d", sh->failures);
	tb_kv("accepted", "%d", accepted);
	tb_kv("unmatched", "%d", unmatched);
	tb_kv("late_stamps", "%d", late);
	tb_kv("late_max_us", "%llu", (unsigned long long)(late_max + 999) / 1000);
	tb_kv("queue_peak_seen", "%u", peak_seen);
	tb_kv("wait_p50_us", "%llu", (unsigned long long)percentile(sorted, accepted, 50));
	tb_kv("wait_p99_us", "%llu", (unsigned long long)percentile(sorted, accepted, 99));
	tb_kv("wait_max_us", "%llu", (unsigned long long)(accepted ? sorted[accepted - 1] : 0));
	/* in accept order: the runner splits them by the tracer's intervals */
	tb_kv("waits_us", "%s", list);
	tb_mib_print_delta(&before, &after);

	if (accepted != n || unmatched || sh->failures) {
		tb_warn("accepted %d of %d, %d unmatched, %d failed connects",
			accepted, n, unmatched, sh->failures);
		rc = 1;
	}
	tb_kv("hold", "1");
	tb_wait_usr1(hold_ms);
	close(lfd);
	if (!rc)
		tb_kv("result", "ok");
	return rc;
}
