/*
 * libFuzzer harness for the FAT reader (stage2/fat.c).  The input becomes a
 * small disk: byte 0 picks a layout.  In "raw" mode the input is the disk
 * from LBA 0 (the BPB checks get fuzzed); otherwise a valid FAT12, FAT16 or
 * FAT32 BPB is made here (a few of its fields from the input) and the input
 * fills the first FAT sectors and the root directory and first clusters,
 * so the fuzzer works on chains and directory entries rather than on
 * guessing a BPB.  Every other sector reads as zero, like a sparse image.
 *
 * Then: mount, walk every directory (fat_readdir), open each entry by the
 * path built from the names it gave, read it in pieces, and open a few
 * fixed paths.  Each step must end in success or a message: the harness
 * traps on an empty message, an out-of-disk read, or a read larger than the
 * request; ASan catches the rest, libFuzzer's -timeout any hang.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../stage2/fat.h"

struct memdisk {
	struct blockdev bd;
	u64 sectors;
	const uint8_t *in;
	size_t in_len;
	u8 bpb[512];
	int raw;
	u64 fat_lba, fat_len, dir_lba; /* where the input's two parts go */
	size_t split;
	u64 sectors_read;
};

static void sector(struct memdisk *m, u64 lba, u8 *d)
{
	memset(d, 0, 512);
	if (m->raw) {
		if (lba * 512 < m->in_len)
			memcpy(d, m->in + lba * 512, m->in_len - lba * 512 < 512 ? m->in_len - lba * 512
										  : 512);
		return;
	}
	if (lba == 0) {
		memcpy(d, m->bpb, 512);
		return;
	}
	u64 off;
	size_t len;
	if (lba >= m->fat_lba && lba < m->fat_lba + m->fat_len) {
		off = (lba - m->fat_lba) * 512;
		len = m->split;
	} else if (lba >= m->dir_lba) {
		off = m->split + (lba - m->dir_lba) * 512;
		len = m->in_len;
	} else {
		return;
	}
	if (off < len)
		memcpy(d, m->in + off, len - off < 512 ? len - off : 512);
}

static int mem_read(struct blockdev *bd, u64 lba, u32 count, void *dst)
{
	struct memdisk *m = (struct memdisk *)bd;

	if (!count)
		__builtin_trap();
	if (lba >= m->sectors || count > m->sectors - lba) {
		/* Past the disk: fine only if the reader could not know its size
		 * (then the BIOS answers with an error, as here). */
		if (m->bd.sectors)
			__builtin_trap();
		bd->bad_lba = lba;
		return -1;
	}
	m->sectors_read += count;
	for (u32 i = 0; i < count; i++)
		sector(m, lba + i, (u8 *)dst + (size_t)i * 512);
	if (m->sectors_read > 400000) { /* a budget: past it every read fails */
		bd->bad_lba = lba;
		return -1;
	}
	return 0;
}

