// SPDX-License-Identifier: GPL-2.0
/* Drop every capability the running loop does not need; see privileges.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "setup/privileges.h"

/*
 * CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH: readlink /proc/<pid>/fd/N of other
 * users' processes. CAP_BPF: kernels before 6.5 check it on every bpf()
 * call while unprivileged BPF is disabled, even on open maps.
 */
#ifndef CAP_BPF
#define CAP_BPF	39
#endif
static const int keep[] = { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, CAP_BPF };

int privileges_drop(char *errbuf, size_t errlen)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	uint64_t want = 0;

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		want |= 1ULL << keep[i];
	if (syscall(SYS_capget, &hdr, data)) {
		snprintf(errbuf, errlen, "capget failed: %s", strerror(errno));
		return -1;
	}
	/* nothing gained back through exec or setuid */
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (!(want & (1ULL << cap)))
			prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	}
	for (int i = 0; i < 2; i++) {
		uint32_t w = (uint32_t)(want >> (32 * i));

		data[i].effective &= w;
		data[i].permitted &= w;
		data[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &hdr, data)) {
		snprintf(errbuf, errlen, "capset failed: %s", strerror(errno));
		return -1;
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return 0;
}
