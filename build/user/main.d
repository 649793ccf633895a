build/user/main.o: user/main.c user/cli.h include/tcpbacklog.h \
 user/decode.h user/event.h user/output.h user/owners.h user/probes.h \
 user/seed.h user/sysinfo.h
user/cli.h:
include/tcpbacklog.h:
user/decode.h:
user/event.h:
user/output.h:
user/owners.h:
user/probes.h:
user/seed.h:
user/sysinfo.h:
