build/user/owners.o: user/owners.c user/owners.h include/tcpbacklog.h
user/owners.h:
include/tcpbacklog.h:
