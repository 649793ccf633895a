// SPDX-License-Identifier: GPL-2.0
/* Unit tests of user/decode/names.c: kind, reason and errno names. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode/names.h"

static void test_kind_names(void **state)
{
	assert_string_equal(kind_name(TB_KIND_SYN_DROP), "syn_drop");
	assert_string_equal(kind_name(TB_KIND_ACCEPT_OVERFLOW), "accept_overflow");
	assert_string_equal(kind_name(TB_KIND_ACCEPT_ERROR), "accept_error");
	assert_string_equal(kind_name((enum tb_kind)0), "unknown");
	assert_string_equal(kind_name((enum tb_kind)99), "unknown");
}

static void test_reason_names(void **state)
{
	assert_string_equal(reason_name(TB_REASON_NONE), "none");
	assert_string_equal(reason_name(TB_REASON_ACCEPT_QUEUE_FULL), "accept_queue_full");
	assert_string_equal(reason_name(TB_REASON_SYN_QUEUE_FULL), "syn_queue_full");
	assert_string_equal(reason_name(TB_REASON_OTHER), "other");
	assert_string_equal(reason_name(TB_REASON_MAX), "unknown");
	assert_string_equal(reason_name((enum tb_reason)-1), "unknown");
}

static void test_errno_common(void **state)
{
	assert_string_equal(errno_name(EMFILE), "EMFILE");
	assert_string_equal(errno_name(ENFILE), "ENFILE");
	assert_string_equal(errno_name(ENOBUFS), "ENOBUFS");
	assert_string_equal(errno_name(ENOMEM), "ENOMEM");
	assert_string_equal(errno_name(ECONNABORTED), "ECONNABORTED");
	assert_string_equal(errno_name(EPERM), "EPERM");
	assert_string_equal(errno_name(EINVAL), "EINVAL");
	assert_string_equal(errno_name(EBADF), "EBADF");
	assert_string_equal(errno_name(ENOTSOCK), "ENOTSOCK");
	assert_string_equal(errno_name(EOPNOTSUPP), "EOPNOTSUPP");
	assert_string_equal(errno_name(EPROTO), "EPROTO");
	assert_string_equal(errno_name(EFAULT), "EFAULT");
	assert_string_equal(errno_name(EINTR), "EINTR");
	assert_string_equal(errno_name(EAGAIN), "EAGAIN");
	assert_string_equal(errno_name(EWOULDBLOCK), "EAGAIN");
	assert_string_equal(errno_name(ETIMEDOUT), "ETIMEDOUT");
	assert_string_equal(errno_name(EHWPOISON), "EHWPOISON");
}

/* kernel-internal codes a probe inside accept() can see */
static void test_errno_kernel_internal(void **state)
{
	assert_string_equal(errno_name(512), "ERESTARTSYS");
	assert_string_equal(errno_name(516), "ERESTART_RESTARTBLOCK");
	assert_string_equal(errno_name(524), "ENOTSUPP");
	assert_string_equal(errno_name(520), "E520");	/* hole */
	assert_string_equal(errno_name(531), "E531");
}

/* every errno the C library knows has the same name here */
static void test_errno_table_complete(void **state)
{
	int e;

	for (e = 1; e <= EHWPOISON; e++) {
		const char *libc = strerrorname_np(e);
		const char *ours = errno_name(e);

		assert_non_null(ours);
		if (!libc)
			continue;
		if (strcmp(ours, libc))
			fail_msg("errno %d: \"%s\", libc says \"%s\"", e, ours, libc);
	}
}

static void test_errno_unknown(void **state)
{
	const char *s;

	assert_string_equal(errno_name(4242), "E4242");
	assert_string_equal(errno_name(0), "E0");
	assert_string_equal(errno_name(-11), "E-11");
	assert_string_equal(errno_name(EHWPOISON + 1), "E134");
	assert_string_equal(errno_name(INT32_MAX), "E2147483647");
	assert_string_equal(errno_name(INT32_MIN), "E-2147483648");

	/* known names are literals: not clobbered by a later fallback */
	s = errno_name(EMFILE);
	errno_name(9999);
	assert_string_equal(s, "EMFILE");
}

static void *other_thread(void *arg)
{
	const char *s = errno_name(7777);

	*(int *)arg = strcmp(s, "E7777");
	return (void *)s;
}

/* the fallback buffer is per thread */
static void test_errno_thread_local(void **state)
{
	const char *mine = errno_name(8888);
	pthread_t t;
	void *theirs;
	int rc = -1;

	assert_int_equal(pthread_create(&t, NULL, other_thread, &rc), 0);
	assert_int_equal(pthread_join(t, &theirs), 0);
	assert_int_equal(rc, 0);
	assert_ptr_not_equal(mine, theirs);
	assert_string_equal(mine, "E8888");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_errno_common),
		cmocka_unit_test(test_errno_kernel_internal),
		cmocka_unit_test(test_errno_table_complete),
		cmocka_unit_test(test_errno_unknown),
		cmocka_unit_test(test_errno_thread_local),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
