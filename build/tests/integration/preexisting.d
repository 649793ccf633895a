build/tests/integration/preexisting: tests/integration/preexisting.c \
 tests/integration/overflow.h tests/integration/common.h
tests/integration/overflow.h:
tests/integration/common.h:
