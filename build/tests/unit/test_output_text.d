build/tests/unit/test_output_text: tests/unit/test_output_text.c \
 user/output.h user/event.h include/tcpbacklog.h
user/output.h:
user/event.h:
include/tcpbacklog.h:
