# Legacy-BIOS bootloader: MBR (nasm) -> real-mode C stage2 -> ELF32/ELF64 kernel.
#
#   make            build/disk.img (ELF64 example kernel) and build/disk32.img (ELF32)
#   make run        install missing packages (as root) or say which, build, boot
#                   build/disk.img in QEMU headless and print the kernel's report
#   make test       every test; the last line is "N passed, N failed"
#   make image KERNEL=path/to/kernel.elf IMAGE=path/to/disk.img
#   make bochs      boot build/disk.img in Bochs (headless, port 0xE9 to stdout)
#   make debug      boot build/disk.img in QEMU paused for gdb (tcp::1234)
#   make bench      boot-time medians against a bare SeaBIOS boot, and sizes
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
REALMODE_CFLAGS := -m16 -march=i386 -mregparm=3 -mpreferred-stack-boundary=2 -Os \
	-mno-mmx -mno-sse -msoft-float -fno-jump-tables $(COMMON_FREESTANDING) \
	-Iinclude -Istage2 -I$(BUILD)

KERNEL32_CFLAGS := -m32 -march=i686 -O2 -mgeneral-regs-only $(COMMON_FREESTANDING) -Iinclude
KERNEL64_CFLAGS := -m64 -O2 -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	$(COMMON_FREESTANDING) -Iinclude

HOST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Iinclude -Istage2 -I$(BUILD)

STAGE2_ASM := entry bioscall pm
STAGE2_C := main console a20 memory sanitize disk elfload paging cpu bda string
STAGE2_OBJS := $(STAGE2_ASM:%=$(BUILD)/stage2/%.o) $(STAGE2_C:%=$(BUILD)/stage2/%.o)
HEADERS := $(wildcard include/*.h stage2/*.h)

.PHONY: all run test image bochs debug bench deps clean host-tests
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/disk.img $(BUILD)/disk32.img

# --- one owner for each number: layout.h and bootinfo.h feed nasm too -------
$(BUILD)/%.inc: include/%.h | $(BUILD)
	sed -n -E 's/^#define ([A-Z0-9_]+)[[:space:]]+(0x[0-9a-fA-F]+|[0-9]+)(ULL|ull|U|u)?([[:space:]].*)?$$/%define \1 \2/p' $< > $@

$(BUILD) $(BUILD)/stage2 $(BUILD)/kernel32 $(BUILD)/kernel64 $(BUILD)/tests:
	mkdir -p $@

$(BUILD)/%.lds: %.ld include/layout.h | $(BUILD)/stage2
	mkdir -p $(dir $@)
	$(CC) -E -P -x c -Iinclude $< -o $@

# --- MBR ---------------------------------------------------------------------
$(BUILD)/mbr.o: boot/mbr.asm $(BUILD)/layout.inc $(BUILD)/status.inc | $(BUILD)
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
$(BUILD)/stage2/%.o: stage2/%.asm $(BUILD)/layout.inc $(BUILD)/bootinfo.inc | $(BUILD)/stage2
	$(NASM) -f elf32 -I$(BUILD)/ -l $(BUILD)/stage2/$*.lst $< -o $@

$(BUILD)/stage2/%.o: stage2/%.c $(HEADERS) | $(BUILD)/stage2
	$(CC) $(REALMODE_CFLAGS) -c $< -o $@

$(BUILD)/stage2.elf: $(STAGE2_OBJS) $(BUILD)/stage2/stage2.lds
	$(LD) -m elf_i386 --no-warn-rwx-segments -T $(BUILD)/stage2/stage2.lds -Map $(BUILD)/stage2.map $(STAGE2_OBJS) -o $@

$(BUILD)/stage2.bin: $(BUILD)/stage2.elf
	$(OBJCOPY) -O binary -j .text -j .rodata -j .data $< $@
	$(OBJDUMP) -d -M i8086 $< > $(BUILD)/stage2.dis
	@echo "stage2: $$(stat -c %s $@) of 31744 bytes; .bss $$(( 0x$$(nm $< | awk '/ bss_end$$/ {print $$1}') - 0x$$(nm $< | awk '/ bss_start$$/ {print $$1}') )) bytes"

$(BUILD)/stage2_syms.h: $(BUILD)/stage2.elf
	nm $< | awk '$$3 ~ /^kernel_(lba|size)$$/ { print "#define STAGE2_SYM_" $$3 " 0x" $$1 }' > $@

# --- example kernel, ELF32 and ELF64 from one source -------------------------
$(BUILD)/kernel32/kernel.o: kernel/kernel.c $(HEADERS) | $(BUILD)/kernel32
	$(CC) $(KERNEL32_CFLAGS) -c $< -o $@
$(BUILD)/kernel64/kernel.o: kernel/kernel.c $(HEADERS) | $(BUILD)/kernel64
	$(CC) $(KERNEL64_CFLAGS) -c $< -o $@
$(BUILD)/kernel32.elf: $(BUILD)/kernel32/kernel.o link.ld
	$(LD) -m elf_i386 -T link.ld -z max-page-size=0x1000 -z noexecstack $< -o $@
$(BUILD)/kernel64.elf: $(BUILD)/kernel64/kernel.o link.ld
	$(LD) -m elf_x86_64 -T link.ld -z max-page-size=0x1000 -z noexecstack $< -o $@

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
$(BUILD)/kernel-big.elf: $(BUILD)/kernel-big/kernel.o $(BUILD)/kernel-big/payload.o link.ld
	$(LD) -m elf_x86_64 -T link.ld -z max-page-size=0x1000 -z noexecstack $(BUILD)/kernel-big/kernel.o $(BUILD)/kernel-big/payload.o -o $@
$(BUILD)/disk-big.img: $(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel-big.elf
	$(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel-big.elf $@

# --- host tools and the image ------------------------------------------------
$(BUILD)/mkimage: tools/mkimage.c include/crc32.h include/layout.h $(BUILD)/mbr_syms.h $(BUILD)/stage2_syms.h
	$(CC) $(HOST_CFLAGS) $< -o $@

$(BUILD)/disk.img: $(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel64.elf
	$(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel64.elf $@
$(BUILD)/disk32.img: $(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel32.elf
	$(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel32.elf $@

image: $(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(KERNEL)
	$(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(KERNEL) $(IMAGE)

# --- the two user commands ---------------------------------------------------
deps:
	@tools/deps

run: deps
	@$(MAKE) --no-print-directory all
	tools/qemu-run $(BUILD)/disk.img

test: deps
	@$(MAKE) --no-print-directory all host-tests fuzzers fixtures $(BUILD)/disk-big.img
	tests/run

bochs: all
	tools/bochs-run $(BUILD)/disk.img

bench: all
	tools/bench

# The kernel under gdb: QEMU waits on tcp::1234.  Hardware breakpoints,
# because the loader copies the kernel over any software breakpoint gdb
# plants early.  Stage2 runs in real mode, which gdb steps badly: use
# Bochs' debugger for it (tools/bochs-run, tools/bochsrc.in).
debug: all
	@echo "QEMU waits for gdb. In another terminal:"
	@echo "  gdb $(KERNEL) -ex 'target remote :1234' -ex 'hbreak kmain' -ex continue"
	qemu-system-x86_64 -display none -no-reboot -serial stdio -s -S \
		-drive file=$(IMAGE),format=raw

clean:
	rm -rf $(BUILD)

include tests/host/host.mk
include tests/fixtures/fixtures.mk
include tests/fuzz/fuzz.mk
include tests/host/inflate.mk
