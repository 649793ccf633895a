build/user/probes.o: user/probes.c user/probes.h user/cli.h \
 include/tcpbacklog.h user/event.h user/decode.h build/tcpbacklog.skel.h
user/probes.h:
user/cli.h:
include/tcpbacklog.h:
user/event.h:
user/decode.h:
build/tcpbacklog.skel.h:
