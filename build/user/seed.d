build/user/seed.o: user/seed.c user/seed.h user/owners.h \
 include/tcpbacklog.h user/probes.h user/cli.h user/event.h \
 build/tcpbacklog.skel.h
user/seed.h:
user/owners.h:
include/tcpbacklog.h:
user/probes.h:
user/cli.h:
user/event.h:
build/tcpbacklog.skel.h:
