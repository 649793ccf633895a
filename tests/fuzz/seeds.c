// SPDX-License-Identifier: GPL-2.0
/*
 * Seed corpora for the harnesses, written from hand-made records with the
 * real structs (so they follow any change of the ABI in tcpbacklog.h):
 *   seeds DIR    writes the files of DIR/decode, DIR/output and DIR/escape
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "aggregate/stats.h"
#include "decode/decode.h"
#include "fuzz_output.h"

static const char *dir;

static void put_file(const char *sub, const char *name, const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void addr(int family, const char *s, __u8 out[16])
{
	memset(out, 0, 16);
	if (inet_pton(family, s, out) != 1) {
		fprintf(stderr, "seeds: bad address %s\n", s);
		exit(1);
	}
}

static struct tb_event raw_drop(int family, const char *l, const char *r, const char *comm)
{
	struct tb_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ns = 123456789012345ULL;
	e.listener_ino = 77001;
	e.kind = TB_KIND_SYN_DROP;
	e.reason = TB_REASON_ACCEPT_QUEUE_FULL;
	e.netns = 4026532177U;
	e.pid = 6401;
	e.family = family;
	e.lport = 8080;
	e.rport = 46912;
	addr(family, l, e.laddr);
	addr(family, r, e.raddr);
	e.backlog = 2;
	e.backlog_max = 1;
	e.open_fds = -1;
	strncpy(e.comm, comm, sizeof(e.comm));
	return e;
}

static void decode_seeds(void)
{
	struct tb_event e;
	unsigned char buf[sizeof(e) + 8];
	int64_t off = -1795000000LL * 1000000000LL;

	e = raw_drop(AF_INET, "127.0.0.1", "127.0.0.1", "python3");
	put_file("decode", "syn_drop_ipv4", &e, sizeof(e));

	e = raw_drop(AF_INET6, "::1", "2001:db8::42", "nginx");
	e.kind = TB_KIND_ACCEPT_OVERFLOW;
	e.backlog = 129;
	e.backlog_max = 128;
	put_file("decode", "accept_overflow_ipv6", &e, sizeof(e));

	e = raw_drop(AF_INET6, "::ffff:198.18.0.1", "::", "emfile");
	e.kind = TB_KIND_ACCEPT_ERROR;
	e.reason = TB_REASON_NONE;
	e.rport = 0;
	e.err = 24;
	e.nofile_limit = 20;
	e.open_fds = 20;
	put_file("decode", "accept_error_emfile", &e, sizeof(e));

	/* a connect with no local port left: not bound, the destination as peer */
	e = raw_drop(AF_INET, "0.0.0.0", "10.0.0.9", "client");
	e.kind = TB_KIND_CONNECT_ERROR;
	e.reason = TB_REASON_NONE;
	e.lport = 0;
	e.rport = 5432;
	e.err = 99;
	put_file("decode", "connect_error_eaddrnotavail", &e, sizeof(e));

	e = raw_drop(AF_INET6, "::1", "::", "server");
	e.kind = TB_KIND_BIND_ERROR;
	e.reason = TB_REASON_NONE;
	e.rport = 0;
	e.err = 98;
	put_file("decode", "bind_error_eaddrinuse", &e, sizeof(e));

	/* a comm made to break output: terminal escape, newline, quote, backslash */
	e = raw_drop(AF_INET, "198.18.0.1", "198.18.0.2", "\x1b[31m\n\"\\x\t\x7f");
	e.reason = TB_REASON_SYN_QUEUE_FULL;
	e.synq = 2;
	put_file("decode", "syn_drop_hostile_comm", &e, sizeof(e));

	/* UTF-8: valid 2-, 3- and 4-byte sequences, then invalid ones, no NUL */
	e = raw_drop(AF_INET, "10.0.0.1", "10.0.0.2", "");
	memcpy(e.comm, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xed\xa0\x80\xc0\xaf\xff", 16);
	e.family = 99;	/* unknown family: no addresses */
	put_file("decode", "comm_utf8_unknown_family", &e, sizeof(e));

	/* a SO_REUSEPORT member that was a guess */
	e = raw_drop(AF_INET6, "::", "2001:db8::7", "reuse");
	e.flags = TB_EVENT_F_AMBIGUOUS;
	put_file("decode", "syn_drop_ambiguous", &e, sizeof(e));

	e = raw_drop(AF_INET, "127.0.0.1", "127.0.0.1", "short");
	put_file("decode", "short_record", &e, sizeof(e) / 2);

	e.kind = 7;
	e.reason = 99;
	put_file("decode", "unknown_kind", &e, sizeof(e));

	e = raw_drop(AF_INET, "127.0.0.1", "127.0.0.1", "clock");
	e.reason = 42;	/* out of range: decoded as other */
	memcpy(buf, &e, sizeof(e));
	memcpy(buf + sizeof(e), &off, sizeof(off));
	put_file("decode", "with_clock_offset", buf, sizeof(buf));
}

