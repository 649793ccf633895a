// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/decode/kinds.c: the table of record kinds, and that a
 * kind it does not know is refused by decode and printed by no formatter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "decode/decode.h"
#include "decode/kinds.h"
#include "format/output.h"

static const struct clock_map zero_clock = { .mono_to_real_ns = 0 };

static void test_every_kind_has_one_row(void **state)
{
	static const enum tb_kind known[] = {
		TB_KIND_SYN_DROP, TB_KIND_ACCEPT_OVERFLOW, TB_KIND_ACCEPT_ERROR,
		TB_KIND_CONNECT_ERROR, TB_KIND_BIND_ERROR,
	};

	assert_int_equal(nkinds, sizeof(known) / sizeof(known[0]));
	for (size_t i = 0; i < nkinds; i++) {
		assert_ptr_equal(kind_info(known[i]), &kinds[i]);
		assert_non_null(kinds[i].name);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(kinds[i].name, kinds[j].name);
		/* a record shows where it happened */
		assert_true(kind_has_field(&kinds[i], FIELD_LOCAL) ||
			    kind_has_field(&kinds[i], FIELD_SOURCE));
		assert_int_equal(kind_has_field(&kinds[i], FIELD_PEER), kinds[i].has_peer);
		assert_int_equal(kind_has_field(&kinds[i], FIELD_PROCESS), kinds[i].process != PROCESS_NONE);
	}
	assert_string_equal(kind_info(TB_KIND_SYN_DROP)->name, "syn_drop");
	assert_string_equal(kind_info(TB_KIND_ACCEPT_OVERFLOW)->name, "accept_overflow");
	assert_string_equal(kind_info(TB_KIND_ACCEPT_ERROR)->name, "accept_error");
	assert_string_equal(kind_info(TB_KIND_CONNECT_ERROR)->name, "connect_error");
	assert_string_equal(kind_info(TB_KIND_BIND_ERROR)->name, "bind_error");
}

static void test_unknown_kind_has_no_row(void **state)
{
	assert_null(kind_info(0));
	assert_null(kind_info(TB_KIND_END));
	assert_null(kind_info(0xffffffffu));
}

/* A record of every known kind decodes; one of a kind past the table is refused. */
static void test_decode_consults_the_table(void **state)
{
	struct tb_event raw;
	struct event ev;

	memset(&raw, 0, sizeof(raw));
	raw.family = AF_INET;
	for (size_t i = 0; i < nkinds; i++) {
		raw.kind = kinds[i].kind;
		assert_int_equal(decode_event(&raw, sizeof(raw), &zero_clock, &ev), 0);
		assert_int_equal(ev.has_peer, kinds[i].has_peer);
	}
	raw.kind = TB_KIND_END;
	assert_int_equal(decode_event(&raw, sizeof(raw), &zero_clock, &ev), -1);
}

static size_t printed(const struct output *o, const struct event *ev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	o->event(f, ev);
	fclose(f);
	free(buf);
	return len;
}

/* A formatter never prints a kind it has no row for as another kind: it prints nothing. */
static void test_formatters_print_no_unknown_kind(void **state)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	strcpy(ev.laddr, "10.0.0.1");
	ev.lport = 80;
	ev.family = AF_INET;
	ev.has_peer = true;
	strcpy(ev.raddr, "10.0.0.2");
	ev.rport = 5555;
	ev.open_fds = -1;
	for (size_t i = 0; i < nkinds; i++) {
		ev.kind = kinds[i].kind;
		assert_true(printed(&output_text, &ev) > 0);
		assert_true(printed(&output_json, &ev) > 0);
	}
	ev.kind = (enum tb_kind)(TB_KIND_END);
	assert_int_equal(printed(&output_text, &ev), 0);
	assert_int_equal(printed(&output_json, &ev), 0);
	ev.kind = (enum tb_kind)0;
	assert_int_equal(printed(&output_text, &ev), 0);
	assert_int_equal(printed(&output_json, &ev), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_has_one_row),
		cmocka_unit_test(test_unknown_kind_has_no_row),
		cmocka_unit_test(test_decode_consults_the_table),
		cmocka_unit_test(test_formatters_print_no_unknown_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
