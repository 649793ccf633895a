build/tests/unit/test_names: tests/unit/test_names.c user/event.h \
 include/tcpbacklog.h
user/event.h:
include/tcpbacklog.h:
