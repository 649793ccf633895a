/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Once the probes are attached, the loop needs almost nothing: the BPF
 * objects are open file descriptors. Keep only what reading other
 * processes' /proc/<pid>/fd needs (owners of listeners), drop the rest.
 */
#ifndef TB_PRIVILEGES_H
#define TB_PRIVILEGES_H

#include <stddef.h>

/* 0, or -1 with errbuf naming what failed. */
int privileges_drop(char *errbuf, size_t errlen);

#endif /* TB_PRIVILEGES_H */
