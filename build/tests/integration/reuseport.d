build/tests/integration/reuseport: tests/integration/reuseport.c \
 tests/integration/common.h
tests/integration/common.h:
