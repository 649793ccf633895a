/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TB_MHD_LAZY_H
#define TB_MHD_LAZY_H

#include <stddef.h>

/*
 * Load libmicrohttpd for the metrics server. 0 when its functions are
 * ready; else -1 and why in errbuf. Loading twice is harmless.
 */
int mhd_load(char *errbuf, size_t errlen);

#endif
