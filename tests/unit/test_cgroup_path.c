// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "host/cgroup_path.h"

#define ID64	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID64B	"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

struct path_case {
	const char *path;
	const char *unit;
	const char *container;
	const char *pod_uid;
};

static void check(const struct path_case *c)
{
	struct cgroup_identity id;

	cgroup_identity_parse(c->path, &id);
	if (strcmp(id.path, c->path) || strcmp(id.unit, c->unit) || strcmp(id.container, c->container) ||
	    strcmp(id.pod_uid, c->pod_uid))
		fail_msg("%s: got unit '%s' container '%s' pod '%s', want '%s' '%s' '%s'", c->path, id.unit,
			 id.container, id.pod_uid, c->unit, c->container, c->pod_uid);
}

static void check_all(const struct path_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check(&cases[i]);
}

/* systemd: system and user units, sessions, the root and init */
static void test_systemd(void **state)
{
	static const struct path_case cases[] = {
		{ "/system.slice/nginx.service", "nginx.service", "", "" },
		{ "/system.slice/system-getty.slice/getty@tty1.service", "getty@tty1.service", "", "" },
		{ "/system.slice/dbus.socket", "dbus.socket", "", "" },
		{ "/system.slice/systemd-journald.service/payload", "systemd-journald.service", "", "" },
		/* a user unit: the innermost one, not the user manager */
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service", "foo.service", "", "" },
		{ "/user.slice/user-1000.slice/user@1000.service/init.scope", "init.scope", "", "" },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-1234.scope",
		  "app-gnome-firefox-1234.scope", "", "" },
		/* a login session is a scope unit: named as one */
		{ "/user.slice/user-1000.slice/session-3.scope", "session-3.scope", "", "" },
		{ "/init.scope", "init.scope", "", "" },
		{ "/", "", "", "" },
		{ "/system.slice", "", "", "" },
		{ "/system.slice/foo\\x2dbar.service", "foo\\x2dbar.service", "", "" },
	};

	check_all(cases, sizeof(cases) / sizeof(cases[0]));
}

/* docker, containerd, CRI-O, podman: systemd driver scopes and cgroupfs paths */
static void test_containers(void **state)
{
	static const struct path_case cases[] = {
		{ "/system.slice/docker-" ID64 ".scope", "docker-" ID64 ".scope", ID64, "" },
		{ "/docker/" ID64, "", ID64, "" },
		{ "/system.slice/crio-" ID64 ".scope", "crio-" ID64 ".scope", ID64, "" },
		/* conmon's scope is not the container */
		{ "/system.slice/crio-conmon-" ID64 ".scope", "crio-conmon-" ID64 ".scope", "", "" },
		{ "/machine.slice/libpod-" ID64 ".scope", "libpod-" ID64 ".scope", ID64, "" },
		{ "/machine.slice/libpod-" ID64 ".scope/container", "libpod-" ID64 ".scope", ID64, "" },
		{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64 ".scope/container",
		  "libpod-" ID64 ".scope", ID64, "" },
		{ "/libpod_parent/libpod-" ID64, "", ID64, "" },
		/* systemd inside a container: its unit, the container's ID */
		{ "/system.slice/docker-" ID64 ".scope/system.slice/nginx.service", "nginx.service", ID64, "" },
		/* a container in a container: the inner one */
		{ "/docker/" ID64 "/docker/" ID64B, "", ID64B, "" },
	};

	check_all(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Kubernetes: systemd and cgroupfs drivers, each QoS class, kind's kubelet root */
static void test_kubernetes(void **state)
{
	static const struct path_case cases[] = {
		{ "/kubepods.slice/kubepods-burstable.slice/"
		  "kubepods-burstable-pod0f7d2c1e_8a3b_4c5d_9e6f_a1b2c3d4e5f6.slice/cri-containerd-" ID64 ".scope",
		  "cri-containerd-" ID64 ".scope", ID64, "0f7d2c1e-8a3b-4c5d-9e6f-a1b2c3d4e5f6" },
		{ "/kubepods.slice/kubepods-besteffort.slice/"
		  "kubepods-besteffort-pod0f7d2c1e_8a3b_4c5d_9e6f_a1b2c3d4e5f6.slice/crio-" ID64 ".scope",
		  "crio-" ID64 ".scope", ID64, "0f7d2c1e-8a3b-4c5d-9e6f-a1b2c3d4e5f6" },
		/* guaranteed pods sit right under kubepods.slice */
		{ "/kubepods.slice/kubepods-pod0f7d2c1e_8a3b_4c5d_9e6f_a1b2c3d4e5f6.slice/docker-" ID64 ".scope",
		  "docker-" ID64 ".scope", ID64, "0f7d2c1e-8a3b-4c5d-9e6f-a1b2c3d4e5f6" },
		/* the pod itself, its pause container not yet there */
		{ "/kubepods.slice/kubepods-burstable.slice/"
		  "kubepods-burstable-pod0f7d2c1e_8a3b_4c5d_9e6f_a1b2c3d4e5f6.slice",
		  "", "", "0f7d2c1e-8a3b-4c5d-9e6f-a1b2c3d4e5f6" },
		/* a static pod's UID is a 32-hex hash */
		{ "/kubepods.slice/kubepods-burstable.slice/"
		  "kubepods-burstable-pod6b3c8c2a1f0e4d5b9a7c8d9e0f1a2b3c.slice/cri-containerd-" ID64 ".scope",
		  "cri-containerd-" ID64 ".scope", ID64, "6b3c8c2a1f0e4d5b9a7c8d9e0f1a2b3c" },
		/* kind and other nested kubelets */
		{ "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
		  "kubelet-kubepods-besteffort-pod0f7d2c1e_8a3b_4c5d_9e6f_a1b2c3d4e5f6.slice/cri-containerd-" ID64
		  ".scope", "cri-containerd-" ID64 ".scope", ID64, "0f7d2c1e-8a3b-4c5d-9e6f-a1b2c3d4e5f6" },
		/* cgroupfs driver */
		{ "/kubepods/burstable/pod0f7d2c1e-8a3b-4c5d-9e6f-a1b2c3d4e5f6/" ID64, "", ID64,
		  "0f7d2c1e-8a3b-4c5d-9e6f-a1b2c3d4e5f6" },
		{ "/kubepods/pod0f7d2c1e-8a3b-4c5d-9e6f-a1b2c3d4e5f6/" ID64, "", ID64,
		  "0f7d2c1e-8a3b-4c5d-9e6f-a1b2c3d4e5f6" },
		{ "/kubepods/besteffort/pod0f7d2c1e-8a3b-4c5d-9e6f-a1b2c3d4e5f6", "", "",
		  "0f7d2c1e-8a3b-4c5d-9e6f-a1b2c3d4e5f6" },
	};

	check_all(cases, sizeof(cases) / sizeof(cases[0]));
}

/* names that only look like units, containers or pods give nothing */
static void test_hostile(void **state)
{
	static const struct path_case cases[] = {
		{ "/system.slice/evil\nline.service", "", "", "" },
		{ "/system.slice/a b.service", "", "", "" },
		{ "/system.slice/\xff\xfe.service", "", "", "" },
		{ "/system.slice/.service", "", "", "" },
		{ "/system.slice/x.services", "", "", "" },
		{ "/system.slice/docker-" ID64 "0.scope", "docker-" ID64 "0.scope", "", "" },
		{ "/system.slice/docker-0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef.scope",
		  "docker-0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef.scope", "", "" },
		{ "/system.slice/docker-zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope",
		  "docker-zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope", "", "" },
		/* an ID outside docker's or a pod's parent is not a container */
		{ "/elsewhere/" ID64, "", "", "" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod../../etc.slice", "", "", "" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f7d2c1e_8a3b_4c5d_9e6f_a1b2c3d4e5fg.slice",
		  "", "", "" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f7d2c1e_8a3b_4c5d_9e6f_a1b2c3d4e5f6_00.slice",
		  "", "", "" },
		{ "/notkube/pod0f7d2c1e-8a3b-4c5d-9e6f-a1b2c3d4e5f6/" ID64, "", "", "" },
		{ "//system.slice//nginx.service//", "nginx.service", "", "" },
	};

	check_all(cases, sizeof(cases) / sizeof(cases[0]));
}

/* longer than the path field: the path is cut, the parts come from all of it */
static void test_long_path(void **state)
{
	char path[2048] = "";
	struct cgroup_identity id;

	for (int i = 0; i < 40; i++)
		strcat(path, "/abcdefghijklmnopqrstuvwxyz.slice");
	strcat(path, "/docker-" ID64 ".scope");
	cgroup_identity_parse(path, &id);
	assert_int_equal(strlen(id.path), CGROUP_PATH_LEN - 1);
	assert_memory_equal(id.path, path, CGROUP_PATH_LEN - 1);
	assert_string_equal(id.container, ID64);
	assert_string_equal(id.unit, "docker-" ID64 ".scope");

	cgroup_identity_parse(NULL, &id);
	assert_string_equal(id.path, "");
	cgroup_identity_parse("", &id);
	assert_string_equal(id.unit, "");
}

static void test_service(void **state)
{
	struct cgroup_identity id;
	char buf[CGROUP_PATH_LEN];

	cgroup_identity_parse("/system.slice/docker-" ID64 ".scope", &id);
	assert_string_equal(cgroup_identity_service(&id, buf, sizeof(buf)), "0123456789ab");
	cgroup_identity_parse("/system.slice/nginx.service", &id);
	assert_string_equal(cgroup_identity_service(&id, buf, sizeof(buf)), "nginx.service");
	cgroup_identity_parse("/tbid/worker", &id);
	assert_string_equal(cgroup_identity_service(&id, buf, sizeof(buf)), "/tbid/worker");
	cgroup_identity_parse("/", &id);
	assert_string_equal(cgroup_identity_service(&id, buf, sizeof(buf)), "");
	cgroup_identity_parse(NULL, &id);
	assert_string_equal(cgroup_identity_service(&id, buf, sizeof(buf)), "");
	/* a small buffer is cut, still terminated */
	cgroup_identity_parse("/system.slice/nginx.service", &id);
	assert_string_equal(cgroup_identity_service(&id, buf, 6), "nginx");
}

static void test_within(void **state)
{
	assert_true(cgroup_path_within("/system.slice/a.service", "/system.slice"));
	assert_true(cgroup_path_within("/system.slice/a.service", "/system.slice/"));
	assert_true(cgroup_path_within("/system.slice", "/system.slice"));
	assert_true(cgroup_path_within("/anything", "/"));
	assert_false(cgroup_path_within("/system.slicex/a.service", "/system.slice"));
	assert_false(cgroup_path_within("/system", "/system.slice"));
	assert_false(cgroup_path_within("/user.slice", "/system.slice"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_systemd),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_kubernetes),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_long_path),
		cmocka_unit_test(test_service),
		cmocka_unit_test(test_within),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
