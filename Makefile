# escbot — build, test, install.  `make` builds bot/escbot,
# bot/escbot-net.so, the part that needs libcurl, libzip and libxml2, and
# bot/escbot-docx.so, the Word reader alone (libzip and libxml2), which
# only escbot's short-lived worker children load (bot/worker.h).
PREFIX	?= /usr/local
DESTDIR	?=
CORE_PKGS = libetpan sqlite3 libconfig gnutls
NET_PKGS = libcurl libzip libxml-2.0 zlib
DOCX_PKGS = libzip libxml-2.0 zlib
PKGS	 = $(CORE_PKGS) $(NET_PKGS)
CC	?= cc
OPT	?= -O2 -g
CFLAGS	+= -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -fPIC $(OPT) \
	   $(shell pkg-config --cflags $(PKGS))
CORE_LIBS = $(shell pkg-config --libs $(CORE_PKGS)) -ldl
NET_LIBS = $(shell pkg-config --libs $(NET_PKGS))
DOCX_LIBS = $(shell pkg-config --libs $(DOCX_PKGS))
LDLIBS	+= $(CORE_LIBS) $(NET_LIBS)
# Tests and tools link everything, the plugin's table included, so that
# a worker child finds it in the program itself (worker.c).
ALL_IN	 = -rdynamic -Wl,-u,escbot_net_plugin -Wl,-u,escbot_docx_plugin

SRCS	 = $(wildcard bot/*.c)
OBJS	 = $(SRCS:.c=.o)
NET_OBJS = bot/smtp.o bot/oauth.o bot/docx.o bot/netplugin.o
DOCX_OBJS = bot/docx.o bot/docxplugin.o
CORE_OBJS = $(filter-out $(NET_OBJS) $(DOCX_OBJS),$(OBJS))
LIBOBJS	 = $(filter-out bot/main.o,$(OBJS))
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:.c=)
TOOL_SRCS = $(wildcard tests/tools/*.c)
TOOL_BINS = $(TOOL_SRCS:.c=)

.PHONY: FORCE all test check unit check-asan check-valgrind bench demo deps install clean fuzz

all: bot/escbot bot/escbot-net.so bot/escbot-docx.so

# -rdynamic: the plugin uses escbot's own util and log functions.
bot/escbot: $(CORE_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -rdynamic -o $@ $(CORE_OBJS) $(CORE_LIBS)

bot/escbot-net.so: $(NET_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -o $@ $(NET_OBJS) $(NET_LIBS)

bot/escbot-docx.so: $(DOCX_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -o $@ $(DOCX_OBJS) $(DOCX_LIBS)

bot/%.o: bot/%.c bot/*.h
	$(CC) $(CFLAGS) -c -o $@ $<

# Where an installed escbot finds its shipped data (the defaults of
# rules_dir, templates_dir, directory and holidays) and its configuration:
# /etc/escbot/escbot.conf for PREFIX=/usr, else $(PREFIX)/etc/escbot.
# bot/paths.stamp changes with them, so a new PREFIX rebuilds what uses them.
DATADIR	 = $(PREFIX)/share/escbot
SYSCONFDIR = $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
bot/config.o bot/cli.o: CFLAGS += -DESCBOT_DATADIR='"$(DATADIR)"' \
	-DESCBOT_CONFIG_FILE='"$(SYSCONFDIR)/escbot/escbot.conf"'
bot/config.o bot/cli.o: bot/paths.stamp
bot/paths.stamp: FORCE
	@echo '$(DATADIR) $(SYSCONFDIR)' | cmp -s - $@ || \
	    echo '$(DATADIR) $(SYSCONFDIR)' >$@
FORCE:

bot/libescbot.a: $(LIBOBJS)
	rm -f $@
	ar rcs $@ $(LIBOBJS)

tests/unit/test_%: tests/unit/test_%.c bot/libescbot.a $(wildcard tests/unit/*.h)
	$(CC) $(CFLAGS) -Ibot $(LDFLAGS) $(ALL_IN) -o $@ $< bot/libescbot.a $(LDLIBS) -lcmocka

tests/tools/%: tests/tools/%.c bot/libescbot.a
	$(CC) $(CFLAGS) -Ibot $(LDFLAGS) $(ALL_IN) -o $@ $< bot/libescbot.a $(LDLIBS)

unit: $(UNIT_BINS) $(TOOL_BINS)

# The README's test command: installs what is missing, then every test.
test check: deps all unit
	tests/run-all

deps:
	tests/install-deps

demo: deps all
	tests/demo

# ASan + UBSan over the whole suite, built in a copy of the tree so the
# normal build is left alone.
ASAN_DIR = .asan
check-asan: deps
	rm -rf $(ASAN_DIR) && mkdir -p $(ASAN_DIR)
	cp -a Makefile README.md bot rules mail-templates etc man tests tools $(ASAN_DIR)/
	$(MAKE) -C $(ASAN_DIR) clean
	$(MAKE) -C $(ASAN_DIR) CC=gcc \
	    OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=address,undefined" all unit
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 tests/run-all

# The end-to-end and protocol integration tests with every escbot run
# under valgrind: any error or definite leak fails the test.
check-valgrind: deps all
	ESCBOT_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite --suppressions=tests/valgrind.supp" \
	    TESTS=test_e2e,test_protocol tests/run-all

# libFuzzer targets (clang): replay saved crashes, then fuzz each for
# FUZZ_SECONDS (default 30).
fuzz: deps
	tests/fuzz/run

# The binary, the manual pages, and the shipped rules, forms, report
# themes, mail templates, holidays, example directory and configuration
# under $(PREFIX)/share/escbot, the data folder that the paths a
# configuration leaves unset default to (etc/escbot.conf there finds
# ../rules as in the source tree); the folder of the configuration,
# $(SYSCONFDIR)/escbot, left empty.  The systemd unit, its ExecStart
# pointed at $(PREFIX)/sbin/escbot, goes to lib/systemd/system when
# PREFIX=/usr (a package) and is left in share/escbot otherwise.  DESTDIR
# for staging.
install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/escbot \
	    $(DESTDIR)$(PREFIX)/lib/escbot $(DESTDIR)$(SYSCONFDIR)/escbot
	install -m 0755 bot/escbot $(DESTDIR)$(PREFIX)/sbin/escbot
	install -m 0644 bot/escbot-net.so \
	    $(DESTDIR)$(PREFIX)/lib/escbot/escbot-net.so
	install -m 0644 bot/escbot-docx.so \
	    $(DESTDIR)$(PREFIX)/lib/escbot/escbot-docx.so
	install -m 0644 man/escbot.8 $(DESTDIR)$(PREFIX)/share/man/man8/escbot.8
	install -m 0644 man/escbot.conf.5 \
	    $(DESTDIR)$(PREFIX)/share/man/man5/escbot.conf.5
	find rules mail-templates etc -type d \
	    -exec install -d -m 0755 $(DESTDIR)$(PREFIX)/share/escbot/{} \;
	find rules mail-templates etc -type f ! -name escbot.service \
	    -exec install -m 0644 {} $(DESTDIR)$(PREFIX)/share/escbot/{} \;
	if [ "$(PREFIX)" = /usr ]; then \
	    unitdir=$(DESTDIR)$(PREFIX)/lib/systemd/system; \
	else \
	    unitdir=$(DESTDIR)$(PREFIX)/share/escbot; \
	fi; \
	install -d $$unitdir && \
	sed 's|/usr/local/sbin/escbot|$(PREFIX)/sbin/escbot|g' \
	    etc/escbot.service >$$unitdir/escbot.service && \
	chmod 0644 $$unitdir/escbot.service

# Figures, not assertions: ingest rate against mbsync, tick time with
# 100,000 and 1,000,000 open cases, a board's report over 100,000 cases
# (time, peak memory, email size), peak memory.  BENCH_N=5000 forms;
# BENCH_PARTS="report" for the report alone.
bench: deps all
	bench/run

clean:
	rm -f bot/*.o bot/paths.stamp bot/escbot bot/escbot-net.so bot/escbot-docx.so bot/libescbot.a $(UNIT_BINS) $(TOOL_BINS)
