/*
 * libFuzzer harness for the installer's planner (tools/instplan.c): what it
 * reads from a disk and from a backup file is untrusted.  Byte 0 of the
 * input chooses:
 *   even: the rest is a disk (its size in sectors from byte 1, contents from
 *         byte 2 on, zero past the data) and plan_install runs on it with
 *         the build's mbr.bin and stage2.bin; bit 1 lays a valid MBR with a
 *         FAT partition entry under the data, bit 3 a FAT12 BPB at the
 *         partition's start, so the fuzzer gets past the table and the
 *         mount quickly;
 *   odd:  the rest is a backup file, restored onto a fixed small MBR disk;
 *         bit 3 lays a header naming that disk under the data, bit 1 fixes
 *         the file's CRC-32, so the fuzzer reaches the checks behind them.
 * Refusals are fine; a plan must stay on the disk, and an install's LBA 0
 * may differ from the disk's only in the loader's bytes and one status byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootpatch.h"
#include "crc32.h"
#include "instplan.h"
#include "layout.h"
#include "mbr.h"

struct memdisk {
	struct blockdev bd;
	const uint8_t *data;
	size_t size;
};

static int mem_read(struct blockdev *bd, u64 lba, u32 count, void *dst)
{
	struct memdisk *m = (struct memdisk *)bd;

	if (lba >= bd->sectors || count > bd->sectors - lba)
		__builtin_trap(); /* the planner knows the size: it never reads past it */
	for (u32 i = 0; i < count; i++) {
		u64 off = (lba + i) * SECTOR_SIZE;
		u8 *d = (u8 *)dst + (size_t)i * SECTOR_SIZE;
		memset(d, 0, SECTOR_SIZE);
		if (off < m->size)
			memcpy(d, m->data + off,
			       m->size - off < SECTOR_SIZE ? m->size - off : SECTOR_SIZE);
	}
	return 0;
}

static uint8_t *load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "fuzz_instplan: %s missing (run make first)\n", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(*len);
	if (fread(b, 1, *len, f) != *len)
		exit(1);
	fclose(f);
	return b;
}

static void check_writes(const struct plan *p, u64 sectors)
{
	for (u32 i = 0; i < p->nwrites; i++)
		if (!p->w[i].sectors || p->w[i].lba >= sectors ||
		    p->w[i].sectors > sectors - p->w[i].lba)
			__builtin_trap();
}

static uint8_t disk[256 * SECTOR_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct plan p;
	static uint8_t *mbr, *s2;
	static size_t mbr_len, s2_len;
	struct memdisk m = { .bd = { .read = mem_read } };

	if (!mbr) {
		mbr = load("build/mbr.bin", &mbr_len);
		s2 = load("build/stage2.bin", &s2_len);
	}
	if (size < 2)
		return 0;
	if (!(data[0] & 1)) {
		/* A disk of 64..319 sectors (stage2 fits before LBA 64 or not). */
		size_t n = size - 2 < sizeof(disk) ? size - 2 : sizeof(disk);
		memset(disk, 0, sizeof(disk));
		memcpy(disk, data + 2, n);
		m.bd.sectors = 64 + data[1];
		if (m.bd.sectors > sizeof(disk) / SECTOR_SIZE)
			m.bd.sectors = sizeof(disk) / SECTOR_SIZE;
		if (data[0] & 2) {
			uint8_t *e = disk + MBR_PART_TABLE_OFF;
			uint32_t start = 63 + (data[1] & 7),
				 count = (uint32_t)m.bd.sectors - start;
			e[0] &= MBR_STATUS_ACTIVE;
			e[4] = MBR_TYPE_FAT16_LBA;
			memcpy(e + 8, &start, 4);
			memcpy(e + 12, &count, 4);
			disk[MBR_BOOT_SIG_OFF] = 0x55;
			disk[MBR_BOOT_SIG_OFF + 1] = 0xaa;
			if (data[0] & 8) {
				/* FAT12: 512-byte sectors and clusters, 1 reserved
				 * sector, 1 FAT of 1 sector, 16 root entries. */
				uint8_t *b = disk + (size_t)start * SECTOR_SIZE;
				uint16_t total = (uint16_t)count;
				b[0x0b] = 0x00, b[0x0c] = 0x02, b[0x0d] = 1, b[0x0e] = 1,
				b[0x0f] = 0;
				b[0x10] = 1, b[0x11] = 16, b[0x12] = 0, b[0x15] = 0xf8;
				memcpy(b + 0x13, &total, 2);
				b[0x16] = 1, b[0x17] = 0;
				b[0x1fe] = 0x55, b[0x1ff] = 0xaa;
			}
		}
		m.data = disk;
		m.size = sizeof(disk);
		struct plan_input in = { .mbr = mbr, .mbr_len = mbr_len, .stage2 = s2,
					 .stage2_len = s2_len, .partition = data[1] >> 6,
					 .gpt_active = (data[0] >> 2) & 1 };
		if (!plan_install(&m.bd, &in, &p)) {
			check_writes(&p, m.bd.sectors);
			const struct plan_write *w = &p.w[p.nwrites - 1];
			if (w->lba != 0 || w->sectors != 1)
				__builtin_trap();
			unsigned status_changed = 0;
			for (unsigned i = 0; i < SECTOR_SIZE; i++)
				if (!bootpatch_mbr_byte_is_code(i) && w->data[i] != w->old[i]) {
					if (i < MBR_PART_TABLE_OFF || i >= MBR_BOOT_SIG_OFF ||
					    (i - MBR_PART_TABLE_OFF) % 16 ||
					    w->data[i] != MBR_STATUS_ACTIVE)
						__builtin_trap();
					status_changed++;
				}
			if (status_changed > 1)
				__builtin_trap();
		}
	} else {
		/* A backup restored onto a 128-sector MBR disk with signature 0x11223344. */
		static uint8_t file[64 * 1024];
		size_t n = size - 1 < sizeof(file) ? size - 1 : sizeof(file);
		memcpy(file, data + 1, n);
		if ((data[0] & 8) && n >= sizeof(struct backup_header)) {
			struct backup_header h;
			memcpy(&h, file, sizeof(h));
			memcpy(h.magic, BACKUP_MAGIC, 8);
			h.version = BACKUP_VERSION;
			h.header_size = sizeof(h);
			h.disk_bytes = 128 * SECTOR_SIZE;
			h.scheme = PART_SCHEME_MBR;
			h.disk_signature = 0x11223344;
			memset(&h.disk_guid, 0, sizeof(h.disk_guid));
			h.extents = 1 + (h.extents & 1);
			memcpy(file, &h, sizeof(h));
			/* ...extents on it, and the file cut to the length they
			 * describe. */
			size_t need = sizeof(h) + h.extents * sizeof(struct backup_extent);
			for (u32 i = 0; i < h.extents && need <= n; i++) {
				struct backup_extent e;
				memcpy(&e, file + sizeof(h) + i * sizeof(e), sizeof(e));
				e.lba &= 127;
				e.sectors = 1 + (e.sectors & 7);
				if (e.lba + e.sectors > 128)
					e.sectors = (u32)(128 - e.lba);
				memcpy(file + sizeof(h) + i * sizeof(e), &e, sizeof(e));
				need += (size_t)e.sectors * SECTOR_SIZE;
			}
			if (need < n)
				n = need;
		}
		if ((data[0] & 2) && n >= sizeof(struct backup_header)) {
			memset(file + 0x34, 0, 4);
			uint32_t c = crc32(file, n);
			memcpy(file + 0x34, &c, 4);
		}
		memset(disk, 0, sizeof(disk));
		uint32_t sig = 0x11223344, start = 64, count = 64;
		memcpy(disk + MBR_DISK_SIG_OFF, &sig, 4);
		disk[MBR_PART_TABLE_OFF + 4] = MBR_TYPE_FAT16_LBA;
		memcpy(disk + MBR_PART_TABLE_OFF + 8, &start, 4);
		memcpy(disk + MBR_PART_TABLE_OFF + 12, &count, 4);
		disk[MBR_BOOT_SIG_OFF] = 0x55;
		disk[MBR_BOOT_SIG_OFF + 1] = 0xaa;
		m.data = disk;
		m.size = sizeof(disk);
		m.bd.sectors = 128;
		if (!plan_uninstall(&m.bd, file, n, (data[0] >> 2) & 1, &p))
			check_writes(&p, m.bd.sectors);
	}
	plan_free(&p);
	return 0;
}
