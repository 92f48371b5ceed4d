# Host test and fuzzer of the Linux boot protocol's pure half
# (stage2/proto/linux_header.c; the fuzzer also reads the input as a command
# line for stage2/proto/linux_video.c's vga=).  Included by the top-level Makefile.
# test_linux reads the zero page through Linux's own <asm/bootparam.h>
# (linux-libc-dev), an independent reader of every offset.

LINUX_TESTS := $(BUILD)/tests/test_linux
LINUX_FUZZERS := $(BUILD)/fuzz/fuzz_linux
HOST_TESTS += $(LINUX_TESTS)
FUZZERS += $(LINUX_FUZZERS)
host-tests: $(LINUX_TESTS)
fuzzers: $(LINUX_FUZZERS)

$(BUILD)/tests/test_linux: tests/host/test_linux.c stage2/proto/linux_header.c \
		$(HOST_TEST_HEADERS) | $(BUILD)/tests
	$(CC) $(HOST_TEST_CFLAGS) tests/host/test_linux.c stage2/proto/linux_header.c -o $@

$(BUILD)/fuzz/fuzz_linux: tests/fuzz/fuzz_linux.c stage2/proto/linux_header.c \
		stage2/proto/linux_video.c $(HEADERS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) tests/fuzz/fuzz_linux.c stage2/proto/linux_header.c \
		stage2/proto/linux_video.c -o $@

# tests/fuzz/run runs build/fuzz/fuzz_linux on build/fuzz/corpus-fuzz_linux,
# which the seed generator fills first.
fuzzers: $(BUILD)/fuzz/corpus-fuzz_linux/.seeded
$(BUILD)/fuzz/corpus-fuzz_linux/.seeded: tests/fuzz/linux_seeds.py | $(BUILD)/fuzz
	python3 tests/fuzz/linux_seeds.py $(dir $@)