static void put16(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void put32(u8 *p, u32 v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

/* A BPB for the chosen type; returns the disk size in sectors. */
static u64 make_bpb(struct memdisk *m, u8 sel, u8 knobs)
{
	u8 *b = m->bpb;
	int type = sel % 3; /* 0: FAT12, 1: FAT16, 2: FAT32 */
	u32 spc = 1u << (knobs & 3), reserved = 1 + (knobs >> 2 & 3), nfats = 1 + (knobs >> 4 & 1);
	u32 root = type == 2 ? 0 : 16u << (knobs >> 5 & 3);
	u32 clusters = type == 0 ? 300 + (knobs * 13u) % 3700
			: type == 1 ? 4100 + knobs * 200u : 65600 + knobs * 7u;
	u32 per_fat_bytes = type == 0 ? (clusters + 2) * 3 / 2 + 1 : (clusters + 2) << type;
	u32 fatsz = (per_fat_bytes + 511) / 512;
	u32 root_sectors = root * 32 / 512;
	u32 total = reserved + nfats * fatsz + root_sectors + clusters * spc;

	memset(b, 0, 512);
	b[0] = 0xEB, b[1] = 0x3C, b[2] = 0x90;
	put16(b + 11, 512);
	b[13] = (u8)spc;
	put16(b + 14, reserved);
	b[16] = (u8)nfats;
	put16(b + 17, root);
	if (total < 65536 && type != 2)
		put16(b + 19, total);
	else
		put32(b + 32, total);
	b[21] = 0xF8;
	if (type == 2) {
		put32(b + 36, fatsz);
		put32(b + 44, 2); /* root cluster */
	} else {
		put16(b + 22, fatsz);
	}
	b[510] = 0x55, b[511] = 0xAA;
	m->fat_lba = reserved;
	m->fat_len = fatsz < 16 ? fatsz : 16;
	m->dir_lba = reserved + nfats * fatsz;
	return total;
}

static u8 buf[1 << 18];
static int files_read;

static void read_file(struct fat_volume *v, const char *path)
{
	struct fat_file f;

	if (fat_open(v, path, &f))
		return;
	if (f.attr & FAT_ATTR_DIRECTORY || files_read++ > 64)
		return;
	u32 size = f.size, off = 0, step = 1;
	/* Pieces of growing size, then back to the start: partial sectors,
	 * whole runs and the rewind all get exercised. */
	while (off < size && off < sizeof(buf)) {
		u32 n = size - off < step ? size - off : step;
		if (n > sizeof(buf) - off)
			n = sizeof(buf) - off;
		if (off + n < sizeof(buf))
			buf[off + n] = 0xA5;
		const char *err = fat_read(&f, off, n, buf + off);
		if (err) {
			if (!*err)
				__builtin_trap();
			return;
		}
		if (off + n < sizeof(buf) && buf[off + n] != 0xA5)
			__builtin_trap(); /* wrote past the request */
		off += n;
		step = step * 3 + 511;
	}
	if (size && fat_read(&f, size - 1, 1, buf) && !size)
		__builtin_trap();
	fat_read(&f, 0, size < 100 ? size : 100, buf);
}

static void walk(struct fat_volume *v, const char *dir, int depth, int *budget)
{
	struct fat_file d;
	static struct fat_dirent e;
	char path[1024];

	if (depth > 6 || fat_open(v, dir, &d))
		return;
	while (--*budget > 0) {
		const char *err = fat_readdir(&d, &e);
		if (err) {
			if (!*err)
				__builtin_trap();
			return;
		}
		if (!e.name[0])
			return;
		if (strlen(e.name) >= FAT_NAME_MAX || strlen(e.short_name) > 12)
			__builtin_trap();
		if (snprintf(path, sizeof(path), "%s/%s", dir[1] ? dir : "", e.name) >=
		    (int)sizeof(path))
			continue;
		if (e.attr & FAT_ATTR_DIRECTORY) {
			struct fat_file save = d; /* walking reuses vol->lfn and the caches */
			walk(v, path, depth + 1, budget);
			d = save;
		} else {
			read_file(v, path);
			snprintf(path, sizeof(path), "%s/%s", dir[1] ? dir : "", e.short_name);
			read_file(v, path);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fat_volume v;
	static struct memdisk m;

	if (size < 3)
		return 0;
	memset(&m, 0, sizeof(m));
	m.raw = data[0] >= 0xF0;
	m.bd.read = mem_read;
	if (m.raw) {
		m.sectors = (size - 1 + 511) / 512 + data[1];
	} else {
		m.sectors = make_bpb(&m, data[0], data[1]);
		/* data[2] & 1: the disk reports its size; & 2: a few BPB bytes
		 * from the input after all (wrong layouts, odd values). */
		if (data[2] & 2 && size > 8) {
			u8 at = data[3] % 90, len = data[4] % 8;
			for (u8 i = 0; i < len && at + i < 90 && 5u + i < size; i++)
				m.bpb[at + i] = data[5 + i];
		}
	}
	m.bd.sectors = data[2] & 1 ? m.sectors : 0;
	data += 3;
	size -= 3;
	m.in = data;
	m.in_len = size;
	m.split = size < 2048 ? size / 2 : 1024;
	files_read = 0;
	if (fat_mount(&v, &m.bd, 0, m.bd.sectors))
		return 0;
	int budget = 3000;
	walk(&v, "/", 0, &budget);
	read_file(&v, "/boot/loader.cfg");
	read_file(&v, "/..//./A/../b");
	return 0;
}
