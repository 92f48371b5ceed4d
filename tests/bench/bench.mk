# Inputs of the benchmark (tools/bench) and of the instruction profile
# (tools/inscount), included by the top-level Makefile.  `make bench-inputs`
# builds them all into build/bench/:
#   tiny-{own,mb1,mb2}.elf  tests/bench/tinykernel.asm: exits QEMU at its
#                           first instructions; own protocol, Multiboot 1, 2
#   big-{own,mb1,mb2}.elf   the same plus BENCH_BIG_BYTES of data
#   floor.bin               a boot sector that exits at once
#   rawread.bin (.elf)      a boot sector that only reads sectors (the limit)
#   callprobe.bin (.elf)    a boot sector making known BIOS calls (inscount's test)

BENCH_DIR := $(BUILD)/bench
BENCH_BIG_BYTES := 33554432
BENCH_KERNELS := $(foreach k,tiny big,$(foreach p,own mb1 mb2,$(BENCH_DIR)/$(k)-$(p).elf))
BENCH_SECTORS := $(BENCH_DIR)/floor.bin $(BENCH_DIR)/rawread.bin $(BENCH_DIR)/callprobe.bin
BENCH_INPUTS := $(BENCH_KERNELS) $(BENCH_SECTORS)
BENCH_DEFS_own :=
BENCH_DEFS_mb1 := -DMULTIBOOT1
BENCH_DEFS_mb2 := -DMULTIBOOT2

# The tests (tests/boot/benchtest.py) need only the small ones.
BENCH_TEST_INPUTS := $(foreach p,own mb1 mb2,$(BENCH_DIR)/tiny-$(p).elf) $(BENCH_SECTORS)

.PHONY: bench-inputs bench-test-inputs inscount
bench-inputs: $(BENCH_INPUTS)
bench-test-inputs: $(BENCH_TEST_INPUTS)
bench: $(BENCH_INPUTS)

# The deterministic instruction profile of a boot of the tiny kernel.
inscount: all $(BENCH_TEST_INPUTS)
	tools/inscount

$(BENCH_DIR):
	mkdir -p $@

$(BENCH_DIR)/tiny-%.o: tests/bench/tinykernel.asm $(BUILD)/status.inc $(BUILD)/bootinfo.inc \
		| $(BENCH_DIR)
	$(NASM) -f elf32 -I$(BUILD)/ $(BENCH_DEFS_$*) -l $(BENCH_DIR)/tiny-$*.lst $< -o $@

$(BENCH_DIR)/tiny-%.elf: $(BENCH_DIR)/tiny-%.o link.ld
	$(LD) -m elf_i386 -T link.ld -z max-page-size=0x1000 -z noexecstack $< -o $@

# Patterned, not zero: every byte has to be moved, and a wrong copy shows.
$(BENCH_DIR)/blob.bin: | $(BENCH_DIR)
	python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * ($(BENCH_BIG_BYTES) // 256))' > $@

$(BENCH_DIR)/blob.o: $(BENCH_DIR)/blob.bin
	$(LD) -m elf_i386 -r -b binary $< -o $@

$(BENCH_DIR)/big-%.elf: $(BENCH_DIR)/tiny-%.o $(BENCH_DIR)/blob.o link.ld
	$(LD) -m elf_i386 -T link.ld -z max-page-size=0x1000 -z noexecstack \
		$(BENCH_DIR)/tiny-$*.o $(BENCH_DIR)/blob.o -o $@

# Boot sectors, linked like the MBR (its link script owns the load address
# and the 55 AA signature).
$(BENCH_SECTORS:.bin=.o): $(BENCH_DIR)/%.o: tests/bench/%.asm $(BUILD)/layout.inc \
		$(BUILD)/status.inc | $(BENCH_DIR)
	$(NASM) -f elf32 -I$(BUILD)/ -l $(BENCH_DIR)/$*.lst $< -o $@

$(BENCH_SECTORS:.bin=.elf): %.elf: %.o $(BUILD)/boot/mbr.lds
	$(LD) -m elf_i386 -T $(BUILD)/boot/mbr.lds $< -o $@

$(BENCH_SECTORS): %.bin: %.elf
	$(OBJCOPY) -O binary $< $@
	@test $$(stat -c %s $@) -eq 512 || { echo "$@ is not 512 bytes"; exit 1; }
