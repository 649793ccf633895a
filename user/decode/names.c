// SPDX-License-Identifier: GPL-2.0
/* Symbolic names for record kinds, drop reasons and errno values. */
#include <errno.h>
#include <stdio.h>

#include "decode/kinds.h"
#include "decode/names.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

const char *kind_name(enum tb_kind kind)
{
	const struct kind_info *k = kind_info(kind);

	return k ? k->name : "unknown";
}

const char *reason_name(enum tb_reason reason)
{
	switch (reason) {
	case TB_REASON_NONE:
		return "none";
	case TB_REASON_ACCEPT_QUEUE_FULL:
		return "accept_queue_full";
	case TB_REASON_SYN_QUEUE_FULL:
		return "syn_queue_full";
	case TB_REASON_OTHER:
		return "other";
	case TB_REASON_MAX:
		break;
	}
	return "unknown";
}

/*
 * Linux errno values. Aliases (EWOULDBLOCK, EDEADLOCK, ENOTSUP) share a
 * number with the names used here, so they are left out on purpose: a
 * duplicate designator would silently override the first name.
 */
#define E(name)	[name] = #name
static const char *const errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV),
	E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK),
	E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK),
	E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM), E(ECHRNG),
	E(EL2NSYNC), E(EL3HLT), E(EL3RST), E(ELNRNG), E(EUNATCH), E(ENOCSI),
	E(EL2HLT), E(EBADE), E(EBADR), E(EXFULL), E(ENOANO), E(EBADRQC),
	E(EBADSLT), E(EBFONT), E(ENOSTR), E(ENODATA), E(ETIME), E(ENOSR),
	E(ENONET), E(ENOPKG), E(EREMOTE), E(ENOLINK), E(EADV), E(ESRMNT),
	E(ECOMM), E(EPROTO), E(EMULTIHOP), E(EDOTDOT), E(EBADMSG),
	E(EOVERFLOW), E(ENOTUNIQ), E(EBADFD), E(EREMCHG), E(ELIBACC),
	E(ELIBBAD), E(ELIBSCN), E(ELIBMAX), E(ELIBEXEC), E(EILSEQ),
	E(ERESTART), E(ESTRPIPE), E(EUSERS), E(ENOTSOCK), E(EDESTADDRREQ),
	E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT),
	E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(EPFNOSUPPORT), E(EAFNOSUPPORT),
	E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH),
	E(ENETRESET), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN),
	E(ENOTCONN), E(ESHUTDOWN), E(ETOOMANYREFS), E(ETIMEDOUT),
	E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY),
	E(EINPROGRESS), E(ESTALE), E(EUCLEAN), E(ENOTNAM), E(ENAVAIL),
	E(EISNAM), E(EREMOTEIO), E(EDQUOT), E(ENOMEDIUM), E(EMEDIUMTYPE),
	E(ECANCELED), E(ENOKEY), E(EKEYEXPIRED), E(EKEYREVOKED),
	E(EKEYREJECTED), E(EOWNERDEAD), E(ENOTRECOVERABLE), E(ERFKILL),
	E(EHWPOISON),
};
#undef E

/*
 * Kernel-internal codes (include/linux/errno.h) that userspace never sees
 * from a syscall but a probe inside the kernel can: ERESTARTSYS is what an
 * accept() interrupted by a signal returns before the restart logic runs.
 */
#define KERNEL_ERRNO_BASE	512
static const char *const kernel_errno_names[] = {
	[512 - KERNEL_ERRNO_BASE] = "ERESTARTSYS",
	[513 - KERNEL_ERRNO_BASE] = "ERESTARTNOINTR",
	[514 - KERNEL_ERRNO_BASE] = "ERESTARTNOHAND",
	[515 - KERNEL_ERRNO_BASE] = "ENOIOCTLCMD",
	[516 - KERNEL_ERRNO_BASE] = "ERESTART_RESTARTBLOCK",
	[517 - KERNEL_ERRNO_BASE] = "EPROBE_DEFER",
	[518 - KERNEL_ERRNO_BASE] = "EOPENSTALE",
	[519 - KERNEL_ERRNO_BASE] = "ENOPARAM",
	[521 - KERNEL_ERRNO_BASE] = "EBADHANDLE",
	[522 - KERNEL_ERRNO_BASE] = "ENOTSYNC",
	[523 - KERNEL_ERRNO_BASE] = "EBADCOOKIE",
	[524 - KERNEL_ERRNO_BASE] = "ENOTSUPP",
	[525 - KERNEL_ERRNO_BASE] = "ETOOSMALL",
	[526 - KERNEL_ERRNO_BASE] = "ESERVERFAULT",
	[527 - KERNEL_ERRNO_BASE] = "EBADTYPE",
	[528 - KERNEL_ERRNO_BASE] = "EJUKEBOX",
	[529 - KERNEL_ERRNO_BASE] = "EIOCBQUEUED",
	[530 - KERNEL_ERRNO_BASE] = "ERECALLCONFLICT",
};

/*
 * Thread-safe: known values return string literals; unknown values are
 * formatted into a thread-local buffer, valid until the next errno_name()
 * call for an unknown value in the same thread.
 */
const char *errno_name(int err)
{
	static __thread char fallback[sizeof("E-2147483648")];

	if (err > 0 && (size_t)err < ARRAY_SIZE(errno_names) && errno_names[err])
		return errno_names[err];
	if (err >= KERNEL_ERRNO_BASE &&
	    (size_t)(err - KERNEL_ERRNO_BASE) < ARRAY_SIZE(kernel_errno_names) &&
	    kernel_errno_names[err - KERNEL_ERRNO_BASE])
		return kernel_errno_names[err - KERNEL_ERRNO_BASE];
	snprintf(fallback, sizeof(fallback), "E%d", err);
	return fallback;
}
