build/tests/integration/overflow: tests/integration/overflow.c \
 tests/integration/overflow.h tests/integration/common.h
tests/integration/overflow.h:
tests/integration/common.h:
