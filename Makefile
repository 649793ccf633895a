# tcpbacklog — build, run and test.
#   make          build build/tcpbacklog (BPF object embedded via a skeleton)
#   make run      install missing packages, build, trace this host (ARGS="...")
#   make test     install missing packages, build, unit + integration tests
#   make vmlinux  regenerate vmlinux/x86/vmlinux.h from this kernel's BTF

BUILD		:= build
CLANG		?= clang
CC		?= gcc
BPFTOOL		?= bpftool
ARCH		:= x86
VERSION		:= 0.1.0

BPF_CFLAGS	:= -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) \
		   -Wall -Wno-unused-function -MMD -MP \
		   -Iinclude -Ivmlinux/$(ARCH) -Ibpf
# user/, in the order data flows: setup (options, privileges) and kernel
# (load, attach, namespace walk, every map read) -> decode (raw records and
# map entries -> structs) -> aggregate (intervals, percentiles, hints) ->
# format (text, JSON, metrics); host (facts from /proc and sysctls) is a
# leaf anyone may use. Includes spell the layer: "aggregate/stats.h".
USER_DIRS	:= user/setup user/kernel user/decode user/aggregate user/format user/host
CFLAGS		?= -O2 -g
CFLAGS		+= -Wall -Wextra -Wno-unused-parameter -std=gnu11 -MMD -MP \
		   -D_GNU_SOURCE -DTB_VERSION='"$(VERSION)"' \
		   -Iinclude -Iuser -I$(BUILD)
LDLIBS		:= -lbpf -lelf -lz -lpthread -ldl	# libmicrohttpd: dlopen()ed for --metrics

# Linked into one object in this order. tcpbacklog.bpf.c, the definitions,
# first: bpftool 7.1's linker misplaces a map used by a file before the one
# defining it. The order of the others orders the object's programs, and so
# the probes listed in the start record.
BPF_SRCS	:= $(addprefix bpf/,tcpbacklog.bpf.c mib.bpf.c reuseport.bpf.c listeners.bpf.c \
		   accept.bpf.c queues.bpf.c overflow.bpf.c syn.bpf.c connect.bpf.c client_cost.bpf.c)
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_LINKED	:= $(BUILD)/tcpbacklog.bpf.o
SKEL		:= $(BUILD)/tcpbacklog.skel.h
PRE_5_17_LINKED	:= $(BUILD)/tcpbacklog_pre_5_17.bpf.o
PRE_5_17_SKEL	:= $(BUILD)/tcpbacklog_pre_5_17.skel.h

USER_SRCS	:= $(wildcard user/*.c $(addsuffix /*.c,$(USER_DIRS)))
USER_OBJS	:= $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
# modules that include the skeleton; every other module builds and tests without BPF
SKEL_OBJS	:= $(addprefix $(BUILD)/user/kernel/,probes.o namespaces.o maps.o)
MAIN_OBJ	:= $(BUILD)/user/main.o
LIB_OBJS	:= $(filter-out $(SKEL_OBJS) $(MAIN_OBJ),$(USER_OBJS))
LIB		:= $(BUILD)/libtcpbacklog.a
BIN		:= $(BUILD)/tcpbacklog

UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_BINS	:= $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
DRIVER_SRCS	:= $(wildcard tests/integration/*.c)
DRIVER_BINS	:= $(patsubst tests/integration/%.c,$(BUILD)/tests/integration/%,$(DRIVER_SRCS))

.PHONY: all deps run test unit integration vmlinux clean
.DELETE_ON_ERROR:

all: $(BIN) $(DRIVER_BINS)

deps:
	@scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory $(BIN)
	$(BIN) $(ARGS)

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS)
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory integration

unit: $(UNIT_BINS)
	@rc=0; for t in $(UNIT_BINS); do $$t || rc=1; done; exit $$rc

integration: $(BIN) $(DRIVER_BINS)
	tests/integration/run.sh $(BIN) $(BUILD)/tests/integration

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c | $(BUILD)/bpf
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BPF_LINKED): $(BPF_OBJS)
	$(BPFTOOL) gen object $@ $^

$(SKEL): $(BPF_LINKED)
	$(BPFTOOL) gen skeleton $< name tcpbacklog_bpf > $@

# The same programs for kernels without bpf_loop (see TB_PRE_5_17);
# only its ELF bytes are used, opened through the skeleton above.
$(BUILD)/bpf/pre_5_17/%.bpf.o: bpf/%.bpf.c | $(BUILD)/bpf
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -DTB_PRE_5_17 -c $< -o $@

$(PRE_5_17_LINKED): $(patsubst $(BUILD)/bpf/%,$(BUILD)/bpf/pre_5_17/%,$(BPF_OBJS))
	$(BPFTOOL) gen object $@ $^

$(PRE_5_17_SKEL): $(PRE_5_17_LINKED)
	$(BPFTOOL) gen skeleton $< name tcpbacklog_pre_5_17_bpf > $@

$(BUILD)/user/%.o: user/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(SKEL_OBJS): | $(SKEL) $(PRE_5_17_SKEL)

$(LIB): $(LIB_OBJS)
	rm -f $@; ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(SKEL_OBJS) $(LIB)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB) | $(BUILD)/tests/unit
	$(CC) $(CFLAGS) $< $(LIB) -lcmocka $(LDLIBS) -o $@

$(BUILD)/tests/integration/%: tests/integration/%.c tests/integration/*.h tests/lib/driver.h | $(BUILD)/tests/integration
	$(CC) $(CFLAGS) -Itests/lib -Itests/integration $< -o $@

$(BUILD)/bpf $(BUILD)/tests/unit $(BUILD)/tests/integration:
	mkdir -p $@

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h

clean:
	rm -rf $(BUILD)

# kernel matrix under qemu: make vmtest
-include tests/vm/vm.mk
# make install / uninstall / test-install / test-metrics
-include packaging/install.mk
# make fuzz / bench / soak
-include tests/extra.mk

-include $(BPF_OBJS:.o=.d) $(wildcard $(BUILD)/bpf/pre_5_17/*.d) $(USER_OBJS:.o=.d) $(UNIT_BINS:=.d) $(DRIVER_BINS:=.d)
