// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's BTF, parsed once per start and read without a second copy.
 *
 * libbpf 1.1 reads /sys/kernel/btf/vmlinux (5.5 MB on 6.18) into a buffer
 * and parses a copy of that buffer, so two copies are resident at once,
 * and the loader used to parse it twice: once to pick the programs, once
 * inside bpf_object__load() for CO-RE and attach targets. Here the file is
 * mapped where the kernel allows it (6.16+: a mapping of kernel memory,
 * no resident pages of ours), parsed once, and the parsed object is handed
 * to libbpf's load through btf__load_vmlinux_btf(), which libbpf calls
 * through its PLT: the definition below takes its place. A libbpf that
 * does not call it that way (linked statically, -Bsymbolic) parses on its
 * own, as before, and the handed-over object is freed after the load.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "kernel/vmlinux_btf.h"

#define VMLINUX_BTF_PATH	"/sys/kernel/btf/vmlinux"

static struct btf *handed_over;

/* Whole file into one buffer, for kernels that do not map it. */
static void *read_all(int fd, size_t size)
{
	char *buf = malloc(size);
	size_t done = 0;

	if (!buf)
		return NULL;
	while (done < size) {
		ssize_t n = read(fd, buf + done, size - done);

		if (n <= 0) {
			free(buf);
			errno = n ? errno : EIO;
			return NULL;
		}
		done += (size_t)n;
	}
	return buf;
}

struct btf *vmlinux_btf_load(void)
{
	struct btf *btf = NULL;
	struct stat st;
	void *data;
	int fd, err;

	fd = open(VMLINUX_BTF_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || st.st_size <= 0) {
		err = errno ? errno : EINVAL;
		close(fd);
		errno = err;
		return NULL;
	}
	data = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (data != MAP_FAILED) {
		btf = btf__new(data, st.st_size);
		err = errno;
		munmap(data, st.st_size);
	} else {
		data = read_all(fd, st.st_size);
		err = errno;
		if (data) {
			btf = btf__new(data, st.st_size);
			err = errno;
			free(data);
		}
	}
	close(fd);
	errno = err;
	return btf;
}

/*
 * libbpf's own entry point: the object handed over, once (libbpf frees
 * it after the load), else a fresh parse.
 */
static struct btf *take_or_load(void)
{
	struct btf *btf = handed_over;

	handed_over = NULL;
	return btf ? btf : vmlinux_btf_load();
}

/*
 * Weak: linked statically, as for the kernel matrix's guests, libbpf's
 * own definition wins, and nothing is handed over.
 */
struct btf *btf__load_vmlinux_btf(void) __attribute__((weak, alias("take_or_load")));

void vmlinux_btf_hand_over(struct btf *btf)
{
	btf__free(handed_over);
	handed_over = NULL;
	if ((void *)btf__load_vmlinux_btf == (void *)take_or_load)
		handed_over = btf;
	else
		btf__free(btf);
}

void vmlinux_btf_drop_unused(void)
{
	btf__free(handed_over);
	handed_over = NULL;
}
