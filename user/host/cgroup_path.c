// SPDX-License-Identifier: GPL-2.0
/* cgroup v2 path -> unit, container, pod; see cgroup_path.h. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "host/cgroup_path.h"

#define CONTAINER_ID_HEX	64

/* The runtimes' systemd scopes: "<prefix><64 hex>.scope". */
static const char *const container_scopes[] = {
	"docker-", "cri-containerd-", "crio-", "libpod-",
};

/* cgroupfs driver: "/<parent>/<64 hex>" (docker) or "/libpod_parent/libpod-<64 hex>". */
static const char *const container_parents[] = {
	"docker", "libpod_parent",
};

static const char *const unit_suffixes[] = {
	".service", ".scope", ".socket",
};

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* One component of a path: not NUL-terminated. */
struct part {
	const char *s;
	size_t len;
};

static bool has_prefix(struct part p, const char *prefix)
{
	size_t n = strlen(prefix);

	return p.len >= n && !memcmp(p.s, prefix, n);
}

static bool has_suffix(struct part p, const char *suffix)
{
	size_t n = strlen(suffix);

	return p.len >= n && !memcmp(p.s + p.len - n, suffix, n);
}

static bool equals(struct part p, const char *s)
{
	return p.len == strlen(s) && !memcmp(p.s, s, p.len);
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

/* Bytes systemd allows in a unit name (unit_name_is_valid()). */
static bool unit_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == ':' || c == '-' || c == '_' || c == '.' || c == '\\' || c == '@';
}

static bool is_unit(struct part p)
{
	bool suffix = false;

	for (size_t i = 0; i < ARRAY_LEN(unit_suffixes); i++)
		suffix = suffix || (has_suffix(p, unit_suffixes[i]) && p.len > strlen(unit_suffixes[i]));
	if (!suffix || p.len >= CGROUP_UNIT_LEN)
		return false;
	for (size_t i = 0; i < p.len; i++) {
		if (!unit_char(p.s[i]))
			return false;
	}
	return true;
}

static void copy_part(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* "<prefix><64 hex><suffix>": the ID into id, true when it is one. */
static bool take_id(struct part p, const char *prefix, const char *suffix, struct cgroup_identity *id)
{
	size_t pre = strlen(prefix), suf = strlen(suffix);

	if (p.len != pre + CONTAINER_ID_HEX + suf || !has_prefix(p, prefix) || !has_suffix(p, suffix) ||
	    !all_hex(p.s + pre, CONTAINER_ID_HEX))
		return false;
	copy_part(id->container, sizeof(id->container), p.s + pre, CONTAINER_ID_HEX);
	return true;
}

static bool container_scope(struct part p, struct part parent, bool in_pod, struct cgroup_identity *id)
{
	for (size_t i = 0; i < ARRAY_LEN(container_scopes); i++) {
		if (take_id(p, container_scopes[i], ".scope", id))
			return true;
	}
	if (take_id(p, "libpod-", "", id) && equals(parent, "libpod_parent"))
		return true;
	/* cgroupfs: the ID alone, under docker's parent or a pod's */
	if (p.len != CONTAINER_ID_HEX || !all_hex(p.s, p.len))
		return false;
	for (size_t i = 0; i < ARRAY_LEN(container_parents); i++)
		in_pod = in_pod || equals(parent, container_parents[i]);
	return in_pod && take_id(p, "", "", id);
}

/*
 * A pod UID as the path spells it (systemd: '_' for '-'), into
 * id->pod_uid with dashes. UUIDs, and static pods' 32-hex hashes.
 */
static bool take_pod_uid(const char *s, size_t n, struct cgroup_identity *id)
{
	char uid[CGROUP_POD_UID_LEN];
	size_t hex = 0;

	if (n < 32 || n > 36)
		return false;
	for (size_t i = 0; i < n; i++) {
		uid[i] = s[i] == '_' ? '-' : s[i];
		if (uid[i] != '-' && !all_hex(&uid[i], 1))
			return false;
		hex += uid[i] != '-';
	}
	if (hex != 32)
		return false;
	copy_part(id->pod_uid, sizeof(id->pod_uid), uid, n);
	return true;
}

/* systemd driver: "kubepods[-<qos>]-pod<uid>.slice", also under kind's "kubelet-kubepods..." */
static bool pod_slice(struct part p, struct cgroup_identity *id)
{
	const char *pod = NULL;

	if (!has_suffix(p, ".slice") || !memmem(p.s, p.len, "kubepods", 8))
		return false;
	for (const char *at = p.s; (at = memmem(at, p.len - (size_t)(at - p.s), "-pod", 4)); at++)
		pod = at;
	if (!pod)
		return false;
	pod += 4;
	return take_pod_uid(pod, (size_t)(p.s + p.len - strlen(".slice") - pod), id);
}

void cgroup_identity_parse(const char *path, struct cgroup_identity *id)
{
	struct part parent = { "", 0 };
	bool kubepods = false, in_pod = false;
	const char *at;

	memset(id, 0, sizeof(*id));
	if (!path || !path[0])
		return;
	copy_part(id->path, sizeof(id->path), path, strlen(path));
	for (at = path; *at;) {
		struct part p;

		while (*at == '/')
			at++;
		p.s = at;
		p.len = strcspn(at, "/");
		at += p.len;
		if (!p.len)
			break;
		/* innermost wins: later components overwrite */
		if (is_unit(p))
			copy_part(id->unit, sizeof(id->unit), p.s, p.len);
		if (pod_slice(p, id)) {
			in_pod = true;
		} else if (kubepods && has_prefix(p, "pod") && take_pod_uid(p.s + 3, p.len - 3, id)) {
			in_pod = true;	/* cgroupfs driver: /kubepods[/<qos>]/pod<uid>/<id> */
		} else {
			container_scope(p, parent, in_pod, id);
			in_pod = false;	/* a container is the pod's direct child */
		}
		kubepods = kubepods || equals(p, "kubepods") || has_suffix(p, "-kubepods") ||
			   (has_prefix(p, "kubepods") && has_suffix(p, ".slice"));
		parent = p;
	}
}

const char *cgroup_identity_service(const struct cgroup_identity *id, char *buf, size_t len)
{
	if (id->container[0])
		copy_part(buf, len, id->container, CGROUP_SHORT_ID_LEN);
	else if (id->unit[0])
		copy_part(buf, len, id->unit, strlen(id->unit));
	else if (id->path[0] && strcmp(id->path, "/"))
		copy_part(buf, len, id->path, strlen(id->path));
	else if (len)
		buf[0] = '\0';
	return buf;
}

int cgroup_path_within(const char *path, const char *root)
{
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n <= 1)
		return root[0] == '/' && path[0] == '/';
	return !strncmp(path, root, n) && (path[n] == '\0' || path[n] == '/');
}
