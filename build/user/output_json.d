build/user/output_json.o: user/output_json.c user/escape.h user/output.h \
 user/event.h include/tcpbacklog.h
user/escape.h:
user/output.h:
user/event.h:
include/tcpbacklog.h:
