# Extra targets, included by the top Makefile:
#   make fuzz    libFuzzer harnesses of the decoder, the escapers and the
#                formatters, FUZZ_SECONDS each (default 60); fails on a
#                crash or a broken output contract
#   make unit-san  the unit tests again under ASan/UBSan (own build dir)
#   make bench   overhead, exactness and footprint figures (not in make test):
#                table on stdout and in build/bench/results.md
#   make soak    SOAK_SECONDS (default 300) of churn and overflows under the
#                tracer: RSS flat, BPF maps bounded, kill -9 leaves nothing
# Each installs what it needs (checking dpkg-query first).

FUZZ_SECONDS	?= 60
SOAK_SECONDS	?= 300
FUZZ_CC		?= clang-14

# the top Makefile may include us before or after it sets BUILD
XT_BUILD	:= $(if $(BUILD),$(BUILD),build)
XT_BIN		= $(XT_BUILD)/tcpbacklog

FUZZ_OUT	:= $(XT_BUILD)/fuzz
FUZZ_NAMES	:= decode output escape
FUZZ_BINS	:= $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_NAMES))
# linked from source with the sanitizers, never from libtcpbacklog.a
FUZZ_USER_SRCS	:= $(addprefix user/,decode/decode.c decode/kinds.c format/escape.c decode/names.c aggregate/stats.c aggregate/hints.c \
		     format/output_json.c format/output_text.c host/cgroup_path.c)
FUZZ_CFLAGS	:= -g -O1 -fno-omit-frame-pointer -std=gnu11 -D_GNU_SOURCE \
		   -Wall -Wextra -Wno-unused-parameter \
		   -Iinclude -Iuser -Itests/fuzz
FUZZ_SAN	:= -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_DEPS	:= $(wildcard tests/fuzz/*.h user/*/*.h include/*.h) $(FUZZ_USER_SRCS)

BENCH_OUT	:= $(XT_BUILD)/bench
BENCH_NAMES	:= churn synflood holder ready linecount bpfstats emptyprog sysloop
BENCH_BINS	:= $(addprefix $(BENCH_OUT)/,$(BENCH_NAMES))
XT_CFLAGS	:= -O2 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
		   -Itests/lib -Ibench

.PHONY: fuzz fuzz-build unit-san bench bench-build soak

fuzz:
	@scripts/install-deps.sh fuzz
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) fuzz-build
	@tests/fuzz/run.sh run $(FUZZ_OUT) $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-build: $(FUZZ_BINS) $(FUZZ_OUT)/seeds/.stamp

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) $< $(FUZZ_USER_SRCS) -lm -o $@

$(FUZZ_OUT)/seeds/.stamp: tests/fuzz/seeds.c $(FUZZ_DEPS)
	@mkdir -p $(FUZZ_OUT)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $< -o $(FUZZ_OUT)/seeds-gen
	rm -rf $(FUZZ_OUT)/seeds
	$(FUZZ_OUT)/seeds-gen $(FUZZ_OUT)/seeds
	touch $@

# CFLAGS through the environment: the top Makefile appends its own to it
unit-san:
	@CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
		$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) BUILD=$(XT_BUILD)/san unit

# the tracer and the integration drivers come from the top Makefile's "all"
bench:
	@scripts/install-deps.sh
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) all bench-build
	@bench/run.sh $(XT_BIN) $(BENCH_OUT)

bench-build: $(BENCH_BINS)

$(BENCH_OUT)/%: bench/%.c $(wildcard bench/*.h) tests/lib/driver.h
	@mkdir -p $(@D)
	$(CC) $(XT_CFLAGS) $< -o $@

soak:
	@scripts/install-deps.sh
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) all bench-build
	@tests/soak/run.sh $(XT_BIN) $(BENCH_OUT) $(XT_BUILD)/tests/integration $(SOAK_SECONDS)
