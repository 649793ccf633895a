build/user/names.o: user/names.c user/event.h include/tcpbacklog.h
user/event.h:
include/tcpbacklog.h:
