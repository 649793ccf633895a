// SPDX-License-Identifier: GPL-2.0
/*
 * The namespace walk. For the listeners that existed before the tracer
 * started: an iter/tcp iterator walks the network namespace it was
 * created in, so the loader enters each
 * namespace in turn (found through /proc/<pid>/ns/net and /var/run/netns),
 * creates an iterator there and reads it to the end. The per-CPU counter
 * baselines are set there too; at exit, the drops no packet showed are
 * taken from the same counters (namespaces_exit_flush).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kernel/namespaces.h"
#include "tcpbacklog.skel.h"

#define MAX_NETNS	4096

struct netns_list {
	uint32_t ino[MAX_NETNS];
	char path[MAX_NETNS][64];
	int count;
};

static void netns_add(struct netns_list *l, const char *path)
{
	struct stat st;

	if (stat(path, &st) || l->count >= MAX_NETNS)
		return;
	for (int i = 0; i < l->count; i++) {
		if (l->ino[i] == (uint32_t)st.st_ino)
			return;
	}
	l->ino[l->count] = st.st_ino;
	snprintf(l->path[l->count], sizeof(l->path[0]), "%s", path);
	l->count++;
}

static void netns_collect(struct netns_list *l)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	netns_add(l, "/proc/self/ns/net");
	dir = opendir("/var/run/netns");
	if (dir) {
		while ((d = readdir(dir))) {
			if (d->d_name[0] == '.' || strlen(d->d_name) > 40)
				continue;
			snprintf(path, sizeof(path), "/var/run/netns/%s", d->d_name);
			netns_add(l, path);
		}
		closedir(dir);
	}
	dir = opendir("/proc");
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/ns/net", d->d_name);
		netns_add(l, path);
	}
	closedir(dir);
}

/*
 * Run a raw_tp program with args[0] = netns on every CPU (the kernel's
 * listen-drop counters are per CPU; see mib_take() in bpf/mib.bpf.h).
 * Offline CPUs refuse: nothing runs there to count. Returns the runs made.
 */
static int run_on_every_cpu(int prog_fd, uint32_t netns)
{
	int ncpu = libbpf_num_possible_cpus(), runs = 0;
	uint64_t args[1] = { netns };

	for (int cpu = 0; cpu < ncpu; cpu++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args),
			    .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = cpu);

		if (!bpf_prog_test_run_opts(prog_fd, &opts))
			runs++;
	}
	return runs;
}

/* Inside a namespace: where counting starts, on every CPU. */
static void baseline_counters(int prog_fd, uint32_t netns)
{
	uint64_t args[1] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, here, .ctx_in = args, .ctx_size_in = sizeof(args));

	/* here: the program learns the namespace from this task */
	if (bpf_prog_test_run_opts(prog_fd, &here))
		return;
	run_on_every_cpu(prog_fd, netns);
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE	71	/* 5.14+ */
#endif

/* The net_cookie of the caller's namespace (a socket is born there), 0 when unknown. */
static uint64_t this_netns_cookie(void)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (sock < 0)
		return 0;
	if (getsockopt(sock, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len))
		cookie = 0;
	close(sock);
	return cookie;
}

/* Create the iterator inside the namespace at path, drain it, set the baselines. */
static int seed_one(int link_fd, int baseline_fd, const char *path, uint32_t netns)
{
	char buf[256];
	int ns_fd, iter_fd, err = 0;

	ns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ns_fd < 0)
		return -errno;
	if (setns(ns_fd, CLONE_NEWNET)) {
		err = -errno;
		close(ns_fd);
		return err;
	}
	close(ns_fd);
	iter_fd = bpf_iter_create(link_fd);
	if (iter_fd < 0)
		return -errno;
	while (read(iter_fd, buf, sizeof(buf)) > 0)
		;
	close(iter_fd);
	baseline_counters(baseline_fd, netns);
	return 0;
}

int namespaces_seed(struct probes *p, uint32_t target_netns, char *errbuf, size_t errlen)
{
	struct netns_list *l = calloc(1, sizeof(*l));
	struct bpf_link *link;
	int self_fd, walked = 0;

	if (!l) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	link = bpf_program__attach_iter(p->skel->progs.listener_seed, NULL);
	if (!link) {
		snprintf(errbuf, errlen, "attaching iter/tcp failed: %s", strerror(errno));
		free(l);
		return -1;
	}
	self_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	netns_collect(l);
	for (int i = 0; i < l->count; i++) {
		if (target_netns && l->ino[i] != target_netns)
			continue;
		/* processes exit and namespaces vanish while we walk: skip those */
		if (seed_one(bpf_link__fd(link), bpf_program__fd(p->skel->progs.mib_baseline), l->path[i], l->ino[i]))
			continue;
		walked++;
		/* inside the one namespace of -n now: which one it is, beyond its inode */
		if (target_netns)
			p->skel->bss->target_netns_cookie = this_netns_cookie();
	}
	if (self_fd >= 0) {
		if (setns(self_fd, CLONE_NEWNET))
			fprintf(stderr, "tcpbacklog: warning: cannot return to the original network namespace: %s\n",
				strerror(errno));
		close(self_fd);
	}
	bpf_link__destroy(link);
	free(l);
	return walked;
}

int namespaces_exit_flush(struct probes *p, uint32_t target_netns)
{
	struct netns_list *l = calloc(1, sizeof(*l));
	int prog_fd = bpf_program__fd(p->skel->progs.mib_flush);
	int runs = 0;

	if (!l || prog_fd < 0) {
		free(l);
		return -1;
	}
	/* only namespaces still alive: a dead one's struct net is not to be read */
	netns_collect(l);
	for (int i = 0; i < l->count; i++) {
		if (!target_netns || l->ino[i] == target_netns)
			runs += run_on_every_cpu(prog_fd, l->ino[i]);
	}
	free(l);
	return runs;
}

