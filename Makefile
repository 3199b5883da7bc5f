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
LDLIBS_ALL   := -lpthread -lm -ldl $(LDLIBS)

SV_SRC    := $(wildcard supervisor/*.c)
FL_SRC    := $(filter-out harness/main.c,$(wildcard harness/*/*.c reports/*.c))
TEST_SRC  := $(wildcard tests/test_*.c)
EX_SRC    := $(wildcard examples/*.c)
BENCH_SRC := $(wildcard bench/*.c)
FUZZ_SRC  := $(wildcard fuzz/fuzz_*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIBSV  := $(BUILD)/libsv.a
LIBFL  := $(BUILD)/libfl.a
TESTS  := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(EX_SRC))
BENCHES  := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
FUZZ_REPLAY := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
FAULTLINE := $(if $(wildcard harness/main.c),$(BUILD)/faultline)

.PHONY: all deps test unit asan tsan run bench fuzz fuzz-merge install clean examples mutate
all: deps $(LIBSV) $(BUILD)/libsv.so $(LIBFL) $(FAULTLINE) $(EXAMPLES)

deps:
	@sh mk/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c $< -o $@

$(LIBSV): $(call obj,$(SV_SRC))
	@mkdir -p $(@D); rm -f $@; ar rcs $@ $^
$(BUILD)/libsv.so: $(call obj,$(SV_SRC))
	$(CC) -shared $(SAN) -o $@ $^ $(LDLIBS_ALL)
$(LIBFL): $(call obj,$(FL_SRC))
	@mkdir -p $(@D); rm -f $@; ar rcs $@ $^
$(BUILD)/faultline: $(call obj,harness/main.c) $(LIBFL) $(LIBSV)
	$(CC) $(SAN) -rdynamic -o $@ $^ $(LDLIBS_ALL)
$(BUILD)/tests/%: $(call obj,tests/%.c) $(LIBFL) $(LIBSV)
	@mkdir -p $(@D)
	$(CC) $(SAN) -rdynamic -o $@ $^ -lcmocka $(LDLIBS_ALL)
$(BUILD)/examples/%: $(call obj,examples/%.c) $(LIBFL) $(LIBSV)
	@mkdir -p $(@D)
	$(CC) $(SAN) -rdynamic -o $@ $^ $(LDLIBS_ALL)
$(BUILD)/bench/%: $(call obj,bench/%.c) $(LIBFL) $(LIBSV)
	@mkdir -p $(@D)
	$(CC) $(SAN) -rdynamic -o $@ $^ $(LDLIBS_ALL)
# gcc replay driver for the libFuzzer targets (fuzz/replay.c provides main)
$(BUILD)/fuzz/fuzz_%: $(call obj,fuzz/fuzz_%.c) $(call obj,fuzz/replay.c) $(LIBFL) $(LIBSV)
	@mkdir -p $(@D)
	$(CC) $(SAN) -rdynamic -o $@ $^ $(LDLIBS_ALL)

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

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(LIBSV) $(BUILD)/libsv.so $(DESTDIR)$(PREFIX)/lib/
	install -m 644 supervisor/sv.h supervisor/sv_plat.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(shell sed -n 's/^#define SV_VERSION "\(.*\)"/\1/p' supervisor/sv.h)|g' mk/sv.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/sv.pc
	$(if $(FAULTLINE),install -m 755 $(FAULTLINE) $(DESTDIR)$(PREFIX)/bin/)

clean:
	rm -rf build out

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
