/*
 * The installer, end to end and in its pure part.
 *
 * End to end: build/install runs on disk images made by sfdisk, parted,
 * sgdisk, mkfs.fat and mtools (no root), and, as root, on loop devices.
 * What it must keep is checked against the tools' own view (sfdisk --dump,
 * sgdisk --verify, mtools, fsck.fat) and byte for byte against a copy taken
 * before; every refusal is checked for its message, for the number it names
 * (derived here from the image, not from the installer) and for leaving the
 * image byte-identical.  The backup file is parsed here from its documented
 * layout, its checksum computed by python's zlib.
 *
 * The pure part (tools/instplan.c): plans on images in memory with random
 * bytes wherever the disk owns them; the planned LBA 0 may differ from the
 * disk's only in the loader's code bytes and one status byte.
 *
 * Boots of installed images are tests/boot/installtest.py.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bootpatch.h"
#include "instplan.h"
#include "layout.h"
#include "mbr.h"
#include "mbr_syms.h"
#include "stage2_syms.h"
#include "testlib.h"

#define IMG_DIR "build/tests/instimg"
#include "diskimg.h"

#define INSTALL "BUILD_DIR=build build/install"
#define MIB (1024u * 1024u)
#define OFF_S2_LBA (MBR_SYM_s2_lba - MBR_LOAD_ADDR)
#define OFF_S2_SECTORS (MBR_SYM_s2_sectors - MBR_LOAD_ADDR)
#define OFF_S2_SUM (MBR_SYM_s2_sum - MBR_LOAD_ADDR)

static u32 s2_sectors;	 /* build/stage2.bin's size in sectors */
static u32 core_sectors; /* of which the core, as its header says */
static char out[65536];

/* --- shell and files -------------------------------------------------------- */

/* A command's stdout and stderr into out; its exit status. */
static int __attribute__((format(printf, 1, 2))) run(const char *fmt, ...)
{
	char cmd[8192], full[8400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "(%s) 2>&1", cmd);
	FILE *p = popen(full, "r");
	if (!p) {
		out[0] = 0;
		return -1;
	}
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	int rc = pclose(p);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static const char *path_of(const char *name)
{
	static char buf[4][256];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), IMG_DIR "/%s", name);
	return buf[k];
}

/* A copy of an image, to compare with afterwards. */
struct snap {
	u8 *b;
	size_t len;
};

static struct snap snap(const char *path)
{
	struct snap s = {0};
	s.b = read_whole(path, &s.len);
	return s;
}

/* Checks the image equals the snapshot, except bytes [from, to) and
 * [from2, to2); names the first difference. */
static void check_same2(const char *path, const struct snap *s, u64 from, u64 to, u64 from2,
			u64 to2, const char *what)
{
	size_t len;
	u8 *now = read_whole(path, &len);

	if (!now || !s->b) {
		t_fail("%s: cannot read %s", what, path);
		free(now);
		return;
	}
	if (len != s->len)
		t_fail("%s: size changed from %zu to %zu", what, s->len, len);
	for (size_t i = 0; i < len && i < s->len; i++)
		if (now[i] != s->b[i] && !(i >= from && i < to) && !(i >= from2 && i < to2)) {
			t_fail("%s: byte %zu (LBA %zu offset 0x%03zx) changed from 0x%02x to "
			       "0x%02x",
			       what, i, i / 512, i % 512, s->b[i], now[i]);
			break;
		}
	free(now);
}

static void check_same(const char *path, const struct snap *s, u64 from, u64 to, const char *what)
{
	check_same2(path, s, from, to, 0, 0, what);
}

/* --- images ------------------------------------------------------------------ */

static const char *kernel_elf = "build/kernel64.elf";

/* An empty image of mib MiB with an sfdisk script's table. */
static int mbr_image(const char *name, unsigned mib, const char *script)
{
	const char *p = path_of(name);
	unlink(p);
	return sh("truncate -s %uM %s && printf '%s' | sfdisk -q %s", mib, p, script, p);
}

/* mkfs.fat of the given type in [lba, lba + sectors), with files: the
 * kernel, /boot/loader.cfg booting it, and a few others. */
static int fat_fill(const char *name, u64 lba, u64 sectors, int bits, int with_cfg)
{
	const char *p = path_of(name);
	const char *cfg = path_of("loader.cfg");
	FILE *f = fopen(cfg, "w");
	if (!f)
		return -1;
	fprintf(f, "timeout=0\ntitle=example\nkernel=/boot/kernel64.elf\n");
	fclose(f);
	/* One sector a cluster where FAT16 and FAT32 would have too few. */
	int spc1 = bits == 32 || (bits == 16 && sectors < 64000);
	if (sh("mkfs.fat -F %d %s --offset=%llu -h %llu %s %llu", bits, spc1 ? "-s 1" : "",
	       (unsigned long long)lba, (unsigned long long)lba, p,
	       (unsigned long long)sectors / 2))
		return -1;
	return sh("export MTOOLS_SKIP_CHECK=1; i=%s@@%llu; mmd -i $i ::/boot ::/data && "
		  "mcopy -i $i %s ::/boot/kernel64.elf && %s"
		  "head -c 30000 /dev/urandom > " IMG_DIR "/r1 && mcopy -i $i " IMG_DIR "/r1 "
		  "'::/data/A long file name.bin'",
		  p, (unsigned long long)lba * 512, kernel_elf,
		  with_cfg ? "mcopy -i $i " IMG_DIR "/loader.cfg ::/boot/loader.cfg && " : "");
}

/* A FAT16 partition 1 at 2048 in a 16 MiB image, files, no boot code. */
static int simple_image(const char *name)
{
	return mbr_image(name, 16, "2048,,e\\n") || fat_fill(name, 2048, 16 * 2048 - 2048, 16, 1);
}

static int gpt_image(const char *name, unsigned mib, const char *sgdisk_args)
{
	const char *p = path_of(name);
	unlink(p);
	return sh("truncate -s %uM %s && sgdisk %s %s", mib, p, sgdisk_args, p);
}

/* The active flags sfdisk sees: "1" for partition 1 only, "" for none. */
static const char *bootable(const char *name)
{
	static char list[64];
	char *s, *save;

	list[0] = 0;
	if (run("sfdisk --dump %s", path_of(name)))
		return "(sfdisk failed)";
	for (s = strtok_r(out, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
		const char *dev = strstr(s, ".img");
		if (dev && strstr(s, "bootable"))
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d",
				 list[0] ? "," : "", atoi(dev + 4));
	}
	return list;
}

/* sfdisk --dump without the bootable flags and the device names. */
static void table_text(const char *name, char *buf, size_t size)
{
	char *s, *save, *w = buf;

	buf[0] = 0;
	if (run("sfdisk --dump %s", path_of(name)))
		return;
	for (s = strtok_r(out, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
		char *b = strstr(s, ", bootable");
		if (b)
			memmove(b, b + 10, strlen(b + 10) + 1);
		if (strstr(s, "device:"))
			continue;
		w += snprintf(w, size - (size_t)(w - buf), "%s\n", s);
	}
}

static int expect_install(const char *args, const char *name)
{
	int rc = run(INSTALL " %s %s", args, path_of(name));
	CHECK(rc == 0, "install %s failed (%d): %.300s", args, rc, out);
	return rc;
}

/* Runs the installer; it must refuse with a message holding want, name the
 * disk, and leave the image as it was. */
static void expect_refusal(const char *args, const char *name, const char *want)
{
	struct snap s = snap(path_of(name));
	int rc = run(INSTALL " %s %s", args, path_of(name));
	CHECK(rc == 1, "exit status %d, want 1; output: %.300s", rc, out);
	CHECK(strstr(out, want) != NULL, "message %.400s does not hold '%s'", out, want);
	CHECK(strncmp(out, "install: ", 9) == 0, "message does not start with 'install: ': %.100s",
	      out);
	if (s.b)
		check_same(path_of(name), &s, 0, 0, "after the refusal");
	free(s.b);
}

/* --- refusals ---------------------------------------------------------------- */

static void test_refusals(void)
{
	char want[512];

	/* The gap: one sector short of stage2's core. */
	t_begin("refuse_gap_too_small");
	char script[64];
	snprintf(script, sizeof(script), "%u,,c\\n", core_sectors);
	if (!mbr_image("gap.img", 8, script) &&
	    !fat_fill("gap.img", core_sectors, 8 * 2048 - core_sectors - 1, 12, 1)) {
		snprintf(want, sizeof(want),
			 "stage2 needs %u sectors from LBA 1 (its core alone "
			 "%u), but partition 1 starts at LBA %u: the gap before it holds %u",
			 s2_sectors, core_sectors, core_sectors, core_sectors - 1);
		expect_refusal("", "gap.img", want);
	} else {
		t_fail("cannot build the image");
	}
	t_end();

	/* Room for the core, not the extension: the core alone goes on. */
	t_begin("gap_for_the_core_alone");
	snprintf(script, sizeof(script), "%u,,c\\n", s2_sectors);
	if (s2_sectors == core_sectors) {
		t_fail("stage2.bin has no extension (header: %u core sectors of %u)", core_sectors,
		       s2_sectors);
	} else if (!mbr_image("core.img", 8, script) &&
		   !fat_fill("core.img", s2_sectors, 8 * 2048 - s2_sectors - 1, 12, 1)) {
		struct snap s = snap(path_of("core.img"));
		if (!expect_install("", "core.img")) {
			CHECK(strstr(out, "room for stage2's core") != NULL, "no note: %.300s",
			      out);
			u32 ext = ~0u;
			pread_at(path_of("core.img"), 512 + STAGE2_SYM_hdr_ext_sectors, &ext, 4);
			CHECK(ext == 0, "the header still says %u extension sectors", ext);
			check_same(path_of("core.img"), &s, 0, (u64)(1 + core_sectors) * 512,
				   "outside LBA 0..core");
		}
		free(s.b);
	} else {
		t_fail("cannot build the image");
	}
	t_end();

	/* Data of other software in the gap (a FlexNet-style signature). */
	t_begin("refuse_gap_holds_foreign_data");
	if (!simple_image("foreign.img")) {
		u64 lba = s2_sectors / 2;
		patch(path_of("foreign.img"), lba * 512 + 0x1a3, "FLEXlm", 6);
		snprintf(want, sizeof(want),
			 "LBA %llu in the gap before the first partition "
			 "holds data that is not this loader's (byte 0x1a3 is 0x%02x)",
			 (unsigned long long)lba, 'F');
		expect_refusal("", "foreign.img", want);
		/* Beyond what stage2 takes the gap is not ours and not checked. */
		t_end();
		t_begin("foreign_data_past_stage2_kept");
		patch(path_of("foreign.img"), lba * 512 + 0x1a3, "\0\0\0\0\0\0", 6);
		patch(path_of("foreign.img"), (u64)(s2_sectors + 1) * 512, "FLEXlm", 6);
		struct snap s = snap(path_of("foreign.img"));
		if (!expect_install("", "foreign.img"))
			check_same(path_of("foreign.img"), &s, 0, (u64)(s2_sectors + 1) * 512,
				   "outside LBA 0..stage2");
		free(s.b);
	} else {
		t_fail("cannot build the image");
	}
	t_end();

	t_begin("refuse_gpt_without_bios_boot_partition");
	if (!gpt_image("gptnobb.img", 40, "-n 1:2048:0 -t 1:0700")) {
		expect_refusal("", "gptnobb.img",
			       "this GPT disk has no BIOS boot partition (type "
			       "21686148-6449-6E6F-744E-656564454649)");
	} else {
		t_fail("cannot build the image");
	}
	t_end();

	t_begin("refuse_gpt_bios_boot_partition_too_small");
	snprintf(script, sizeof(script), "-a 1 -n 1:34:%u -t 1:EF02 -n 2:2048:0 -t 2:0700",
		 34 + core_sectors - 2);
	if (!gpt_image("gptsmall.img", 40, script)) {
		snprintf(want, sizeof(want),
			 "the BIOS boot partition (1, LBA 34) has %u sectors; "
			 "stage2 needs %u (its core alone %u)",
			 core_sectors - 1, s2_sectors, core_sectors);
		expect_refusal("", "gptsmall.img", want);
	} else {
		t_fail("cannot build the image");
	}
	t_end();

	/* parted's bios_grub flag, GRUB's core.img already there. */
	t_begin("refuse_gpt_bios_boot_partition_holding_another_loader");
	unlink(path_of("gptgrub.img"));
	if (!sh("truncate -s 40M %s && parted -s %s mklabel gpt mkpart bb 34s 2047s set 1 "
		"bios_grub on mkpart fat fat32 2048s 100%%",
		path_of("gptgrub.img"), path_of("gptgrub.img"))) {
		patch(path_of("gptgrub.img"), 34 * 512 + 0x10, "GRUB core", 9);
		snprintf(want, sizeof(want),
			 "the BIOS boot partition (1) holds data that is not "
			 "this loader's at LBA 34 (byte 0x010 is 0x%02x)",
			 'G');
		expect_refusal("", "gptgrub.img", want);
	} else {
		t_fail("cannot build the image");
	}
	t_end();

	t_begin("refuse_gpt_primary_damaged");
	if (!gpt_image("gptbad.img", 40, "-a 1 -n 1:34:2047 -t 1:EF02 -n 2:2048:0 -t 2:0700")) {
		patch(path_of("gptbad.img"), 512 + 0x18, "\x07", 1); /* MyLBA: header CRC fails */
		expect_refusal("", "gptbad.img",
			       "its primary GPT is damaged (GPT header: header "
			       "CRC32 mismatch (header LBA 1)) and only the backup at LBA 81919 "
			       "is valid");
	} else {
		t_fail("cannot build the image");
	}
	t_end();

	/* Too small: the table describes 16 MiB, the image has 1 MiB. */
	t_begin("refuse_disk_smaller_than_its_table");
	if (!simple_image("trunc.img") && !sh("truncate -s 1M %s", path_of("trunc.img"))) {
		expect_refusal("", "trunc.img",
			       "partition 1 (LBA 2048, 30720 sectors) ends past "
			       "the end of the disk (2048 sectors)");
	} else {
		t_fail("cannot build the image");
	}
	t_end();

	t_begin("refuse_disk_not_whole_sectors");
	sh("head -c 100 /dev/zero > %s", path_of("tiny.img"));
	expect_refusal("", "tiny.img", "is 100 bytes, not a whole number of 512-byte sectors");
	t_end();

	t_begin("refuse_empty_disk");
	sh(": > %s", path_of("empty.img"));
	expect_refusal("", "empty.img", "the disk is smaller than one 512-byte sector");
	t_end();

	t_begin("refuse_no_partition_table");
	sh("truncate -s 4M %s", path_of("zero.img"));
	expect_refusal("", "zero.img",
		       "no partition table the loader can boot from: LBA 0: no "
		       "55 AA signature");
	t_end();

	t_begin("refuse_mbr_without_partitions");
	mbr_image("nopart.img", 4, "label: dos\\n");
	expect_refusal("", "nopart.img", "its MBR partition table lists no partition");
	t_end();

	t_begin("refuse_two_active_partitions");
	if (!mbr_image("twoact.img", 16, "2048,8192,e,*\\n10240,,83,*\\n") &&
	    !fat_fill("twoact.img", 2048, 8192, 16, 1)) {
		CHECK(!strcmp(bootable("twoact.img"), "1,2"), "sfdisk sees %s active",
		      bootable("twoact.img"));
		expect_refusal("", "twoact.img", "more than one partition is marked active");
	} else {
		t_fail("cannot build the image");
	}
	t_end();

	t_begin("refuse_overlapping_partitions");
	if (!mbr_image("overlap.img", 16, "2048,8192,e\\n") &&
	    !fat_fill("overlap.img", 2048, 8192, 16, 1)) {
		/* Entry 2 over the end of entry 1 (sfdisk would not write it). */
		u8 e[16] = {0, 0, 0, 0, MBR_TYPE_LINUX, 0, 0, 0};
		u32 start = 8192, n = 4096;
		memcpy(e + 8, &start, 4);
		memcpy(e + 12, &n, 4);
		patch(path_of("overlap.img"), MBR_PART_TABLE_OFF + 16, e, 16);
		expect_refusal("", "overlap.img",
			       "partition 1 (LBA 2048, 8192 sectors) overlaps "
			       "another partition");
	} else {
		t_fail("cannot build the image");
	}
	t_end();

	/* An entry with a type and no sectors: the loader skips it, the
	 * installer will not guess what the tool that wrote it meant. */
	t_begin("refuse_damaged_partition_entry");
	if (!mbr_image("badent.img", 16, "2048,8192,e\\n") &&
	    !fat_fill("badent.img", 2048, 8192, 16, 1)) {
		u8 e[16] = {0, 0, 0, 0, MBR_TYPE_LINUX, 0, 0, 0};
		u32 start = 10240;
		memcpy(e + 8, &start, 4);
		patch(path_of("badent.img"), MBR_PART_TABLE_OFF + 16, e, 16);
		expect_refusal("", "badent.img",
			       "partition table entry 2 is damaged (no sectors");
	} else {
		t_fail("cannot build the image");
	}
	t_end();

	t_begin("refuse_no_fat_partition");
	mbr_image("nofat.img", 16, "2048,,83\\n");
	expect_refusal("", "nofat.img", "none of its 1 partitions holds a FAT file system");
	t_end();

	t_begin("refuse_pinned_partition_missing_extended_or_not_fat");
	if (!mbr_image("pin.img", 32, "2048,16384,e\\n18432,4096,83\\n22528,,5\\n;\\n") &&
	    !fat_fill("pin.img", 2048, 16384, 16, 1)) {
		expect_refusal("--partition 4", "pin.img",
			       "PARTITION=4: the disk has no partition 4");
		expect_refusal("--partition 3", "pin.img",
			       "PARTITION=3 is the extended partition");
		expect_refusal("--partition 2", "pin.img",
			       "PARTITION=2 (LBA 18432) does not hold "
			       "a FAT file system stage2 can read");
		expect_refusal("--partition x", "pin.img", "PARTITION=x: not a partition number");
	} else {
		t_fail("cannot build the image");
	}
	t_end();

	t_begin("refuse_gpt_active_on_mbr_disk");
	simple_image("gptact.img");
	expect_refusal("--gpt-active", "gptact.img", "GPT_ACTIVE=1 is for GPT disks");
	t_end();

	t_begin("refuse_existing_backup_file");
	simple_image("bakex.img");
	sh("echo precious > %s", path_of("bakex.bak"));
	snprintf(want, sizeof(want), "backup file %s exists", path_of("bakex.bak"));
	snprintf(script, sizeof(script), "--backup %s", path_of("bakex.bak"));
	expect_refusal(script, "bakex.img", want);
	CHECK(!run("cat %s", path_of("bakex.bak")) && !strcmp(out, "precious\n"),
	      "the existing backup file was changed");
	t_end();

	t_begin("refuse_foreign_loader_files");
	simple_image("badmbr.img");
	sh("head -c 512 /dev/zero > %s", path_of("zero.mbr"));
	snprintf(want, sizeof(want), "--mbr %s", path_of("zero.mbr"));
	expect_refusal(want, "badmbr.img",
		       "the loader's mbr.bin is not a 512-byte boot sector "
		       "ending in 55 AA");
	snprintf(want, sizeof(want), "--stage2 %s", path_of("zero.mbr"));
	expect_refusal(want, "badmbr.img", "the loader's stage2.bin is not this project's stage2");
	t_end();

	t_begin("refuse_not_a_disk");
	expect_refusal("", "", "is neither a block device nor a disk image file");
	t_end();
}

/* --- what an install keeps and changes ---------------------------------------- */

static void test_keeps_every_byte(void)
{
	char before[4096], after[4096];
	u8 junk[MBR_BPB_END - MBR_BPB_START], sig[6] = {0xef, 0xbe, 0xad, 0xde, 0x5a, 0x5a};

	t_begin("keeps_table_signature_bpb_hole_and_data");
	if (simple_image("keep.img")) {
		t_fail("cannot build the image");
		t_end();
		return;
	}
	/* A disk as Windows leaves it: signature 0xDEADBEEF, 0x5A5A "copy
	 * protected"; old boot code with bytes in the BPB hole. */
	for (unsigned i = 0; i < sizeof(junk); i++)
		junk[i] = (u8)(0x91 + i * 7);
	patch(path_of("keep.img"), MBR_DISK_SIG_OFF, sig, sizeof(sig));
	patch(path_of("keep.img"), MBR_BPB_START, junk, sizeof(junk));
	table_text("keep.img", before, sizeof(before));
	run("mdir -/ -b -i %s@@%u ::/ | sort | while read f; do mtype -i %s@@%u \"$f\" | "
	    "md5sum; done 2>&1 | md5sum",
	    path_of("keep.img"), 2048 * 512, path_of("keep.img"), 2048 * 512);
	char sums[64];
	snprintf(sums, sizeof(sums), "%.60s", out);
	struct snap s = snap(path_of("keep.img"));
	if (expect_install("", "keep.img") == 0) {
		u8 m[SECTOR_SIZE];
		pread_at(path_of("keep.img"), 0, m, sizeof(m));
		/* Everything from the disk signature on, except partition 1's status. */
		for (unsigned i = MBR_DISK_SIG_OFF; i < SECTOR_SIZE; i++)
			if (i != MBR_PART_TABLE_OFF)
				CHECK(m[i] == s.b[i], "byte 0x%03x changed: 0x%02x -> 0x%02x", i,
				      s.b[i], m[i]);
		CHECK(!memcmp(m + MBR_BPB_START, junk, sizeof(junk)),
		      "bytes 0x%02x..0x%02x (the BPB hole) changed", MBR_BPB_START,
		      MBR_BPB_END - 1);
		CHECK(m[0] == 0x33, "byte 0 is 0x%02x, not 0x33 (Acer BIOSes)", m[0]);
		CHECK(!memcmp(m + MBR_DISK_SIG_OFF, sig, sizeof(sig)),
		      "disk signature or 0x5A5A changed");
		check_same(path_of("keep.img"), &s, 0, (u64)(1 + s2_sectors) * 512,
			   "outside LBA 0..stage2");
		table_text("keep.img", after, sizeof(after));
		CHECK(before[0] && !strcmp(before, after), "sfdisk --dump differs: %s // %s",
		      before, after);
		CHECK(!strcmp(bootable("keep.img"), "1"), "active: '%s', want partition 1",
		      bootable("keep.img"));
		run("mdir -/ -b -i %s@@%u ::/ | sort | while read f; do mtype -i %s@@%u \"$f\" | "
		    "md5sum; done 2>&1 | md5sum",
		    path_of("keep.img"), 2048 * 512, path_of("keep.img"), 2048 * 512);
		CHECK(!strcmp(sums, out), "file checksums changed");
		CHECK(!sh("dd if=%s of=%s bs=1M skip=1 status=none && fsck.fat -n %s",
			  path_of("keep.img"), path_of("keep.part"), path_of("keep.part")),
		      "fsck.fat -n finds problems after the install");
	}
	free(s.b);
	t_end();

	/* Installing again: the earlier install is recognised and replaced,
	 * the result the same. */
	t_begin("reinstall_over_earlier_install");
	s = snap(path_of("keep.img"));
	if (!expect_install("", "keep.img"))
		check_same(path_of("keep.img"), &s, 0, 0, "a second install of the same build");
	free(s.b);
	t_end();

	/* An earlier, longer install: its tail is zeroed. */
	t_begin("reinstall_zeroes_longer_earlier_install");
	{
		u32 body;
		pread_at(path_of("keep.img"), 512 + STAGE2_SYM_hdr_ext_sectors, &body, 4);
		u32 longer = body + 5;
		patch(path_of("keep.img"), 512 + STAGE2_SYM_hdr_ext_sectors, &longer, 4);
		for (u32 k = 0; k < 5; k++)
			patch(path_of("keep.img"), (u64)(1 + s2_sectors + k) * 512 + 7, "old tail",
			    8);
		int rc = run(INSTALL " --dry-run %s", path_of("keep.img"));
		CHECK(rc == 0 && strstr(out, "zeros over the rest of the earlier install (5 of"),
		      "dry run: %.300s", out);
		if (!expect_install("", "keep.img")) {
			u8 z[5 * 512], zero[5 * 512] = {0};
			pread_at(path_of("keep.img"), (u64)(1 + s2_sectors) * 512, z, sizeof(z));
			CHECK(!memcmp(z, zero, sizeof(z)),
			      "the earlier install's tail is not zero");
			pread_at(path_of("keep.img"), 512 + STAGE2_SYM_hdr_ext_sectors, &longer, 4);
			CHECK(longer == body, "header says %u body sectors, want %u", longer,
			      body);
		}
	}
	t_end();
}

static void test_active_flag(void)
{
	t_begin("active_marks_the_fat_partition");
	if (!mbr_image("act2.img", 32, "2048,8192,83\\n10240,,c\\n") &&
	    !fat_fill("act2.img", 10240, 32 * 2048 - 10240, 16, 1) &&
	    !expect_install("", "act2.img")) {
		CHECK(strstr(out, "now partition 2") != NULL, "output: %.300s", out);
		CHECK(!strcmp(bootable("act2.img"), "2"), "active: '%s', want 2",
		      bootable("act2.img"));
	}
	t_end();

	t_begin("active_left_alone_when_one_is");
	if (!mbr_image("act3.img", 32, "2048,8192,c\\n10240,,83,*\\n") &&
	    !fat_fill("act3.img", 2048, 8192, 16, 1) && !expect_install("", "act3.img")) {
		CHECK(strstr(out, "partition 2 is marked active, not the boot partition 1") !=
			      NULL,
		      "no note about the active partition: %.300s", out);
		CHECK(!strcmp(bootable("act3.img"), "2"), "active: '%s', want 2 (as it was)",
		      bootable("act3.img"));
	}
	t_end();

	t_begin("active_pinned_partition");
	if (!mbr_image("act4.img", 32, "2048,8192,c\\n10240,,c\\n") &&
	    !fat_fill("act4.img", 2048, 8192, 16, 1) &&
	    !fat_fill("act4.img", 10240, 32 * 2048 - 10240, 16, 1) &&
	    !expect_install("--partition 2", "act4.img")) {
		CHECK(!strcmp(bootable("act4.img"), "2"), "active: '%s', want 2",
		      bootable("act4.img"));
		u32 pinned;
		pread_at(path_of("act4.img"), 512 + STAGE2_SYM_hdr_boot_part, &pinned, 4);
		CHECK(pinned == 2, "stage2's header pins partition %u, want 2", pinned);
	}
	t_end();

	t_begin("gpt_protective_entry_untouched_unless_asked");
	if (!gpt_image("gptact.img", 40, "-a 1 -n 1:34:2047 -t 1:EF02 -n 2:2048:0 -t 2:0700") &&
	    !fat_fill("gptact.img", 2048, 81886 - 2048 + 1 - 1, 16, 1)) {
		struct snap s = snap(path_of("gptact.img"));
		if (!expect_install("", "gptact.img")) {
			u8 m[SECTOR_SIZE];
			pread_at(path_of("gptact.img"), 0, m, sizeof(m));
			CHECK(!memcmp(m + MBR_DISK_SIG_OFF, s.b + MBR_DISK_SIG_OFF,
				      SECTOR_SIZE - MBR_DISK_SIG_OFF),
			      "the protective MBR's table changed");
			/* LBA 0 and the BIOS boot partition, where stage2 went. */
			check_same2(path_of("gptact.img"), &s, 0, 512, 34 * 512,
				    (u64)(34 + s2_sectors) * 512, "outside LBA 0 and 34..stage2");
			CHECK(!sh("sgdisk -v %s | grep -q 'No problems found'",
				  path_of("gptact.img")),
			      "sgdisk --verify complains after the install");
		}
		if (!expect_install("--gpt-active", "gptact.img")) {
			u8 st;
			pread_at(path_of("gptact.img"), MBR_PART_TABLE_OFF, &st, 1);
			CHECK(st == MBR_STATUS_ACTIVE, "protective entry status 0x%02x, want 0x80",
			      st);
			CHECK(!sh("sgdisk -v %s | grep -q 'No problems found'",
				  path_of("gptact.img")),
			      "sgdisk --verify complains about the active protective entry");
		}
		free(s.b);
	}
	t_end();
}

/* --- dry run, backup, uninstall ---------------------------------------------- */

/* The backup's header, parsed here from the documented layout. */
static void check_backup_layout(const char *bak, const char *img)
{
	size_t len;
	u8 *b = read_whole(bak, &len);
	u8 m[SECTOR_SIZE];
	u64 disk_bytes;
	u32 sig, n;

	if (!b || len < 64) {
		t_fail("backup file missing or short");
		free(b);
		return;
	}
	pread_at(img, 0, m, sizeof(m));
	struct stat st;
	stat(img, &st);
	memcpy(&disk_bytes, b + 0x10, 8);
	memcpy(&sig, b + 0x1c, 4);
	memcpy(&n, b + 0x30, 4);
	CHECK(!memcmp(b, "BLDRBKUP", 8), "magic");
	CHECK(disk_bytes == (u64)st.st_size, "disk size %llu, image %lld",
	      (unsigned long long)disk_bytes, (long long)st.st_size);
	CHECK(!memcmp(&sig, m + MBR_DISK_SIG_OFF, 4), "disk signature 0x%08x", sig);
	CHECK(n == 2, "%u extents, want 2 (stage2, LBA 0)", n);
	/* Extents: stage2 at LBA 1, then LBA 0; the data is the image before. */
	u64 lba0, lba1;
	u32 c0, c1;
	memcpy(&lba0, b + 64, 8);
	memcpy(&c0, b + 64 + 8, 4);
	memcpy(&lba1, b + 96, 8);
	memcpy(&c1, b + 96 + 8, 4);
	CHECK(lba0 == 1 && c0 == s2_sectors && lba1 == 0 && c1 == 1,
	      "extents LBA %llu+%u, LBA %llu+%u", (unsigned long long)lba0, c0,
	      (unsigned long long)lba1, c1);
	CHECK(len == 64 + 2 * 32 + (size_t)(c0 + c1) * 512, "length %zu", len);
	/* CRC-32 by python's zlib, over the file with bytes 0x34..0x37 as 0. */
	int rc = run("python3 -c 'import sys,zlib,struct; b=bytearray(open(sys.argv[1],\"rb\")."
		     "read()); c=struct.unpack_from(\"<I\",b,0x34)[0]; b[0x34:0x38]=bytes(4); "
		     "print(\"ok\" if zlib.crc32(b)==c else \"bad\")' %s",
		     bak);
	CHECK(rc == 0 && !strcmp(out, "ok\n"), "zlib's CRC-32 disagrees: %s", out);
	free(b);
}

static void test_dry_run_backup_uninstall(void)
{
	char args[512];

	t_begin("dry_run_prints_every_sector_writes_nothing");
	if (simple_image("dry.img")) {
		t_fail("cannot build the image");
		t_end();
		return;
	}
	struct snap orig = snap(path_of("dry.img"));
	snprintf(args, sizeof(args), "--dry-run --backup %s", path_of("dry.bak"));
	unlink(path_of("dry.bak"));
	int rc = run(INSTALL " %s %s", args, path_of("dry.img"));
	CHECK(rc == 0, "dry run failed: %.300s", out);
	check_same(path_of("dry.img"), &orig, 0, 0, "after the dry run");
	CHECK(access(path_of("dry.bak"), F_OK), "the dry run wrote the backup file");
	/* One "would write LBA n:" line per sector: LBA 0 and 1..stage2. */
	u8 seen[4096] = {0};
	unsigned lines = 0;
	for (char *s = strstr(out, "would write LBA "); s; s = strstr(s + 1, "would write LBA ")) {
		unsigned long lba = strtoul(s + 16, NULL, 10);
		lines++;
		if (lba < sizeof(seen))
			seen[lba]++;
	}
	CHECK(lines == 1 + s2_sectors, "%u sector lines, want %u", lines, 1 + s2_sectors);
	for (unsigned i = 0; i <= s2_sectors; i++)
		CHECK(seen[i] == 1, "LBA %u printed %u times", i, seen[i]);
	CHECK(strstr(out, "dry run: nothing written") != NULL, "no closing line");
	t_end();

	/* The real install changes only sectors the dry run listed. */
	t_begin("install_writes_only_what_the_dry_run_listed");
	snprintf(args, sizeof(args), "--backup %s", path_of("dry.bak"));
	if (!expect_install(args, "dry.img")) {
		check_same(path_of("dry.img"), &orig, 0, (u64)(1 + s2_sectors) * 512,
			   "outside the sectors listed");
		check_backup_layout(path_of("dry.bak"), path_of("dry.img"));
	}
	struct snap installed = snap(path_of("dry.img"));
	t_end();

	t_begin("uninstall_dry_run_writes_nothing");
	rc = run(INSTALL " --uninstall --dry-run --backup %s %s", path_of("dry.bak"),
		 path_of("dry.img"));
	CHECK(rc == 0 && strstr(out, "would write LBA 0: restored from the backup"),
	      "uninstall dry run: %.300s", out);
	check_same(path_of("dry.img"), &installed, 0, 0, "after the uninstall dry run");
	t_end();

	/* Backups that must not be restored. */
	char want[300];
	t_begin("uninstall_refuses_altered_backup");
	sh("cp %s %s", path_of("dry.bak"), path_of("alt.bak"));
	patch(path_of("alt.bak"), 64 + 64 + 300, "X", 1);
	snprintf(args, sizeof(args), "--uninstall --backup %s", path_of("alt.bak"));
	expect_refusal(args, "dry.img", "the backup file's checksum does not match");
	sh("head -c 1000 %s > %s", path_of("dry.bak"), path_of("alt.bak"));
	expect_refusal(args, "dry.img", "the backup file is 1000 bytes but its header describes");
	sh("head -c 30 %s > %s", path_of("dry.bak"), path_of("alt.bak"));
	expect_refusal(args, "dry.img", "the backup file is not one of this installer's");
	/* A crafted file, its CRC-32 right, aiming into partition 1. */
	sh("python3 -c 'import sys,zlib,struct; b=bytearray(open(sys.argv[1],\"rb\").read()); "
	   "struct.pack_into(\"<Q\",b,64,2048); b[0x34:0x38]=bytes(4); "
	   "struct.pack_into(\"<I\",b,0x34,zlib.crc32(b)); open(sys.argv[2],\"wb\").write(b)' "
	   "%s %s",
	   path_of("dry.bak"), path_of("alt.bak"));
	snprintf(want, sizeof(want),
		 "the backup would write LBA 2048-%u, which is not where an "
		 "install writes",
		 2048 + s2_sectors - 1);
	expect_refusal(args, "dry.img", want);
	t_end();

	t_begin("uninstall_refuses_backup_of_another_disk");
	sh("cp %s %s", path_of("dry.img"), path_of("other.img"));
	patch(path_of("other.img"), MBR_DISK_SIG_OFF, "\x11\x22\x33\x44", 4);
	u32 sig;
	memcpy(&sig, orig.b + MBR_DISK_SIG_OFF, 4);
	snprintf(want, sizeof(want),
		 "the backup is of another disk: it names a disk of %zu "
		 "bytes, MBR disk signature 0x%08x; this one is %zu bytes, MBR disk signature "
		 "0x44332211",
		 orig.len, sig, orig.len);
	snprintf(args, sizeof(args), "--uninstall --backup %s", path_of("dry.bak"));
	expect_refusal(args, "other.img", want);
	sh("truncate -s 17M %s", path_of("other.img"));
	patch(path_of("other.img"), MBR_DISK_SIG_OFF, &sig, 4);
	expect_refusal(args, "other.img", "the backup is of another disk");
	t_end();

	t_begin("uninstall_refuses_disk_changed_since_install");
	sh("cp %s %s", path_of("dry.img"), path_of("changed.img"));
	sh("sfdisk -q --part-type %s 1 b", path_of("changed.img"));
	expect_refusal(args, "changed.img", "LBA 0-0 no longer hold what the install wrote");
	snprintf(args, sizeof(args), "--uninstall --force --backup %s", path_of("dry.bak"));
	rc = run(INSTALL " %s %s", args, path_of("changed.img"));
	CHECK(rc == 0, "FORCE=1 uninstall failed: %.300s", out);
	check_same(path_of("changed.img"), &orig, 0, 0, "FORCE=1 restores the original");
	t_end();

	t_begin("uninstall_restores_byte_identical");
	snprintf(args, sizeof(args), "--uninstall --backup %s", path_of("dry.bak"));
	rc = run(INSTALL " %s %s", args, path_of("dry.img"));
	CHECK(rc == 0, "uninstall failed: %.300s", out);
	check_same(path_of("dry.img"), &orig, 0, 0, "after uninstall");
	t_end();
	free(orig.b);
	free(installed.b);
}

/* --- block devices (root: loop devices) --------------------------------------- */

static char loops[8][32];
static int nloops;
static char mounted[256];

static void cleanup_devices(void)
{
	if (mounted[0]) {
		sh("umount %s", mounted);
		mounted[0] = 0;
	}
	while (nloops > 0)
		sh("losetup -d %s", loops[--nloops]);
}

/* losetup ARGS FILE; the device name, or NULL. */
static const char *loop_up(const char *args, const char *file)
{
	if (nloops == 8 || run("losetup -f --show %s %s", args, file))
		return NULL;
	out[strcspn(out, "\n")] = 0;
	snprintf(loops[nloops], sizeof(loops[0]), "%.31s", out);
	return loops[nloops++];
}

static void test_block_devices(void)
{
	char want[512];

	t_begin("block_devices");
	if (geteuid()) {
		t_fail("needs root for loop devices (run make test as root)");
		t_end();
		return;
	}
	atexit(cleanup_devices);
	/* Partition 1 FAT, partition 2 ext2, each as the kernel would see it. */
	if (mbr_image("blk.img", 32, "2048,16384,c\\n18432,,83\\n") ||
	    fat_fill("blk.img", 2048, 16384, 16, 1) ||
	    sh("mke2fs -q -t ext2 -E offset=%u %s %uk", 18432 * 512, path_of("blk.img"),
	       (32 * 2048 - 18432) / 2)) {
		t_fail("cannot build the image");
		t_end();
		return;
	}
	struct snap s = snap(path_of("blk.img"));
	const char *whole = loop_up("", path_of("blk.img"));
	CHECK(whole, "losetup failed: %s", out);
	if (whole) {
		/* Not mounted: a dry run on the device works. */
		int rc = run(INSTALL " --dry-run %s", whole);
		CHECK(rc == 0 && strstr(out, "would write LBA 0"), "dry run on %s: %.300s", whole,
		      out);
	}
	t_end();

	/* The kernel here has no partition scanning for loop devices: the
	 * mounted partition is a loop device over the same file at its
	 * offset, as `mount -o loop,offset=...` makes it. */
	t_begin("refuse_mounted_partition");
	const char *part = loop_up("-o 9437184", path_of("blk.img"));
	snprintf(mounted, sizeof(mounted), "%s", path_of("mnt"));
	mkdir(mounted, 0755);
	if (!part || sh("mount %s %s", part, mounted)) {
		mounted[0] = 0;
		t_fail("cannot mount the ext2 partition: %s", out);
	} else if (whole) {
		snprintf(want, sizeof(want),
			 "%s (a loop device over the same file) is mounted on ", part);
		struct snap before = snap(path_of("blk.img"));
		int rc = run(INSTALL " %s", whole);
		CHECK(rc == 1 && strstr(out, want), "install on %s: %.300s", whole, out);
		rc = run(INSTALL " %s", path_of("blk.img"));
		CHECK(rc == 1 && strstr(out, want), "install on the image file: %.300s", out);
		check_same(path_of("blk.img"), &before, 0, 0, "after the refusals");
		free(before.b);
	}
	cleanup_devices();
	free(s.b);
	s = snap(path_of("blk.img")); /* mounting ext2 wrote its superblock */
	t_end();

	t_begin("refuse_mounted_whole_device");
	sh("truncate -s 8M %s && mke2fs -q -t ext2 %s", path_of("whole.img"),
	   path_of("whole.img"));
	const char *dev = loop_up("", path_of("whole.img"));
	snprintf(mounted, sizeof(mounted), "%s", path_of("mnt"));
	if (!dev || sh("mount %s %s", dev, mounted)) {
		mounted[0] = 0;
		t_fail("cannot mount %s", dev ? dev : "(no loop device)");
	} else {
		snprintf(want, sizeof(want), "%s (the disk itself) is mounted on ", dev);
		int rc = run(INSTALL " %s", dev);
		CHECK(rc == 1 && strstr(out, want), "install on %s: %.300s", dev, out);
	}
	cleanup_devices();
	t_end();

	/* A USB bridge that shows 4096-byte sectors. */
	t_begin("refuse_4096_byte_sectors");
	dev = loop_up("-b 4096", path_of("blk.img"));
	if (!dev) {
		t_fail("losetup -b 4096 failed: %s", out);
	} else {
		snprintf(want, sizeof(want), "%s has 4096-byte logical sectors", dev);
		int rc = run(INSTALL " %s", dev);
		CHECK(rc == 1 && strstr(out, want), "install on %s: %.300s", dev, out);
	}
	cleanup_devices();
	check_same(path_of("blk.img"), &s, 0, 0, "the image behind the refused devices");
	t_end();

	/* A real install through the block device, then uninstall. */
	t_begin("install_and_uninstall_on_block_device");
	dev = loop_up("", path_of("blk.img"));
	unlink(path_of("blk.bak"));
	if (!dev) {
		t_fail("losetup failed: %s", out);
	} else {
		int rc = run(INSTALL " --backup %s %s", path_of("blk.bak"), dev);
		CHECK(rc == 0, "install on %s: %.300s", dev, out);
		cleanup_devices();
		check_same(path_of("blk.img"), &s, 0, (u64)(1 + s2_sectors) * 512,
			   "outside LBA 0..stage2");
		CHECK(!strcmp(bootable("blk.img"), "1"), "active: %s", bootable("blk.img"));
		dev = loop_up("", path_of("blk.img"));
		rc = dev ? run(INSTALL " --uninstall --backup %s %s", path_of("blk.bak"), dev)
			 : -1;
		CHECK(rc == 0, "uninstall: %.300s", out);
		cleanup_devices();
		check_same(path_of("blk.img"), &s, 0, 0, "after uninstall");
	}
	t_end();
	free(s.b);
}

/* --- the planner on its own --------------------------------------------------- */

struct memdisk {
	struct blockdev bd;
	u8 *b;
};

static int mem_read(struct blockdev *bd, u64 lba, u32 count, void *dst)
{
	struct memdisk *m = (struct memdisk *)bd;
	if (lba + count > bd->sectors) {
		bd->bad_lba = lba;
		return -1;
	}
	memcpy(dst, m->b + lba * 512, (size_t)count * 512);
	return 0;
}

/* Random bytes wherever LBA 0 belongs to the disk (old boot code, the BPB
 * hole, the signature, 0x1BC), random status bytes: the planned sector
 * differs from the disk's only in the loader's code bytes and, when none
 * was active, one status byte, set to 0x80; the MBR write is the last. */
static void test_planner_properties(void)
{
	static struct plan p;
	size_t len, mlen, slen;
	u8 *img = read_whole(path_of("keep.img"), &len), *mbr = read_whole("build/mbr.bin", &mlen),
	   *s2 = read_whole("build/stage2.bin", &slen);
	u32 seed = 7;

	t_begin("planner_touches_only_its_bytes");
	if (!img || !mbr || !s2 || len < 2 * MIB) {
		t_fail("inputs missing");
		t_end();
		return;
	}
	/* Back to a disk without the loader. */
	memset(img + 512, 0, (size_t)s2_sectors * 512);
	struct plan_input in = {.mbr = mbr, .mbr_len = mlen, .stage2 = s2, .stage2_len = slen};
	struct memdisk d = {.bd = {.read = mem_read, .sectors = len / 512}, .b = img};
	for (int round = 0; round < 300; round++) {
		u8 *m = img;
		for (unsigned i = 0; i < MBR_PART_TABLE_OFF; i++) {
			seed = seed * 1103515245u + 12345u;
			m[i] = (u8)(seed >> 16);
		}
		seed = seed * 1103515245u + 12345u;
		m[MBR_PART_TABLE_OFF] = (seed >> 20) & 1 ? MBR_STATUS_ACTIVE : 0;
		const char *err = plan_install(&d.bd, &in, &p);
		if (err) {
			t_fail("round %d: %s", round, err);
			break;
		}
		CHECK(p.nwrites == 2 && p.w[1].lba == 0 && p.w[1].sectors == 1 &&
			      p.w[0].lba == STAGE2_LBA && p.w[0].sectors == s2_sectors,
		      "round %d: writes not stage2 then LBA 0", round);
		const u8 *w = p.w[1].data;
		u32 s2_lba;
		memcpy(&s2_lba, w + OFF_S2_LBA, 4);
		CHECK(s2_lba == STAGE2_LBA && w[OFF_S2_SECTORS] == bootpatch_core_sectors(s2),
		      "round %d: the MBR points at LBA %u, %u sectors", round, s2_lba,
		      w[OFF_S2_SECTORS]);
		for (unsigned i = 0; i < SECTOR_SIZE; i++) {
			int code = i < MBR_BPB_START || (i >= MBR_BPB_END && i < MBR_DISK_SIG_OFF);
			int patched = (i >= OFF_S2_LBA && i < OFF_S2_LBA + 4) ||
				      i == OFF_S2_SECTORS ||
				      (i >= OFF_S2_SUM && i < OFF_S2_SUM + 4);
			if (patched)
				continue;
			if (code)
				CHECK(w[i] == mbr[i],
				      "round %d: code byte 0x%03x is 0x%02x, mbr.bin has 0x%02x",
				      round, i, w[i], mbr[i]);
			else if (i == MBR_PART_TABLE_OFF)
				CHECK(w[i] == MBR_STATUS_ACTIVE,
				      "round %d: partition 1 not active", round);
			else
				CHECK(w[i] == m[i], "round %d: disk byte 0x%03x changed", round,
				      i);
		}
		CHECK(p.activated == (m[MBR_PART_TABLE_OFF] ? 0u : 1u), "round %d: activated %u",
		      round, p.activated);
		if (t_fails)
			break;
	}
	plan_free(&p);
	free(img);
	free(mbr);
	free(s2);
	t_end();
}

int main(void)
{
	size_t len;
	u8 *s2 = read_whole("build/stage2.bin", &len);

	mkdir("build/tests", 0755);
	mkdir(IMG_DIR, 0755);
	if (!s2 || sh(": > " IMG_DIR "/cmd.log")) {
		printf("FAIL test_install_setup: run from the top directory after make\n");
		free(s2);
		return 1;
	}
	s2_sectors = (u32)(len / SECTOR_SIZE);
	memcpy(&core_sectors, s2 + STAGE2_SYM_hdr_core_sectors, 4);
	free(s2);
	test_refusals();
	test_keeps_every_byte();
	test_active_flag();
	test_dry_run_backup_uninstall();
	test_planner_properties();
	test_block_devices();
	return t_exit_status();
}
