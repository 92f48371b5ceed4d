/*
 * mkimage: lays out a bootable raw disk image.
 *
 *   LBA 0                     the MBR, with stage2's location, length and
 *                             CRC32 patched in, one active partition entry
 *   LBA STAGE2_LBA ..         stage2, with the kernel's location patched in
 *   LBA KERNEL_PART_LBA ..    the kernel ELF file, as partition 1 (type 0xDA,
 *                             "non-FS data"): the classic 62-sector gap
 *                             before it holds stage2
 *
 * The image is padded to a whole MiB (q35's AHCI refuses disks smaller than
 * one 16x63 cylinder).  Symbol offsets come from build/mbr_syms.h and
 * build/stage2_syms.h, generated
 * from the linked MBR and stage2, so no offset is written down twice.
 *
 * usage: mkimage [--floppy] MBR.bin STAGE2.bin KERNEL.elf OUT.img
 *
 * --floppy makes a 1.44 MB diskette image (2880 sectors, no partition
 * table): the same layout, booted with DL = 0 and read through CHS.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "layout.h"
#include "mbr_syms.h"
#include "stage2_syms.h"

#define MIB (1024u * 1024u)
#define PART_TYPE_NON_FS_DATA 0xda
#define PART_ACTIVE 0x80
#define STAGE2_MAGIC "STG2"
#define KERNEL_MAX_BYTES (1ull << 32)
#define FLOPPY_BYTES (2880u * SECTOR_SIZE)

static const char *prog = "mkimage";

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		die("cannot open %s", path);
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory reading %s", path);
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		die("cannot read %s", path);
	fclose(f);
	*len = n;
	return buf;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* CHS for a partition entry, 255 heads x 63 sectors; beyond reach: the
 * conventional 1023/254/63. */
static void put_chs(uint8_t *p, uint64_t lba)
{
	uint64_t cyl = lba / (255 * 63);
	unsigned head = (unsigned)(lba / 63 % 255), sector = (unsigned)(lba % 63) + 1;

	if (cyl > 1023) {
		cyl = 1023;
		head = 254;
		sector = 63;
	}
	p[0] = (uint8_t)head;
	p[1] = (uint8_t)(sector | ((cyl >> 2) & 0xc0));
	p[2] = (uint8_t)cyl;
}

int main(int argc, char **argv)
{
	size_t mbr_len, s2_len, k_len;

	int floppy = argc > 1 && !strcmp(argv[1], "--floppy");

	argv += floppy;
	argc -= floppy;
	if (argc != 5) {
		fprintf(stderr, "usage: %s [--floppy] MBR.bin STAGE2.bin KERNEL.elf OUT.img\n", prog);
		return 2;
	}
	uint8_t *mbr = read_file(argv[1], &mbr_len);
	uint8_t *s2 = read_file(argv[2], &s2_len);
	uint8_t *kernel = read_file(argv[3], &k_len);

	if (mbr_len != SECTOR_SIZE || mbr[MBR_BOOT_SIG_OFF] != 0x55 ||
	    mbr[MBR_BOOT_SIG_OFF + 1] != 0xaa)
		die("%s is not a 512-byte boot sector ending in 55 AA", argv[1]);
	for (int i = MBR_DISK_SIG_OFF; i < MBR_BOOT_SIG_OFF; i++)
		if (mbr[i])
			die("%s has code in the disk signature or partition table", argv[1]);
	if (!s2_len || s2_len > STAGE2_MAX_SECTORS * SECTOR_SIZE)
		die("%s does not fit the 62-sector MBR gap (31 KiB)", argv[2]);
	if (s2_len < STAGE2_SYM_kernel_size - STAGE2_LOAD_ADDR + 8 ||
	    memcmp(s2 + 4, STAGE2_MAGIC, 4))
		die("%s is not this project's stage2 (no STG2 header)", argv[2]);
	if (k_len < 4 || memcmp(kernel, "\177ELF", 4))
		die("%s is not an ELF file", argv[3]);
	if (k_len >= KERNEL_MAX_BYTES)
		die("%s is larger than 4 GiB", argv[3]);

	uint32_t s2_sectors = (uint32_t)((s2_len + SECTOR_SIZE - 1) / SECTOR_SIZE);
	uint64_t k_sectors = (k_len + SECTOR_SIZE - 1) / SECTOR_SIZE;
	uint64_t used = ((uint64_t)KERNEL_PART_LBA + k_sectors) * SECTOR_SIZE;
	uint64_t size = floppy ? FLOPPY_BYTES : (used + MIB - 1) / MIB * MIB;
	if (used > size)
		die("%s does not fit a 1.44 MB diskette", argv[3]);
	if (STAGE2_LBA + s2_sectors > KERNEL_PART_LBA)
		die("stage2 overlaps the kernel partition in %s", argv[2]);

	/* stage2 first: the MBR checks the CRC of the patched bytes. */
	put64(s2 + (STAGE2_SYM_kernel_lba - STAGE2_LOAD_ADDR), KERNEL_PART_LBA);
	put64(s2 + (STAGE2_SYM_kernel_size - STAGE2_LOAD_ADDR), k_len);
	put32(mbr + (MBR_SYM_s2_lba - MBR_LOAD_ADDR), STAGE2_LBA);
	put32(mbr + (MBR_SYM_s2_length - MBR_LOAD_ADDR), (uint32_t)s2_len);
	put32(mbr + (MBR_SYM_s2_crc32 - MBR_LOAD_ADDR), crc32(s2, s2_len));

	/* A disk signature derived from the contents keeps builds reproducible. */
	put32(mbr + MBR_DISK_SIG_OFF, crc32_update(crc32(s2, s2_len), kernel, k_len));
	uint8_t *pe = mbr + MBR_PART_TABLE_OFF;
	uint64_t part_sectors = size / SECTOR_SIZE - KERNEL_PART_LBA;
	if (!floppy) {
		pe[0] = PART_ACTIVE; /* Lenovo CSMs refuse a disk with no active entry */
		put_chs(pe + 1, KERNEL_PART_LBA);
		pe[4] = PART_TYPE_NON_FS_DATA;
		put_chs(pe + 5, KERNEL_PART_LBA + part_sectors - 1);
		put32(pe + 8, KERNEL_PART_LBA);
		put32(pe + 12, (uint32_t)part_sectors);
	}

	uint8_t *img = calloc(1, size);
	if (!img)
		die("out of memory for a %s image", "large");
	memcpy(img, mbr, SECTOR_SIZE);
	memcpy(img + (uint64_t)STAGE2_LBA * SECTOR_SIZE, s2, s2_len);
	memcpy(img + (uint64_t)KERNEL_PART_LBA * SECTOR_SIZE, kernel, k_len);

	FILE *out = fopen(argv[4], "wb");
	if (!out || fwrite(img, 1, size, out) != size || fclose(out))
		die("cannot write %s", argv[4]);
	printf("%s: %s: stage2 %zu bytes (%u sectors), kernel %zu bytes at LBA %u, "
	       "image %llu bytes\n",
	       prog, argv[4], s2_len, s2_sectors, k_len, KERNEL_PART_LBA,
	       (unsigned long long)size);
	free(img);
	free(mbr);
	free(s2);
	free(kernel);
	return 0;
}
