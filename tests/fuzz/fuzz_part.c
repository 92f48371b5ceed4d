/*
 * libFuzzer harness for the partition parser (stage2/part.c).  The input is
 * a small disk: the first bytes choose its size in sectors and whether the
 * size is known; the rest is its contents (sectors past the data read as
 * zero, like a sparse image).  A valid protective MBR and GPT header skeleton
 * are laid under the data when the first byte asks, so the fuzzer reaches
 * the GPT checks and the entry array without guessing two CRCs first.
 * Any table must be refused with a message or give partitions within the
 * limits; every read stays on the disk.  Bits of byte 1: 1 size known,
 * 2 fix the GPT CRCs, 4 put 55 AA at 510, 8 a protective entry and "EFI PART".
 */
#include <stdint.h>
#include <string.h>

#include "crc32.h"
#include "gpt.h"
#include "mbr.h"
#include "part.h"

struct memdisk {
	struct blockdev bd;
	const uint8_t *data;
	size_t size;
	u64 sectors;
};

static int mem_read(struct blockdev *bd, u64 lba, u32 count, void *dst)
{
	struct memdisk *m = (struct memdisk *)bd;

	if (!count || count > 4096)
		__builtin_trap();
	if (lba >= m->sectors || count > m->sectors - lba) {
		/* Past the disk: fine only if the parser could not know its size. */
		if (bd->sectors)
			__builtin_trap();
		bd->bad_lba = lba;
		return -1;
	}
	for (u32 i = 0; i < count; i++) {
		u64 off = (lba + i) * 512;
		u8 *d = (u8 *)dst + i * 512;
		memset(d, 0, 512);
		if (off < m->size)
			memcpy(d, m->data + off, m->size - off < 512 ? m->size - off : 512);
	}
	if ((lba ^ m->sectors) % 97 == 0) { /* now and then a read error */
		bd->bad_lba = lba;
		return -1;
	}
	return 0;
}

static uint8_t img[64 * 512];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct part_table t;
	struct memdisk m;

	if (size < 2)
		return 0;
	u64 sectors = 1 + data[0] % 200;
	int known = data[1] & 1, fixup = data[1] & 2, sig = data[1] & 4, protective = data[1] & 8;
	data += 2;
	size -= 2;
	if (size > sizeof(img))
		size = sizeof(img);
	memcpy(img, data, size);
	memset(img + size, 0, sizeof(img) - size);
	/* Help past the two things random bytes rarely get right. */
	if (sig) {
		img[510] = 0x55;
		img[511] = 0xAA;
	}
	if (protective) {
		struct mbr *mb = (void *)img;
		mb->part[0].status = 0;
		mb->part[0].type = MBR_TYPE_GPT_PROTECTIVE;
		memcpy(img + 512, GPT_SIGNATURE, 8);
	}
	if (fixup && sectors > 40) {
		/* Make the CRCs right for whatever the input put in the header and
		 * the entry array it names (when that lies in the first 64 sectors). */
		struct gpt_header *h = (void *)(img + 512);
		if (h->entries_lba < 64 && (u64)h->num_entries * h->entry_size <=
						   (64 - h->entries_lba) * 512)
			h->entries_crc32 = crc32(img + h->entries_lba * 512,
						 (size_t)h->num_entries * h->entry_size);
		if (h->header_size >= GPT_HEADER_SIZE_MIN && h->header_size <= 512) {
			h->header_crc32 = 0;
			h->header_crc32 = crc32(h, h->header_size);
		}
	}
	m = (struct memdisk){ .bd = { .read = mem_read, .sectors = known ? sectors : 0 },
			      .data = img, .size = sizeof(img), .sectors = sectors };
	const char *err = part_scan(&m.bd, &t);
	if (err) {
		if (!*err)
			__builtin_trap();
		return 0;
	}
	if (t.count > PART_MAX || (t.scheme != PART_SCHEME_MBR && t.scheme != PART_SCHEME_GPT))
		__builtin_trap();
	for (u32 i = 0; i < t.count; i++) {
		const struct part *p = &t.part[i];
		if (!p->index || !p->sectors || (p->warn & ~t.warn) || part_find(&t, p->index) == 0)
			__builtin_trap();
		/* The overlap check and every reader add them. */
		if (p->start + p->sectors < p->start)
			__builtin_trap();
		if (known && !(p->warn & PART_WARN_PAST_END) &&
		    (p->start >= sectors || p->sectors > sectors - p->start))
			__builtin_trap();
	}
	return 0;
}
