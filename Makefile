# Legacy-BIOS bootloader: MBR (nasm) -> real-mode C stage2 -> ELF32/ELF64 kernel.
#
#   make            build/disk.img (ELF64 example kernel) and build/disk32.img (ELF32)
#   make run        install missing packages (as root) or say which, build, boot
#                   build/disk.img in QEMU headless and print the kernel's report
#   make test       every test; the last line is "N passed, N failed"
#   make image KERNEL=path IMAGE=path [CMDLINE=...] [MODULES=...] [INITRD=path]
#              [PROTOCOL=auto|own|multiboot1|multiboot2|linux] [VIDEO=WxHxD]
#              [CLASSIC=1] [FAT=12|16|32] [SIZE=MiB] [LAYOUT=raw]
#   make install DISK=path [PARTITION=n] [DRY_RUN=1] [BACKUP=file] [GPT_ACTIVE=1]
#   make uninstall DISK=path BACKUP=file [DRY_RUN=1] [FORCE=1]
#   make bochs      boot IMAGE in Bochs' debugger, symbols loaded (tools/debug.mk)
#   make debug      boot IMAGE in QEMU halted, gdb attached (tools/debug.mk)
#   make bench      boot times against the floor, a raw-read limit and GRUB (tools/bench)
#   make inscount   the boot's instruction count and where it goes (tools/inscount)
#   make fuzz       run the libFuzzer harnesses for FUZZ_TIME seconds each

BUILD := build
KERNEL ?= $(BUILD)/kernel64.elf
IMAGE ?= $(BUILD)/disk.img

CC := gcc
LD := ld
NASM := nasm
OBJCOPY := objcopy
OBJDUMP := objdump

WARN := -Wall -Wextra -Werror -Wno-unused-parameter
COMMON_FREESTANDING := -std=gnu11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fcf-protection=none \
	-fno-strict-aliasing -fno-common -nostdlib $(WARN)

# Real-mode C: the one place these flags live.  -m16 emits 32-bit code with
# operand/address-size prefixes, runnable in real mode on any 386; regparm(3)
# is the calling convention the asm pieces implement.
# -mstringop-strategy=libcall: gcc's inline string instructions address
# through SI/DI alone under -m16, which cannot reach stage2's flat data above
# 64 KiB; the library calls go to stage2/pm.asm, and the build checks that no
# C object addresses memory through 16-bit registers (stage2.addr16-check).
# -Oz: all of stage2's code shares one 64 KiB real-mode code segment, and -Oz
# leaves about 860 bytes more of it free than -Os.  The inflater and the head
# (CRC-32), where the boot spends most of its instructions, stay at -Os: -Oz
# costs them 1.3 % more instructions (make inscount).
REALMODE_CFLAGS := -m16 -march=i386 -mregparm=3 -mpreferred-stack-boundary=2 \
	-mno-mmx -mno-sse -msoft-float -fno-jump-tables -mstringop-strategy=libcall -ffunction-sections -fdata-sections \
	$(COMMON_FREESTANDING) -Iinclude -Istage2 -I$(BUILD)

# The ELF32 example runs on any CPU the loader supports, a 386 or 486
# included (-march=i686 would emit cmov, which faults there).  -g: DWARF for
# gdb (make debug), never loaded (not in a PT_LOAD segment).
KERNEL32_CFLAGS := -m32 -march=i386 -O2 -g -mgeneral-regs-only $(COMMON_FREESTANDING) -Iinclude
KERNEL64_CFLAGS := -m64 -O2 -g -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	$(COMMON_FREESTANDING) -Iinclude

HOST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Iinclude -Istage2 -I$(BUILD)

# The head: what the MBR loads as it is, and all that stage2 needs before its
# body is unpacked (entry first).  The body: the rest, stored compressed.
STAGE2_HEAD := entry flat head inflate
STAGE2_BODY := main bioscall pm console disk string a20 memory sanitize physmem elfload \
	paging cpu bda acpi file boot part fat config volume menu ext proto/detect proto/own \
	video
# The extension: loaded when a boot needs it (stage2/ext.h).  Its common
# part: video modes, and gzip's layer (inflate.o's .ext.text section).  Then
# the two protocols, whose code shares one address range (stage2/stage2.ld):
# Linux, and Multiboot1 and Multiboot2 (stage2/proto/mb.h).
STAGE2_EXT := proto/extmark vbe vbemode
STAGE2_EXT_LINUX := proto/linux proto/linux_header proto/linux_video
STAGE2_EXT_MB := proto/multiboot1 proto/multiboot2 proto/mbload proto/mb1_header proto/mb2_header \
	proto/mb1_info proto/mb2_info proto/mb_common proto/mb_video
STAGE2_ASM_FILES := entry flat bioscall pm
obj2 = $(foreach o,$(1),$(BUILD)/stage2/$(o).o)
STAGE2_HEAD_OBJS := $(call obj2,$(STAGE2_HEAD))
STAGE2_BODY_OBJS := $(call obj2,$(STAGE2_BODY))
STAGE2_EXT_OBJS := $(call obj2,$(STAGE2_EXT))
STAGE2_EXT_PARTS := $(BUILD)/stage2/ext-all.o $(BUILD)/stage2/ext-linux.o $(BUILD)/stage2/ext-mb.o
STAGE2_C_OBJS := $(call obj2,$(filter-out $(STAGE2_ASM_FILES),$(STAGE2_HEAD) $(STAGE2_BODY) \
	$(STAGE2_EXT) $(STAGE2_EXT_LINUX) $(STAGE2_EXT_MB)))
HEADERS := $(wildcard include/*.h stage2/*.h stage2/*/*.h kernel/*.h)
KERNEL_C := kernel exception screen font

.PHONY: all run test image bochs debug bench deps clean host-tests install uninstall
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/disk.img $(BUILD)/disk32.img $(BUILD)/disk-hh.img $(BUILD)/disk32-hh.img

# --- one owner for each number: layout.h and bootinfo.h feed nasm too -------
INC_FROM_H = sed -n -E 's/^\#define ([A-Z0-9_]+)[[:space:]]+(0x[0-9a-fA-F]+|[0-9]+)(ULL|ull|U|u)?([[:space:]].*)?$$/%define \1 \2/p' $< > $@
$(BUILD)/%.inc: include/%.h | $(BUILD)
	$(INC_FROM_H)
$(BUILD)/%.inc: stage2/%.h | $(BUILD)
	$(INC_FROM_H)

$(BUILD) $(BUILD)/stage2 $(BUILD)/kernel32 $(BUILD)/kernel64 $(BUILD)/tests:
	mkdir -p $@

# -undef: no predefined macros (gcc's `linux` would rewrite ext-linux.o).
$(BUILD)/%.lds: %.ld include/layout.h | $(BUILD)/stage2
	mkdir -p $(dir $@)
	$(CC) -E -P -undef -x c -Iinclude $< -o $@

# --- MBR ---------------------------------------------------------------------
$(BUILD)/mbr.o: boot/mbr.asm $(BUILD)/layout.inc $(BUILD)/status.inc $(BUILD)/post.inc | $(BUILD)
	$(NASM) -f elf32 -I$(BUILD)/ -l $(BUILD)/mbr.lst $< -o $@

$(BUILD)/mbr.elf: $(BUILD)/mbr.o $(BUILD)/boot/mbr.lds
	$(LD) -m elf_i386 -T $(BUILD)/boot/mbr.lds -Map $(BUILD)/mbr.map $< -o $@

$(BUILD)/mbr.bin: $(BUILD)/mbr.elf
	$(OBJCOPY) -O binary $< $@
	$(OBJDUMP) -D -b binary -m i8086 --adjust-vma=0x7c00 $@ > $(BUILD)/mbr.dis
	@test $$(stat -c %s $@) -eq 512 || { echo "mbr.bin is not 512 bytes"; exit 1; }
	@echo "MBR: $$(( $$(nm $< | awk '/ mbr_code_end$$/ {print "0x" $$1}') - 0x7c00 )) of 446 bytes (code and data stop at the disk signature, 440)"

$(BUILD)/mbr_syms.h: $(BUILD)/mbr.elf
	nm $< | awk '$$3 ~ /^s2_/ { print "#define MBR_SYM_" $$3 " 0x" $$1 }' > $@

# --- stage2 ------------------------------------------------------------------
$(BUILD)/stage2/%.o: stage2/%.asm $(BUILD)/layout.inc $(BUILD)/bootinfo.inc $(BUILD)/handoff.inc \
		$(BUILD)/status.inc $(BUILD)/portio.inc $(BUILD)/post.inc | $(BUILD)/stage2
	$(NASM) -f elf32 -I$(BUILD)/ -l $(BUILD)/stage2/$*.lst $< -o $@

$(BUILD)/stage2/%.o: stage2/%.c $(HEADERS) | $(BUILD)/stage2
	@mkdir -p $(dir $@)
	$(CC) $(REALMODE_CFLAGS) $(REALMODE_OPT) -c $< -o $@
REALMODE_OPT := -Oz
$(BUILD)/stage2/inflate.o $(BUILD)/stage2/head.o: REALMODE_OPT := -Os

$(BUILD)/stage2/head-all.o: $(STAGE2_HEAD_OBJS)
	$(LD) -m elf_i386 -r $^ -o $@
$(BUILD)/stage2/ext-all.o: $(STAGE2_EXT_OBJS)
	$(LD) -m elf_i386 -r $^ -o $@
$(BUILD)/stage2/ext-linux.o: $(call obj2,$(STAGE2_EXT_LINUX))
	$(LD) -m elf_i386 -r $^ -o $@
$(BUILD)/stage2/ext-mb.o: $(call obj2,$(STAGE2_EXT_MB))
	$(LD) -m elf_i386 -r $^ -o $@

$(BUILD)/stage2.elf: $(BUILD)/stage2/head-all.o $(STAGE2_BODY_OBJS) $(STAGE2_EXT_PARTS) \
		$(BUILD)/stage2/stage2.lds $(BUILD)/stage2.addr16-check
	$(LD) -m elf_i386 --no-warn-rwx-segments --no-check-sections --gc-sections -T $(BUILD)/stage2/stage2.lds \
		-Map $(BUILD)/stage2.map $(BUILD)/stage2/head-all.o $(STAGE2_BODY_OBJS) \
		$(STAGE2_EXT_PARTS) -o $@

# No C object may address memory through SI, DI, BX or BP alone: with -m16
# that is 16-bit addressing, blind to everything above 64 KiB.
$(BUILD)/stage2.addr16-check: $(STAGE2_C_OBJS)
	@bad=$$($(OBJDUMP) -d -M i8086 $^ | grep -E '^[[:space:]]+[0-9a-f]+:.*\(%(si|di|bx|bp)[,)]' || true); \
	if [ -n "$$bad" ]; then echo "16-bit addressing in stage2 C code:"; echo "$$bad"; exit 1; fi
	@touch $@

$(BUILD)/stage2.raw: $(BUILD)/stage2.elf
	$(OBJCOPY) -O binary -j .head_text -j .head_data -j .text -j .body_data -j .ext_text \
		-j .ext_linux_text -j .ext_mb_text -j .ext_data $< $@
	$(OBJDUMP) -d -M i8086 $< > $(BUILD)/stage2.dis

$(BUILD)/stage2.bin: $(BUILD)/stage2.elf $(BUILD)/stage2.raw tools/pack-stage2 include/layout.h
	tools/pack-stage2 $(BUILD)/stage2.elf $(BUILD)/stage2.raw $@

$(BUILD)/stage2_syms.h: $(BUILD)/stage2.elf
	nm $< | awk '$$3 ~ /^(hdr_[a-z0-9_]+|head_image_size)$$/ { print "#define STAGE2_SYM_" $$3 " 0x" $$1 }' > $@

# --- example kernel, ELF32 and ELF64 from one source -------------------------
$(BUILD)/kernel32/%.o: kernel/%.c $(HEADERS) | $(BUILD)/kernel32
	$(CC) $(KERNEL32_CFLAGS) -c $< -o $@
$(BUILD)/kernel64/%.o: kernel/%.c $(HEADERS) | $(BUILD)/kernel64
	$(CC) $(KERNEL64_CFLAGS) -c $< -o $@
$(BUILD)/kernel32.elf: $(KERNEL_C:%=$(BUILD)/kernel32/%.o) link.ld
	$(LD) -m elf_i386 -T link.ld -z max-page-size=0x1000 -z noexecstack $(filter %.o,$^) -o $@
$(BUILD)/kernel64.elf: $(KERNEL_C:%=$(BUILD)/kernel64/%.o) link.ld
	$(LD) -m elf_x86_64 -T link.ld -z max-page-size=0x1000 -z noexecstack $(filter %.o,$^) -o $@

# The ELF64 example linked in the higher half (link-hh.ld), for the boot
# tests: the loader maps its segments at their virtual addresses.
$(BUILD)/kernel64-hh/%.o: kernel/%.c $(HEADERS)
	mkdir -p $(dir $@)
	$(CC) $(filter-out -mcmodel=small,$(KERNEL64_CFLAGS)) -mcmodel=kernel -c $< -o $@
$(BUILD)/kernel64-hh.elf: $(KERNEL_C:%=$(BUILD)/kernel64-hh/%.o) link-hh.ld
	$(LD) -m elf_x86_64 -T link-hh.ld -z max-page-size=0x1000 -z noexecstack $(filter %.o,$^) -o $@
$(BUILD)/disk-hh.img: $(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel64-hh.elf
	$(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel64-hh.elf $@

# The ELF32 example linked in the higher half with a virtual e_entry
# (kernel/link32-hh.ld): the loader starts it at the physical address, with
# paging off, and kernel/entry32-hh.S turns paging on.
$(BUILD)/kernel32-hh/%.o: kernel/%.c $(HEADERS)
	mkdir -p $(dir $@)
	$(CC) $(KERNEL32_CFLAGS) -DKERNEL_TOUCH_LIMIT=0xC0000000ull -c $< -o $@
$(BUILD)/kernel32-hh/entry32-hh.o: kernel/entry32-hh.S
	mkdir -p $(dir $@)
	$(CC) -m32 -c $< -o $@
$(BUILD)/kernel32-hh.elf: $(KERNEL_C:%=$(BUILD)/kernel32-hh/%.o) $(BUILD)/kernel32-hh/entry32-hh.o \
		kernel/link32-hh.ld
	$(LD) -m elf_i386 -T kernel/link32-hh.ld -z max-page-size=0x1000 -z noexecstack \
		$(filter %.o,$^) -o $@
$(BUILD)/disk32-hh.img: $(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel32-hh.elf
	$(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel32-hh.elf $@

# A kernel over 8 MiB for the transfer tests: the ELF64 kernel plus 9 MiB of
# patterned data it verifies at boot.
PAYLOAD_BYTES := 9437184
$(BUILD)/payload.bin: | $(BUILD)
	python3 -c 'import sys; n=$(PAYLOAD_BYTES); sys.stdout.buffer.write(bytes((((i * 2654435761) & 0xffffffff) >> 24) for i in range(n)))' > $@
$(BUILD)/kernel-big/kernel.o: kernel/kernel.c $(HEADERS)
	mkdir -p $(dir $@)
	$(CC) $(KERNEL64_CFLAGS) -DKERNEL_PAYLOAD -c $< -o $@
$(BUILD)/kernel-big/payload.o: $(BUILD)/payload.bin
	mkdir -p $(dir $@)
	$(LD) -m elf_x86_64 -r -b binary $< -o $@
$(BUILD)/kernel-big.elf: $(BUILD)/kernel-big/kernel.o $(BUILD)/kernel64/exception.o \
		$(BUILD)/kernel64/screen.o $(BUILD)/kernel64/font.o $(BUILD)/kernel-big/payload.o link.ld
	$(LD) -m elf_x86_64 -T link.ld -z max-page-size=0x1000 -z noexecstack $(filter %.o,$^) -o $@
$(BUILD)/disk-big.img: $(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel-big.elf
	$(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel-big.elf $@

# --- host tools and the image ------------------------------------------------
$(BUILD)/mkimage: tools/mkimage.c tools/bootpatch.c tools/bootpatch.h tools/hostio.c tools/hostio.h \
		include/crc32.h \
		include/layout.h $(BUILD)/mbr_syms.h $(BUILD)/stage2_syms.h
	$(CC) $(HOST_CFLAGS) -Itools tools/mkimage.c tools/bootpatch.c tools/hostio.c -o $@

$(BUILD)/disk.img: $(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel64.elf
	$(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel64.elf $@
$(BUILD)/disk32.img: $(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel32.elf
	$(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel32.elf $@

# The modern layout: a FAT partition at LBA 2048 (CLASSIC=1: 63) with the
# files and a /boot/loader.cfg, the loader installed (tools/mkdisk).
# LAYOUT=raw: the kernel alone as raw partition data (tools/mkimage.c).
image: $(BUILD)/mkimage $(BUILD)/install $(BUILD)/mbr.bin $(BUILD)/stage2.bin
ifeq ($(LAYOUT),raw)
	$(BUILD)/mkimage $(if $(CLASSIC),--classic) $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(KERNEL) $(IMAGE)
else
	tools/mkdisk --kernel "$(KERNEL)" --protocol "$(or $(PROTOCOL),auto)" --cmdline "$(CMDLINE)" \
		--modules "$(MODULES)" $(if $(INITRD),--initrd "$(INITRD)") \
		$(if $(VIDEO),--video "$(VIDEO)") $(if $(CLASSIC),--classic) \
		$(if $(FAT),--fat "$(FAT)") $(if $(SIZE),--size "$(SIZE)") "$(IMAGE)"
endif

# --- the two user commands ---------------------------------------------------
deps:
	@tools/deps

# make run: the example kernel as a user's disk holds it (make image's
# modern layout: a FAT partition with /boot/loader.cfg).
$(BUILD)/example.img: $(BUILD)/kernel64.elf $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/install \
		tools/mkdisk
	tools/mkdisk --kernel $(BUILD)/kernel64.elf --title "Example kernel (64-bit)" $@

run: deps
	@$(MAKE) --no-print-directory all $(BUILD)/example.img
	tools/qemu-run $(BUILD)/example.img

test: deps
	@$(MAKE) --no-print-directory all host-tests fuzzers fixtures $(BUILD)/disk-big.img $(BUILD)/example.img \
		fault-kernels debug-symbols bench-test-inputs video-kernels
	tests/run

bench: all
	tools/bench

clean:
	rm -rf $(BUILD)

include kernel/kernel.mk
include tools/debug.mk
include tests/host/host.mk
include tests/fixtures/fixtures.mk
include tests/fuzz/fuzz.mk
include tests/host/fs.mk
include tools/install.mk
include tests/host/inflate.mk
include tests/host/linux.mk
include tests/bench/bench.mk
include tests/multiboot.mk
include tests/host/video.mk
