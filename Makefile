# bramble: build, test, benchmark, install.
#
#   make            release build into build/ (binaries in build/bin)
#   make test       unit + BATS tests against an ASan/UBSan build in build-san/
#   make bench      benchmarks (scripts/bench-*)
#   make demo       the virtual-cluster demo (scripts/demo)
#   make fuzz-build libFuzzer targets into build-fuzz/ (scripts/fuzz runs them)
#
# Programs are made from every .c file in their folder, so adding a file
# needs no edit here. lib/ and nfsroot/ form one static library both use.

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
DESTDIR    ?=

PKGS := inih sqlite3 liblzma blkid uuid libnfs jansson libcrypto libmicrohttpd zlib

ifeq ($(SAN),1)
O        := build-san
OPTFLAGS := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
O        := build
OPTFLAGS := -O2
endif

# pkg-config is asked once, quietly: on a fresh machine the libraries are
# not there yet. `make test` and `make demo` install them (scripts/setup)
# before they build; a goal that would compile stops with one line.
NO_BUILD_GOALS := test demo demo-stop clean
PKGS_OK := $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)
ifeq ($(PKGS_OK),yes)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
else ifneq ($(filter-out $(NO_BUILD_GOALS),$(or $(MAKECMDGOALS),all)),)
PKGS_MISSING := $(strip $(if $(shell command -v pkg-config),,pkg-config) \
	$(foreach p,$(PKGS),$(if $(shell pkg-config --exists $(p) 2>/dev/null && echo y),,$(p))))
$(error missing build packages (pkg-config names): $(PKGS_MISSING); run scripts/setup as root, or make test / make demo, which run it)
endif

# CPPFLAGS, CFLAGS and LDFLAGS given in the environment (a packager's
# dpkg-buildflags: hardening) are added after the project's own.
ENV_CPPFLAGS := $(CPPFLAGS)
ENV_CFLAGS   := $(CFLAGS)
ENV_LDFLAGS  := $(LDFLAGS)

CC       ?= cc
CPPFLAGS := -D_GNU_SOURCE -Ilib -Infsroot $(PKG_CFLAGS)
CFLAGS   := -std=c17 -Wall -Wextra -Werror -g $(OPTFLAGS) -MMD -MP
LDFLAGS  := $(filter -fsanitize=%,$(OPTFLAGS))
LDLIBS   := $(PKG_LIBS) -lpthread
CPPFLAGS += $(ENV_CPPFLAGS)
CFLAGS   += $(ENV_CFLAGS)
LDFLAGS  += $(ENV_LDFLAGS)

LIB_SRCS  := $(wildcard lib/*.c nfsroot/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(O)/%.o)
LIBA      := $(O)/libbramble.a
PROGS     := imgtool bootsrv pisim nfsbench nfsshare
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNITS     := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)

imgtool_SRCS := $(wildcard imgtool/*.c)
bootsrv_SRCS := $(wildcard bootsrv/*.c)
pisim_SRCS   := $(wildcard tests/pisim/*.c)
nfsbench_SRCS := $(wildcard tests/nfsbench/*.c)
nfsshare_SRCS := $(wildcard tests/nfsshare/*.c)
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

# Where the installed templates and config live, compiled into the config
# defaults. The flags file changes only when they do, so `make PREFIX=...`
# rebuilds config.o and nothing else.
# BRAMBLE_SRCDIR and BRAMBLE_BUILDDIR let a binary run from this tree find
# the repository's templates.
DIR_FLAGS := -DBRAMBLE_DATADIR=\"$(DATADIR)/bramble\" -DBRAMBLE_SYSCONFDIR=\"$(SYSCONFDIR)/bramble\" \
	     -DBRAMBLE_SRCDIR=\"$(CURDIR)\" -DBRAMBLE_BUILDDIR=\"$(abspath $(O))\"
$(O)/lib/config.o: CPPFLAGS += $(DIR_FLAGS)
$(O)/lib/config.o: $(O)/dir-flags
$(O)/dir-flags: FORCE
	@mkdir -p $(@D)
	@echo '$(DIR_FLAGS)' | cmp -s - $@ || echo '$(DIR_FLAGS)' >$@
FORCE:

# make fuzz-build: the libFuzzer targets tests/fuzz/fuzz_*.c into
# build-fuzz/, against lib/ and nfsroot/ compiled again by clang with
# coverage and ASan/UBSan. scripts/fuzz builds and runs them.
FUZZ_CC    ?= clang
FUZZ_O     := build-fuzz
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_FLAGS := -std=c17 -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -MMD -MP
FUZZ_LIBA  := $(FUZZ_O)/libbramble.a
FUZZ_PROGS := $(patsubst tests/fuzz/%.c,$(FUZZ_O)/%,$(wildcard tests/fuzz/fuzz_*.c))

$(FUZZ_O)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_LIBA): $(LIB_SRCS:%.c=$(FUZZ_O)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_O)/fuzz_%: $(FUZZ_O)/tests/fuzz/fuzz_%.o $(FUZZ_LIBA)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

$(FUZZ_O)/lib/config.o: CPPFLAGS += $(DIR_FLAGS)
$(FUZZ_O)/lib/config.o: $(O)/dir-flags

fuzz-build: $(FUZZ_PROGS)
# kept, so a rebuild after an edit recompiles one target
.SECONDARY: $(FUZZ_PROGS:$(FUZZ_O)/%=$(FUZZ_O)/tests/fuzz/%.o)

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
	rm -rf build build-san build-fuzz

# make install [PREFIX=/usr] [DESTDIR=/tmp/root]: the programs (not pisim or nfsbench),
# default templates, an example bramble.conf (an existing one is kept),
# the systemd unit, bash completion and man pages. Files named *.in get
# the installation directories substituted.
SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
	    -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@UNITDIR@|$(UNITDIR)|g'
CONF_EXAMPLE := $(DESTDIR)$(DATADIR)/bramble/bramble.conf.example
CONF         := $(DESTDIR)$(SYSCONFDIR)/bramble/bramble.conf
MANPAGES     := imgtool/imgtool.8 bootsrv/bootsrv.8 lib/bramble.conf.5

install: $(O)/bin/imgtool $(O)/bin/bootsrv
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/bramble \
	    $(DESTDIR)$(SYSCONFDIR)/bramble/overlays $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $^ $(DESTDIR)$(SBINDIR)/
	rm -rf $(DESTDIR)$(DATADIR)/bramble/overlays
	cp -RP --preserve=mode overlays $(DESTDIR)$(DATADIR)/bramble/overlays
	$(SUBST) lib/bramble.conf.in >$(CONF_EXAMPLE) && chmod 0644 $(CONF_EXAMPLE)
	[ -e $(CONF) ] || install -m 0644 $(CONF_EXAMPLE) $(CONF)
	$(SUBST) bootsrv/bramble.service.in >$(DESTDIR)$(UNITDIR)/bramble.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/bramble.service
	install -m 0644 lib/bramble.bash-completion $(DESTDIR)$(BASHCOMPDIR)/imgtool
	ln -sf imgtool $(DESTDIR)$(BASHCOMPDIR)/bootsrv
	for m in $(MANPAGES); do \
	    s=$${m##*.}; $(SUBST) $$m.in >$(DESTDIR)$(MANDIR)/man$$s/$${m##*/} || exit 1; \
	    chmod 0644 $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

# Removes what install put there; bramble.conf only while it is still the
# example (an edited one is the site's), site templates never.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/imgtool $(DESTDIR)$(SBINDIR)/bootsrv
	rm -rf $(DESTDIR)$(DATADIR)/bramble/overlays
	if cmp -s $(CONF) $(CONF_EXAMPLE); then rm -f $(CONF); fi
	rm -f $(CONF_EXAMPLE) $(DESTDIR)$(UNITDIR)/bramble.service
	rm -f $(DESTDIR)$(BASHCOMPDIR)/imgtool $(DESTDIR)$(BASHCOMPDIR)/bootsrv
	for m in $(MANPAGES); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; done
	rmdir $(DESTDIR)$(DATADIR)/bramble $(DESTDIR)$(SYSCONFDIR)/bramble/overlays \
	    $(DESTDIR)$(SYSCONFDIR)/bramble 2>/dev/null || true

.PHONY: all units test bench demo demo-stop clean install uninstall
.PHONY: fuzz-build

-include $(shell find $(O) -name '*.d' 2>/dev/null)
-include $(shell find $(FUZZ_O) -name '*.d' 2>/dev/null)
