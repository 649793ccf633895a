// SPDX-License-Identifier: GPL-2.0
/* Defines the maps and constants that every other bpf/ file sees as extern. */
#define TB_DEFINE
#include "maps.bpf.h"

char LICENSE[] SEC("license") = "GPL";
