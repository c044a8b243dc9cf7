# smtp-harness: one Makefile. Objects go to build/<variant>/, never into the tree.
#   make            build build/release/smtp-harness and libsmtph.a
#   make run        run the whole suite against the bundled reference server
#   make test       unit tests (plain and ASan+UBSan), end-to-end tests, lint
#   make help       every target
# Variables: CC CFLAGS LDFLAGS PKG_CONFIG PREFIX DESTDIR V=1 JOBS (parallel build jobs, default
#            nproc) VALGRIND TARGET FUZZ_SECONDS

CC         ?= cc
PKG_CONFIG ?= pkg-config
PREFIX     ?= /usr/local
DESTDIR    ?=
VARIANT    ?= release
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
VALGRIND   ?=
TARGET     ?=
LISTEN     ?= 127.0.0.1:2525
SPOOL      ?= build/spool

# Parallel by default (JOBS=1 for a serial build); `test` still runs its steps one after another.
# Only the top-level make sets it: sub-makes share its jobserver.
ifeq ($(MAKELEVEL),0)
MAKEFLAGS += -j$(JOBS)
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

BUILD  := build/$(VARIANT)
DEPPKG := yaml-0.1 openssl jansson libevent_core

WARN := -std=c11 -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-missing-field-initializers -Wvla -Wpointer-arith
BASE_CPPFLAGS := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude -Iharness

ifeq ($(VARIANT),release)
OPT := -O2 -g
else ifeq ($(VARIANT),asan)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
else ifeq ($(VARIANT),cov)
OPT := -O0 -g --coverage
else
OPT := -O2 -g
endif

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(DEPPKG) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(DEPPKG) 2>/dev/null)
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

ALL_CFLAGS  = $(WARN) $(OPT) $(BASE_CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(OPT) $(LDFLAGS)

LIB_DIRS := harness/proto harness/util harness/server harness/scenario harness/run harness/report
LIB_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
CLI_SRCS := $(wildcard harness/cli/*.c)
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_AUX  := $(filter-out $(TEST_SRCS),$(wildcard tests/*.c))

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libsmtph.a
BIN      := $(BUILD)/smtp-harness
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
AUX_BINS  := $(TEST_AUX:tests/%.c=$(BUILD)/tests/%)
DEPSTAMP := build/.deps-ok

.PHONY: all run serve test check unit unit-asan e2e lint valgrind bench format install uninstall \
	deps deps-check clean distclean help fuzz fuzz-smoke tools interop coverage-rules \
	bench-serve

all: $(BIN) $(LIB)

# Dependencies: install the Debian packages when pkg-config cannot find them.
$(DEPSTAMP): scripts/deps.sh
	$(Q)mkdir -p build
	$(Q)if ! $(PKG_CONFIG) --exists $(DEPPKG) cmocka 2>/dev/null; then \
		echo "deps: missing libraries, running scripts/deps.sh"; scripts/deps.sh || exit 1; fi
	$(Q)touch $@

deps:
	scripts/deps.sh

$(BUILD)/%.o: %.c $(DEPSTAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJS) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) $(LIB) $(PKG_LIBS)

$(BUILD)/tests/test_%: tests/test_%.c $(LIB) tests/tablecheck.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST-CC $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -Itests -o $@ $< $(LIB) $(PKG_LIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/%: tests/%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(LIB) $(PKG_LIBS)

tools: $(AUX_BINS)

# ---- running ---------------------------------------------------------------
run: all
	@mkdir -p reports
	$(BIN) run $(if $(TARGET),-t $(TARGET)) --junit reports/junit.xml --json reports/report.json \
		--html reports/report.html scenarios/

serve: all
	@mkdir -p $(SPOOL)
	$(BIN) serve --listen $(LISTEN) --spool $(SPOOL)

# ---- tests -------------------------------------------------------------------
# Each cmocka binary runs on its own; the summary line counts binaries that failed.
unit: $(TEST_BINS) $(AUX_BINS) $(BIN)
	@fail=0; for t in $(TEST_BINS); do \
		echo "== $$t"; $(VALGRIND) $$t 2>&1 || fail=$$((fail+1)); done; \
	echo "unit($(VARIANT)): $$fail test program(s) failed"; test $$fail -eq 0

unit-asan:
	$(MAKE) VARIANT=asan unit

valgrind: $(TEST_BINS)
	$(MAKE) VARIANT=release unit VALGRIND="valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite"

e2e: all $(AUX_BINS)
	@if ls tests/e2e/*.sh >/dev/null 2>&1; then \
		BIN=$(BIN) TOOLS=$(BUILD)/tests sh tests/e2e/run.sh; else echo "e2e: no tests"; fi

lint: all
	@scripts/lint.sh

# The steps of `test` run in this order, one at a time (each builds in parallel).
TEST_STEPS := deps-check unit unit-asan valgrind e2e lint coverage-rules \
	$(if $(wildcard fuzz/fuzz.mk),fuzz-smoke)

test:
	@for step in $(TEST_STEPS); do \
		$(MAKE) --no-print-directory $$step || { echo "make test: step '$$step' failed"; exit 1; }; \
	done

check: test

# The tools `make test` runs, beside the libraries pkg-config finds: a missing
# one is named (and installed when we are root) instead of failing tests later.
TEST_TOOLS := valgrind swaks xmllint python3 clang clang-format nm
deps-check: $(DEPSTAMP)
	@missing=""; for t in $(TEST_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
		echo "deps: missing tools:$$missing; running scripts/deps.sh"; scripts/deps.sh || exit 1; \
		for t in $$missing; do command -v $$t >/dev/null 2>&1 || \
			{ echo "deps: '$$t' is still missing after scripts/deps.sh"; exit 1; }; done; \
	fi; echo "deps: libraries and tools present"

bench: all
	@sh bench/run.sh $(BUILD)

# The reference server under load (bench/serve.sh): smtp-source against serve, serve --sink and
# Postfix's smtp-sink; 10,000 held sessions (bench/hold.c). Figures only, nothing asserted.
bench-serve: all
	@sh bench/serve.sh $(BUILD)

# Real servers (Postfix, Exim, OpenSMTPD, aiosmtpd, smtp-server) on loopback ports,
# the suite against each, reports/interop.html (scripts/interop.sh).
interop: all
	@sh scripts/interop.sh

# Which rules of the catalogue have scenarios; fails when a MUST rule has none.
coverage-rules: all
	@$(BIN) coverage --missing

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/smtph $(DESTDIR)$(PREFIX)/lib
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/smtp-harness
	install -m 644 include/smtph/*.h $(DESTDIR)$(PREFIX)/include/smtph/
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libsmtph.a
	install -d $(DESTDIR)$(PREFIX)/share/smtp-harness
	cp -R scenarios $(DESTDIR)$(PREFIX)/share/smtp-harness/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/smtp-harness $(DESTDIR)$(PREFIX)/lib/libsmtph.a
	rm -rf $(DESTDIR)$(PREFIX)/include/smtph $(DESTDIR)$(PREFIX)/share/smtp-harness

clean:
	rm -rf build
	find reports -mindepth 1 ! -name .gitignore -exec rm -rf {} + 2>/dev/null || true

distclean: clean
	rm -rf fuzz-work

help:
	@echo "all        build build/release/smtp-harness and libsmtph.a (default)"
	@echo "run        run scenarios/ against the bundled reference server (TARGET=host:port for another)"
	@echo "serve      run the reference server on LISTEN ($(LISTEN)) with spool SPOOL"
	@echo "test       unit + unit-asan + valgrind + e2e + lint + fuzz-smoke (what CI runs); check is an alias"
	@echo "unit       cmocka unit tests (VARIANT=release|asan, VALGRIND=...)"
	@echo "unit-asan  unit tests under ASan+UBSan"
	@echo "valgrind   unit tests under valgrind"
	@echo "e2e        end-to-end tests: harness binary vs. servers"
	@echo "lint       banned functions, clang-format check, README title, layering (scripts/layers.sh)"
	@echo "bench      parser throughput (MB/s) and scenarios/s"
	@echo "bench-serve  serve vs. smtp-sink (smtp-source msg/s), 10,000 held sessions (time, memory, latency)"
	@echo "interop    the suite against Postfix, Exim, OpenSMTPD, aiosmtpd, smtp-server, Haraka"
	@echo "coverage-rules  rules of the catalogue without scenarios"
	@echo "format     clang-format -i over the sources"
	@echo "install    PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)"
	@echo "deps       install the Debian packages the build needs (scripts/deps.sh)"
	@echo "clean      remove build/ and generated reports"
	@$(if $(wildcard fuzz/fuzz.mk),echo; $(MAKE) --no-print-directory fuzz-help)

-include fuzz/fuzz.mk
-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d)