static void snapshot(struct listener_snapshot *s, uint64_t id, const char *laddr, const char *comm)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->id = id;
	s->netns = 4026531840U;
	s->family = AF_INET;
	snprintf(s->laddr, sizeof(s->laddr), "%s", laddr);
	s->lport = 8080;
	s->pid = 4242;
	snprintf(s->comm, sizeof(s->comm), "%s", comm);
	s->ino = 99001;
	s->listening = true;
	s->backlog = 2;
	s->backlog_max = 1;
	s->backlog_peak = 2;
	s->syn_drops[TB_REASON_ACCEPT_QUEUE_FULL] = 8;
	s->accept_overflows = 1;
	s->accepts = 1000;
	for (i = 0; i < 12; i++)
		s->lat_us_hist[i] = (uint64_t)(i + 1) * 10;
	s->lat_max_ns = 3000000;
	s->errnos[0].err = 24;
	s->errnos[0].count = 3;
	s->nerrnos = 1;
	s->nofile_limit = 1024;
	s->open_fds = 17;
}

static void start(struct fw *w, const char *mode, const char *kernel, int nprobes)
{
	static const char *const probes[] = {
		"tp_btf/inet_sock_set_state", "tp_btf/consume_skb", "tp_btf/kfree_skb",
		"tracepoint/syscalls/sys_exit_accept4",
	};
	double duration = 60, interval = 1;
	int i;

	fw_str(w, mode);
	fw_str(w, kernel);
	fw_u8(w, 0);		/* mode given */
	fw_u8(w, nprobes);
	for (i = 0; i < nprobes; i++)
		fw_str(w, probes[i]);
	fw_u32(w, 4026532177U);
	fw_u8(w, 2);
	fw_u16(w, 80);
	fw_u16(w, 443);
	fw_u32(w, 0);
	fw_bytes(w, &duration, sizeof(duration));
	fw_u64(w, 4096);
	fw_u64(w, 2048);
	fw_u64(w, 1);
	fw_u64(w, 0);
	fw_u64(w, 9223372036854775807ULL);
	fw_u64(w, 1048576);
	fw_bytes(w, &interval, sizeof(interval));
	fw_u32(w, 3);
}

static void hint(struct fw *w, uint8_t kind, const char *custom, const char *text)
{
	fw_u32(w, 4026531840U);
	fw_str(w, "127.0.0.1");
	fw_u16(w, 8080);
	fw_u8(w, kind);
	if (custom)
		fw_str(w, custom);
	fw_u16(w, (uint16_t)strlen(text));
	fw_bytes(w, text, strlen(text));
}

