# Host tests and fuzzers of the disk layers stage2 boots kernels through:
# stage2/part.c (MBR/GPT), stage2/fat.c (FAT12/16/32), stage2/config.c
# (/boot/loader.cfg).  Included by the top-level Makefile.  test_part and
# test_fat build their disk images at run time with sfdisk, sgdisk, mkfs.fat
# and mtools (tools/packages.txt) under build/tests/fsimg/: no root needed.

FS_TESTS := $(BUILD)/tests/test_part $(BUILD)/tests/test_fat $(BUILD)/tests/test_config
FS_FUZZERS := $(BUILD)/fuzz/fuzz_part $(BUILD)/fuzz/fuzz_fat $(BUILD)/fuzz/fuzz_config
HOST_TESTS += $(FS_TESTS)
FUZZERS += $(FS_FUZZERS)
host-tests: $(FS_TESTS)
fuzzers: $(FS_FUZZERS)

$(BUILD)/tests/test_part: tests/host/test_part.c stage2/part.c tests/host/diskimg.h \
		$(HOST_TEST_HEADERS) | $(BUILD)/tests
	$(CC) $(HOST_TEST_CFLAGS) tests/host/test_part.c stage2/part.c -o $@

$(BUILD)/tests/test_fat: tests/host/test_fat.c stage2/fat.c stage2/part.c tests/host/diskimg.h \
		$(HOST_TEST_HEADERS) | $(BUILD)/tests
	$(CC) $(HOST_TEST_CFLAGS) tests/host/test_fat.c stage2/fat.c stage2/part.c -o $@

$(BUILD)/tests/test_config: tests/host/test_config.c stage2/config.c \
		$(HOST_TEST_HEADERS) | $(BUILD)/tests
	$(CC) $(HOST_TEST_CFLAGS) tests/host/test_config.c stage2/config.c -o $@

$(BUILD)/fuzz/fuzz_part: tests/fuzz/fuzz_part.c stage2/part.c $(HEADERS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) tests/fuzz/fuzz_part.c stage2/part.c -o $@

$(BUILD)/fuzz/fuzz_fat: tests/fuzz/fuzz_fat.c stage2/fat.c stage2/part.c $(HEADERS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) tests/fuzz/fuzz_fat.c stage2/fat.c stage2/part.c -o $@

$(BUILD)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c stage2/config.c $(HEADERS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) tests/fuzz/fuzz_config.c stage2/config.c -o $@
