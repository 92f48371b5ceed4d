/*
 * install: puts this loader's MBR code and stage2 onto a disk image or block
 * device that already has a partition table, keeping every byte it does not
 * need (the partition table, the disk signature, the BPB bytes a BIOS may
 * write, everything outside the sectors stage2 takes).
 *
 *   install [--partition N] DISK
 *
 * Plan first, check everything, then write: stage2 into the gap before the
 * first partition (which must hold nothing but zeros or an earlier install of
 * this loader), then the MBR's code bytes, last, so an interrupted install
 * leaves the old MBR booting what it booted before.  A refusal writes
 * nothing.  --partition pins the FAT partition stage2 boots from (1-based,
 * as the table counts); without it stage2 takes the first FAT partition that
 * holds /boot/loader.cfg.  When no partition is marked active, partition N
 * (or the first FAT one) is marked: some BIOSes refuse a disk with none.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blockdev.h"
#include "bootpatch.h"
#include "layout.h"
#include "mbr.h"
#include "part.h"

#define STAGE2_MAGIC_OFF 4

static const char *prog = "install";

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;

	if (!f || fstat(fileno(f), &st))
		die("cannot open %s: %s", path, strerror(errno));
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		die("cannot read %s", path);
	fclose(f);
	*len = (size_t)st.st_size;
	return buf;
}

struct disk {
	struct blockdev bd; /* first: part.c reads through it */
	int fd;
	const char *path;
};

static int disk_pread(struct blockdev *bd, uint64_t lba, uint32_t count, void *dst)
{
	struct disk *d = (struct disk *)bd;
	size_t len = (size_t)count * SECTOR_SIZE;
	ssize_t got = pread(d->fd, dst, len, (off_t)(lba * SECTOR_SIZE));

	if (got != (ssize_t)len) {
		bd->bad_lba = lba;
		return -1;
	}
	return 0;
}

static void disk_write(struct disk *d, uint64_t lba, const void *src, size_t len)
{
	if (pwrite(d->fd, src, len, (off_t)(lba * SECTOR_SIZE)) != (ssize_t)len)
		die("%s: write at LBA %llu failed: %s", d->path, (unsigned long long)lba,
		    strerror(errno));
}

/* A partition stage2 can boot from: its MBR type says FAT (or it is a GPT
 * partition: the type GUID does not tell FAT apart). */
static int fat_like(const struct part *p, uint32_t scheme)
{
	if (scheme == PART_SCHEME_GPT)
		return 1;
	switch (p->mbr_type) {
	case MBR_TYPE_FAT12:
	case MBR_TYPE_FAT16_SMALL:
	case MBR_TYPE_FAT16:
	case MBR_TYPE_FAT32_CHS:
	case MBR_TYPE_FAT32_LBA:
	case MBR_TYPE_FAT16_LBA:
		return 1;
	default:
		return 0;
	}
}

int main(int argc, char **argv)
{
	const char *build = getenv("BUILD_DIR") ? getenv("BUILD_DIR") : "build";
	char mbr_path[4096], s2_path[4096];
	uint32_t pinned = 0, s2_sectors;
	struct disk d = { .bd = { .read = disk_pread } };
	static struct part_table t;
	uint8_t sector[SECTOR_SIZE];
	const char *err;
	size_t mbr_len, s2_len;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--partition") && i + 1 < argc)
			pinned = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (argv[i][0] == '-' || d.path)
			die("usage: install [--partition N] DISK");
		else
			d.path = argv[i];
	}
	if (!d.path)
		die("usage: install [--partition N] DISK");
	snprintf(mbr_path, sizeof(mbr_path), "%s/mbr.bin", build);
	snprintf(s2_path, sizeof(s2_path), "%s/stage2.bin", build);
	uint8_t *mbr = read_file(mbr_path, &mbr_len);
	uint8_t *s2 = read_file(s2_path, &s2_len);
	if ((err = bootpatch_check_mbr(mbr, mbr_len)))
		die("%s %s", mbr_path, err);
	if ((err = bootpatch_check_stage2(s2, s2_len, &s2_sectors)))
		die("%s %s", s2_path, err);

	d.fd = open(d.path, O_RDWR);
	if (d.fd < 0)
		die("cannot open %s: %s", d.path, strerror(errno));
	struct stat st;
	if (fstat(d.fd, &st) || !S_ISREG(st.st_mode))
		die("%s is not a disk image file (block devices: not supported by this version)",
		    d.path);
	d.bd.sectors = (uint64_t)st.st_size / SECTOR_SIZE;

	if ((err = part_scan(&d.bd, &t)))
		die("%s: %s", d.path, err);
	if (t.scheme != PART_SCHEME_MBR)
		die("%s has a GPT partition table; this version installs on MBR disks only", d.path);
	if (!t.count)
		die("%s has an MBR but no partition in it", d.path);

	/* The gap: from STAGE2_LBA to the first sector any partition takes. */
	uint64_t first = ~0ull;
	for (uint32_t i = 0; i < t.count; i++)
		if (t.part[i].start < first)
			first = t.part[i].start;
	if (STAGE2_LBA + s2_sectors > first && STAGE2_LBA + bootpatch_core_sectors(s2) <= first) {
		bootpatch_drop_ext(s2);
		s2_sectors = bootpatch_core_sectors(s2);
		s2_len = (size_t)s2_sectors * SECTOR_SIZE;
		fprintf(stderr, "%s: note: the gap before LBA %llu holds stage2's core, not its "
			"extension: Multiboot, Linux, video modes and gzip files will not boot from "
			"this disk\n",
			prog, (unsigned long long)first);
	}
	if (STAGE2_LBA + s2_sectors > first)
		die("stage2 needs %u sectors from LBA %u, but the first partition starts at LBA %llu: "
		    "the gap before it is too small",
		    s2_sectors, STAGE2_LBA, (unsigned long long)first);
	uint8_t *gap = malloc((size_t)s2_sectors * SECTOR_SIZE);
	if (!gap || d.bd.read(&d.bd, STAGE2_LBA, s2_sectors, gap))
		die("%s: cannot read the gap before the first partition", d.path);
	int ours = !memcmp(gap + STAGE2_MAGIC_OFF, "STG2", 4);
	for (size_t i = 0; !ours && i < (size_t)s2_sectors * SECTOR_SIZE; i++)
		if (gap[i])
			die("%s: sector %llu in the gap before the first partition holds data (byte "
			    "0x%02x at offset %zu) that is not this loader's: other software uses "
			    "it; refusing to overwrite it",
			    d.path, (unsigned long long)(STAGE2_LBA + i / SECTOR_SIZE), gap[i],
			    i % SECTOR_SIZE);

	/* The partition to mark active when none is. */
	const struct part *boot = pinned ? part_find(&t, pinned) : NULL;
	if (pinned && (!boot || !fat_like(boot, t.scheme)))
		die("%s: partition %u %s", d.path, pinned,
		    boot ? "is not a FAT partition (its MBR type says otherwise)" : "does not exist");
	int any_active = 0;
	for (uint32_t i = 0; i < t.count; i++) {
		any_active |= t.part[i].active != 0;
		if (!boot && fat_like(&t.part[i], t.scheme))
			boot = &t.part[i];
	}
	if (!boot)
		die("%s has no FAT partition to boot from", d.path);

	/* Writes: stage2, then the MBR sector with only the code bytes ours. */
	bootpatch_stage2(s2, s2_len, STAGE2_LBA, 0, 0, pinned);
	disk_write(&d, STAGE2_LBA, s2, s2_len);
	if (d.bd.read(&d.bd, 0, 1, sector))
		die("%s: cannot read the MBR", d.path);
	bootpatch_mbr(mbr, s2, STAGE2_LBA);
	for (unsigned i = 0; i < SECTOR_SIZE; i++)
		if (bootpatch_mbr_byte_is_code(i))
			sector[i] = mbr[i];
	if (!any_active && boot->index <= 4)
		sector[MBR_PART_TABLE_OFF + (boot->index - 1) * 16] = 0x80;
	sector[MBR_BOOT_SIG_OFF] = 0x55;
	sector[MBR_BOOT_SIG_OFF + 1] = 0xaa;
	disk_write(&d, 0, sector, SECTOR_SIZE);
	if (fsync(d.fd) || close(d.fd))
		die("%s: %s", d.path, strerror(errno));
	if (pinned)
		printf("%s: %s: stage2 (%u sectors) at LBA %u and the MBR's code; boots partition "
		       "%u\n",
		       prog, d.path, s2_sectors, STAGE2_LBA, pinned);
	else
		printf("%s: %s: stage2 (%u sectors) at LBA %u and the MBR's code; boots the first "
		       "FAT partition holding /boot/loader.cfg\n",
		       prog, d.path, s2_sectors, STAGE2_LBA);
	return 0;
}
