build/tests/unit/test_output_json: tests/unit/test_output_json.c \
 user/output.h user/event.h include/tcpbacklog.h
user/output.h:
user/event.h:
include/tcpbacklog.h:
