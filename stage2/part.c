/*
 * MBR and GPT partition tables; see part.h for what is refused and what is
 * only flagged.
 *
 * Numbering follows Linux and GRUB: primary entries are 1..4 by slot (empty
 * slots keep their number), logical partitions are 5, 6, ... in chain order,
 * GPT partitions are their entry number + 1.
 */
#include "part.h"
#include "crc32.h"
#include "mbr.h"

static const char *read_sector(struct blockdev *bd, struct part_table *t, u64 lba)
{
	if (bd->read(bd, lba, 1, t->sector)) {
		t->detail = bd->bad_lba;
		return "disk read error (LBA in detail)";
	}
	return 0;
}

static int is_extended(u8 type)
{
	return type == MBR_TYPE_EXTENDED_CHS || type == MBR_TYPE_EXTENDED_LBA ||
	       type == MBR_TYPE_EXTENDED_LINUX;
}

/* The next free slot, zeroed and numbered; NULL when the table is full. */
static struct part *new_part(struct part_table *t, u64 start, u64 sectors, u32 index)
{
	struct part *q;

	if (t->count == PART_MAX) {
		t->warn |= PART_WARN_TOO_MANY;
		return 0;
	}
	q = &t->part[t->count++];
	__builtin_memset(q, 0, sizeof(*q));
	q->start = start;
	q->sectors = sectors;
	q->index = index;
	return q;
}

static const struct gpt_guid zero_guid;

static void skip_entry(struct part_table *t, u32 index)
{
	t->bad_entry = index;
	t->warn |= PART_WARN_BAD_ENTRY;
}

/* Checks the GPT header at lba and its entry array; on success the table
 * holds its partitions. */
static const char *gpt_load(struct blockdev *bd, struct part_table *t, u64 lba)
{
	struct gpt_header *h = (void *)t->sector;
	u64 first, last, array, bytes, disk = bd->sectors, pos;
	u32 size, n, crc, want, i, count;
	const char *err;

	t->count = 0;
	t->detail = lba;
	if (disk && lba >= disk)
		return "GPT header: past the end of the disk (header LBA in detail)";
	err = read_sector(bd, t, lba);
	if (err)
		return err;
	t->detail = lba;
	if (__builtin_memcmp(h->signature, GPT_SIGNATURE, sizeof(h->signature)))
		return "GPT header: no \"EFI PART\" signature (header LBA in detail)";
	if (h->revision >> 16 != GPT_REVISION_1_0 >> 16)
		return "GPT header: unknown revision (header LBA in detail)";
	if (h->header_size < GPT_HEADER_SIZE_MIN || h->header_size > PART_GPT_HEADER_MAX)
		return "GPT header: header size out of range (header LBA in detail)";
	want = h->header_crc32;
	h->header_crc32 = 0;
	if (crc32(h, h->header_size) != want)
		return "GPT header: header CRC32 mismatch (header LBA in detail)";
	if (h->my_lba != lba)
		return "GPT header: MyLBA is not where the header is (header LBA in detail)";
	first = h->first_usable_lba;
	last = h->last_usable_lba;
	array = h->entries_lba;
	size = h->entry_size;
	count = h->num_entries;
	if (first > last || (first <= lba && lba <= last))
		return "GPT header: usable LBAs out of order or covering the header "
		       "(header LBA in detail)";
	if (disk && last >= disk)
		return "GPT header: last usable LBA is past the end of the disk "
		       "(header LBA in detail)";
	if (size < GPT_ENTRY_SIZE_MIN || size % GPT_ENTRY_SIZE_MIN)
		return "GPT header: entry size is not a multiple of 128 (header LBA in detail)";
	bytes = (u64)count * size;
	if (bytes > PART_GPT_ARRAY_MAX)
		return "GPT header: entry array larger than 1 MiB (header LBA in detail)";
	n = (u32)(bytes + 511) >> 9;
	/* array comes from the disk: array + n must not wrap (an entry array
	 * at LBA 2^64 - 1 passed every check below and was read). */
	if (array > ~(u64)0 - n)
		return "GPT header: entry array LBA out of range (header LBA in detail)";
	if (!array || (array + n > first && array <= last) || (lba >= array && lba < array + n))
		return "GPT header: entry array overlaps the header or the usable LBAs "
		       "(header LBA in detail)";
	if (disk && array + n > disk)
		return "GPT header: entry array is past the end of the disk (header LBA in detail)";
	t->disk_guid = h->disk_guid;
	want = h->entries_crc32;
	/* Entries are multiples of 128 bytes, so each one's defined first 128
	 * bytes lie in one sector: the array streams through one buffer. */
	crc = 0;
	for (pos = 0, i = 0; pos < bytes; pos += 512, array++) {
		err = read_sector(bd, t, array);
		if (err)
			return err;
		crc = crc32_update(crc, t->sector, bytes - pos < 512 ? (u32)(bytes - pos) : 512);
		for (; i < count && (u64)i * size < pos + 512; i++) {
			const struct gpt_entry *e = (const void *)(t->sector + ((u64)i * size - pos));
			struct part *p;
			if (!__builtin_memcmp(&e->type, &zero_guid, sizeof(zero_guid)))
				continue;
			/* No disk has LBA 2^64 - 1, and an entry ending there
			 * wraps: last - first + 1 to 0 sectors for a whole-range
			 * entry, start + sectors to 0 in the overlap check. */
			if (e->last_lba < e->first_lba || e->last_lba == ~(u64)0) {
				skip_entry(t, i + 1);
				continue;
			}
			p = new_part(t, e->first_lba, e->last_lba - e->first_lba + 1, i + 1);
			if (!p)
				continue;
			p->type_guid = e->type;
			p->unique_guid = e->unique;
			if (e->first_lba < first || e->last_lba > last)
				p->warn |= PART_WARN_OUTSIDE_USABLE;
		}
	}
	t->detail = lba;
	if (crc != want)
		return "GPT: partition entry array CRC32 mismatch (header LBA in detail)";
	t->gpt_header_lba = lba;
	return 0;
}

/* Logical partitions: each EBR holds one partition (relative to the EBR)
 * and a link to the next EBR (relative to the extended partition). */
/* Not inlined: inside part_scan, gcc -Oz keeps t on the stack, and the
 * two cost 180 bytes more of the 64 KiB code segment. */
static __attribute__((noinline)) const char *
scan_ebr_chain(struct blockdev *bd, struct part_table *t, u64 ext_start, u64 ext_sectors)
{
	const struct mbr *m = (const void *)t->sector;
	u32 seen[PART_EBR_MAX], links, i;
	u64 ebr = ext_start, end = ext_start + ext_sectors;
	u16 index = 5;
	const char *err;

	for (links = 0;; links++) {
		if (links == PART_EBR_MAX) {
			t->warn |= PART_WARN_EBR_LONG;
			return 0;
		}
		for (i = 0; i < links; i++)
			if (seen[i] == (u32)(ebr - ext_start)) {
				t->warn |= PART_WARN_EBR_LOOP;
				return 0;
			}
		seen[links] = (u32)(ebr - ext_start);
		if (bd->sectors && ebr >= bd->sectors) {
			t->warn |= PART_WARN_EBR_BAD;
			return 0;
		}
		err = read_sector(bd, t, ebr);
		if (err)
			return err;
		if (m->signature != MBR_SIGNATURE) {
			t->warn |= PART_WARN_EBR_BAD;
			return 0;
		}
		const struct mbr_partition *d = &m->part[0], *next = &m->part[1];
		if (d->type != MBR_TYPE_EMPTY) {
			u64 start = ebr + d->lba_first;
			struct part *p;
			if (!d->sectors || !d->lba_first || start + d->sectors > end) {
				skip_entry(t, index);
			} else if ((p = new_part(t, start, d->sectors, index++))) {
				p->mbr_type = d->type;
				p->active = d->status == MBR_STATUS_ACTIVE;
			}
		}
		if (!is_extended(next->type) || !next->lba_first)
			return 0;
		ebr = ext_start + next->lba_first;
		if (ebr >= end) {
			t->warn |= PART_WARN_EBR_BAD;
			return 0;
		}
	}
}

/* Flags what no single entry shows: overlaps and partitions past the end. */
static void find_overlaps(struct blockdev *bd, struct part_table *t)
{
	for (u32 i = 0; i < t->count; i++) {
		struct part *a = &t->part[i];
		if (bd->sectors && (a->start >= bd->sectors || a->sectors > bd->sectors - a->start))
			a->warn |= PART_WARN_PAST_END;
		if (t->scheme == PART_SCHEME_MBR && a->start == 0)
			a->warn |= PART_WARN_OVERLAP; /* over the MBR itself */
		for (u32 j = i + 1; j < t->count; j++) {
			struct part *b = &t->part[j];
			/* An extended partition contains its logical partitions. */
			if ((is_extended(a->mbr_type) && b->index > MBR_PARTITIONS) ||
			    (is_extended(b->mbr_type) && a->index > MBR_PARTITIONS))
				continue;
			if (a->start < b->start + b->sectors && b->start < a->start + a->sectors) {
				a->warn |= PART_WARN_OVERLAP;
				b->warn |= PART_WARN_OVERLAP;
			}
		}
		t->warn |= a->warn;
	}
}

const char *part_scan(struct blockdev *bd, struct part_table *t)
{
	const struct mbr *m = (const void *)t->sector;
	struct mbr_partition pe[MBR_PARTITIONS];
	u32 i, active = 0, protective = 0, others = 0, ext = MBR_PARTITIONS;
	const char *err;

	*t = (struct part_table){ 0 };
	err = read_sector(bd, t, 0);
	if (err)
		return err;
	if (m->signature != MBR_SIGNATURE)
		return "LBA 0: no 55 AA signature: no partition table";
	__builtin_memcpy(pe, m->part, sizeof(pe));
	t->disk_signature = m->disk_signature;
	for (i = 0; i < MBR_PARTITIONS; i++) {
		t->detail = i + 1;
		if (pe[i].status != 0 && pe[i].status != MBR_STATUS_ACTIVE)
			return "LBA 0: a partition entry (in detail) has a status byte other than "
			       "0x00 or 0x80: not a partition table";
		if (pe[i].type == MBR_TYPE_GPT_PROTECTIVE)
			protective = 1;
		else if (pe[i].type != MBR_TYPE_EMPTY)
			others = 1;
	}
	t->detail = 0;
	if (protective) {
		t->scheme = PART_SCHEME_GPT;
		if (others)
			t->warn |= PART_WARN_HYBRID;
		u32 warn = t->warn;
		err = gpt_load(bd, t, GPT_PRIMARY_LBA);
		if (err) {
			t->warn = warn; /* what the failed array said does not count */
			t->gpt_primary_error = err;
			if (!bd->sectors) {
				t->gpt_backup_error = "disk size unknown: no backup GPT header to try";
				t->detail = GPT_PRIMARY_LBA;
				return err;
			}
			t->gpt_backup_error = gpt_load(bd, t, bd->sectors - 1);
			if (t->gpt_backup_error) {
				t->detail = GPT_PRIMARY_LBA;
				return err;
			}
			t->warn |= PART_WARN_GPT_BACKUP;
		}
		find_overlaps(bd, t);
		return 0;
	}
	t->scheme = PART_SCHEME_MBR;
	for (i = 0; i < MBR_PARTITIONS; i++) {
		const struct mbr_partition *e = &pe[i];
		struct part *p;
		if (e->type == MBR_TYPE_EMPTY)
			continue;
		if (!e->sectors) {
			skip_entry(t, i + 1);
			continue;
		}
		active += e->status == MBR_STATUS_ACTIVE;
		if (is_extended(e->type)) {
			if (ext < MBR_PARTITIONS)
				t->warn |= PART_WARN_EXTENDED_TWICE;
			else
				ext = i;
		}
		if ((p = new_part(t, e->lba_first, e->sectors, i + 1))) {
			p->mbr_type = e->type;
			p->active = e->status == MBR_STATUS_ACTIVE;
		}
	}
	if (active > 1)
		t->warn |= PART_WARN_MULTI_ACTIVE;
	if (ext < MBR_PARTITIONS) {
		err = scan_ebr_chain(bd, t, pe[ext].lba_first, pe[ext].sectors);
		if (err)
			return err;
	}
	find_overlaps(bd, t);
	return 0;
}

const struct part *part_find(const struct part_table *t, u32 index)
{
	for (u32 i = 0; i < t->count; i++)
		if (t->part[i].index == index)
			return &t->part[i];
	return 0;
}
