# The installer (tools/install.c around the pure planner tools/instplan.c),
# which `make install`, `make uninstall` and tools/mkdisk use, and its tests.
# Included by the top-level Makefile.

INSTALL_SRCS := tools/install.c tools/instplan.c tools/bootpatch.c tools/hostio.c stage2/part.c stage2/fat.c \
	stage2/config.c
INSTALL_DEPS := $(INSTALL_SRCS) tools/instplan.h tools/bootpatch.h tools/hostio.h $(HEADERS) \
	$(BUILD)/mbr_syms.h $(BUILD)/stage2_syms.h

$(BUILD)/install: $(INSTALL_DEPS)
	$(CC) $(HOST_CFLAGS) -Itools $(INSTALL_SRCS) -o $@

# make install DISK=path [PARTITION=n] [DRY_RUN=1] [BACKUP=file] [GPT_ACTIVE=1]
# make uninstall DISK=path BACKUP=file [DRY_RUN=1] [FORCE=1]
install: $(BUILD)/install $(BUILD)/mbr.bin $(BUILD)/stage2.bin
	@test -n "$(DISK)" || { echo "make install: DISK=path is missing (a disk image or a whole block device)"; exit 1; }
	BUILD_DIR=$(BUILD) $(BUILD)/install $(if $(PARTITION),--partition "$(PARTITION)") \
		$(if $(DRY_RUN),--dry-run) $(if $(BACKUP),--backup "$(BACKUP)") \
		$(if $(GPT_ACTIVE),--gpt-active) "$(DISK)"

uninstall: $(BUILD)/install
	@test -n "$(DISK)" || { echo "make uninstall: DISK=path is missing"; exit 1; }
	@test -n "$(BACKUP)" || { echo "make uninstall: BACKUP=file is missing (the file make install BACKUP=file saved)"; exit 1; }
	$(BUILD)/install --uninstall --backup "$(BACKUP)" $(if $(DRY_RUN),--dry-run) \
		$(if $(FORCE),--force) "$(DISK)"

# Host tests: the installer on images made by sfdisk, parted, sgdisk,
# mkfs.fat and mtools, and (as root) on loop devices; the planner alone.
HOST_TESTS += $(BUILD)/tests/test_install
host-tests: $(BUILD)/tests/test_install

$(BUILD)/tests/test_install: tests/host/test_install.c tools/instplan.c tools/bootpatch.c \
		stage2/part.c stage2/fat.c stage2/config.c tools/instplan.h tests/host/diskimg.h $(HOST_TEST_HEADERS) \
		$(BUILD)/install $(BUILD)/mbr.bin $(BUILD)/stage2.bin $(BUILD)/kernel64.elf \
		| $(BUILD)/tests
	$(CC) $(HOST_TEST_CFLAGS) -Itools tests/host/test_install.c tools/instplan.c \
		tools/bootpatch.c stage2/part.c stage2/fat.c stage2/config.c -o $@

# The planner against fuzzed disks and backup files (tests/fuzz/run).
FUZZERS += $(BUILD)/fuzz/fuzz_instplan
fuzzers: $(BUILD)/fuzz/fuzz_instplan

$(BUILD)/fuzz/fuzz_instplan: tests/fuzz/fuzz_instplan.c tools/instplan.c tools/bootpatch.c \
		stage2/part.c stage2/fat.c stage2/config.c tools/instplan.h $(HEADERS) \
		$(BUILD)/mbr_syms.h $(BUILD)/stage2_syms.h $(BUILD)/mbr.bin $(BUILD)/stage2.bin \
		| $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itools tests/fuzz/fuzz_instplan.c tools/instplan.c \
		tools/bootpatch.c stage2/part.c stage2/fat.c stage2/config.c -o $@
