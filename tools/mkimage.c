/*
 * mkimage: lays out a bootable raw disk image.
 *
 *   LBA 0                  the MBR, pointed at stage2, one active partition
 *   LBA STAGE2_LBA ..      stage2 (head and body), pointed at the kernel
 *   LBA PART_LBA_MODERN .. the kernel file (ELF or bzImage), as partition 1
 *                          (type 0xDA, "non-FS data"); with --classic at PART_LBA_CLASSIC,
 *                          which leaves stage2 the old 62-sector gap and is
 *                          refused when stage2 no longer fits there
 *
 * The image is padded to a whole MiB (q35's AHCI refuses disks smaller than
 * one 16x63 cylinder).  Offsets come from the linked binaries' symbols
 * (tools/bootpatch.c), so no offset is written down twice.
 *
 * usage: mkimage [--floppy | --classic] MBR.bin STAGE2.bin KERNEL.elf OUT.img
 *
 * --floppy makes a 1.44 MB diskette image (2880 sectors, no partition
 * table): stage2, then the kernel right after it, booted with DL = 0 and read
 * through CHS.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootpatch.h"
#include "hostio.h"
#include "crc32.h"
#include "layout.h"
#include "linux_boot.h"

#define MIB (1024u * 1024u)
#define PART_TYPE_NON_FS_DATA 0xda
#define PART_ACTIVE 0x80
#define KERNEL_MAX_BYTES (1ull << 32)
#define FLOPPY_BYTES (2880u * SECTOR_SIZE)



static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
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
	host_prog = "mkimage";
	size_t mbr_len, s2_len, k_len;
	uint32_t s2_sectors;
	const char *err;

	int floppy = argc > 1 && !strcmp(argv[1], "--floppy");
	int classic = argc > 1 && !strcmp(argv[1], "--classic");

	argv += floppy + classic;
	argc -= floppy + classic;
	if (argc != 5) {
		fprintf(stderr, "usage: %s [--floppy | --classic] MBR.bin STAGE2.bin KERNEL.elf OUT.img\n",
			host_prog);
		return 2;
	}
	uint8_t *mbr = read_file(argv[1], &mbr_len, "boot sector");
	uint8_t *s2 = read_file(argv[2], &s2_len, "stage2");
	uint8_t *kernel = read_file(argv[3], &k_len, "kernel");

	if ((err = bootpatch_check_mbr(mbr, mbr_len)))
		die("%s %s", argv[1], err);
	if ((err = bootpatch_check_stage2(s2, s2_len, &s2_sectors)))
		die("%s %s", argv[2], err);
	/* The loader picks the protocol from the file: an ELF kernel (own or
	 * Multiboot) or a Linux bzImage. */
	int bzimage = k_len >= LINUX_SETUP_HEADER_END &&
		      kernel[LINUX_BOOT_FLAG_OFF] == (LINUX_BOOT_FLAG & 0xff) &&
		      kernel[LINUX_BOOT_FLAG_OFF + 1] == LINUX_BOOT_FLAG >> 8 &&
		      ((uint32_t)kernel[LINUX_HEADER_OFF] | (uint32_t)kernel[LINUX_HEADER_OFF + 1] << 8 |
		       (uint32_t)kernel[LINUX_HEADER_OFF + 2] << 16 |
		       (uint32_t)kernel[LINUX_HEADER_OFF + 3] << 24) == LINUX_HEADER_MAGIC;
	if (!bzimage && (k_len < 4 || memcmp(kernel, "\177ELF", 4)))
		die("%s is neither an ELF file nor a Linux bzImage", argv[3]);
	if (k_len >= KERNEL_MAX_BYTES)
		die("%s is larger than 4 GiB", argv[3]);

	uint64_t kernel_lba = floppy ? STAGE2_LBA + s2_sectors
			      : classic ? PART_LBA_CLASSIC : PART_LBA_MODERN;
	if (classic && STAGE2_LBA + s2_sectors > kernel_lba) {
		/* The core alone fits (pack-stage2 sees to it): without the
		 * extension, whose boots then say why they cannot go on. */
		bootpatch_drop_ext(s2);
		s2_sectors = bootpatch_core_sectors(s2);
		s2_len = (size_t)s2_sectors * SECTOR_SIZE;
		fprintf(stderr, "%s: note: the 62-sector gap before LBA 63 holds stage2's core, not "
			"its extension (Multiboot, Linux, video modes, gzip)\n", host_prog);
	}
	if (STAGE2_LBA + s2_sectors > kernel_lba)
		die("%s does not fit the 62-sector gap before a partition at LBA 63 (--classic); "
		    "use the default layout, partition 1 at LBA 2048",
		    argv[2]);
	uint64_t k_sectors = (k_len + SECTOR_SIZE - 1) / SECTOR_SIZE;
	uint64_t used = (kernel_lba + k_sectors) * SECTOR_SIZE;
	uint64_t size = floppy ? FLOPPY_BYTES : (used + MIB - 1) / MIB * MIB;
	if (used > size)
		die("%s does not fit a 1.44 MB diskette", argv[3]);

	/* stage2 first: the MBR sums the patched head. */
	bootpatch_stage2(s2, s2_len, STAGE2_LBA, kernel_lba, k_len, 0);
	bootpatch_mbr(mbr, s2, STAGE2_LBA);

	/* A disk signature derived from the contents keeps builds reproducible. */
	put32(mbr + MBR_DISK_SIG_OFF, crc32_update(crc32(s2, s2_len), kernel, k_len));
	uint8_t *pe = mbr + MBR_PART_TABLE_OFF;
	uint64_t part_sectors = size / SECTOR_SIZE - kernel_lba;
	if (!floppy) {
		pe[0] = PART_ACTIVE; /* Lenovo CSMs refuse a disk with no active entry */
		put_chs(pe + 1, kernel_lba);
		pe[4] = PART_TYPE_NON_FS_DATA;
		put_chs(pe + 5, kernel_lba + part_sectors - 1);
		put32(pe + 8, (uint32_t)kernel_lba);
		put32(pe + 12, (uint32_t)part_sectors);
	}

	uint8_t *img = calloc(1, size);
	if (!img)
		die("out of memory for a %llu-byte image", (unsigned long long)size);
	memcpy(img, mbr, SECTOR_SIZE);
	memcpy(img + (uint64_t)STAGE2_LBA * SECTOR_SIZE, s2, s2_len);
	memcpy(img + kernel_lba * SECTOR_SIZE, kernel, k_len);

	FILE *out = fopen(argv[4], "wb");
	if (!out || fwrite(img, 1, size, out) != size || fclose(out))
		die("cannot write %s", argv[4]);
	printf("%s: %s: stage2 %u sectors at LBA %u, kernel %zu bytes at LBA %llu, "
	       "image %llu bytes\n",
	       host_prog, argv[4], s2_sectors, STAGE2_LBA, k_len, (unsigned long long)kernel_lba,
	       (unsigned long long)size);
	free(img);
	free(mbr);
	free(s2);
	free(kernel);
	return 0;
}