static void output_seeds(void)
{
	struct listener_snapshot s, prev;
	struct listener_report r;
	struct totals t;
	struct event ev;
	struct fw w;

	/* A: the everyday case */
	memset(&w, 0, sizeof(w));
	start(&w, "tracepoint", "6.18.44", 4);
	memset(&ev, 0, sizeof(ev));
	ev.kind = TB_KIND_SYN_DROP;
	ev.reason = TB_REASON_ACCEPT_QUEUE_FULL;
	ev.time_ns = 1795000000ULL * 1000000000ULL + 123456789;
	ev.netns = 4026532177U;
	ev.family = AF_INET;
	strcpy(ev.laddr, "127.0.0.1");
	ev.lport = 8080;
	ev.has_peer = true;
	strcpy(ev.raddr, "127.0.0.1");
	ev.rport = 46912;
	ev.pid = 6302;
	strcpy(ev.comm, "python3");
	ev.backlog = 2;
	ev.backlog_max = 1;
	ev.open_fds = -1;
	ev.ambiguous = true;
	strcpy(ev.identity.path, "/system.slice/web.service");
	strcpy(ev.identity.unit, "web.service");
	/* the acceptor's: names made to break output */
	strcpy(ev.acceptor_identity.path, "/kubepods.slice/x\n\"\\\x1b[2J\xff.scope");
	strcpy(ev.acceptor_identity.container, "0123456789ab\x01");
	strcpy(ev.acceptor_identity.pod_uid, "0f7d2c1e-8a3b-4c5d-9e6f-\xc0\xaf");
	fw_event(&w, &ev);
	memset(&ev.identity, 0, sizeof(ev.identity));
	memset(&ev.acceptor_identity, 0, sizeof(ev.acceptor_identity));
	ev.ambiguous = false;
	memset(&t, 0, sizeof(t));
	t.syn_drop = 6;
	t.syn_drop_by_reason[TB_REASON_ACCEPT_QUEUE_FULL] = 6;
	t.accept_error = 1;
	t.suppressed = 3;
	fw_bytes(&w, &t, sizeof(t));
	fw_u64(&w, ev.time_ns);
	fw_u8(&w, 1);				/* one report */
	fw_u8(&w, 1);				/* stats_whole_run */
	snapshot(&s, 0xffff888012345678ULL, "127.0.0.1", "python3");
	fw_bytes(&w, &s, sizeof(s));
	fw_u8(&w, 1);				/* one hint */
	hint(&w, 0, NULL, "listen() asked for a backlog of 1: raise it and net.core.somaxconn");
	put_file("output", "everyday", w.buf, w.len);

	/* B: accept_error, hostile strings, every way to build a report */
	memset(&w, 0, sizeof(w));
	start(&w, "fentry\x1b[2J", "6.1.0-\n\"evil\"", 1);
	ev.kind = TB_KIND_ACCEPT_ERROR;
	ev.reason = TB_REASON_NONE;
	ev.family = AF_INET6;
	strcpy(ev.laddr, "::1");
	ev.has_peer = false;
	ev.raddr[0] = '\0';
	memcpy(ev.comm, "na\xc3\xafve \xff\x01\"\\", 12);
	ev.err = 24;
	ev.nofile_limit = UINT64_MAX;
	ev.open_fds = 20;
	fw_event(&w, &ev);
	fw_bytes(&w, &t, sizeof(t));
	fw_u64(&w, ev.time_ns);
	fw_u8(&w, 3);
	fw_u8(&w, 0);				/* raw report */
	snapshot(&s, 1, "::1", "a b\tc");
	s.family = AF_INET6;
	fw_bytes(&w, &s, sizeof(s));
	memset(&r, 0, sizeof(r));
	r.syn_drops = 5;
	r.nerrnos = 1;
	r.errnos[0].err = 9999;
	r.errnos[0].count = 2;
	r.latency.count = 7;
	r.latency.p50_us = 12;
	r.lat_us_hist[3] = 7;
	r.active = true;
	fw_bytes(&w, &r, sizeof(r));
	fw_u8(&w, 1);				/* whole run */
	snapshot(&s, 2, "10.1.2.3", "\xe2\x82\xac\xe2\x82");
	fw_bytes(&w, &s, sizeof(s));
	fw_u8(&w, 2);				/* delta against a previous snapshot */
	snapshot(&s, 3, "0.0.0.0", "srv");
	fw_bytes(&w, &s, sizeof(s));
	snapshot(&prev, 3, "0.0.0.0", "srv");
	prev.accepts = 2000;			/* went down: a new socket at this id */
	fw_bytes(&w, &prev, sizeof(prev));
	fw_u8(&w, 2);
	hint(&w, 3, NULL, "accept() failed with EMFILE: nofile=1024 open=1024");
	hint(&w, 200, "custom\"kind\n", "text with \x1b[0m escapes and \"quotes\"\n");
	put_file("output", "hostile", w.buf, w.len);

	/* C: nothing at all (all fields zero) */
	put_file("output", "empty", "", 0);
}

/* escape: a 2-byte buffer size, then the string */
static void escape_seed(const char *name, uint16_t size, const char *str, size_t n)
{
	struct fw w;

	memset(&w, 0, sizeof(w));
	fw_u16(&w, size);
	fw_bytes(&w, str, n);
	put_file("escape", name, w.buf, w.len);
}

static void escape_seeds(void)
{
	static const char utf8[] = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"	/* valid 2, 3, 4 */
		"\xed\xa0\x80\xc0\xaf\xe0\x80\xf4\x90\x80\x80"	/* surrogate, overlongs */
		"\xf0\x9f\x98\xff\x80\xe2\x82";				/* truncated, stray */
	static const char hostile[] = "\x1b[31m\n\"\\x\t\x7f\x01 a/b\\\\xff";

	escape_seed("plain", 64, "nginx", 5);
	escape_seed("utf8", 4096, utf8, sizeof(utf8) - 1);
	escape_seed("utf8_cut", 7, utf8, sizeof(utf8) - 1);
	escape_seed("hostile", 4096, hostile, sizeof(hostile) - 1);
	escape_seed("hostile_cut", 9, hostile, sizeof(hostile) - 1);
	escape_seed("size0", 0, "abc", 3);
	escape_seed("empty", 1, "", 0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	if (mkdir(dir, 0755) && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	decode_seeds();
	output_seeds();
	escape_seeds();
	return 0;
}
