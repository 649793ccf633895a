build/user/cli.o: user/cli.c user/cli.h include/tcpbacklog.h
user/cli.h:
include/tcpbacklog.h:
