# The example kernel built to fault on purpose (kernel/kernel.h): ud2, or a
# write to an unmapped page, for the exception-report tests
# (tests/boot/debugtest.py).  build/kernel{32,64}-{ud,pf}.elf and the images
# build/disk{32,64}-{ud,pf}.img; `make fault-kernels` builds all of them.
FAULT_KINDS := ud pf
FAULT_DEFINE_ud := KERNEL_FAULT_UD
FAULT_DEFINE_pf := KERNEL_FAULT_PF
FAULT_IMAGES := $(foreach k,$(FAULT_KINDS),$(BUILD)/disk32-$(k).img $(BUILD)/disk64-$(k).img)

.PHONY: fault-kernels
fault-kernels: $(FAULT_IMAGES)

$(BUILD)/kernel32-fault/%/kernel.o: kernel/kernel.c $(HEADERS)
	mkdir -p $(dir $@)
	$(CC) $(KERNEL32_CFLAGS) -DKERNEL_FAULT=$(FAULT_DEFINE_$*) -c $< -o $@
$(BUILD)/kernel32-fault/%/exception.o: kernel/exception.c $(HEADERS)
	mkdir -p $(dir $@)
	$(CC) $(KERNEL32_CFLAGS) -DKERNEL_FAULT=$(FAULT_DEFINE_$*) -c $< -o $@
$(BUILD)/kernel64-fault/%/kernel.o: kernel/kernel.c $(HEADERS)
	mkdir -p $(dir $@)
	$(CC) $(KERNEL64_CFLAGS) -DKERNEL_FAULT=$(FAULT_DEFINE_$*) -c $< -o $@
$(BUILD)/kernel64-fault/%/exception.o: kernel/exception.c $(HEADERS)
	mkdir -p $(dir $@)
	$(CC) $(KERNEL64_CFLAGS) -DKERNEL_FAULT=$(FAULT_DEFINE_$*) -c $< -o $@

$(BUILD)/kernel32-%.elf: $(BUILD)/kernel32-fault/%/kernel.o $(BUILD)/kernel32-fault/%/exception.o \
		$(BUILD)/kernel32/screen.o $(BUILD)/kernel32/font.o link.ld
	$(LD) -m elf_i386 -T link.ld -z max-page-size=0x1000 -z noexecstack $(filter %.o,$^) -o $@
$(BUILD)/kernel64-%.elf: $(BUILD)/kernel64-fault/%/kernel.o $(BUILD)/kernel64-fault/%/exception.o \
		$(BUILD)/kernel64/screen.o $(BUILD)/kernel64/font.o link.ld
	$(LD) -m elf_x86_64 -T link.ld -z max-page-size=0x1000 -z noexecstack $(filter %.o,$^) -o $@

$(BUILD)/disk32-%.img: $(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel32-%.elf
	$(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel32-$*.elf $@
$(BUILD)/disk64-%.img: $(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel64-%.elf
	$(BUILD)/mkimage $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel64-$*.elf $@
