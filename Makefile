# bramble: build, test, benchmark, install.
#
#   make            release build into build/ (binaries in build/bin)
#   make test       unit + BATS tests against an ASan/UBSan build in build-san/
#   make bench      benchmarks (scripts/bench-*)
#   make demo       the virtual-cluster demo (scripts/demo)
#
# Programs are made from every .c file in their folder, so adding a file
# needs no edit here. lib/ and nfsroot/ form one static library both use.

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
DESTDIR    ?=

PKGS := inih sqlite3 liblzma blkid uuid libnfs jansson libcrypto libsystemd libmicrohttpd

ifeq ($(SAN),1)
O        := build-san
OPTFLAGS := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
O        := build
OPTFLAGS := -O2
endif

CC       ?= cc
CPPFLAGS := -D_GNU_SOURCE -Ilib -Infsroot $(shell pkg-config --cflags $(PKGS))
CFLAGS   := -std=c17 -Wall -Wextra -Werror -g $(OPTFLAGS) -MMD -MP
LDFLAGS  := $(filter -fsanitize=%,$(OPTFLAGS))
LDLIBS   := $(shell pkg-config --libs $(PKGS)) -lpthread

LIB_SRCS  := $(wildcard lib/*.c nfsroot/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(O)/%.o)
LIBA      := $(O)/libbramble.a
PROGS     := imgtool bootsrv pisim
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNITS     := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)

imgtool_SRCS := $(wildcard imgtool/*.c)
bootsrv_SRCS := $(wildcard bootsrv/*.c)
pisim_SRCS   := $(wildcard tests/pisim/*.c)
PROGS        := $(foreach p,$(PROGS),$(if $($(p)_SRCS),$(p)))

all: $(PROGS:%=$(O)/bin/%)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

define prog_rule
$(O)/bin/$(1): $$($(1)_SRCS:%.c=$(O)/%.o) $(LIBA)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

$(O)/tests/%: $(O)/tests/unit/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

units: $(UNITS)

# The test build is a separate tree so a sanitizer build never mixes with
# the release objects.
test:
	@scripts/setup --if-needed
	$(MAKE) --no-print-directory SAN=1 all units
	scripts/run-tests build-san

bench: all
	scripts/bench

demo:
	scripts/demo

demo-stop:
	scripts/demo --stop

clean:
	rm -rf build build-san

.PHONY: all units test bench demo demo-stop clean install uninstall

-include $(shell find $(O) -name '*.d' 2>/dev/null)
