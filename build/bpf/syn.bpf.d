build/bpf/syn.bpf.o: bpf/syn.bpf.c bpf/maps.bpf.h vmlinux/x86/vmlinux.h \
  include/tcpbacklog.h

bpf/maps.bpf.h:

vmlinux/x86/vmlinux.h:

include/tcpbacklog.h:
