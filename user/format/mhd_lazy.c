// SPDX-License-Identifier: GPL-2.0
/*
 * libmicrohttpd, loaded only when --metrics-addr asks for a server. Linked the
 * usual way it brings gnutls and seven more libraries into every run:
 * about 1.8 MiB of resident memory and their constructors at start, for
 * a server most runs never start. The few functions metrics.c calls are
 * defined here under their own names. Each one forwards to the library
 * that mhd_load() opened.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <microhttpd.h>

#include "format/mhd_lazy.h"

#define MHD_SONAME	"libmicrohttpd.so.12"	/* Debian's libmicrohttpd12 */

static struct {
	__typeof__(&MHD_start_daemon_va) start_daemon_va;
	__typeof__(&MHD_stop_daemon) stop_daemon;
	__typeof__(&MHD_create_response_from_buffer) create_response_from_buffer;
	__typeof__(&MHD_add_response_header) add_response_header;
	__typeof__(&MHD_queue_response) queue_response;
	__typeof__(&MHD_get_connection_info) get_connection_info;
	__typeof__(&MHD_destroy_response) destroy_response;
} api;

int mhd_load(char *errbuf, size_t errlen)
{
	void *lib;

	if (api.destroy_response)
		return 0;
	lib = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(errbuf, errlen, "metrics: --metrics-addr needs %s (Debian package libmicrohttpd12): %s",
			 MHD_SONAME, dlerror());
		return -1;
	}
#define LOAD(field, sym)							\
	do {									\
		*(void **)&api.field = dlsym(lib, sym);				\
		if (!api.field) {						\
			snprintf(errbuf, errlen, "metrics: %s lacks %s", MHD_SONAME, sym); \
			goto fail;						\
		}								\
	} while (0)
	LOAD(start_daemon_va, "MHD_start_daemon_va");
	LOAD(stop_daemon, "MHD_stop_daemon");
	LOAD(create_response_from_buffer, "MHD_create_response_from_buffer");
	LOAD(add_response_header, "MHD_add_response_header");
	LOAD(queue_response, "MHD_queue_response");
	LOAD(get_connection_info, "MHD_get_connection_info");
	LOAD(destroy_response, "MHD_destroy_response");	/* last: it marks the table ready */
#undef LOAD
	return 0;
fail:
	api.destroy_response = NULL;
	dlclose(lib);
	return -1;
}

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
				    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	struct MHD_Daemon *d;
	va_list ap;

	va_start(ap, dh_cls);
	d = api.start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

void MHD_stop_daemon(struct MHD_Daemon *daemon)
{
	api.stop_daemon(daemon);
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer,
						     enum MHD_ResponseMemoryMode mode)
{
	return api.create_response_from_buffer(size, buffer, mode);
}

enum MHD_Result MHD_add_response_header(struct MHD_Response *response, const char *header,
					const char *content)
{
	return api.add_response_header(response, header, content);
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
				   struct MHD_Response *response)
{
	return api.queue_response(connection, status_code, response);
}

/* only the kinds of information that take no further argument */
const union MHD_ConnectionInfo *MHD_get_connection_info(struct MHD_Connection *connection,
							enum MHD_ConnectionInfoType info_type, ...)
{
	return api.get_connection_info(connection, info_type);
}

void MHD_destroy_response(struct MHD_Response *response)
{
	api.destroy_response(response);
}
