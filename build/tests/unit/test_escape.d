build/tests/unit/test_escape: tests/unit/test_escape.c user/escape.h
user/escape.h:
