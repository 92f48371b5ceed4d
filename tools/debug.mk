# Debugging support (README "Debugging"): symbols for Bochs' debugger, types
# for gdb, and the two debugger targets.
#
#   make debug [IMAGE=... KERNEL=...] [DEBUG_PORT=1234] [QEMU_OPTS="-m 1G"]
#       QEMU halted at the reset vector with gdb attached (tools/gdb/qemu-gdb)
#   make bochs [IMAGE=... KERNEL=...] [BREAK="stage2 kernel detect_memory_e820"]
#       Bochs' debugger on this terminal with the symbols of MBR, stage2 and
#       kernel; BREAK names places to stop at ("stage2" and "kernel" are the
#       two entry points)
#   make debug-symbols   only the symbol files and gdb types

DEBUG_PORT ?= 1234
QEMU_OPTS ?=
BREAK ?=
KERNEL_SYM = $(BUILD)/$(notdir $(basename $(KERNEL))).sym
BOCHS_SYMS = $(BUILD)/mbr.sym $(BUILD)/stage2.sym $(KERNEL_SYM)

.PHONY: debug-symbols
debug-symbols: $(BUILD)/mbr.sym $(BUILD)/stage2.sym $(BUILD)/kernel64.sym \
	$(BUILD)/kernel32.sym $(BUILD)/gdb/types.o

# Bochs "ldsym" files: linear addresses (tools/bootsyms.py says how stage2's
# code segment base is found).
$(BUILD)/stage2.sym: $(BUILD)/stage2.elf tools/bootsyms.py include/layout.h
	tools/bootsyms.py bochs --stage2 $< $@
$(BUILD)/%.sym: $(BUILD)/%.elf tools/bootsyms.py
	tools/bootsyms.py bochs $< $@
ifneq ($(abspath $(dir $(KERNEL))),$(abspath $(BUILD)))
$(KERNEL_SYM): $(KERNEL) tools/bootsyms.py
	tools/bootsyms.py bochs $< $@
endif

$(BUILD)/gdb/types.o: tools/gdb/types.c $(HEADERS)
	mkdir -p $(dir $@)
	$(CC) -m32 -g -fno-eliminate-unused-debug-types -ffreestanding -fno-pic -c \
		-Iinclude -Istage2 -I$(BUILD) $< -o $@

debug: all $(BUILD)/gdb/types.o
	tools/gdb/qemu-gdb --port $(DEBUG_PORT) --kernel $(KERNEL) --qemu "$(QEMU_OPTS)" $(IMAGE)

# BREAK words: "stage2" and "kernel" are the entry points' linear addresses
# (from the ELF files), anything else a symbol or a 0x address.
bochs_break = $(if $(filter stage2,$(1)),$$(tools/bootsyms.py entry --stage2 $(BUILD)/stage2.elf),$\
	$(if $(filter kernel,$(1)),$$(tools/bootsyms.py entry $(KERNEL)),$(1)))

bochs: all $(BOCHS_SYMS)
	tools/bochs-run --debug $(foreach s,$(BOCHS_SYMS),--sym $(s)) \
		$(foreach b,$(BREAK),--break $(call bochs_break,$(b))) $(IMAGE)
