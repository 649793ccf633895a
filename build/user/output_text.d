build/user/output_text.o: user/output_text.c user/escape.h user/output.h \
 user/event.h include/tcpbacklog.h
user/escape.h:
user/output.h:
user/event.h:
include/tcpbacklog.h:
