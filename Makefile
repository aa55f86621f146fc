# CLKernel top-level Makefile.
#
#   make / make all   build build/clkernel.iso
#   make run          build, then boot in QEMU with the serial console here
#   make debug        boot halted under QEMU's GDB stub, with gdb attached
#   make test         every test: host unit tests, fuzz smoke runs, QEMU tests
#   make bench        boot-time and allocator figures in guest instructions
#   make fuzz         run each fuzz target for FUZZ_SECONDS (default 600)
#   make format       reformat our C code with clang-format
#   make nlu-eval     the natural-language shell's accuracy on held-out phrases
#   make faultcampaign  inject FAULTS faults (default 50) per recovery policy while
#                     a workload runs; a report in build/faultcampaign/
#
# Every target first runs tools/setup, which installs missing Debian packages.

# Every CPU builds (newlib, lwIP, the kernel, the fuzzers) unless the
# command line says -jN: make test stays well under 20 minutes.
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc)
endif

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:
.SECONDEXPANSION:

BUILD   := build
CC      := gcc
LD      := ld
PYTHON  := /usr/bin/python3
QEMU    := tools/qemu

# `make V=1` shows whole command lines.
ifeq ($(V),1)
Q :=
say := @true
else
Q := @
say := @printf '  %-6s %s\n'
endif

# ---- kernel ----

KERNEL_C := \
	kernel/main.c \
	kernel/memory.c \
	kernel/actor.c \
	kernel/async.c \
	kernel/buddy.c \
	kernel/calendar.c \
	kernel/cap.c \
	kernel/cmdline.c \
	kernel/console.c \
	kernel/cpio.c \
	kernel/device.c \
	kernel/elf.c \
	kernel/fmt.c \
	kernel/frame.c \
	kernel/idle.c \
	kernel/initrd.c \
	kernel/ipc.c \
	kernel/kmalloc.c \
	kernel/ksyms.c \
	kernel/kstack.c \
	kernel/log.c \
	kernel/monitor.c \
	kernel/panic.c \
	kernel/sched.c \
	kernel/string.c \
	kernel/syscall.c \
	kernel/vm.c \
	kernel/vspace.c \
	kernel/ktest/ktest.c \
	kernel/ktest/bench.c \
	kernel/ktest/boot.c \
	kernel/ktest/faults.c \
	kernel/ktest/mem.c \
	kernel/ktest/tlb.c \
	kernel/arch/x86_64/acpi.c \
	kernel/arch/x86_64/apic.c \
	kernel/arch/x86_64/clock.c \
	kernel/arch/x86_64/fadt.c \
	kernel/arch/x86_64/gdt.c \
	kernel/arch/x86_64/idt.c \
	kernel/arch/x86_64/ioport.c \
	kernel/arch/x86_64/madt.c \
	kernel/arch/x86_64/multiboot2.c \
	kernel/arch/x86_64/paging.c \
	kernel/arch/x86_64/rtc.c \
	kernel/arch/x86_64/serial.c \
	kernel/arch/x86_64/trap.c \
	kernel/arch/x86_64/uentry.c \
	kernel/arch/x86_64/vga.c

KERNEL_S := \
	kernel/arch/x86_64/boot.S \
	kernel/arch/x86_64/isr.S \
	kernel/arch/x86_64/syscall.S

KERNEL_OBJS := $(KERNEL_C:%.c=$(BUILD)/%.o) $(KERNEL_S:%.S=$(BUILD)/%.o)
LINKER_SCRIPT := kernel/arch/x86_64/linker.ld

# IPC_FASTPATH=0 builds a kernel whose IPC always takes the slow path; the
# tests build one to check that both paths behave the same.
IPC_FASTPATH ?= 1
KERNEL_CPPFLAGS := -Ikernel/include -Ikernel/arch/x86_64/include -Iabi/include \
	-DCONFIG_IPC_FASTPATH=$(IPC_FASTPATH)
KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-omit-frame-pointer \
	-fno-optimize-sibling-calls -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns -fno-delete-null-pointer-checks -fno-strict-aliasing \
	-MD -MP
KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T $(LINKER_SCRIPT)

$(BUILD)/kernel/%.o: kernel/%.c | setup
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(KERNEL_CPPFLAGS) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel/%.o: kernel/%.S | setup
	@mkdir -p $(@D)
	$(say) AS $<
	$(Q)$(CC) $(KERNEL_CPPFLAGS) -D__ASSEMBLER__ -MD -MP -c $< -o $@

# Two links: the first image's function symbols become the second's .ksyms
# section (last in the image), so panic reports can name functions.
$(BUILD)/kernel/ksymtab-empty.S: tools/gen-ksyms | setup
	@mkdir -p $(@D)
	$(Q)$(PYTHON) tools/gen-ksyms < /dev/null > $@

$(BUILD)/kernel/ksymtab.S: $(BUILD)/kernel/pass1.elf tools/gen-ksyms
	$(say) KSYMS $@
	$(Q)nm -n -S --defined-only $< | $(PYTHON) tools/gen-ksyms > $@

$(BUILD)/kernel/ksymtab.o: $(BUILD)/kernel/ksymtab.S
	$(Q)$(CC) -c $< -o $@

$(BUILD)/kernel/ksymtab-empty.o: $(BUILD)/kernel/ksymtab-empty.S
	$(Q)$(CC) -c $< -o $@

$(BUILD)/kernel/pass1.elf: $(KERNEL_OBJS) $(BUILD)/kernel/ksymtab-empty.o $(LINKER_SCRIPT)
	$(say) LD $@
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/ksymtab-empty.o

$(BUILD)/kernel/clkernel.elf: $(KERNEL_OBJS) $(BUILD)/kernel/ksymtab.o $(LINKER_SCRIPT)
	$(say) LD $@
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/ksymtab.o
	@# The symbol table must describe this image: no function may have moved.
	@nm -n --defined-only $(BUILD)/kernel/pass1.elf | grep -i ' [tw] ' > $(BUILD)/kernel/syms1
	@nm -n --defined-only $@ | grep -i ' [tw] ' > $(BUILD)/kernel/syms2
	@cmp -s $(BUILD)/kernel/syms1 $(BUILD)/kernel/syms2 || \
		{ echo "ksyms: function addresses moved between links" >&2; rm -f $@; exit 1; }

# ---- user space: libactor and the test actors ----

USER_CPPFLAGS := -Ilibactor/include -Iabi/include -Ikernel/include
USER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns -MD -MP
USER_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T libactor/actor.ld

# The pure kernel files (formatting, strings, cpio) serve actors too, until
# newlib arrives with the SDK.
LIBACTOR_SRC := libactor/start.c libactor/print.c libactor/actor.c libactor/names.c \
	kernel/fmt.c kernel/string.c kernel/cpio.c
LIBACTOR_OBJS := $(LIBACTOR_SRC:%.c=$(BUILD)/user/%.o) $(BUILD)/user/libactor/thread.o \
	$(BUILD)/user/libactor/fiber.o
CRT0 := $(BUILD)/user/libactor/crt0.o

TEST_ACTORS := runner hello spin forever sleeper fault_null fault_priv fault_div fault_stack fpu \
	bench_sys bench_switch bench_ipc echo_server client caller quitter hostile async producer \
	consumer multi signaller quota shm shm_ro ring_producer ring_consumer regs threads \
	registry publisher finder wait_server thread_stack rtc rtc_quitter \
	edu devbad deferrer asker conread initrd_cap coninput actor_info
TEST_ACTOR_BINS := $(TEST_ACTORS:%=$(BUILD)/initrd/test/%)

$(BUILD)/user/%.o: %.c | setup
	@mkdir -p $(@D)
	$(say) UCC $<
	$(Q)$(CC) $(USER_CPPFLAGS) $(USER_CFLAGS) -c $< -o $@

$(CRT0): libactor/crt0.S | setup
	@mkdir -p $(@D)
	$(Q)$(CC) -c $< -o $@

$(BUILD)/user/libactor/%.o: libactor/%.S | setup
	@mkdir -p $(@D)
	$(Q)$(CC) -c $< -o $@

$(BUILD)/user/libactor.a: $(LIBACTOR_OBJS)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

# Linked with symbols in build/user/bin/ (for gdb), stripped into the initrd.
$(BUILD)/user/bin/%: $(BUILD)/user/tests/actors/%.o $(CRT0) $(BUILD)/user/libactor.a libactor/actor.ld
	@mkdir -p $(@D)
	$(say) ULD $@
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $(CRT0) $< $(BUILD)/user/libactor.a

$(BUILD)/initrd/test/%: $(BUILD)/user/bin/%
	@mkdir -p $(@D)
	$(Q)strip -o $@ $<

.SECONDARY: $(TEST_ACTORS:%=$(BUILD)/user/tests/actors/%.o) $(TEST_ACTORS:%=$(BUILD)/user/bin/%)

# ---- the SDK: newlib, libc-port and libactor in sysroot/ ----

# newlib 3.3.0 from Debian's newlib-source, built for the target with the
# compiler wrapper (tools/x86_64-clk-elf-gcc) and without its own syscall
# stubs: libc-port/ supplies them. Sources and objects stay in build/newlib/.
# The wrapper is pointed at an empty sysroot while newlib builds, so that
# headers installed by an earlier build cannot shadow the ones it makes.
NEWLIB_TARBALL := /usr/src/newlib/newlib-3.3.0.tar.xz
# The sysroot is one for every build variant (BUILD=...), so what goes into
# it is built once, in build/sdk/.
SDK_BUILD := build/sdk
NEWLIB := $(SDK_BUILD)/newlib
SYSROOT := sysroot
SDK_CC := $(SYSROOT)/bin/x86_64-clk-elf-gcc
LIBC_PORT_OBJS := $(addprefix $(SDK_BUILD)/libc-port/,syscalls.o files.o start.o tty.o service.o \
	sockets.o poll.o netdb.o inet.o)
# every header of libactor's, installed as <actor/NAME.h>
ACTOR_HEADERS := $(patsubst libactor/include/%,$(SYSROOT)/include/%,$(wildcard libactor/include/actor/*.h))
SDK_FILES := $(SYSROOT)/bin/x86_64-clk-elf-gcc $(SYSROOT)/lib/libc.a $(SYSROOT)/lib/libm.a \
	$(SYSROOT)/lib/crt0.o $(SYSROOT)/lib/actor.ld $(SYSROOT)/lib/libactor.a \
	$(SYSROOT)/include/clk/abi.h $(ACTOR_HEADERS)

.PHONY: sdk
sdk: $(SDK_FILES)

$(NEWLIB)/stamp: | setup
	$(say) NEWLIB "$(NEWLIB) (about a minute)"
	$(Q)rm -rf $(NEWLIB) && mkdir -p $(NEWLIB)/build
	$(Q)tar -xf $(NEWLIB_TARBALL) -C $(NEWLIB) && mv $(NEWLIB)/newlib-* $(NEWLIB)/src
	$(Q)cd $(NEWLIB)/build && CLK_SYSROOT=$(abspath $(NEWLIB))/none ../src/configure \
		--target=x86_64-elf --prefix=$(abspath $(NEWLIB)/out) --disable-multilib \
		--disable-newlib-supplied-syscalls --enable-newlib-io-long-long \
		--enable-newlib-io-c99-formats --disable-nls \
		CC_FOR_TARGET=$(abspath tools/x86_64-clk-elf-gcc) AR_FOR_TARGET=ar AS_FOR_TARGET=as \
		LD_FOR_TARGET=ld RANLIB_FOR_TARGET=ranlib CFLAGS_FOR_TARGET="-O2 -g" \
		> $(abspath $(NEWLIB))/configure.log 2>&1 || { tail -20 $(abspath $(NEWLIB))/configure.log; exit 1; }
	$(Q)CLK_SYSROOT=$(abspath $(NEWLIB))/none $(MAKE) -C $(NEWLIB)/build all-target-newlib \
		> $(NEWLIB)/make.log 2>&1 || { tail -30 $(NEWLIB)/make.log; exit 1; }
	$(Q)CLK_SYSROOT=$(abspath $(NEWLIB))/none $(MAKE) -C $(NEWLIB)/build install-target-newlib \
		> $(NEWLIB)/install.log 2>&1 || { tail -30 $(NEWLIB)/install.log; exit 1; }
	$(Q)touch $@

# Headers: newlib's, then what CLKernel adds or replaces.
$(SYSROOT)/include/stdio.h: $(NEWLIB)/stamp $(wildcard libc-port/include/*.h libc-port/include/*/*.h)
	$(say) INSTALL $(SYSROOT)/include
	$(Q)mkdir -p $(SYSROOT)/include
	$(Q)cp -R $(NEWLIB)/out/x86_64-elf/include/. $(SYSROOT)/include/
	$(Q)cp -R libc-port/include/. $(SYSROOT)/include/
	@# newlib declares lstat only for the systems it knows; CLKernel has it.
	$(Q)sed -i 's|^#if defined (__SPU__) .*CYGWIN.*$$|#if 1 /* CLKernel: lstat (libc-port/files.c) */|' \
		$(SYSROOT)/include/sys/stat.h
	$(Q)grep -q 'CLKernel: lstat' $(SYSROOT)/include/sys/stat.h
	$(Q)touch $@

$(SYSROOT)/include/clk/%.h: abi/include/clk/%.h
	@mkdir -p $(@D)
	$(Q)cp $< $@

$(SYSROOT)/include/actor/%.h: libactor/include/actor/%.h
	@mkdir -p $(@D)
	$(Q)cp $< $@

$(SYSROOT)/bin/x86_64-clk-elf-gcc: tools/x86_64-clk-elf-gcc
	@mkdir -p $(@D)
	$(Q)cp $< $@

$(SYSROOT)/lib/actor.ld: libactor/actor.ld
	@mkdir -p $(@D)
	$(Q)cp $< $@

$(SYSROOT)/lib/crt0.o: libc-port/crt0.S | setup
	@mkdir -p $(@D)
	$(Q)$(CC) -c $< -o $@

SDK_HEADERS := $(SYSROOT)/include/stdio.h $(SYSROOT)/include/clk/abi.h $(ACTOR_HEADERS) $(SDK_CC)

$(SDK_BUILD)/libc-port/%.o: libc-port/%.c $(wildcard libc-port/*.h) $(SDK_HEADERS)
	@mkdir -p $(@D)
	$(say) SDKCC $<
	$(Q)$(SDK_CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -c $< -o $@

# newlib's libc.a with the syscall layer added: one -lc for everything.
$(SYSROOT)/lib/libc.a: $(NEWLIB)/stamp $(LIBC_PORT_OBJS)
	@mkdir -p $(@D)
	$(say) AR $@
	@# newlib's rename is link-then-unlink; libc-port's asks the VFS to rename.
	$(Q)cp $(NEWLIB)/out/x86_64-elf/lib/libc.a $@.tmp && ar d $@.tmp lib_a-rename.o lib_a-renamer.o && \
		ar rcs $@.tmp $(LIBC_PORT_OBJS) && mv $@.tmp $@

$(SYSROOT)/lib/libm.a: $(NEWLIB)/stamp
	@mkdir -p $(@D)
	$(Q)cp $(NEWLIB)/out/x86_64-elf/lib/libm.a $@

$(SDK_BUILD)/libactor/%.o: libactor/%.S | setup
	@mkdir -p $(@D)
	$(Q)$(CC) -c $< -o $@

$(SDK_BUILD)/libactor/%.o: libactor/%.c $(SDK_HEADERS)
	@mkdir -p $(@D)
	$(say) SDKCC $<
	$(Q)$(SDK_CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -c $< -o $@

$(SYSROOT)/lib/libactor.a: $(addprefix $(SDK_BUILD)/libactor/,thread.o fiber.o actor.o names.o \
	start_actor.o main.o)
	@mkdir -p $(@D)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

# Test actors written as ordinary C programs against the SDK.
SDK_TEST_ACTORS := libc_demo kv kv_client names names_client retry_client proxy fiber_client \
	state_client bench_actor overseer readline counter counter2 counter_bad supctl \
	counter_crashinit counter_hanginit counter_crashsave counter_hangrestore counter_nohooks \
	blockcheck initrd_reader fstest keys nettest tcp_echo nictest busy fragile campaign

$(BUILD)/sdk-tests/%: tests/sdk/%.c $(wildcard tests/sdk/*.h) $(SDK_FILES)
	@mkdir -p $(@D)
	$(say) SDKCC $<
	$(Q)$(SDK_CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror $< -o $@

$(BUILD)/initrd/test/%: $(BUILD)/sdk-tests/%
	@mkdir -p $(@D)
	$(Q)strip -o $@ $<

.SECONDARY: $(SDK_TEST_ACTORS:%=$(BUILD)/sdk-tests/%)

# ---- lwIP, for the network server ----

# lwIP 2.1 from Debian's lwip source package (tools/fetch-lwip, which
# derives a deb-src entry when the machine has none). Its raw API, built
# with servers/net's lwipopts.h into one library; no lwIP code is kept here.
LWIP := $(BUILD)/lwip
LWIP_FILES := core/init.c core/def.c core/dns.c core/inet_chksum.c core/ip.c core/mem.c \
	core/memp.c core/netif.c core/pbuf.c core/raw.c core/stats.c core/sys.c core/tcp.c \
	core/tcp_in.c core/tcp_out.c core/timeouts.c core/udp.c core/ipv4/dhcp.c \
	core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4_frag.c core/ipv4/ip4.c \
	core/ipv4/ip4_addr.c netif/ethernet.c api/err.c
LWIP_OBJS := $(LWIP_FILES:%.c=$(LWIP)/obj/%.o)
LWIP_CFLAGS := -std=gnu11 -O2 -g -Wall -Werror -Iservers/net -I$(LWIP)/src/src/include

$(LWIP)/stamp: tools/fetch-lwip | setup
	$(say) FETCH lwip
	$(Q)tools/fetch-lwip $(LWIP)
	$(Q)touch $@

$(LWIP)/obj/%.o: $(LWIP)/stamp servers/net/lwipopts.h servers/net/arch/cc.h $(SDK_HEADERS)
	@mkdir -p $(@D)
	$(say) LWIPCC $*.c
	$(Q)$(SDK_CC) $(LWIP_CFLAGS) -c $(LWIP)/src/src/$*.c -o $@

# lwIP's sources exist once it is fetched (the host's fuzz target uses them);
# they are not intermediate files, to delete after a build.
$(LWIP)/src/src/%.c: $(LWIP)/stamp ;
.SECONDARY: $(LWIP_FILES:%=$(LWIP)/src/src/%)

$(LWIP)/liblwip.a: $(LWIP_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

# ---- servers: servers/NAME/*.c, built against the SDK, installed as sbin/NAME ----

SERVERS := supervisor block nic vfs console shell net supstore
# The web server needs libc-port's BSD sockets: it joins once their
# headers exist. Until then it is built and tested on the host only
# ($(BUILD)/host/httpd, tests/test_httpd_host.py).
SERVERS += $(if $(wildcard libc-port/include/sys/socket.h),httpd)
# sources from elsewhere in the tree that a server shares: pure code, and
# the drivers' libraries (servers/pci, servers/virtio), included as
# "pci/pci.h" and "virtio/virtio.h"
server_src_supervisor := kernel/cpio.c
server_src_vfs := kernel/cpio.c
server_src_net := $(LWIP)/liblwip.a servers/net/lwipopts.h servers/net/arch/cc.h
server_cflags_net := -I$(LWIP)/src/src/include
server_src_block := servers/pci/pci.c servers/pci/pci.h servers/virtio/virtio.c \
	servers/virtio/virtq.c servers/virtio/virtq.h \
	servers/virtio/virtio.h
server_src_nic := $(server_src_block)

$(BUILD)/servers/%: $$(wildcard servers/%/*.c) $$(wildcard servers/%/*.h) $$(server_src_%) \
		$(SDK_FILES)
	@mkdir -p $(@D)
	$(say) SDKCC $@
	$(Q)$(SDK_CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iservers/$* -Iservers -Ikernel/include \
		$(server_cflags_$*) $(filter %.c,$^) $(filter %.a,$^) -o $@

$(BUILD)/initrd/sbin/%: $(BUILD)/servers/%
	@mkdir -p $(@D)
	$(Q)strip -o $@ $<

.SECONDARY: $(SERVERS:%=$(BUILD)/servers/%)

# The shell's natural-language model (docs/shell-nlu.md): tools/nlu-train
# trains the intent classifier on the phrase corpus and writes its weights,
# with the slot extractor's word classes, as a header that nlu.c includes.
NLU_MODEL := $(BUILD)/gen/shell/nlu_model.h
NLU_DATA := servers/shell/nlu/corpus.txt servers/shell/nlu/lexicon.txt
$(NLU_MODEL): $(NLU_DATA) tools/nlu-train | setup
	@mkdir -p $(@D)
	$(say) NLUGEN $@
	$(Q)$(PYTHON) tools/nlu-train $(NLU_DATA) $@
server_cflags_shell := -I$(BUILD)/gen/shell
$(BUILD)/servers/shell: $(NLU_MODEL)

# Test services: variants of one source (counter2 is version 2, counter_bad
# cannot restore), and the manifests the supervisor's tests boot with.
$(BUILD)/sdk-tests/counter2: tests/sdk/counter.c $(wildcard tests/sdk/*.h) $(SDK_FILES)
	$(Q)$(SDK_CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -DCOUNTER_BUILD=2 $< -o $@
$(BUILD)/sdk-tests/counter_bad: tests/sdk/counter.c $(wildcard tests/sdk/*.h) $(SDK_FILES)
	$(Q)$(SDK_CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -DCOUNTER_BUILD=3 \
		-DCOUNTER_BAD_RESTORE $< -o $@
# initrd_reader reads the initrd with the kernel's cpio reader, as the
# supervisor does.
$(BUILD)/sdk-tests/initrd_reader: tests/sdk/initrd_reader.c kernel/cpio.c kernel/include/cpio.h \
		$(SDK_FILES)
	@mkdir -p $(@D)
	$(say) SDKCC $<
	$(Q)$(SDK_CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Ikernel/include $< kernel/cpio.c -o $@
COUNTER_VARIANTS := crashinit:-DCOUNTER_CRASH_INIT hanginit:-DCOUNTER_HANG_INIT \
	crashsave:-DCOUNTER_CRASH_SAVE \
	hangrestore:-DCOUNTER_HANG_RESTORE nohooks:-DCOUNTER_NO_HOOKS
$(foreach v,$(COUNTER_VARIANTS),$(eval \
$(BUILD)/sdk-tests/counter_$(word 1,$(subst :, ,$(v))): tests/sdk/counter.c \
		$(wildcard tests/sdk/*.h) $(SDK_FILES) ; \
	$$(Q)$$(SDK_CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror $(word 2,$(subst :, ,$(v))) $$< -o $$@))
TEST_MANIFESTS := $(notdir $(wildcard tests/manifests/*))
$(BUILD)/initrd/test/manifests/%: tests/manifests/%
	@mkdir -p $(@D)
	$(Q)cp $< $@

# ---- the root disk ----

# build/disk.img: ext2 made from disk/ (/etc, /home, /var/www). It is made
# once: what a user writes in it stays between runs of make run; delete it
# to start again from disk/. Tests make copies of their own.
DISK_SIZE ?= 64M
$(BUILD)/disk.img: | setup
	$(say) MKE2FS $@
	$(Q)mkdir -p $(@D) && mke2fs -q -F -t ext2 -b 4096 -L clkernel -d disk $@.tmp $(DISK_SIZE) >/dev/null && \
		mv $@.tmp $@

.PHONY: disk
disk: $(BUILD)/disk.img

# ---- initrd and ISO ----

# The initrd is initrd/ plus the built actors, staged in build/initrd/.
INITRD_FILES := $(shell find initrd -type f 2>/dev/null | sort)
INITRD_STAGED := $(INITRD_FILES:initrd/%=$(BUILD)/initrd/%) $(TEST_ACTOR_BINS) \
	$(SDK_TEST_ACTORS:%=$(BUILD)/initrd/test/%) $(SERVERS:%=$(BUILD)/initrd/sbin/%) \
	$(TEST_MANIFESTS:%=$(BUILD)/initrd/test/manifests/%)

$(BUILD)/initrd/%: initrd/%
	@mkdir -p $(@D)
	$(Q)cp $< $@

# Actors built outside the tree: make ACTORS=DIR puts every file of DIR in
# the initrd's bin/ (sysroot/README.md): executables stripped, anything else
# (a manifest, say) as it is. Use a BUILD of its own for it.
ACTORS ?=
ifneq ($(ACTORS),)
EXTRA_ACTORS := $(notdir $(wildcard $(ACTORS)/*))
INITRD_STAGED += $(EXTRA_ACTORS:%=$(BUILD)/initrd/bin/%)
$(BUILD)/initrd/bin/%: $(ACTORS)/%
	@mkdir -p $(@D)
	$(Q)if head -c 4 $< | grep -q ELF; then strip -o $@ $<; else cp $< $@; fi
endif

# newc cpio of build/initrd/, owned by root, in a stable order.
$(BUILD)/initrd.cpio: $(INITRD_STAGED) | setup
	@mkdir -p $(@D)
	$(say) CPIO $@
	$(Q)cd $(BUILD)/initrd && find . -mindepth 1 | LC_ALL=C sort | \
		cpio --quiet -o -H newc --reproducible --owner=0:0 > $(CURDIR)/$@

$(BUILD)/clkernel.iso: $(BUILD)/kernel/clkernel.elf $(BUILD)/initrd.cpio tools/grub.cfg
	$(say) ISO $@
	$(Q)rm -rf $(BUILD)/iso
	$(Q)mkdir -p $(BUILD)/iso/boot/grub
	$(Q)cp $(BUILD)/kernel/clkernel.elf $(BUILD)/initrd.cpio $(BUILD)/iso/boot/
	$(Q)cp tools/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(BUILD)/iso 2> $(BUILD)/grub-mkrescue.log || \
		{ cat $(BUILD)/grub-mkrescue.log >&2; exit 1; }

# ---- host unit tests (ASan + UBSan) and fuzz targets (libFuzzer) ----

HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer \
	-Ikernel/include -Ikernel/arch/x86_64/include -Iabi/include -Itests/unit \
	-Iservers/supervisor -Iservers/vfs -Iservers -Iservers/block -Iservers/shell \
	-Ilibactor/include
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all

# test name -> kernel sources it tests (pure code only)
UNIT_TESTS := buddy kmalloc fmt cmdline cpio multiboot2 madt fadt ksyms elf manifest ext2 block \
	ramfs initrdfs bcache calendar kbd line inet nic metrics policy anomaly trend
unit_src_buddy      := kernel/buddy.c
unit_src_kmalloc    := kernel/kmalloc.c kernel/buddy.c
unit_src_fmt        := kernel/fmt.c
unit_src_cmdline    := kernel/cmdline.c
unit_src_cpio       := kernel/cpio.c
unit_src_multiboot2 := kernel/arch/x86_64/multiboot2.c
unit_src_madt       := kernel/arch/x86_64/madt.c
unit_src_fadt       := kernel/arch/x86_64/fadt.c kernel/arch/x86_64/madt.c
unit_src_ksyms      := kernel/ksyms.c
unit_src_elf        := kernel/elf.c
unit_src_manifest   := servers/supervisor/manifest.c
unit_src_ext2       := servers/vfs/ext2.c
unit_src_block      := servers/block/ops.c servers/virtio/virtq.c
unit_src_ramfs      := servers/vfs/ramfs.c
unit_src_initrdfs   := servers/vfs/initrdfs.c kernel/cpio.c
unit_src_bcache     := servers/vfs/bcache.c
unit_src_calendar   := kernel/calendar.c
unit_src_kbd        := servers/console/kbd.c
unit_src_line       := servers/shell/line.c
unit_src_inet       := libc-port/inet.c
unit_src_nic        := servers/nic/bufs.c
unit_src_metrics    := servers/supervisor/metrics.c
unit_src_policy     := servers/supervisor/policy.c
unit_src_anomaly    := servers/supervisor/anomaly.c
unit_src_trend      := servers/supervisor/trend.c
# the shell's natural-language understanding, with its generated model
UNIT_TESTS += nlu
unit_src_nlu        := servers/shell/nlu.c
HOST_CFLAGS += -I$(BUILD)/gen/shell
$(BUILD)/unit/test_nlu: $(NLU_MODEL)

# the web server's HTTP parser and response heads
UNIT_TESTS += http
unit_src_http       := servers/httpd/http.c

UNIT_BINS := $(UNIT_TESTS:%=$(BUILD)/unit/test_%)

$(BUILD)/unit/test_%: tests/unit/test_%.c tests/unit/unit.c tests/unit/unit.h $$(unit_src_$$*) | setup
	@mkdir -p $(@D)
	$(say) HOSTCC $@
	$(Q)$(CC) $(HOST_CFLAGS) $(SANITIZE) -o $@ $< tests/unit/unit.c $(unit_src_$*) -lm

FUZZ_TARGETS := cpio multiboot2 madt fadt cmdline elf manifest ext2 ramfs initrdfs bcache kbd nic \
	policy
fuzz_src_cpio       := kernel/cpio.c
fuzz_src_multiboot2 := kernel/arch/x86_64/multiboot2.c
fuzz_src_madt       := kernel/arch/x86_64/madt.c
fuzz_src_fadt       := kernel/arch/x86_64/fadt.c kernel/arch/x86_64/madt.c
fuzz_src_cmdline    := kernel/cmdline.c
fuzz_src_elf        := kernel/elf.c
fuzz_src_manifest   := servers/supervisor/manifest.c
fuzz_src_ext2       := servers/vfs/ext2.c
fuzz_src_ramfs      := servers/vfs/ramfs.c
fuzz_src_initrdfs   := servers/vfs/initrdfs.c kernel/cpio.c
fuzz_src_bcache     := servers/vfs/bcache.c
fuzz_src_kbd        := servers/console/kbd.c
fuzz_src_nic        := servers/nic/bufs.c
fuzz_src_policy     := servers/supervisor/policy.c
fuzz_libs_policy    := -lm
FUZZ_TARGETS += nlu
fuzz_src_nlu        := servers/shell/nlu.c
# frames into lwIP and the net server's sockets, all built for the host
FUZZ_TARGETS += net
fuzz_src_net        := servers/net/sock.c $(LWIP_FILES:%=$(LWIP)/src/src/%)
fuzz_cflags_net     := -Iservers/net -I$(LWIP)/src/src/include -DCHECKSUM_CHECK_IP=0 \
                       -DCHECKSUM_CHECK_UDP=0 -DCHECKSUM_CHECK_TCP=0 -DCHECKSUM_CHECK_ICMP=0
$(BUILD)/fuzz/fuzz_nlu: $(NLU_MODEL)
FUZZ_TARGETS += http
fuzz_src_http       := servers/httpd/http.c
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 10

# The real actors seed the ELF fuzzer's corpus.
ELF_SEEDED := $(BUILD)/fuzz/corpus-fuzz_elf/.seeded
$(ELF_SEEDED): $(TEST_ACTOR_BINS)
	@mkdir -p $(@D)
	$(Q)cp $(TEST_ACTOR_BINS) $(@D)/ && touch $@

# Small ext2 images from mke2fs seed the ext2 fuzzer's corpus: 1 KiB and
# 4 KiB blocks, a few files and directories (mke2fs is in tools/packages).
EXT2_SEEDED := $(BUILD)/fuzz/corpus-fuzz_ext2/.seeded
$(EXT2_SEEDED): | setup
	@mkdir -p $(@D) $(BUILD)/fuzz/ext2-tree/dir/sub
	$(Q)printf 'hello\n' > $(BUILD)/fuzz/ext2-tree/hello
	$(Q)head -c 20000 /dev/zero | tr '\0' x > $(BUILD)/fuzz/ext2-tree/dir/twenty-k
	$(Q)ln -sf hello $(BUILD)/fuzz/ext2-tree/link
	$(Q)mke2fs -q -F -t ext2 -b 1024 -N 32 -d $(BUILD)/fuzz/ext2-tree $(@D)/seed-1k 128K >/dev/null
	$(Q)mke2fs -q -F -t ext2 -b 4096 -N 32 -d $(BUILD)/fuzz/ext2-tree $(@D)/seed-4k 512K >/dev/null
	$(Q)touch $@

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/unit/unit.c $$(fuzz_src_$$*) | setup
	@mkdir -p $(@D)
	$(say) FUZZCC $@
	$(Q)clang $(HOST_CFLAGS) $(fuzz_cflags_$*) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $< tests/unit/unit.c $(fuzz_src_$*) $(fuzz_libs_$*)

# The web server built for this host, the same source as the guest's, with
# ASan and UBSan: tests/test_httpd_host.py runs it on a free port.
HTTPD_SRC := $(wildcard servers/httpd/*.c)
$(BUILD)/host/httpd: $(HTTPD_SRC) $(wildcard servers/httpd/*.h) | setup
	@mkdir -p $(@D)
	$(say) HOSTCC $@
	$(Q)$(CC) -std=gnu11 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer $(SANITIZE) \
		-o $@ $(HTTPD_SRC)

# ---- targets ----

.PHONY: all setup run debug test unit fuzz fuzz-smoke bench format format-check clean

all: $(BUILD)/clkernel.iso sdk $(BUILD)/disk.img

setup:
	@tools/setup

run: all $(BUILD)/disk.img
	@echo "Booting CLKernel. Ctrl-A X quits QEMU; Ctrl-A C toggles its monitor."
	@echo "+ $$($(QEMU) --disk $(BUILD)/disk.img --net tcp:8080:80 --print)"
	@$(QEMU) --disk $(BUILD)/disk.img --net tcp:8080:80

# gdb starts QEMU itself, speaking the GDB protocol over a pipe: no port, no race.
debug: all
	@echo "gdb runs QEMU halted; 'continue' boots to kmain. Serial output: $(BUILD)/debug-serial.log"
	gdb -q -ex "target remote | exec $(QEMU) --console file:$(BUILD)/debug-serial.log -- -S -gdb stdio" \
		-ex "hbreak kmain" -ex continue $(GDBFLAGS) $(BUILD)/kernel/clkernel.elf

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

# A crash or leak fails the target; its log is shown in full. The
# targets are separate goals, so that make's -j runs them side by side.
fuzz-smoke: $(FUZZ_TARGETS:%=fuzz-smoke-%)

fuzz-smoke-%: $(BUILD)/fuzz/fuzz_% $(ELF_SEEDED) $(EXT2_SEEDED)
	@n=fuzz_$*; mkdir -p $(BUILD)/fuzz/corpus-$$n; \
	if $(BUILD)/fuzz/$$n -max_total_time=$(FUZZ_SMOKE_SECONDS) -print_final_stats=1 \
		-artifact_prefix=$(BUILD)/fuzz/$$n- \
		$(BUILD)/fuzz/corpus-$$n $$(ls -d tests/fuzz/seeds/$$n 2>/dev/null) > $(BUILD)/fuzz/$$n.log 2>&1; \
	then echo "== $$n ($(FUZZ_SMOKE_SECONDS) s): $$(grep -E '^stat::number_of_executed_units' $(BUILD)/fuzz/$$n.log)"; \
	else echo "== $$n failed:"; cat $(BUILD)/fuzz/$$n.log; exit 1; fi

fuzz: $(FUZZ_BINS) $(ELF_SEEDED) $(EXT2_SEEDED)
	@set -e; for f in $(FUZZ_BINS); do \
		echo "== $$f ($(FUZZ_SECONDS) s)"; \
		mkdir -p $(BUILD)/fuzz/corpus-$$(basename $$f); \
		$$f -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(BUILD)/fuzz/$$(basename $$f)- \
			$(BUILD)/fuzz/corpus-$$(basename $$f) $$(ls -d tests/fuzz/seeds/$$(basename $$f) 2>/dev/null); \
	done

# The natural-language shell's accuracy on held-out phrasing, and its
# time per line on this host (tools/nlu-eval, docs/shell-nlu.md).
NLU_CLI := $(BUILD)/nlu/nlu-cli
$(NLU_CLI): tools/nlu-cli.c servers/shell/nlu.c servers/shell/nlu.h servers/shell/nlu_impl.h \
		$(NLU_MODEL)
	@mkdir -p $(@D)
	$(say) HOSTCC $@
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -Iservers/shell -I$(BUILD)/gen/shell \
		tools/nlu-cli.c servers/shell/nlu.c -o $@

.PHONY: nlu-eval
nlu-eval: $(NLU_CLI)
	$(Q)$(PYTHON) tools/nlu-eval --cli $(NLU_CLI)

# The fault-injection campaign of the AI supervisor (tools/faultcampaign,
# docs/faultcampaign.md): the learned and the fixed recovery policy, the
# same FAULTS faults each; build/faultcampaign/report.md and report.png.
FAULTS ?= 50
SEED ?= 1
.PHONY: faultcampaign
faultcampaign: all
	$(PYTHON) tools/faultcampaign --count $(FAULTS) --seed $(SEED) --out $(BUILD)/faultcampaign

test: format-check all unit fuzz-smoke $(BUILD)/host/httpd
	$(PYTHON) -m pytest -q --durations=10 tests

# Every C file of ours must be as clang-format (.clang-format) would write it.
FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)

format-check: | setup
	@bad=$$(for f in $(FORMAT_FILES); do clang-format "$$f" | cmp -s - "$$f" || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "format: run 'make format'; these differ:" $$bad >&2; exit 1; fi

format: | setup
	clang-format -i $(FORMAT_FILES)

bench: all
	$(PYTHON) tools/bench
	$(PYTHON) tools/net-bench

clean:
	rm -rf $(BUILD) $(SYSROOT)/include $(SYSROOT)/lib $(SYSROOT)/bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
