// SPDX-License-Identifier: GPL-2.0
/* Whose pids /proc shows; see pidns.h. */
#include <stdio.h>
#include <sys/stat.h>

#include "host/pidns.h"

bool pidns_proc_is_initial(const char *proc_root)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/1/ns/pid", proc_root);
	if (stat(path, &st))
		return true;
	return st.st_ino == PIDNS_INIT_INO;
}
