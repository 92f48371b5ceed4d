# libFuzzer harnesses (clang).  `make fuzz` runs each for FUZZ_TIME seconds;
# `make test` runs each for a short bounded time through tests/fuzz/run.
FUZZ_CC := clang
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Iinclude -Istage2 -I$(BUILD)
FUZZ_TIME ?= 300
FUZZERS := $(BUILD)/fuzz/fuzz_sanitize $(BUILD)/fuzz/fuzz_elf $(BUILD)/fuzz/fuzz_e820

$(BUILD)/fuzz:
	mkdir -p $@

$(BUILD)/fuzz/fuzz_sanitize: tests/fuzz/fuzz_sanitize.c stage2/sanitize.c $(HEADERS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) tests/fuzz/fuzz_sanitize.c stage2/sanitize.c -o $@

$(BUILD)/fuzz/fuzz_elf: tests/fuzz/fuzz_elf.c stage2/elfload.c $(HEADERS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) tests/fuzz/fuzz_elf.c stage2/elfload.c -o $@

$(BUILD)/fuzz/fuzz_e820: tests/fuzz/fuzz_e820.c stage2/memory.c stage2/sanitize.c tests/host/fake_bios.c $(HEADERS) tests/host/fake_bios.h | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DHOST_FAKE_BIOS -Itests/host tests/fuzz/fuzz_e820.c stage2/memory.c \
		stage2/sanitize.c tests/host/fake_bios.c -o $@

.PHONY: fuzzers fuzz
fuzzers: $(FUZZERS)

fuzz: deps fuzzers $(BUILD)/kernel32.elf $(BUILD)/kernel64.elf
	tests/fuzz/run --time $(FUZZ_TIME)
