# Video modes (issue 11), included by the top-level Makefile: the host test
# of the pure half (stage2/vbemode.c) and the BIOS half (stage2/vbe.c,
# stage2/video.c) against a scripted INT 10h, and the fuzzer of everything
# stage2 reads from a video BIOS.
HOST_TESTS += $(BUILD)/tests/test_vbe
FUZZERS += $(BUILD)/fuzz/fuzz_vbe
host-tests: $(BUILD)/tests/test_vbe
fuzzers: $(BUILD)/fuzz/fuzz_vbe

$(BUILD)/tests/test_vbe: tests/host/test_vbe.c stage2/vbe.c stage2/vbemode.c stage2/video.c \
		stage2/proto/linux_video.c $(HOST_TEST_HEADERS) | $(BUILD)/tests
	$(CC) $(HOST_TEST_CFLAGS) tests/host/test_vbe.c stage2/vbe.c stage2/vbemode.c \
		stage2/video.c stage2/proto/linux_video.c -o $@

$(BUILD)/fuzz/fuzz_vbe: tests/fuzz/fuzz_vbe.c stage2/vbemode.c $(HEADERS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) tests/fuzz/fuzz_vbe.c stage2/vbemode.c -o $@

# The video tests' kernel (tests/kernels/fbkernel.c): ELF32, linked with the
# example's link.ld at its own entry.  fbkernel-own.elf speaks the own
# protocol; its video mode comes from loader.cfg.
# fbkernel-mb1.elf and fbkernel-mb2.elf carry a Multiboot header that asks
# for 1024x768x32 themselves.
FB_KERNELS := $(BUILD)/fbkernel-own.elf $(BUILD)/fbkernel-mb1.elf $(BUILD)/fbkernel-mb2.elf
FB_DEFINES_mb1 := -DFB_MULTIBOOT1
FB_DEFINES_mb2 := -DFB_MULTIBOOT2
.PHONY: video-kernels
video-kernels: $(FB_KERNELS)

$(BUILD)/fbkernel/%.o: tests/kernels/fbkernel.c $(HEADERS)
	mkdir -p $(dir $@)
	$(CC) $(KERNEL32_CFLAGS) $(FB_DEFINES_$*) -c $< -o $@
$(BUILD)/fbkernel-%.elf: $(BUILD)/fbkernel/%.o link.ld
	$(LD) -m elf_i386 -T link.ld -e fb_entry -z max-page-size=0x1000 -z noexecstack $< -o $@

# tools/mapview's test: the real dumps (tests/host/dumps) through the real
# sanitizer as report lines (dump_report), then through mapview.
HOST_TESTS += $(BUILD)/tests/test_mapview
host-tests: $(BUILD)/tests/test_mapview

$(BUILD)/tests/dump_report: tests/host/dump_report.c stage2/sanitize.c $(HOST_TEST_HEADERS) \
		| $(BUILD)/tests
	$(CC) $(HOST_TEST_CFLAGS) tests/host/dump_report.c stage2/sanitize.c -o $@
$(BUILD)/tests/test_mapview: tests/host/test_mapview.py tools/mapview include/mappicture.h \
		$(BUILD)/tests/dump_report | $(BUILD)/tests
	install -m 755 tests/host/test_mapview.py $@
