# Kernel matrix under qemu (included by the top Makefile).
#   make vmtest        install what is missing, build the static tracer and
#                      drivers into $(BUILD)/vm/, boot Debian's 5.10, 6.1 and
#                      6.12 cloud kernels (TCG), run every scenario in each tracer
#                      mode there and on this host, print the table
#   make vmtest-bins   only the static binaries
# Settings (environment): TB_VM_KERNELS, TB_VM_MODES, TB_VM_SCENARIOS,
# TB_VM_HOST, TB_VM_CACHE, TB_VM_TIMEOUT, TB_VM_JOBS (see tests/vm/vmtest.sh).

VM_DIR		:= $(BUILD)/vm
VM_DRIVERS	:= overflow tun_peer reuseport emfile preexisting connect_fail prefork client_cost
VM_BINS		:= $(VM_DIR)/tcpbacklog $(addprefix $(VM_DIR)/,$(VM_DRIVERS))

.PHONY: vmtest vmtest-bins vmtest-deps

vmtest: deps vmtest-deps
	@$(MAKE) --no-print-directory vmtest-bins
	tests/vm/vmtest.sh run $(VM_DIR)

vmtest-deps:
	@scripts/install-deps.sh vm

vmtest-bins: $(VM_BINS)

# Static when every library has an archive (libmicrohttpd is not linked:
# it is dlopen()ed for --metrics, which the guests do not use); otherwise
# dynamic, and the initramfs gets the shared libraries ldd names.
$(VM_DIR)/tcpbacklog: $(MAIN_OBJ) $(SKEL_OBJS) $(LIB) | $(VM_DIR)
	@if $(CC) $(CFLAGS) -static $^ $(LDLIBS) -o $@ 2>$(VM_DIR)/static-link.log; then \
		echo "$(CC) -static ... -o $@"; \
	else \
		echo "vmtest: no static link ($$(grep -m1 -o 'undefined reference to .*' $(VM_DIR)/static-link.log)," \
		     "see $(VM_DIR)/static-link.log): linking dynamically, the initramfs carries the shared libraries"; \
		echo "$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@"; \
		$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@; \
	fi

$(VM_DIR)/%: tests/integration/%.c tests/integration/*.h tests/lib/driver.h | $(VM_DIR)
	$(CC) $(CFLAGS) -static -Itests/lib -Itests/integration $< -o $@

$(VM_DIR):
	mkdir -p $@

-include $(wildcard $(VM_DIR)/*.d)
