build/user/decode.o: user/decode.c user/decode.h user/event.h \
 include/tcpbacklog.h
user/decode.h:
user/event.h:
include/tcpbacklog.h:
