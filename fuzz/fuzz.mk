# fuzz/fuzz.mk: the fuzzing rules, included by the top Makefile (-include fuzz/fuzz.mk).
# Owns every build/<fuzz variant>/ tree and fuzz-work/; the targets are named in
# fuzz/targets.list. Each variant compiles the library sources itself with its own
# flags into build/<variant>/obj (objects of different flags never mix):
#   build/fuzz/        libFuzzer + ASan + UBSan           (make fuzz)
#   build/fuzz-nosan/  libFuzzer only, for exec/s         (make fuzz-bench)
#   build/fuzz-cov/    clang source coverage + driver_replay (make fuzz-coverage)
#   build/afl/         AFL++ persistent (libAFLDriver); afl/cmplog/ and afl/asan/ (make afl)
#   $(BUILD)/fuzz-replay/  driver_replay with the normal compiler and $(LIB)
# Variables: FUZZ_SECONDS (5) FUZZ_CC (clang) AFL_CC (afl-clang-fast) FUZZ_PAR (2)
#   BENCH_SECONDS (5) FUZZ_JOBS (1) T (one target) CRASH (an input file) CRASH_OUT FUZZ_WORK (fuzz-work)
FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)
# Sub-makes re-read the makefile that included us (Makefile, or make -f X).
FUZZ_TOPMK := $(firstword $(MAKEFILE_LIST))

FUZZ_SECONDS  ?= 5
FUZZ_CC       ?= clang
AFL_CC        ?= afl-clang-fast
FUZZ_PAR      ?= 2
FUZZ_JOBS     ?= 1
BENCH_SECONDS ?= 5
FUZZ_WORK     ?= fuzz-work
LLVM_PROFDATA ?= llvm-profdata
LLVM_COV      ?= llvm-cov
FUZZ_RSS      ?= 2048
FUZZ_TIMEOUT  ?= 10
T             ?=
CRASH         ?=

FUZZ_TARGETS  := $(shell sed -n 's/^\([A-Za-z0-9_][A-Za-z0-9_]*\).*/\1/p' fuzz/targets.list 2>/dev/null)
# Buildable targets: the list, plus the loader's even while it is out of the list,
# plus fuzz_null (fuzz-bench's engine-only baseline).
FUZZ_BUILDABLE := $(sort $(FUZZ_TARGETS) fuzz_scenario_load fuzz_null)
# ---- per-target extra sources: FUZZ_EXTRA_<target> is a list, linked into that target
# only, in every variant (as objects of the variant) and in its corpus replay. Filled
# from the words after the name in fuzz/targets.list (which fuzz/build.sh reads too);
# add more with `FUZZ_EXTRA_<target> += fuzz/x.c` (append: a plain = drops the list's).
$(foreach t,$(FUZZ_BUILDABLE),$(eval FUZZ_EXTRA_$(t) += $(shell sed -n \
	's/^$(t)[[:space:]][[:space:]]*\([^#]*\).*/\1/p' fuzz/targets.list 2>/dev/null)))
FUZZ_LIB_DIRS ?= harness/proto harness/util harness/mutate harness/server harness/scenario
FUZZ_LIB_SRCS  = $(foreach d,$(FUZZ_LIB_DIRS),$(wildcard $(d)/*.c))

# The top Makefile's flags when there is one; the same defaults otherwise.
FUZZ_WARN     = $(if $(WARN),$(WARN),-std=c11 -Wall -Wextra -Werror)
FUZZ_CPPFLAGS = $(if $(BASE_CPPFLAGS),$(BASE_CPPFLAGS),-D_POSIX_C_SOURCE=200809L \
	-D_DEFAULT_SOURCE -Iinclude -Iharness) $(PKG_CFLAGS) -Ifuzz
FUZZ_LIBS     = $(if $(PKG_LIBS),$(PKG_LIBS),-lyaml -lssl -lcrypto)

FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OPT_SAN  ?= -O1 -g -fno-omit-frame-pointer
FUZZ_OPT      ?= -O2 -g

# libFuzzer flags for target $(1): its dictionary and the [libfuzzer] keys of its .options.
fuzz_args = $(if $(wildcard fuzz/$(1).dict),-dict=fuzz/$(1).dict) \
	$(shell sed -n -e '/^dict/d' -e 's/^\([a-z_]*\)[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/-\1=\2/p' \
	fuzz/$(1).options 2>/dev/null)
# Does $(FUZZ_CC) link libFuzzer? (clang plus libclang-rt-14-dev on Debian 12)
FUZZ_HAVE_LIBFUZZER = printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' | \
	$(FUZZ_CC) -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1

# ---- one variant: $(1) directory under build/, $(2) compiler, $(3) compile flags,
#      $(4) target link flags, $(5) extra target sources, $(6) environment for the compiler
define FUZZ_VARIANT
build/$(1)/obj/%.o: %.c | $(DEPSTAMP)
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  CC      [$(1)] $$<")
	$$(Q)$(6) $(2) $$(FUZZ_WARN) $$(FUZZ_CPPFLAGS) $(3) -MMD -MP -c $$< -o $$@

build/$(1)/libsmtph-fuzz.a: $$(FUZZ_LIB_SRCS:%.c=build/$(1)/obj/%.o)
	@$$(if $$(Q),echo "  AR      $$@")
	$$(Q)rm -f $$@ && ar rcs $$@ $$^

$$(FUZZ_BUILDABLE:%=build/$(1)/%): build/$(1)/%: fuzz/%.c fuzz/fuzz.h $(5) build/$(1)/libsmtph-fuzz.a
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  FUZZ    [$(1)] $$@")
	$$(Q)$(6) $(2) $$(FUZZ_WARN) $$(FUZZ_CPPFLAGS) $(3) -MMD -MP -o $$@ $$< $(5) $$(FUZZ_EXTRA) \
		$$(FUZZ_EXTRA_$$*:%.c=build/$(1)/obj/%.o) $$(FUZZ_NOCMP_OBJS_$(1)_$$*) \
		build/$(1)/libsmtph-fuzz.a $(4) $$(FUZZ_LIBS)

$$(foreach t,$$(FUZZ_BUILDABLE),$$(if $$(FUZZ_EXTRA_$$(t)),$$(eval \
	build/$(1)/$$(t): $$(FUZZ_EXTRA_$$(t):%.c=build/$(1)/obj/%.o))))
-include $$(foreach t,$$(FUZZ_BUILDABLE),$$(FUZZ_EXTRA_$$(t):%.c=build/$(1)/obj/%.d))

-include $$(FUZZ_LIB_SRCS:%.c=build/$(1)/obj/%.d) $$(FUZZ_BUILDABLE:%=build/$(1)/%.d)
endef

# ---- library sources a target links without trace-cmp (libFuzzer variants only): the
# objects come before the archive, so its members for them are not pulled in. Their edges
# are still counted; only the comparison hooks go, from files whose comparisons are loop
# bounds, buffer lengths and octet classes, never a value the input must match: for
# fuzz_server_session they were a quarter of its time with ASan (perf, issue 15).
# The second line: the parsers of command lines, paths, parameters and base64, whose
# comparisons are delimiters, octet classes, length limits and keywords that the target's
# dictionary and structure-aware mutator supply; with clang 14 each also traces UBSan's
# alignment and pointer checks. They were 12% of the fuzzing time with ASan; from one seed,
# 100,000 runs with and without their hooks reached the same edges (issue 15).
FUZZ_NOCMP_fuzz_server_session ?= harness/proto/smtp_char.c harness/proto/smtp_line.c \
	harness/proto/smtp_data.c harness/util/buf.c harness/server/server_reply.c \
	harness/server/server_session.c \
	harness/proto/smtp_command.c harness/proto/smtp_path.c harness/proto/smtp_param.c \
	harness/proto/smtp_slice.c harness/proto/smtp_base64.c
define FUZZ_NOCMP_VARIANT
build/$(1)/obj-nocmp/%.o: %.c | $(DEPSTAMP)
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  CC      [$(1) no trace-cmp] $$<")
	$$(Q)$(2) $$(FUZZ_WARN) $$(FUZZ_CPPFLAGS) $(3) -fno-sanitize-coverage=trace-cmp -MMD -MP -c $$< -o $$@

$$(foreach t,$$(FUZZ_BUILDABLE),$$(if $$(FUZZ_NOCMP_$$(t)),$$(eval \
	FUZZ_NOCMP_OBJS_$(1)_$$(t) := $$(FUZZ_NOCMP_$$(t):%.c=build/$(1)/obj-nocmp/%.o))$$(eval \
	build/$(1)/$$(t): $$(FUZZ_NOCMP_$$(t):%.c=build/$(1)/obj-nocmp/%.o))))
-include $$(foreach t,$$(FUZZ_BUILDABLE),$$(FUZZ_NOCMP_$$(t):%.c=build/$(1)/obj-nocmp/%.d))
endef
$(eval $(call FUZZ_NOCMP_VARIANT,fuzz,$(FUZZ_CC),$(FUZZ_OPT_SAN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link))
$(eval $(call FUZZ_NOCMP_VARIANT,fuzz-nosan,$(FUZZ_CC),$(FUZZ_OPT) -fsanitize=fuzzer-no-link))

$(eval $(call FUZZ_VARIANT,fuzz,$(FUZZ_CC),$(FUZZ_OPT_SAN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link,-fsanitize=fuzzer,,))
$(eval $(call FUZZ_VARIANT,fuzz-nosan,$(FUZZ_CC),$(FUZZ_OPT) -fsanitize=fuzzer-no-link,-fsanitize=fuzzer,,))
$(eval $(call FUZZ_VARIANT,fuzz-cov,$(FUZZ_CC),-O0 -g -fprofile-instr-generate -fcoverage-mapping -DSMTPH_FUZZ_COVERAGE,,fuzz/driver_replay.c,))
$(eval $(call FUZZ_VARIANT,afl,$(AFL_CC),$(FUZZ_OPT),-fsanitize=fuzzer,,AFL_QUIET=1))
$(eval $(call FUZZ_VARIANT,afl/cmplog,$(AFL_CC),$(FUZZ_OPT),-fsanitize=fuzzer,,AFL_QUIET=1 AFL_LLVM_CMPLOG=1))
$(eval $(call FUZZ_VARIANT,afl/asan,$(AFL_CC),$(FUZZ_OPT_SAN),-fsanitize=fuzzer,,AFL_QUIET=1 AFL_USE_ASAN=1 AFL_USE_UBSAN=1))

# The session target's structure-aware mutator (fuzz/session_mutator.c, issue 15): linked
# into the libFuzzer builds only (it calls LLVMFuzzerMutate), the engine and the mutator
# left out of the coverage instrumentation (fuzz/session_mutator.nocov); as an AFL++
# custom mutator, build/afl/session_mutator.so (AFL_CUSTOM_MUTATOR_LIBRARY=).
# SMTPH_MUTATOR=off at run time: libFuzzer's own mutations only (A/B runs).
FUZZ_MUTATOR_NOCOV := -fsanitize-coverage-ignorelist=fuzz/session_mutator.nocov
build/fuzz/fuzz_server_session: FUZZ_EXTRA = build/fuzz/obj/fuzz/session_mutator.o
build/fuzz/fuzz_server_session: build/fuzz/obj/fuzz/session_mutator.o
build/fuzz-nosan/fuzz_server_session: FUZZ_EXTRA = build/fuzz-nosan/obj/fuzz/session_mutator.o
build/fuzz-nosan/fuzz_server_session: build/fuzz-nosan/obj/fuzz/session_mutator.o
build/fuzz/obj/fuzz/session_mutator.o build/fuzz-nosan/obj/fuzz/session_mutator.o: \
	FUZZ_CPPFLAGS += $(FUZZ_MUTATOR_NOCOV)
build/fuzz/obj/fuzz/session_mutator.o build/fuzz-nosan/obj/fuzz/session_mutator.o: \
	fuzz/session_mutator.nocov
build/fuzz/obj/harness/mutate/%.o build/fuzz-nosan/obj/harness/mutate/%.o: \
	FUZZ_CPPFLAGS += $(FUZZ_MUTATOR_NOCOV)
-include build/fuzz/obj/fuzz/session_mutator.d build/fuzz-nosan/obj/fuzz/session_mutator.d
FUZZ_MUTATOR_SRCS := fuzz/session_mutator.c $(wildcard harness/mutate/*.c) \
	harness/proto/smtp_base64.c harness/proto/smtp_char.c harness/server/server_fuzzin.c \
	harness/util/buf.c
build/afl/session_mutator.so: $(FUZZ_MUTATOR_SRCS) $(wildcard harness/mutate/*.h) include/smtph/mutate.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  SO      $@")
	$(Q)$(FUZZ_CC) -shared -fPIC -Wl,--no-undefined $(FUZZ_WARN) $(FUZZ_CPPFLAGS) $(FUZZ_OPT) \
		-DSESSION_MUTATOR_AFL -o $@ $(FUZZ_MUTATOR_SRCS)

# The corpus replay with the normal compiler and flags ($(CC), $(VARIANT)) against $(LIB).
$(FUZZ_BUILDABLE:%=$(BUILD)/fuzz-replay/%): $(BUILD)/fuzz-replay/%: fuzz/%.c fuzz/driver_replay.c fuzz/fuzz.h $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  REPLAY  $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Ifuzz -o $@ $< $(FUZZ_EXTRA_$*) fuzz/driver_replay.c $(LIB) $(PKG_LIBS)
$(foreach t,$(FUZZ_BUILDABLE),$(if $(FUZZ_EXTRA_$(t)),$(eval \
	$(BUILD)/fuzz-replay/$(t): $(FUZZ_EXTRA_$(t)) $(wildcard $(FUZZ_EXTRA_$(t):%.c=%.h)))))

# The helper behind `make corpus`: scenario files to session seeds and dictionary words.
$(BUILD)/fuzz-tools/scenario_seeds: fuzz/scenario_seeds.c fuzz/state_seeds.c fuzz/state_seeds.h $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Ifuzz -o $@ $< fuzz/state_seeds.c $(LIB) $(PKG_LIBS)

.PHONY: fuzz fuzz-nosan fuzz-replay fuzz-smoke fuzz-bench fuzz-coverage fuzz-run afl afl-build \
	corpus corpus-min crash-scenario fuzz-help

fuzz: $(FUZZ_TARGETS:%=build/fuzz/%)
fuzz-nosan: $(FUZZ_TARGETS:%=build/fuzz-nosan/%)
fuzz-replay: $(FUZZ_TARGETS:%=$(BUILD)/fuzz-replay/%)

afl:
	@if ! command -v $(AFL_CC) >/dev/null 2>&1; then \
		echo "afl: $(AFL_CC) not found. Install AFL++ with: DEPS_FUZZ=1 scripts/deps.sh"; \
		echo "     (Debian package afl++), or set AFL_CC=/path/to/afl-clang-fast (or afl-clang-lto)."; \
		exit 1; fi
	@$(MAKE) -f $(FUZZ_TOPMK) --no-print-directory afl-build
	@echo "afl: build/afl/<target> (persistent), build/afl/cmplog/<target> (-c), build/afl/asan/<target>"
	@echo "afl: e.g. afl-fuzz -i corpus/fuzz_smtp_command -o $(FUZZ_WORK)/afl -M main -x fuzz/fuzz_smtp_command.dict \\"
	@echo "       -c build/afl/cmplog/fuzz_smtp_command -- build/afl/fuzz_smtp_command"
afl-build: $(FUZZ_TARGETS:%=build/afl/%) $(FUZZ_TARGETS:%=build/afl/cmplog/%) \
	$(FUZZ_TARGETS:%=build/afl/asan/%) build/afl/session_mutator.so

# ---- fuzz-smoke: every target for FUZZ_SECONDS (FUZZ_PAR at a time), then the corpus replay.
fuzz-smoke: fuzz-replay
	@if $(FUZZ_HAVE_LIBFUZZER); then \
		$(MAKE) -f $(FUZZ_TOPMK) --no-print-directory fuzz && \
		$(MAKE) -f $(FUZZ_TOPMK) --no-print-directory -j$(FUZZ_PAR) -Otarget $(FUZZ_TARGETS:%=fuzz-smoke-%) || exit 1; \
	else \
		echo "fuzz-smoke: $(FUZZ_CC) cannot link libFuzzer (needs clang and libclang-rt-14-dev): replay only"; \
	fi
	@fail=0; for t in $(FUZZ_TARGETS); do \
		if ! $(BUILD)/fuzz-replay/$$t corpus/$$t >$(BUILD)/fuzz-replay/$$t.log 2>&1; then \
			echo "fuzz-smoke: replay of corpus/$$t FAILED:"; tail -30 $(BUILD)/fuzz-replay/$$t.log; \
			fail=$$((fail+1)); \
		else tail -1 $(BUILD)/fuzz-replay/$$t.log | sed 's/^driver_replay: /fuzz-smoke: replay /'; fi; \
	done; test $$fail -eq 0

fuzz-smoke-%: build/fuzz/%
	@w=$(FUZZ_WORK)/smoke/$*; rm -rf $$w; mkdir -p $$w/corpus; \
	if build/fuzz/$* $(call fuzz_args,$*) -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=$(FUZZ_RSS) \
		-timeout=$(FUZZ_TIMEOUT) -print_final_stats=1 -artifact_prefix=$$w/ $$w/corpus \
		corpus/$* >$$w/log 2>&1; then \
		echo "fuzz-smoke: $* ok: $(FUZZ_SECONDS) s, $$(sed -n 's/^stat::number_of_executed_units: *//p' $$w/log) runs, $$(sed -n 's/^stat::average_exec_per_sec: *//p' $$w/log) exec/s"; \
	else \
		echo "fuzz-smoke: $* FAILED; input and log in $$w/:"; grep -E 'ERROR|FUZZ-ORACLE|SUMMARY|Test unit written' $$w/log | head -8; \
		exit 1; \
	fi

# ---- fuzz-run: one campaign, T=<target>, FUZZ_SECONDS, FUZZ_JOBS (libFuzzer -fork), and
# beside it an AFL++ job (persistent, CmpLog, no sanitizer: the two find different bugs,
# issue 15) for the same time when afl-fuzz is installed. FUZZ_ENGINES: which of
# "libfuzzer afl" run (default both, libfuzzer alone without afl-fuzz); FUZZ_AFL_ENV: more
# AFL_* settings (e.g. a custom mutator library). Work in fuzz-work/<T>/:
# corpus/ (libFuzzer), afl/ (AFL++'s output; its crashes are copied to crashes/afl-*),
# crashes/. Then what either found that reaches a new edge is merged into corpus/<T>/
# (scripts/corpus-merge.sh), which is minimised when over its budget (FUZZ_BUDGET_<T>,
# else FUZZ_BUDGET octets). FUZZ_MERGE=0: no merge.
FUZZ_ENGINES  ?= libfuzzer $(if $(shell command -v afl-fuzz 2>/dev/null),afl)
FUZZ_AFL_ENV  ?=
comma        := ,
# The AFL++ job of the session target loads the structure-aware mutator (beside AFL++'s
# own havoc, as AFL++ does with a custom mutator); FUZZ_AFL_MUTATOR_<T>= empty: without.
FUZZ_AFL_MUTATOR_fuzz_server_session ?= build/afl/session_mutator.so
FUZZ_MERGE    ?= 1
FUZZ_BUDGET   ?= 2097152
fuzz_budget    = $(if $(FUZZ_BUDGET_$(1)),$(FUZZ_BUDGET_$(1)),$(FUZZ_BUDGET))
fuzz-run: $(if $(T),$(if $(filter libfuzzer,$(FUZZ_ENGINES))$(filter 1,$(FUZZ_MERGE)),build/fuzz/$(T)) \
		$(if $(filter afl,$(FUZZ_ENGINES)),build/afl/$(T) build/afl/cmplog/$(T) $(FUZZ_AFL_MUTATOR_$(T))))
	@test -n "$(T)" || { echo "usage: make fuzz-run T=<target> [FUZZ_SECONDS=600] [FUZZ_JOBS=2] [FUZZ_ENGINES='libfuzzer afl']"; exit 2; }
	@mkdir -p $(FUZZ_WORK)/$(T)/corpus $(FUZZ_WORK)/$(T)/crashes
	@w=$(FUZZ_WORK)/$(T); afl=; rc=0; \
	if [ -n "$(filter afl,$(FUZZ_ENGINES))" ]; then \
		rm -rf $$w/afl $$w/afl-in; mkdir -p $$w/afl-in; \
		find corpus/$(T) -maxdepth 1 -type f ! -name 'crash-*' -exec cp {} $$w/afl-in/ \; ; \
		[ -n "$$(ls $$w/afl-in)" ] || printf x >$$w/afl-in/x; \
		echo "fuzz-run: AFL++ (CmpLog$(if $(FUZZ_AFL_MUTATOR_$(T)),$(comma) $(FUZZ_AFL_MUTATOR_$(T)))) on $(T) for $(FUZZ_SECONDS) s, log in $$w/afl.log"; \
		AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_QUIET=1 \
			$(if $(FUZZ_AFL_MUTATOR_$(T)),AFL_CUSTOM_MUTATOR_LIBRARY=$(CURDIR)/$(FUZZ_AFL_MUTATOR_$(T))) \
			$(FUZZ_AFL_ENV) afl-fuzz -i $$w/afl-in -o $$w/afl \
			$$([ -f fuzz/$(T).dict ] && echo "-x fuzz/$(T).dict") -V $(FUZZ_SECONDS) \
			-t $$(($(FUZZ_TIMEOUT) * 1000)) -c build/afl/cmplog/$(T) -- build/afl/$(T) \
			>$$w/afl.log 2>&1 & afl=$$!; \
	fi; \
	if [ -n "$(filter libfuzzer,$(FUZZ_ENGINES))" ]; then \
		echo "fuzz-run: libFuzzer (ASan+UBSan) on $(T) for $(FUZZ_SECONDS) s, log in $$w/libfuzzer.log"; \
		build/fuzz/$(T) $(call fuzz_args,$(T)) -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=$(FUZZ_RSS) \
			-timeout=$(FUZZ_TIMEOUT) -print_final_stats=1 -artifact_prefix=$$w/crashes/ \
			$(if $(filter-out 1,$(FUZZ_JOBS)),-fork=$(FUZZ_JOBS) -ignore_crashes=1) \
			$$w/corpus corpus/$(T) >$$w/libfuzzer.log 2>&1 || rc=1; \
		grep -E '^(stat::|==[0-9]+== ERROR|SUMMARY|==FUZZ-ORACLE)' $$w/libfuzzer.log | sed 's/^/libfuzzer: /'; \
	fi; \
	if [ -n "$$afl" ]; then \
		wait $$afl || true; \
		for c in $$w/afl/default/crashes/id:* $$w/afl/default/hangs/id:*; do \
			[ -f "$$c" ] || continue; \
			cp "$$c" "$$w/crashes/afl-$$(basename $$(dirname $$c))-$$(sha1sum <"$$c" | cut -c1-40)"; rc=1; \
		done; \
		sed -n 's/^\(execs_done\|execs_per_sec\|corpus_count\|saved_crashes\|saved_hangs\|edges_found\|bitmap_cvg\) *: */afl: \1 /p' \
			$$w/afl/default/fuzzer_stats 2>/dev/null; \
	fi; \
	if [ "$(FUZZ_MERGE)" = 1 ]; then \
		FUZZ_WORK=$(FUZZ_WORK) FUZZ_ARGS="$(call fuzz_args,$(T))" sh scripts/corpus-merge.sh $(T) \
			build/fuzz/$(T) $(call fuzz_budget,$(T)) 0 $$w/corpus $$w/afl/default/queue || rc=1; \
	fi; \
	if [ $$rc -ne 0 ]; then echo "fuzz-run: findings in $$w/crashes/:"; ls $$w/crashes | head -20; fi; \
	exit $$rc

# ---- fuzz-bench: exec/s per target with and without sanitizers, from the seed corpus.
# -seed=1: the same mutation sequence on every run, so runs compare. The first row,
# fuzz_null, is libFuzzer alone (a target that only reads its input): the ceiling.
# T=<target>: that one only (after fuzz_null).
BENCH_SEED ?= 1
FUZZ_BENCH_TARGETS = $(if $(T),$(T),$(FUZZ_TARGETS))
fuzz-bench: $(FUZZ_BENCH_TARGETS:%=build/fuzz/%) $(FUZZ_BENCH_TARGETS:%=build/fuzz-nosan/%) \
		build/fuzz/fuzz_null build/fuzz-nosan/fuzz_null
	@printf '%-22s %16s %16s   (%s s each, -seed=$(BENCH_SEED), exec/s from libFuzzer -print_final_stats)\n' \
		target "ASan+UBSan" "no sanitizer" "$(BENCH_SECONDS)"
	@for t in fuzz_null $(FUZZ_BENCH_TARGETS); do \
		for v in fuzz fuzz-nosan; do \
			w=$(FUZZ_WORK)/bench/$$v/$$t; rm -rf $$w; mkdir -p $$w; \
			if [ -d corpus/$$t ]; then \
				find corpus/$$t -maxdepth 1 -type f ! -name 'crash-*' -exec cp {} $$w/ \; ; fi; \
			build/$$v/$$t $(call fuzz_args,$$t) $$([ $$t = fuzz_null ] && echo -max_len=1024) \
				-seed=$(BENCH_SEED) -max_total_time=$(BENCH_SECONDS) \
				-rss_limit_mb=$(FUZZ_RSS) -timeout=$(FUZZ_TIMEOUT) -print_final_stats=1 \
				-artifact_prefix=$$w/ $$w >$$w.log 2>&1; \
			eval "x_$$(echo $$v | tr - _)=\"$$(sed -n 's/^stat::average_exec_per_sec: *//p' $$w.log)\""; \
		done; \
		printf '%-22s %16s %16s\n' $$t "$${x_fuzz:-?}" "$${x_fuzz_nosan:-?}"; \
	done

# ---- fuzz-coverage: llvm-cov over harness/proto and harness/server from the corpora.
FUZZ_COV_DIR := reports/coverage
FUZZ_SESSION_SRCS := harness/server/server_session.c harness/server/server_cmd.c harness/server/server_auth.c
fuzz-coverage: $(FUZZ_TARGETS:%=build/fuzz-cov/%)
	@rm -rf build/fuzz-cov/prof && mkdir -p build/fuzz-cov/prof $(FUZZ_COV_DIR)
	@for t in $(FUZZ_TARGETS); do \
		LLVM_PROFILE_FILE=build/fuzz-cov/prof/$$t.profraw build/fuzz-cov/$$t -skip=crash- corpus/$$t \
			>build/fuzz-cov/prof/$$t.log 2>&1 || { echo "fuzz-coverage: replay of $$t failed:"; \
			tail -20 build/fuzz-cov/prof/$$t.log; exit 1; }; \
	done
	@$(LLVM_PROFDATA) merge -sparse build/fuzz-cov/prof/*.profraw -o $(FUZZ_COV_DIR)/fuzz.profdata
	@objs="$(firstword $(FUZZ_TARGETS:%=build/fuzz-cov/%)) $(addprefix -object ,$(wordlist 2,99,$(FUZZ_TARGETS:%=build/fuzz-cov/%)))"; \
	$(LLVM_COV) report $$objs -instr-profile=$(FUZZ_COV_DIR)/fuzz.profdata \
		$(wildcard harness/proto/*.c) >$(FUZZ_COV_DIR)/fuzz-proto.txt && \
	$(LLVM_COV) report $$objs -instr-profile=$(FUZZ_COV_DIR)/fuzz.profdata \
		$(wildcard harness/server/*.c) >$(FUZZ_COV_DIR)/fuzz-server.txt && \
	$(LLVM_COV) report $$objs -instr-profile=$(FUZZ_COV_DIR)/fuzz.profdata \
		$(wildcard $(FUZZ_SESSION_SRCS)) >$(FUZZ_COV_DIR)/fuzz-session.txt && \
	$(LLVM_COV) show $$objs -instr-profile=$(FUZZ_COV_DIR)/fuzz.profdata -format=html \
		-output-dir=$(FUZZ_COV_DIR)/fuzz-html $(wildcard harness/proto/*.c harness/server/*.c) && \
	cat $(FUZZ_COV_DIR)/fuzz-proto.txt && \
	echo "fuzz-coverage: line coverage from corpus/: harness/proto $$(awk '/^TOTAL/ {print $$10}' $(FUZZ_COV_DIR)/fuzz-proto.txt)," \
		"server session core $$(awk '/^TOTAL/ {print $$10}' $(FUZZ_COV_DIR)/fuzz-session.txt)" \
		"(server_session.c, server_cmd.c, server_auth.c), harness/server linked $$(awk '/^TOTAL/ {print $$10}' $(FUZZ_COV_DIR)/fuzz-server.txt)" && \
	echo "fuzz-coverage: report in $(FUZZ_COV_DIR)/fuzz-html/index.html"
	@if [ -n "$(filter fuzz_server_session,$(FUZZ_TARGETS))" ]; then \
		echo "fuzz-coverage: fuzz_server_session by the state its inputs start in (line and function %):"; \
		LLVM_PROFDATA=$(LLVM_PROFDATA) LLVM_COV=$(LLVM_COV) sh scripts/fuzz-coverage-states.sh \
			build/fuzz-cov/fuzz_server_session corpus/fuzz_server_session $(FUZZ_COV_DIR); \
	fi

# ---- corpora
# corpus-min: adds to corpus/<t>/ what a campaign in fuzz-work/<t>/ (libFuzzer's corpus/,
# AFL++'s afl/default/queue/) found that reaches new edges (scripts/corpus-merge.sh:
# libFuzzer -merge=1 -use_counters=0), and minimises a corpus over its budget;
# CORPUS_MIN_FULL=1 minimises every one. Seeds with names (state-*, scn-*, crash-*...) stay.
corpus-min: $(if $(T),build/fuzz/$(T),fuzz)
	@$(foreach t,$(if $(T),$(T),$(FUZZ_TARGETS)),FUZZ_WORK=$(FUZZ_WORK) FUZZ_ARGS="$(call fuzz_args,$(t))" \
		sh scripts/corpus-merge.sh $(t) build/fuzz/$(t) $(call fuzz_budget,$(t)) \
		$(if $(CORPUS_MIN_FULL),1,0) $(FUZZ_WORK)/$(t)/corpus $(FUZZ_WORK)/$(t)/afl/default/queue &&) true

corpus: $(BUILD)/fuzz-tools/scenario_seeds
	@SEEDS_TOOL=$(BUILD)/fuzz-tools/scenario_seeds FUZZ_WORK=$(FUZZ_WORK) sh scripts/corpus-from-scenarios.sh

# crash-scenario: a fuzz_server_session input (or a directory of them) as scenarios
# (smtp-harness import-crash), on stdout or into CRASH_OUT (a file, or a directory: one each).
CRASH_OUT ?=
crash-scenario: $(BIN)
	@test -n "$(CRASH)" || { echo "usage: make crash-scenario CRASH=<input file or directory> [CRASH_OUT=<file.yaml or dir>]"; exit 2; }
	@$(BIN) import-crash $(if $(CRASH_OUT),-o "$(CRASH_OUT)") "$(CRASH)"

fuzz-help:
	@echo "fuzz           libFuzzer+ASan+UBSan builds of fuzz/targets.list into build/fuzz/"
	@echo "afl            AFL++ builds (persistent, CmpLog, ASan) into build/afl/ (AFL_CC=$(AFL_CC))"
	@echo "fuzz-smoke     each target for FUZZ_SECONDS=$(FUZZ_SECONDS), then replay corpus/ with $(CC)"
	@echo "fuzz-run       one campaign: T=<target> FUZZ_SECONDS=600 FUZZ_JOBS=2: libFuzzer + AFL++ (FUZZ_ENGINES=),"
	@echo "               then what adds coverage merged into corpus/<target>/ under FUZZ_BUDGET (FUZZ_MERGE=0: not)"
	@echo "fuzz-bench     exec/s per target, with and without sanitizers (BENCH_SECONDS=$(BENCH_SECONDS), T=one)"
	@echo "fuzz-coverage  llvm-cov of harness/proto and harness/server from corpus/ into $(FUZZ_COV_DIR)/"
	@echo "corpus-min     merge fuzz-work/<t>/ (libFuzzer, AFL++) into corpus/<t>/ (CORPUS_MIN_FULL=1: minimise)"
	@echo "corpus         seeds and dictionary words from scenarios/ (scripts/corpus-from-scenarios.sh)"
	@echo "crash-scenario CRASH=<file|dir> [CRASH_OUT=]: fuzz_server_session inputs as scenarios (import-crash)"

.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)
