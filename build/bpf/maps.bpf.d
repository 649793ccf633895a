build/bpf/maps.bpf.o: bpf/maps.bpf.c bpf/maps.bpf.h vmlinux/x86/vmlinux.h \
  include/tcpbacklog.h

bpf/maps.bpf.h:

vmlinux/x86/vmlinux.h:

include/tcpbacklog.h:
