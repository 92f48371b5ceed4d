# Host unit tests, included by the top-level Makefile.  Each test binary is
# built from the REAL stage2 sources (sanitize.c, memory.c), never copies,
# with the fake BIOS standing in for intcall() and bda_read16(), and with
# AddressSanitizer/UBSan so an overrun or an overflow fails the run.
# tests/run executes every build/tests/test_* with no arguments; each prints
# one "PASS name" / "FAIL name: ..." line per case and exits 1 on a failure.

HOST_TEST_CFLAGS := $(HOST_CFLAGS) -DHOST_FAKE_BIOS -Itests/host \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

HOST_TESTS := $(BUILD)/tests/test_sanitize $(BUILD)/tests/test_memory $(BUILD)/tests/test_mkimage
HOST_TEST_HEADERS := $(HEADERS) $(wildcard tests/host/*.h)

host-tests: $(HOST_TESTS)

$(BUILD)/tests/test_sanitize: tests/host/test_sanitize.c stage2/sanitize.c \
		$(HOST_TEST_HEADERS) | $(BUILD)/tests
	$(CC) $(HOST_TEST_CFLAGS) tests/host/test_sanitize.c stage2/sanitize.c -o $@

$(BUILD)/tests/test_memory: tests/host/test_memory.c tests/host/fake_bios.c \
		stage2/memory.c stage2/sanitize.c $(HOST_TEST_HEADERS) | $(BUILD)/tests
	$(CC) $(HOST_TEST_CFLAGS) tests/host/test_memory.c tests/host/fake_bios.c \
		stage2/memory.c stage2/sanitize.c -o $@

# Runs build/mkimage on the real build outputs, so those come first.
$(BUILD)/tests/test_mkimage: tests/host/test_mkimage.c $(HOST_TEST_HEADERS) \
		$(BUILD)/mbr_syms.h $(BUILD)/stage2_syms.h $(BUILD)/mkimage \
		$(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel64.elf | $(BUILD)/tests
	$(CC) $(HOST_TEST_CFLAGS) tests/host/test_mkimage.c -lz -o $@

# Real firmware maps (tests/host/dumps/*.e820, see its README) through the
# sanitizer; the dumps are read at run time, so adding one needs no rebuild.
HOST_TESTS += $(BUILD)/tests/test_dumps
host-tests: $(BUILD)/tests/test_dumps

$(BUILD)/tests/test_dumps: tests/host/test_dumps.c stage2/sanitize.c \
		$(HOST_TEST_HEADERS) | $(BUILD)/tests
	$(CC) $(HOST_TEST_CFLAGS) tests/host/test_dumps.c stage2/sanitize.c -o $@

# The A20 code against the fake chipset (8042, port 0x92, INT 15h 2401h).
HOST_TESTS += $(BUILD)/tests/test_a20
host-tests: $(BUILD)/tests/test_a20

$(BUILD)/tests/test_a20: tests/host/test_a20.c tests/host/fake_bios.c stage2/a20.c \
		$(HOST_TEST_HEADERS) | $(BUILD)/tests
	$(CC) $(HOST_TEST_CFLAGS) tests/host/test_a20.c tests/host/fake_bios.c stage2/a20.c -o $@

# Protocol detection and the RSDP scan, on buffers built from the specs.
HOST_TESTS += $(BUILD)/tests/test_detect
host-tests: $(BUILD)/tests/test_detect

$(BUILD)/tests/test_detect: tests/host/test_detect.c stage2/proto/detect.c stage2/acpi.c \
		$(HOST_TEST_HEADERS) | $(BUILD)/tests
	$(CC) $(HOST_TEST_CFLAGS) tests/host/test_detect.c stage2/proto/detect.c stage2/acpi.c -o $@
