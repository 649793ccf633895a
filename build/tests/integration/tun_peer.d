build/tests/integration/tun_peer: tests/integration/tun_peer.c \
 tests/integration/tun.h tests/integration/common.h
tests/integration/tun.h:
tests/integration/common.h:
