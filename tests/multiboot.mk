# Multiboot1 and Multiboot2: the test kernels, the host tests and the
# fuzzers.  Included by the top-level Makefile.
#
# Test kernels (tests/kernels/: mbkernel.c and an entry stub each), which
# tests/boot/multiboottest.py boots under this loader and under GRUB:
#   build/mbk/mb1.elf        Multiboot1, ELF
#   build/mbk/mb1-aout.bin   Multiboot1, flat binary placed by the address fields
#   build/mbk/mb2.elf        Multiboot2, ELF
#   build/mbk/mb2-aout.bin   Multiboot2, flat binary placed by the address tag
#   build/mbk/mb2-64.elf     Multiboot2, the same code in an ELF64 file (as
#                            kernels that go on to long mode are linked)
MBK := $(BUILD)/mbk
MB_KERNELS := $(MBK)/mb1.elf $(MBK)/mb1-aout.bin $(MBK)/mb2.elf $(MBK)/mb2-aout.bin \
	$(MBK)/mb2-64.elf
MBK_ENTRY_DEPS := tests/kernels/mbentry.S include/multiboot.h include/multiboot2.h

.PHONY: mb-kernels
mb-kernels: $(MB_KERNELS)
# multiboottest builds its images with tools/mkdisk, which runs build/install.
all: $(MB_KERNELS) $(BUILD)/install

$(MBK)/mbkernel%.o: tests/kernels/mbkernel.c $(HEADERS)
	mkdir -p $(dir $@)
	$(CC) $(KERNEL32_CFLAGS) -DMB_VERSION=$* -c $< -o $@

$(MBK)/%.entry.o: tests/kernels/%.S $(MBK_ENTRY_DEPS)
	mkdir -p $(dir $@)
	$(CC) -m32 -Iinclude -Itests/kernels -c $< -o $@
$(MBK)/mb2-aout.entry.o: tests/kernels/mb2.S $(MBK_ENTRY_DEPS)
	mkdir -p $(dir $@)
	$(CC) -m32 -Iinclude -Itests/kernels -DMB2_AOUT -c $< -o $@

MBK_LINK = $(LD) -m elf_i386 -T tests/kernels/mbkernel.ld -z max-page-size=0x1000 \
	-z noexecstack $(filter %.o,$^) -o $@
$(MBK)/mb1.elf $(MBK)/mb1-aout.elf: $(MBK)/%.elf: $(MBK)/%.entry.o $(MBK)/mbkernel1.o \
		tests/kernels/mbkernel.ld
	$(MBK_LINK)
$(MBK)/mb2.elf $(MBK)/mb2-aout.elf: $(MBK)/%.elf: $(MBK)/%.entry.o $(MBK)/mbkernel2.o \
		tests/kernels/mbkernel.ld
	$(MBK_LINK)
$(MBK)/%.bin: $(MBK)/%.elf
	$(OBJCOPY) -O binary $< $@
$(MBK)/mb2-64.elf: $(MBK)/mb2.elf
	$(OBJCOPY) -O elf64-x86-64 $< $@

# Host tests of the pure halves (refusal messages, layouts read back by an
# independent reader) and the fuzzers of the header parsers.
MB_PURE := stage2/proto/mb1_header.c stage2/proto/mb2_header.c stage2/proto/mb_common.c \
	stage2/proto/mb1_info.c stage2/proto/mb2_info.c stage2/proto/mb_video.c
MB_TESTS := $(BUILD)/tests/test_multiboot
MB_FUZZERS := $(BUILD)/fuzz/fuzz_multiboot1 $(BUILD)/fuzz/fuzz_multiboot2
HOST_TESTS += $(MB_TESTS)
FUZZERS += $(MB_FUZZERS)
host-tests: $(MB_TESTS)
fuzzers: $(MB_FUZZERS)

$(BUILD)/tests/test_multiboot: tests/host/test_multiboot.c $(MB_PURE) $(HOST_TEST_HEADERS) \
		| $(BUILD)/tests
	$(CC) $(HOST_TEST_CFLAGS) tests/host/test_multiboot.c $(MB_PURE) -o $@

$(BUILD)/fuzz/fuzz_multiboot%: tests/fuzz/fuzz_multiboot%.c $(MB_PURE) $(HEADERS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(MB_PURE) -o $@

# tests/fuzz/run runs each on build/fuzz/corpus-<name>: seeded with the test
# kernels (ELF and flat, both versions), whose headers pass.
fuzzers: $(BUILD)/fuzz/corpus-fuzz_multiboot1/.seeded $(BUILD)/fuzz/corpus-fuzz_multiboot2/.seeded
$(BUILD)/fuzz/corpus-fuzz_multiboot%/.seeded: $(MB_KERNELS) | $(BUILD)/fuzz
	mkdir -p $(dir $@)
	cp $(MB_KERNELS) $(dir $@)
	touch $@
