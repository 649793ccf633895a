// SPDX-License-Identifier: GPL-2.0
/* Whose pids /proc shows; see pidns.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host/pidns.h"

/* The namespace inode a <proc_root>/<rel> link names ("pid:[N]"); 0 when unreadable. */
static uint64_t ns_inode(const char *proc_root, const char *rel)
{
	char path[512], link[64];
	uint64_t ino;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", proc_root, rel);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	return sscanf(link, "pid:[%" SCNu64 "]", &ino) == 1 ? ino : 0;
}

/* Entries of the NSpid line of <proc_root>/self/status: our pid in each namespace from the proc's down. */
static int nspid_levels(const char *proc_root)
{
	char path[512], line[256];
	int levels = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/self/status", proc_root);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *tok, *save = NULL;

		if (strncmp(line, "NSpid:", 6))
			continue;
		for (tok = strtok_r(line + 6, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
			levels++;
		break;
	}
	fclose(f);
	return levels;
}

bool pidns_proc_is_initial(const char *proc_root)
{
	uint64_t ino;
	int levels;

	/* pid 1 of the proc's namespace lives in it; reading its link may be refused even to root */
	ino = ns_inode(proc_root, "1/ns/pid");
	if (ino)
		return ino == PIDNS_INIT_INO;
	ino = ns_inode(proc_root, "self/ns/pid");
	if (!ino)
		return nspid_levels(proc_root) == 0;	/* no NSpid (before 4.1): one namespace as ever */
	if (ino == PIDNS_INIT_INO)
		return true;	/* we are in the initial namespace, and this proc shows us */
	/* below the initial namespace: a proc of our own shows one level, one of an ancestor more */
	levels = nspid_levels(proc_root);
	return levels == 0 || levels > 1;
}
