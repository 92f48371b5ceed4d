/* See instplan.h. */
#include "instplan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootpatch.h"
#include "config.h"
#include "crc32.h"
#include "layout.h"
#include "mbr.h"
#include "volume.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the backup format is little-endian");

#define MBR_ENTRY_OFF(slot) (MBR_PART_TABLE_OFF + (slot) * sizeof(struct mbr_partition))

static const struct gpt_guid bios_boot_type = GPT_TYPE_BIOS_BOOT;

static const char *refuse(struct plan *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static const char *refuse(struct plan *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	return p->err;
}

static void note(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct plan *p, const char *fmt, ...)
{
	va_list ap;

	if (p->nnotes == PLAN_NOTES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(p->notes[p->nnotes++], PLAN_MSG_MAX, fmt, ap);
	va_end(ap);
}

/* The pure readers' messages say "in detail" where a number goes. */
static const char *with_detail(char *buf, size_t size, const char *msg, u64 detail)
{
	const char *at = strstr(msg, "in detail");

	if (!at)
		snprintf(buf, size, "%s", msg);
	else
		snprintf(buf, size, "%.*s%llu%s", (int)(at - msg), msg, (unsigned long long)detail,
			 at + strlen("in detail"));
	return buf;
}

static void *xcalloc(size_t n)
{
	void *q = calloc(1, n ? n : 1);

	if (!q) {
		fprintf(stderr, "install: out of memory\n");
		exit(1);
	}
	return q;
}

static struct plan_write *add_write(struct plan *p, u32 kind, u64 lba, u32 sectors)
{
	struct plan_write *w = &p->w[p->nwrites++];

	*w = (struct plan_write){ .lba = lba, .sectors = sectors, .kind = kind };
	w->data = xcalloc((size_t)sectors * SECTOR_SIZE);
	w->old = xcalloc((size_t)sectors * SECTOR_SIZE);
	return w;
}

void plan_free(struct plan *p)
{
	for (u32 i = 0; i < p->nwrites; i++) {
		free(p->w[i].data);
		free(p->w[i].old);
	}
	p->nwrites = 0;
}

static int is_extended(u8 type)
{
	return type == MBR_TYPE_EXTENDED_CHS || type == MBR_TYPE_EXTENDED_LBA ||
	       type == MBR_TYPE_EXTENDED_LINUX;
}

static int is_bios_boot(const struct part *q)
{
	return !memcmp(&q->type_guid, &bios_boot_type, sizeof(bios_boot_type));
}

/* Reads the disk's table and refuses what an install must not go on with. */
static const char *scan(struct blockdev *bd, struct plan *p)
{
	struct part_table *t = &p->table;
	char m[PLAN_MSG_MAX];
	const char *err;

	if (bd->sectors < 1)
		return refuse(p, "the disk is smaller than one 512-byte sector: there is no "
				 "partition table on it");
	p->disk_sectors = bd->sectors;
	err = part_scan(bd, t);
	if (err) {
		with_detail(m, sizeof(m), err, t->detail);
		if (t->scheme == PART_SCHEME_GPT)
			return refuse(p, "its GPT is damaged: primary: %s; backup: %s; repair the "
					 "table first (gdisk, sgdisk --verify)",
				      m, t->gpt_backup_error ? t->gpt_backup_error : "not tried");
		return refuse(p, "no partition table the loader can boot from: %s "
				 "(partition the disk first: fdisk, sfdisk or parted)",
			      m);
	}
	p->scheme = t->scheme;
	p->disk_signature = t->disk_signature;
	p->disk_guid = t->disk_guid;
	if (!t->count)
		return refuse(p, "its %s partition table lists no partition: the loader boots "
				 "kernels from a FAT partition; create one first",
			      t->scheme == PART_SCHEME_GPT ? "GPT" : "MBR");
	if (t->warn & PART_WARN_GPT_BACKUP)
		return refuse(p, "its primary GPT is damaged (%s) and only the backup at LBA %llu "
				 "is valid: repair the table first (gdisk's recovery menu, or "
				 "sgdisk -e)",
			      with_detail(m, sizeof(m), t->gpt_primary_error, GPT_PRIMARY_LBA),
			      (unsigned long long)t->gpt_header_lba);
	for (u32 i = 0; i < t->count; i++) {
		const struct part *q = &t->part[i];
		if (q->warn & PART_WARN_PAST_END)
			return refuse(p, "partition %u (LBA %llu, %llu sectors) ends past the end "
					 "of the disk (%llu sectors): the disk is smaller than "
					 "its partition table says (a truncated image, or a table "
					 "written for a larger disk)",
				      q->index, (unsigned long long)q->start,
				      (unsigned long long)q->sectors,
				      (unsigned long long)bd->sectors);
		if (q->warn & PART_WARN_OVERLAP)
			return refuse(p, "partition %u (LBA %llu, %llu sectors) overlaps another "
					 "partition or the partition table itself: fix the table "
					 "first",
				      q->index, (unsigned long long)q->start,
				      (unsigned long long)q->sectors);
		if (q->warn & PART_WARN_OUTSIDE_USABLE)
			return refuse(p, "GPT partition %u (LBA %llu, %llu sectors) lies outside "
					 "the table's usable LBAs: fix the table first (sgdisk "
					 "--verify)",
				      q->index, (unsigned long long)q->start,
				      (unsigned long long)q->sectors);
	}
	/* The loader skips such an entry, but the tool that wrote it may
	 * keep data where it points. */
	if (t->warn & PART_WARN_BAD_ENTRY)
		return refuse(p, "partition table entry %u is damaged (no sectors, its last LBA "
				 "before its first or at 2^64 - 1, or a logical partition "
				 "reaching out of its extended one): fix the table first "
				 "(sfdisk --verify, sgdisk --verify)",
			      t->bad_entry);
	if (t->warn & PART_WARN_MULTI_ACTIVE)
		return refuse(p, "more than one partition is marked active; some BIOSes and boot "
				 "code refuse such a disk: leave one active (sfdisk --activate "
				 "DISK N) and run again");
	if (t->warn & (PART_WARN_EBR_LOOP | PART_WARN_EBR_LONG | PART_WARN_EBR_BAD))
		return refuse(p, "the chain of logical partitions is broken (an EBR without 55 "
				 "AA, a loop or past the disk): fix the table first");
	if (t->warn & PART_WARN_EXTENDED_TWICE)
		return refuse(p, "the MBR lists two extended partitions: fix the table first");
	if (t->warn & PART_WARN_HYBRID)
		note(p, "the protective MBR also lists MBR partitions (a hybrid MBR): they are "
			"kept as they are");
	return NULL;
}

/* Whether stage2 fits an area of this many sectors: all of it, or, where
 * only the core fits, the core alone (stage2/ext.h), with a note. */
static int fit(struct plan *p, u64 sectors)
{
	if (p->stage2_sectors <= sectors)
		return 1;
	if (p->core_sectors > sectors)
		return 0;
	note(p, "the %s holds %llu sectors: room for stage2's core (%u sectors) but not its "
		"extension (%u more): Multiboot, Linux, video modes and gzip files will not boot "
		"from this disk",
	     p->scheme == PART_SCHEME_GPT ? "BIOS boot partition"
					  : "gap before the first partition",
	     (unsigned long long)sectors, p->core_sectors, p->stage2_sectors - p->core_sectors);
	p->ext_dropped = 1;
	p->stage2_sectors = p->core_sectors;
	return 1;
}

/* Where stage2 goes: the gap before the first partition (MBR) or the BIOS
 * boot partition (GPT). */
static const char *find_area(struct plan *p, u64 *lba, u64 *sectors)
{
	const struct part_table *t = &p->table;

	if (t->scheme == PART_SCHEME_MBR) {
		const struct part *first = NULL;
		for (u32 i = 0; i < t->count; i++)
			if (!first || t->part[i].start < first->start)
				first = &t->part[i];
		*lba = STAGE2_LBA;
		*sectors = first->start - STAGE2_LBA;
		if (!fit(p, *sectors))
			return refuse(p, "stage2 needs %u sectors from LBA %u (its core alone "
					 "%u), but partition %u starts at LBA %llu: the gap "
					 "before it holds %llu; partition the disk with the first "
					 "partition at LBA %u (1 MiB, what fdisk, sfdisk and "
					 "parted do by default)",
				      p->stage2_sectors, STAGE2_LBA, p->core_sectors, first->index,
				      (unsigned long long)first->start,
				      (unsigned long long)*sectors, PART_LBA_MODERN);
		return NULL;
	}
	const struct part *bb = NULL;
	for (u32 i = 0; i < t->count && !bb; i++)
		if (is_bios_boot(&t->part[i]))
			bb = &t->part[i];
	if (!bb)
		return refuse(p, "this GPT disk has no BIOS boot partition (type "
				 "21686148-6449-6E6F-744E-656564454649) for stage2: create one of "
				 "at least %u sectors (e.g. sgdisk -n 0:34:2047 -t 0:EF02, or "
				 "parted's bios_grub flag)",
			      p->stage2_sectors);
	p->bios_boot_part = bb->index;
	*lba = bb->start;
	*sectors = bb->sectors;
	if (!fit(p, bb->sectors))
		return refuse(p, "the BIOS boot partition (%u, LBA %llu) has %llu sectors; stage2 "
				 "needs %u (its core alone %u): make it larger",
			      bb->index, (unsigned long long)bb->start,
			      (unsigned long long)bb->sectors, p->stage2_sectors, p->core_sectors);
	if (bb->start + p->stage2_sectors > 0xffffffffull)
		return refuse(p, "the BIOS boot partition (%u) starts at LBA %llu, beyond what "
				 "the MBR's 32-bit LBA reaches (2 TiB): move it to the start of "
				 "the disk",
			      bb->index, (unsigned long long)bb->start);
	return NULL;
}

/* Reads the area and checks it holds nothing but zeros or an earlier
 * install of this loader in what stage2 would take. */
static const char *check_area(struct blockdev *bd, struct plan *p, u64 lba, u64 area)
{
	u8 first[SECTOR_SIZE];

	if (bd->read(bd, lba, 1, first))
		return refuse(p, "cannot read LBA %llu", (unsigned long long)bd->bad_lba);
	u32 earlier = bootpatch_installed_sectors(first);
	if (earlier > area)
		earlier = 0; /* no install of ours ever held more than the area */
	p->earlier_sectors = earlier;
	u32 n = earlier > p->stage2_sectors ? earlier : p->stage2_sectors;
	struct plan_write *w = add_write(p, PLAN_STAGE2, lba, n);
	if (bd->read(bd, lba, n, w->old))
		return refuse(p, "cannot read LBA %llu", (unsigned long long)bd->bad_lba);
	for (size_t i = (size_t)earlier * SECTOR_SIZE; i < (size_t)n * SECTOR_SIZE; i++) {
		if (!w->old[i])
			continue;
		u64 at = lba + i / SECTOR_SIZE;
		if (p->scheme == PART_SCHEME_GPT)
			return refuse(p, "the BIOS boot partition (%u) holds data that is not "
					 "this loader's at LBA %llu (byte 0x%03zx is 0x%02x): "
					 "another boot loader's stage (GRUB's core.img?) or other "
					 "software's data; installing would destroy it",
				      p->bios_boot_part, (unsigned long long)at, i % SECTOR_SIZE,
				      w->old[i]);
		return refuse(p, "LBA %llu in the gap before the first partition holds data that "
				 "is not this loader's (byte 0x%03zx is 0x%02x): other software "
				 "keeps data there (a licence manager, a recovery tool, another "
				 "boot loader such as GRUB); installing would destroy it",
			      (unsigned long long)at, i % SECTOR_SIZE, w->old[i]);
	}
	return NULL;
}

/* Whether partition q holds a FAT file system (left mounted in p->vol);
 * NULL or what fat_mount said, with its number. */
static const char *mount_fat(struct blockdev *bd, struct plan *p, const struct part *q, char *buf,
			     size_t size)
{
	const char *err = fat_mount(&p->vol, bd, q->start, q->sectors);

	return err ? with_detail(buf, size, err, p->vol.detail) : NULL;
}

static int has_file(struct plan *p, const char *path)
{
	return !fat_open(&p->vol, path, &p->file) && !(p->file.attr & FAT_ATTR_DIRECTORY);
}

/* The mounted boot volume's /boot/loader.cfg, parsed the way stage2 will:
 * problems become notes (the user can fix the file after installing). */
static void check_config(struct plan *p, u32 part)
{
	static struct boot_config cfg;
	static struct config_error e;
	char m[PLAN_MSG_MAX];
	const char *err;

	if (!has_file(p, LOADER_CFG_PATH)) {
		note(p, "partition %u has no %s yet: stage2 will stop with a message until it "
			"has one (see README: The configuration file)",
		     part, LOADER_CFG_PATH);
		return;
	}
	u32 size = p->file.size;
	if (size > LOADER_CFG_MAX) {
		note(p, "partition %u: %s is %u bytes; stage2 reads at most %u and will stop",
		     part, LOADER_CFG_PATH, size, LOADER_CFG_MAX);
		return;
	}
	char *text = xcalloc((size_t)size + 1);
	err = fat_read(&p->file, 0, size, text);
	if (err) {
		note(p, "partition %u: %s cannot be read: %s", part, LOADER_CFG_PATH,
		     with_detail(m, sizeof(m), err, p->vol.detail));
	} else if (config_parse(text, size, &cfg, &e)) {
		note(p, "partition %u: %s%s%s: stage2 will stop there until it is fixed", part,
		     LOADER_CFG_PATH, e.line ? " " : ": ", e.msg);
	} else {
		for (u32 i = 0; i < cfg.nentries; i++) {
			const struct boot_entry *b = &cfg.entries[i];
			const char *missing = !has_file(p, b->kernel) ? b->kernel
					    : b->initrd && !has_file(p, b->initrd) ? b->initrd
					    : NULL;
			for (u32 j = 0; !missing && j < b->nmodules; j++) {
				static char path[CONFIG_LINE_MAX + 1];
				size_t n = strcspn(b->modules[j], " \t");
				snprintf(path, sizeof(path), "%.*s", (int)n, b->modules[j]);
				if (!has_file(p, path))
					missing = path;
			}
			if (missing)
				note(p, "partition %u: %s: entry %u ('%s') names %s, which does "
					"not exist: that entry will not boot",
				     part, LOADER_CFG_PATH, i + 1, b->title, missing);
		}
	}
	free(text);
}

/* The partition stage2 will boot: the pinned one, checked, or the one
 * stage2's own search (stage2/volume.c) will find. */
static const char *choose_boot_part(struct blockdev *bd, struct plan *p, u32 pinned)
{
	const struct part_table *t = &p->table;
	char m[PLAN_MSG_MAX];
	const char *err;

	if (pinned) {
		const struct part *q = part_find(t, pinned);
		if (!q)
			return refuse(p, "PARTITION=%u: the disk has no partition %u", pinned,
				      pinned);
		if (is_extended(q->mbr_type))
			return refuse(p, "PARTITION=%u is the extended partition (a container of "
					 "logical partitions), not a FAT file system",
				      pinned);
		if (t->scheme == PART_SCHEME_GPT && q->index == p->bios_boot_part)
			return refuse(p, "PARTITION=%u is the BIOS boot partition, where stage2 "
					 "goes; name the FAT partition",
				      pinned);
		if ((err = mount_fat(bd, p, q, m, sizeof(m))))
			return refuse(p, "PARTITION=%u (LBA %llu) does not hold a FAT file system "
					 "stage2 can read: %s",
				      pinned, (unsigned long long)q->start, err);
		p->boot_part = pinned;
		check_config(p, pinned);
		return NULL;
	}
	/* stage2/volume.c: the active partition first, then the others in table
	 * order; the first FAT volume holding the configuration wins. */
	const struct part *first_fat = NULL;
	for (int pass = 0; pass < 2 && !p->boot_part; pass++)
		for (u32 i = 0; i < t->count && !p->boot_part; i++) {
			const struct part *q = &t->part[i];
			if ((pass == 0) != (q->active != 0) || is_extended(q->mbr_type) ||
			    (t->scheme == PART_SCHEME_GPT && q->index == p->bios_boot_part))
				continue;
			if (mount_fat(bd, p, q, m, sizeof(m)))
				continue;
			if (!first_fat || q->index < first_fat->index)
				first_fat = q;
			if (has_file(p, LOADER_CFG_PATH))
				p->boot_part = q->index;
		}
	if (!p->boot_part && !first_fat)
		return refuse(p, "none of its %u partitions holds a FAT file system: stage2 boots "
				 "kernels from a FAT12, FAT16 or FAT32 partition (mkfs.fat); "
				 "create one, or name it with PARTITION=n",
			      t->count);
	if (!p->boot_part) {
		p->boot_part = first_fat->index;
		mount_fat(bd, p, first_fat, m, sizeof(m));
	}
	check_config(p, p->boot_part);
	return NULL;
}

/* LBA 0: the loader's code bytes, the active flag. */
static const char *plan_mbr(struct blockdev *bd, struct plan *p, const struct plan_input *in,
			    const u8 *mbr)
{
	struct plan_write *w = add_write(p, PLAN_MBR, 0, 1);
	const struct part_table *t = &p->table;

	if (bd->read(bd, 0, 1, w->old))
		return refuse(p, "cannot read LBA %llu", (unsigned long long)bd->bad_lba);
	memcpy(w->data, w->old, SECTOR_SIZE);
	for (unsigned i = 0; i < SECTOR_SIZE; i++)
		if (bootpatch_mbr_byte_is_code(i))
			w->data[i] = mbr[i];
	if (t->scheme == PART_SCHEME_GPT) {
		for (u32 slot = 0; in->gpt_active && slot < MBR_PARTITIONS; slot++) {
			const u8 *e = w->data + MBR_ENTRY_OFF(slot);
			if (e[4] != MBR_TYPE_GPT_PROTECTIVE && e[0] == MBR_STATUS_ACTIVE)
				return refuse(p, "GPT_ACTIVE=1: entry %u of this hybrid MBR is "
						 "already active; marking the protective entry "
						 "too would make two",
					      slot + 1);
		}
		for (u32 slot = 0; slot < MBR_PARTITIONS; slot++) {
			u8 *e = w->data + MBR_ENTRY_OFF(slot);
			if (e[4] != MBR_TYPE_GPT_PROTECTIVE)
				continue;
			if (in->gpt_active && e[0] != MBR_STATUS_ACTIVE) {
				e[0] = MBR_STATUS_ACTIVE;
				p->activated = slot + 1;
				p->activated_protective = 1;
			} else if (!in->gpt_active && e[0] == MBR_STATUS_ACTIVE) {
				note(p, "the protective MBR entry is marked active (some HP and "
					"Intel boards want it, the UEFI specification forbids "
					"it): left as it is");
			}
			break;
		}
		return NULL;
	}
	u32 active = 0;
	for (u32 i = 0; i < t->count; i++)
		if (t->part[i].active && t->part[i].index <= MBR_PARTITIONS)
			active = t->part[i].index;
	if (active) {
		if (active != p->boot_part)
			note(p, "partition %u is marked active, not the boot partition %u: left "
				"as it is (the loader does not care which one is)",
			     active, p->boot_part);
		return NULL;
	}
	if (p->boot_part > MBR_PARTITIONS) {
		note(p, "no partition is marked active and the boot partition %u is a logical "
			"one, which cannot be: some BIOSes will not boot this disk (mark a "
			"primary partition active: sfdisk --activate DISK N)",
		     p->boot_part);
		return NULL;
	}
	w->data[MBR_ENTRY_OFF(p->boot_part - 1)] = MBR_STATUS_ACTIVE;
	p->activated = p->boot_part;
	return NULL;
}

const char *plan_install(struct blockdev *bd, const struct plan_input *in, struct plan *p)
{
	const char *err;
	u64 lba = 0, area = 0;

	plan_free(p);
	memset(p, 0, sizeof(*p));
	if ((err = bootpatch_check_mbr(in->mbr, in->mbr_len)))
		return refuse(p, "the loader's mbr.bin %s", err);
	if ((err = bootpatch_check_stage2(in->stage2, in->stage2_len, &p->stage2_sectors)))
		return refuse(p, "the loader's stage2.bin %s", err);
	p->core_sectors = bootpatch_core_sectors(in->stage2);
	if ((err = scan(bd, p)) || (err = find_area(p, &lba, &area)))
		return err;
	if (in->gpt_active && p->scheme != PART_SCHEME_GPT)
		return refuse(p, "GPT_ACTIVE=1 is for GPT disks (it marks the protective MBR "
				 "entry active); this disk has an MBR partition table");
	p->area_sectors = area > 0xffffffffu ? 0xffffffffu : (u32)area;
	p->stage2_lba = lba;
	if ((err = check_area(bd, p, lba, area)) ||
	    (err = choose_boot_part(bd, p, in->partition)))
		return err;
	p->pinned = in->partition;

	/* stage2, patched, then zeros over what is left of an earlier one. */
	u8 *s2 = xcalloc(in->stage2_len);
	size_t len = (size_t)p->stage2_sectors * SECTOR_SIZE;
	u8 mbr[SECTOR_SIZE];
	memcpy(s2, in->stage2, in->stage2_len);
	memcpy(mbr, in->mbr, SECTOR_SIZE);
	if (p->ext_dropped)
		bootpatch_drop_ext(s2);
	bootpatch_stage2(s2, len, lba, 0, 0, in->partition);
	bootpatch_mbr(mbr, s2, lba);
	memcpy(p->w[0].data, s2, len);
	free(s2);
	return plan_mbr(bd, p, in, mbr);
}

/* --- the backup ---------------------------------------------------------- */

u8 *backup_encode(const struct plan *p, size_t *len)
{
	size_t n = sizeof(struct backup_header) + p->nwrites * sizeof(struct backup_extent);

	for (u32 i = 0; i < p->nwrites; i++)
		n += (size_t)p->w[i].sectors * SECTOR_SIZE;
	u8 *buf = xcalloc(n), *at = buf + sizeof(struct backup_header);
	struct backup_header h = {
		.magic = BACKUP_MAGIC, /* (the array has no room for the NUL) */
		.version = BACKUP_VERSION,
		.header_size = sizeof(struct backup_header),
		.disk_bytes = p->disk_sectors * SECTOR_SIZE,
		.scheme = p->scheme,
		.disk_signature = p->disk_signature,
		.disk_guid = p->disk_guid,
		.extents = p->nwrites,
	};
	for (u32 i = 0; i < p->nwrites; i++, at += sizeof(struct backup_extent)) {
		const struct plan_write *w = &p->w[i];
		struct backup_extent e = {
			.lba = w->lba,
			.sectors = w->sectors,
			.installed_crc = crc32(w->data, (size_t)w->sectors * SECTOR_SIZE),
		};
		memcpy(at, &e, sizeof(e));
	}
	for (u32 i = 0; i < p->nwrites; i++) {
		memcpy(at, p->w[i].old, (size_t)p->w[i].sectors * SECTOR_SIZE);
		at += (size_t)p->w[i].sectors * SECTOR_SIZE;
	}
	memcpy(buf, &h, sizeof(h));
	h.crc32 = crc32(buf, n);
	memcpy(buf, &h, sizeof(h));
	*len = n;
	return buf;
}

static void guid_text(char *buf, const struct gpt_guid *g)
{
	const u8 *b = g->b;

	sprintf(buf, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X", b[3],
		b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
		b[14], b[15]);
}

/* A disk named the way its partition table names it. */
static void disk_name(char *buf, size_t size, u64 bytes, u32 scheme, u32 sig,
		      const struct gpt_guid *g)
{
	char gt[40];

	if (scheme == PART_SCHEME_GPT) {
		guid_text(gt, g);
		snprintf(buf, size, "%llu bytes, GPT disk GUID %s", (unsigned long long)bytes, gt);
	} else {
		snprintf(buf, size, "%llu bytes, MBR disk signature 0x%08x",
			 (unsigned long long)bytes, sig);
	}
}

const char *plan_uninstall(struct blockdev *bd, const u8 *b, size_t len, int force, struct plan *p)
{
	struct backup_header h;
	char m[PLAN_MSG_MAX], want[200], have[200];
	const char *err;

	plan_free(p);
	memset(p, 0, sizeof(*p));
	if (len < sizeof(h) || memcmp(b, BACKUP_MAGIC, 8))
		return refuse(p, "the backup file is not one of this installer's (no %s header)",
			      BACKUP_MAGIC);
	memcpy(&h, b, sizeof(h));
	if (h.version != BACKUP_VERSION || h.header_size != sizeof(h))
		return refuse(p, "the backup file has format version %u (header %u bytes); this "
				 "installer reads version %u",
			      h.version, h.header_size, BACKUP_VERSION);
	if (!h.extents || h.extents > BACKUP_EXTENTS_MAX)
		return refuse(p, "the backup file is damaged: it claims %u extents", h.extents);
	size_t need = sizeof(h) + (size_t)h.extents * sizeof(struct backup_extent);
	if (len < need)
		return refuse(p, "the backup file is truncated: %zu bytes, its header alone needs "
				 "%zu",
			      len, need);
	for (u32 i = 0; i < h.extents; i++) {
		struct backup_extent e;
		memcpy(&e, b + sizeof(h) + i * sizeof(e), sizeof(e));
		if (!e.sectors || e.sectors > BACKUP_EXTENT_SECTORS_MAX ||
		    e.lba + e.sectors > h.disk_bytes / SECTOR_SIZE)
			return refuse(p, "the backup file is damaged: extent %u (LBA %llu, %u "
					 "sectors) does not fit the disk it names",
				      i + 1, (unsigned long long)e.lba, e.sectors);
		need += (size_t)e.sectors * SECTOR_SIZE;
	}
	if (len != need)
		return refuse(p, "the backup file is %zu bytes but its header describes %zu: it "
				 "was truncated or altered",
			      len, need);
	{
		u8 *copy = xcalloc(len);
		memcpy(copy, b, len);
		memset(copy + __builtin_offsetof(struct backup_header, crc32), 0, 4);
		u32 crc = crc32(copy, len);
		free(copy);
		if (crc != h.crc32)
			return refuse(p, "the backup file's checksum does not match (CRC-32 "
					 "0x%08x, header says 0x%08x): it was altered or damaged; "
					 "restoring it could write garbage",
				      crc, h.crc32);
	}

	/* Its disk: the same size and the same identity in the table. */
	disk_name(want, sizeof(want), h.disk_bytes, h.scheme, h.disk_signature, &h.disk_guid);
	p->disk_sectors = bd->sectors;
	if ((err = part_scan(bd, &p->table)))
		return refuse(p, "cannot read the disk's partition table to check the backup "
				 "belongs to it: %s",
			      with_detail(m, sizeof(m), err, p->table.detail));
	p->scheme = p->table.scheme;
	p->disk_signature = p->table.disk_signature;
	p->disk_guid = p->table.disk_guid;
	disk_name(have, sizeof(have), bd->sectors * SECTOR_SIZE, p->scheme, p->disk_signature,
		  &p->disk_guid);
	if (strcmp(want, have))
		return refuse(p, "the backup is of another disk: it names a disk of %s; this one "
				 "is %s",
			      want, have);

	/* Only where an install writes: LBA 0, and the gap before the first
	 * partition or the BIOS boot partition.  (The CRC-32 catches damage,
	 * not a crafted file; this keeps any backup out of the partitions.) */
	u64 area_lo = STAGE2_LBA, area_hi = STAGE2_LBA;
	for (u32 i = 0; i < p->table.count; i++) {
		const struct part *q = &p->table.part[i];
		if (p->scheme == PART_SCHEME_GPT && is_bios_boot(q) && area_hi == STAGE2_LBA) {
			area_lo = q->start;
			area_hi = q->start + q->sectors;
		}
	}
	for (u32 i = 0; p->scheme == PART_SCHEME_MBR && i < p->table.count; i++)
		if (!i || p->table.part[i].start < area_hi)
			area_hi = p->table.part[i].start;
	for (u32 i = 0; i < h.extents; i++) {
		struct backup_extent e;
		memcpy(&e, b + sizeof(h) + i * sizeof(e), sizeof(e));
		if ((e.lba == 0 && e.sectors == 1) ||
		    (e.lba >= area_lo && e.lba + e.sectors <= area_hi))
			continue;
		return refuse(p, "the backup would write LBA %llu-%llu, which is not where an "
				 "install writes (LBA 0, the gap before the first partition, the "
				 "BIOS boot partition): refusing it",
			      (unsigned long long)e.lba,
			      (unsigned long long)(e.lba + e.sectors - 1));
	}

	/* LBA 0 goes back first: from then on the disk boots what it booted
	 * before, whatever happens to the rest. */
	const u8 *data = b + sizeof(h) + (size_t)h.extents * sizeof(struct backup_extent);
	const u8 *starts[BACKUP_EXTENTS_MAX];
	for (u32 i = 0; i < h.extents; i++) {
		struct backup_extent e;
		memcpy(&e, b + sizeof(h) + i * sizeof(e), sizeof(e));
		starts[i] = data;
		data += (size_t)e.sectors * SECTOR_SIZE;
	}
	for (u32 k = 0; k < h.extents; k++) {
		u32 i = h.extents - 1 - k;
		struct backup_extent e;
		memcpy(&e, b + sizeof(h) + i * sizeof(e), sizeof(e));
		if (p->nwrites == PLAN_WRITES_MAX)
			return refuse(p, "the backup file has %u extents; an install writes at "
					 "most %u",
				      h.extents, PLAN_WRITES_MAX);
		struct plan_write *w = add_write(p, PLAN_RESTORE, e.lba, e.sectors);
		w->installed_crc = e.installed_crc;
		memcpy(w->data, starts[i], (size_t)e.sectors * SECTOR_SIZE);
		if (bd->read(bd, e.lba, e.sectors, w->old))
			return refuse(p, "cannot read LBA %llu", (unsigned long long)bd->bad_lba);
		u32 now = crc32(w->old, (size_t)e.sectors * SECTOR_SIZE);
		if (now != e.installed_crc && !force)
			return refuse(p, "LBA %llu-%llu no longer hold what the install wrote "
					 "(the loader was installed again, or the partition table "
					 "or the boot code changed since): restoring the backup "
					 "would undo that; use the backup of the last install, or "
					 "FORCE=1 to restore anyway",
				      (unsigned long long)e.lba,
				      (unsigned long long)(e.lba + e.sectors - 1));
	}
	return NULL;
}
