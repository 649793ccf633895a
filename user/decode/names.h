/* SPDX-License-Identifier: GPL-2.0 */
/* Symbolic names for record kinds, drop reasons and errno values, as the outputs print them. */
#ifndef TB_NAMES_H
#define TB_NAMES_H

#include "tcpbacklog.h"

const char *kind_name(enum tb_kind kind);	/* "syn_drop", ... */
const char *reason_name(enum tb_reason reason);	/* "accept_queue_full", ... */
const char *errno_name(int err);		/* "EMFILE", ...; "E<num>" unknown never NULL */

#endif /* TB_NAMES_H */
