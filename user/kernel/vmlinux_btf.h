/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's BTF, parsed once: the loader reads it to pick programs,
 * then hands the same object to libbpf's load (CO-RE, attach targets).
 */
#ifndef TB_VMLINUX_BTF_H
#define TB_VMLINUX_BTF_H

struct btf;

/* Parse /sys/kernel/btf/vmlinux, mapped where the kernel allows it. NULL + errno. */
struct btf *vmlinux_btf_load(void);

/* The next libbpf load takes btf (and frees it) instead of parsing again. */
void vmlinux_btf_hand_over(struct btf *btf);

/* After the load: free a handed-over object libbpf did not take. */
void vmlinux_btf_drop_unused(void);

#endif /* TB_VMLINUX_BTF_H */
