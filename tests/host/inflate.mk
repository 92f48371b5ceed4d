# The DEFLATE/gzip decoder (stage2/inflate.c): its host test against zlib,
# its libFuzzer harness and the harness's seed corpus.  Included by the
# top-level Makefile after tests/host/host.mk and tests/fuzz/fuzz.mk.

# zlib is the oracle (zlib1g-dev); the real build outputs are inputs.
HOST_TESTS += $(BUILD)/tests/test_inflate
host-tests: $(BUILD)/tests/test_inflate

$(BUILD)/tests/test_inflate: tests/host/test_inflate.c stage2/inflate.c $(HOST_TEST_HEADERS) \
		$(BUILD)/kernel64.elf $(BUILD)/kernel32.elf $(BUILD)/stage2.bin $(BUILD)/mbr.bin \
		| $(BUILD)/tests
	$(CC) $(HOST_TEST_CFLAGS) tests/host/test_inflate.c stage2/inflate.c -lz -o $@

# The fuzzer, differential against zlib (see tests/fuzz/fuzz_inflate.c).
# tests/fuzz/run runs every build/fuzz/fuzz_* on build/fuzz/corpus-<name>,
# which the seed generator fills first.
FUZZERS += $(BUILD)/fuzz/fuzz_inflate
fuzzers: $(BUILD)/fuzz/fuzz_inflate $(BUILD)/fuzz/corpus-fuzz_inflate/.seeded

$(BUILD)/fuzz/fuzz_inflate: tests/fuzz/fuzz_inflate.c stage2/inflate.c $(HEADERS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) tests/fuzz/fuzz_inflate.c stage2/inflate.c -lz -o $@

$(BUILD)/fuzz/corpus-fuzz_inflate/.seeded: tests/fuzz/inflate_seeds.py | $(BUILD)/fuzz
	python3 tests/fuzz/inflate_seeds.py $(dir $@)
	touch $@

# Size and speed figures (see tests/host/inflate_bench.sh; needs valgrind).
.PHONY: inflate-bench
$(BUILD)/bench/bench_inflate: tests/host/bench_inflate.c stage2/inflate.c $(HEADERS)
	mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $< stage2/inflate.c -o $@
$(BUILD)/bench/bench_inflate32: tests/host/bench_inflate.c stage2/inflate.c $(HEADERS)
	mkdir -p $(dir $@)
	$(CC) -m32 -march=i386 -Os -fno-pic -no-pie -std=gnu11 -Iinclude -Istage2 \
		$< stage2/inflate.c -o $@
inflate-bench: $(BUILD)/bench/bench_inflate $(BUILD)/bench/bench_inflate32 \
		$(BUILD)/stage2/inflate.o $(BUILD)/stage2.bin
	tests/host/inflate_bench.sh
