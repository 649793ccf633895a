/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A cgroup v2 path -> who runs there: the systemd unit, the container ID,
 * the Kubernetes pod UID. Pure string work on paths such as
 * "/system.slice/nginx.service" or "/kubepods.slice/.../cri-containerd-<id>.scope".
 * Paths are attacker-influenced (container runtimes, users' own units):
 * only well-formed names are taken, and every result is still escaped by
 * the formatters.
 */
#ifndef TB_CGROUP_PATH_H
#define TB_CGROUP_PATH_H

#include <stddef.h>

#define CGROUP_PATH_LEN		512	/* longer paths are kept cut (see cgroup_identity_parse) */
#define CGROUP_UNIT_LEN		256	/* systemd's limit: 255 bytes */
#define CGROUP_CONTAINER_LEN	65	/* 64 hex digits */
#define CGROUP_POD_UID_LEN	37	/* a UUID, 36 characters */
#define CGROUP_SHORT_ID_LEN	12	/* `docker ps`, `crictl ps` show this many */

/* The identity of one cgroup; "" for each part that is absent. */
struct cgroup_identity {
	char path[CGROUP_PATH_LEN];		/* relative to the cgroup v2 root: "/system.slice/x.service" */
	char unit[CGROUP_UNIT_LEN];		/* innermost .service, .scope or .socket */
	char container[CGROUP_CONTAINER_LEN];	/* full container ID */
	char pod_uid[CGROUP_POD_UID_LEN];	/* with dashes, as Kubernetes prints it */
};

/*
 * Fill id from path (any length; id->path keeps its first
 * CGROUP_PATH_LEN - 1 bytes, the other parts are taken from the whole).
 * A NULL or empty path leaves id empty.
 */
void cgroup_identity_parse(const char *path, struct cgroup_identity *id);

/*
 * One short word for people: the container's short ID, else the unit,
 * else the path; "" for none (unknown, or the root cgroup "/").
 */
const char *cgroup_identity_service(const struct cgroup_identity *id, char *buf, size_t len);

/* Is path inside the subtree at root (root itself included)? Both relative to the v2 root. */
int cgroup_path_within(const char *path, const char *root);

#endif /* TB_CGROUP_PATH_H */
