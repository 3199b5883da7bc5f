# faultline — see README.md. No file lists: every module is a folder, every
# source file in it is built. Flavours share one rule set through BUILD/SAN:
#   build/        plain (-O2)       build/asan/  ASan+UBSan     build/tsan/  TSan
CC      ?= cc
BUILD   ?= build
SAN     ?=
OPT     ?= -O2
PREFIX  ?= /usr/local
CFLAGS  ?=
WARN    := -std=c11 -Wall -Wextra -Werror -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS_ALL := -D_GNU_SOURCE -Isupervisor -Iharness -Ireports -Itests
CFLAGS_ALL   := $(WARN) $(OPT) -g -fPIC -MMD -MP $(SAN) $(CFLAGS)
# libsv needs only these; everything that links reports/ also needs elfutils
# libdw (backtrace symbolization, reports/symbolize.c; Debian libdw-dev).
LDLIBS_SV    := -lpthread -lm -ldl $(LDLIBS)
LDLIBS_ALL   := -ldw -lelf $(LDLIBS_SV)

SV_SRC    := $(wildcard supervisor/*.c)
FL_SRC    := $(filter-out harness/main.c,$(wildcard harness/*/*.c reports/*.c))
TEST_SRC  := $(wildcard tests/test_*.c)
EX_SRC    := $(wildcard examples/*.c)
BENCH_SRC := $(wildcard bench/*.c)
FUZZ_SRC  := $(wildcard fuzz/fuzz_*.c)

# Versions, read from the public headers: SV_VERSION (supervisor/sv.h) for
# libsv, FL_CLI_VERSION (harness/cli/fl_cli.h) for faultline. A shared library
# is built as libNAME.so.MAJOR.MINOR.PATCH with SONAME libNAME.so.MAJOR, plus
# the two usual symlinks (libNAME.so.MAJOR, libNAME.so).
hdr_version = $(shell sed -n 's/^\#define $(1) "\([0-9]*\.[0-9]*\.[0-9]*\)"$$/\1/p' $(2))
SV_VERSION := $(call hdr_version,SV_VERSION,supervisor/sv.h)
FL_VERSION := $(call hdr_version,FL_CLI_VERSION,harness/cli/fl_cli.h)
$(if $(SV_VERSION),,$(error supervisor/sv.h: expected a line '\#define SV_VERSION "MAJOR.MINOR.PATCH"'))
$(if $(FL_VERSION),,$(error harness/cli/fl_cli.h: expected a line '\#define FL_CLI_VERSION "MAJOR.MINOR.PATCH"'))
SV_MAJOR := $(firstword $(subst ., ,$(SV_VERSION)))
FL_MAJOR := $(firstword $(subst ., ,$(FL_VERSION)))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIBSV  := $(BUILD)/libsv.a
LIBFL  := $(BUILD)/libfaultline.a
SOSV   := $(BUILD)/libsv.so
SOFL   := $(BUILD)/libfaultline.so
# Public headers of the faultline library: every module's fl_MODULE.h, and the
# report header they include (fl_oracle.h, fl_runner.h) as "report.h".
FL_HDR := $(wildcard harness/*/fl_*.h) reports/report.h
MANPAGES := $(BUILD)/man/faultline.1 $(BUILD)/man/libsv.3
TESTS  := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(EX_SRC))
BENCHES  := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
FUZZ_REPLAY := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
FAULTLINE := $(if $(wildcard harness/main.c),$(BUILD)/faultline)
# The runtime `faultline cc` links into instrumented programs: inst_rt.c
# alone, with -DFL_INST_RT (in libfaultline it compiles to nothing), never
# sanitized (its __tsan_* names would clash with the TSan runtime).
INST_RT := $(BUILD)/libfaultline-inst.a
# Whole archive: the interposer's pthread_* definitions and the exec hook
# are reached by symbol interposition, never by a reference the linker sees.
FL_WHOLE = -Wl,--whole-archive $(LIBFL) -Wl,--no-whole-archive

.PHONY: all deps test test-under-load unit asan tsan run bench fuzz fuzz-merge install clean examples man mutate
all: deps $(LIBSV) $(SOSV) $(LIBFL) $(SOFL) $(FAULTLINE) $(INST_RT) $(EXAMPLES) $(MANPAGES)
man: $(MANPAGES)

deps:
	@sh mk/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/obj/inst-rt.o: harness/inst/inst_rt.c harness/inst/fl_inst.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) -DFL_INST_RT $(WARN) -O2 -g -fPIC -c $< -o $@
$(INST_RT): $(BUILD)/obj/inst-rt.o
	@mkdir -p $(@D); rm -f $@; ar rcs $@ $^
$(LIBSV): $(call obj,$(SV_SRC))
	@mkdir -p $(@D); rm -f $@; ar rcs $@ $^
$(SOSV).$(SV_VERSION): $(call obj,$(SV_SRC))
	$(CC) -shared $(SAN) -Wl,-soname,libsv.so.$(SV_MAJOR) -o $@ $^ $(LDLIBS_SV)
$(LIBFL): $(call obj,$(FL_SRC))
	@mkdir -p $(@D); rm -f $@; ar rcs $@ $^
# libfaultline.so needs libsv.so.MAJOR (DT_NEEDED), found by the user's -lsv,
# or beside it ($ORIGIN): `faultline exec` preloads libfaultline.so into
# programs that know nothing of libsv.
$(SOFL).$(FL_VERSION): $(call obj,$(FL_SRC)) $(SOSV)
	$(CC) -shared $(SAN) -Wl,-soname,libfaultline.so.$(FL_MAJOR) -Wl,-rpath,'$$ORIGIN' -o $@ $(call obj,$(FL_SRC)) -L$(BUILD) -lsv $(LDLIBS_ALL)
# libNAME.so -> libNAME.so.MAJOR -> libNAME.so.MAJOR.MINOR.PATCH
symlink = ln -sf $(notdir $<) $@
$(SOSV).$(SV_MAJOR): $(SOSV).$(SV_VERSION)
	$(symlink)
$(SOSV): $(SOSV).$(SV_MAJOR)
	$(symlink)
$(SOFL).$(FL_MAJOR): $(SOFL).$(FL_VERSION)
	$(symlink)
$(SOFL): $(SOFL).$(FL_MAJOR)
	$(symlink)
$(BUILD)/faultline: $(call obj,harness/main.c) $(LIBFL) $(LIBSV)
	$(CC) $(SAN) -rdynamic -o $@ $< $(FL_WHOLE) $(LIBSV) $(LDLIBS_ALL)
$(BUILD)/tests/%: $(call obj,tests/%.c) $(LIBFL) $(LIBSV)
	@mkdir -p $(@D)
	$(CC) $(SAN) -rdynamic -o $@ $< $(FL_WHOLE) $(LIBSV) -lcmocka $(LDLIBS_ALL)
$(BUILD)/examples/%: $(call obj,examples/%.c) $(LIBFL) $(LIBSV)
	@mkdir -p $(@D)
	$(CC) $(SAN) -rdynamic -o $@ $< $(FL_WHOLE) $(LIBSV) $(LDLIBS_ALL)
# examples/pthread's programs, unmodified, as user workers of one faultline
# binary (examples/pthread_workers.c): each source compiled as it is with
# only `main` renamed (-Dmain=NAME_main), and again with -DFIXED
# (-Dmain=NAME_fixed_main) when it has a fixed twin. Third-party code as it
# is: our -Werror is not imposed on it (gcc's format-truncation warning in
# noisy.c fires under ASan's -O1 only).
PTW_CFLAGS = $(filter-out -Werror,$(CFLAGS_ALL))
PTW_SRC   := $(wildcard examples/pthread/*.c)
PTW_FIXED := $(shell grep -l '^\#if.*FIXED' $(PTW_SRC))
PTW_OBJ   := $(patsubst examples/pthread/%.c,$(BUILD)/obj/ptw/%.o,$(PTW_SRC)) \
             $(patsubst examples/pthread/%.c,$(BUILD)/obj/ptw/%_fixed.o,$(PTW_FIXED))
$(BUILD)/obj/ptw/%_fixed.o: examples/pthread/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(PTW_CFLAGS) -DFIXED -Dmain=$*_fixed_main -c $< -o $@
$(BUILD)/obj/ptw/%.o: examples/pthread/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(PTW_CFLAGS) -Dmain=$*_main -c $< -o $@
$(BUILD)/examples/pthread_workers: $(call obj,examples/pthread_workers.c) $(PTW_OBJ) $(LIBFL) $(LIBSV)
	@mkdir -p $(@D)
	$(CC) $(SAN) -rdynamic -o $@ $< $(PTW_OBJ) $(FL_WHOLE) $(LIBSV) $(LDLIBS_ALL)
$(BUILD)/bench/%: $(call obj,bench/%.c) $(LIBFL) $(LIBSV)
	@mkdir -p $(@D)
	$(CC) $(SAN) -rdynamic -o $@ $< $(FL_WHOLE) $(LIBSV) $(LDLIBS_ALL)
# gcc replay driver for the libFuzzer targets (fuzz/replay.c provides main)
$(BUILD)/fuzz/fuzz_%: $(call obj,fuzz/fuzz_%.c) $(call obj,fuzz/replay.c) $(LIBFL) $(LIBSV)
	@mkdir -p $(@D)
	$(CC) $(SAN) -rdynamic -o $@ $^ $(LDLIBS_ALL)

# Man pages, generated from the user guide (one source; mk/man.py says how).
# deps first: it installs the generator (go-md2man) when run as root.
$(MANPAGES): | deps
$(BUILD)/man/faultline.1: docs/cli.md mk/man.py harness/cli/fl_cli.h
	python3 mk/man.py $< $@ "faultline $(FL_VERSION)"
$(BUILD)/man/libsv.3: docs/libsv.md mk/man.py supervisor/sv.h
	python3 mk/man.py $< $@ "libsv $(SV_VERSION)"

# Everything the test stages need, in this flavour.
unit: all $(TESTS) $(FUZZ_REPLAY) $(BENCHES)

ASAN_FLAGS := SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" OPT=-O1
TSAN_FLAGS := SAN="-fsanitize=thread -fno-omit-frame-pointer" OPT=-O1
asan:
	@$(MAKE) --no-print-directory BUILD=build/asan $(ASAN_FLAGS) unit
tsan:
	@$(MAKE) --no-print-directory BUILD=build/tsan $(TSAN_FLAGS) unit

# The whole test suite: unit tests plain, under ASan+UBSan, under TSan; the
# scenario suite and known-bad set; fuzz corpus replay; report validation.
# Ends with "N passed, N failed"; non-zero exit on any failure.
test: deps
	@sh mk/test.sh

# `make test` three times while two busy loops load the CPUs (flake hunt).
test-under-load: deps
	@sh mk/test-under-load.sh

# The main job: the scenario suite at its default seeds, reports in out/.
run: all
	@sh mk/run.sh

# Mutation testing (not part of `make test`: minutes): every planted libsv bug
# of mutate/patches/ applied alone to a scratch copy in build/mutate/, which
# the scenario suite, then the unit tests, must catch. Figures: docs/mutate.md.
mutate: deps
	@sh mutate/run.sh

bench: all $(BENCHES)
	@sh mk/bench.sh

fuzz fuzz-merge: deps
	@sh fuzz/build-local.sh $@

# make install PREFIX=/usr/local DESTDIR=: libsv and the faultline library
# (static, shared + symlinks), their headers (faultline's under
# include/faultline/, included by path from there: "world/fl_world.h"), the
# pkg-config files sv.pc and faultline.pc, the faultline command and the man
# pages faultline(1), libsv(3). docs/install.md is the user's page.
INST_LIB := $(DESTDIR)$(PREFIX)/lib
INST_INC := $(DESTDIR)$(PREFIX)/include
INST_MAN := $(DESTDIR)$(PREFIX)/share/man
install: all
	install -d $(INST_LIB)/pkgconfig $(INST_INC)/faultline $(DESTDIR)$(PREFIX)/bin $(INST_MAN)/man1 $(INST_MAN)/man3
	install -m 644 $(LIBSV) $(LIBFL) $(INST_RT) $(SOSV).$(SV_VERSION) $(SOFL).$(FL_VERSION) $(INST_LIB)/
	ln -sf libsv.so.$(SV_VERSION) $(INST_LIB)/libsv.so.$(SV_MAJOR)
	ln -sf libsv.so.$(SV_MAJOR) $(INST_LIB)/libsv.so
	ln -sf libfaultline.so.$(FL_VERSION) $(INST_LIB)/libfaultline.so.$(FL_MAJOR)
	ln -sf libfaultline.so.$(FL_MAJOR) $(INST_LIB)/libfaultline.so
	install -m 644 supervisor/sv.h supervisor/sv_plat.h $(INST_INC)/
	for h in $(filter harness/%,$(FL_HDR)); do install -D -m 644 $$h $(INST_INC)/faultline/$${h#harness/} || exit 1; done
	install -m 644 $(filter-out harness/%,$(FL_HDR)) $(INST_INC)/faultline/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(SV_VERSION)|g' mk/sv.pc.in > $(INST_LIB)/pkgconfig/sv.pc
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(FL_VERSION)|g' mk/faultline.pc.in > $(INST_LIB)/pkgconfig/faultline.pc
	$(if $(FAULTLINE),install -m 755 $(FAULTLINE) $(DESTDIR)$(PREFIX)/bin/)
	install -m 644 $(filter %.1,$(MANPAGES)) $(INST_MAN)/man1/
	install -m 644 $(filter %.3,$(MANPAGES)) $(INST_MAN)/man3/

clean:
	rm -rf build out

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
