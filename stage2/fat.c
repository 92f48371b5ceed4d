/*
 * FAT12/16/32 reader; see fat.h.
 *
 * Throughput: a read maps as much of the request as lies in physically
 * contiguous clusters and hands that whole run to one blockdev read, whose
 * implementation splits it into the largest transfers the BIOS takes.  FAT
 * entries come from a window of up to FAT_CACHE_SECTORS sectors, so walking
 * a chain costs one disk read per window, not per cluster.
 *
 * Hostile volumes: every cluster number taken from the disk is checked
 * against the volume before use; a file's walk is bounded by its size, a
 * directory's by the specification's 65536 entries; a file whose chain does
 * not end right after its last cluster (a loop, or a size that lies) is
 * refused when its end is read.
 */
#include "fat.h"

#define SECTOR_SHIFT 9
#define NO_LBA (~(u64)0)
#define CHAIN_END 0u /* fat_next's "end of chain"; 0 is never a valid next cluster */
#define DIR_MAX_BYTES (FAT_DIR_MAX_ENTRIES * FAT_DIRENT_SIZE)

static const char err_read[] = "disk read error (LBA in detail)";
/* A directory's chain ended: the directory ends there. */
static const char end_of_dir[] = "read past the end of the directory's cluster chain";

static const char *disk_read(struct fat_volume *v, u64 lba, u32 count, void *dst)
{
	if (v->bd->read(v->bd, lba, count, dst)) {
		v->detail = v->bd->bad_lba;
		return err_read;
	}
	return 0;
}

/* The sector at lba in *out, from a slot or read into the least recently
 * used one. */
static const char *sector_load(struct fat_volume *v, u64 lba, const u8 **out)
{
	u32 i, old = 0;
	const char *err;

	for (i = 0; i < FAT_SECTOR_SLOTS; i++) {
		if (v->sector_lba[i] == lba) {
			old = i;
			goto found;
		}
		if (v->sector_used[i] < v->sector_used[old])
			old = i;
	}
	v->sector_lba[old] = NO_LBA;
	err = disk_read(v, lba, 1, v->sector[old]);
	if (err)
		return err;
	v->sector_lba[old] = lba;
found:
	v->sector_used[old] = ++v->sector_clock;
	*out = v->sector[old];
	return 0;
}

void fat_drop_caches(struct fat_volume *v)
{
	for (u32 i = 0; i < FAT_SECTOR_SLOTS; i++)
		v->sector_lba[i] = NO_LBA;
	v->cache_count = 0;
	v->fat_window = 1;
}

static int is_dir(const struct fat_file *f)
{
	return f->attr & FAT_ATTR_DIRECTORY;
}

static u32 bad_marker(const struct fat_volume *v)
{
	return v->type == 12 ? FAT12_BAD : v->type == 16 ? FAT16_BAD : FAT32_BAD;
}

/* The cluster after c (2 <= c <= clusters + 1) in *next, CHAIN_END at the end. */
static const char *fat_next(struct fat_volume *v, u32 c, u32 *next)
{
	u32 off, sec, val, n;
	const char *err;

	off = v->type == 12 ? c + (c >> 1) : v->type == 16 ? c << 1 : c << 2;
	sec = off >> SECTOR_SHIFT;
	/* A FAT12 entry may straddle two sectors: the window must hold both
	 * bytes.  mount checked that the FAT holds every valid cluster's entry. */
	if (!v->cache_count || sec < v->cache_first ||
	    off + (v->type == 32 ? 3 : 1) >= (v->cache_first + v->cache_count) << SECTOR_SHIFT) {
		/* The window starts at one sector and doubles with each miss up
		 * to FAT_CACHE_SECTORS: a boot that opens a few small files
		 * reads only the FAT sectors it needs (a sector of PIO costs
		 * 0.14 ms under QEMU's IDE), a long chain soon goes a full
		 * window at a time. */
		n = v->fat_window;
		if (n < 2 && (off & (FAT_SECTOR_SIZE - 1)) == FAT_SECTOR_SIZE - 1)
			n = 2; /* a FAT12 entry across the sector boundary */
		if (n > v->fat_sectors - sec)
			n = v->fat_sectors - sec;
		if (v->fat_window < FAT_CACHE_SECTORS)
			v->fat_window *= 2;
		v->cache_count = 0;
		err = disk_read(v, v->lba + v->fat_start + sec, n, v->cache);
		if (err)
			return err;
		v->cache_first = sec;
		v->cache_count = n;
	}
	const u8 *p = v->cache + (off - (v->cache_first << SECTOR_SHIFT));
	val = p[0] | (u32)p[1] << 8;
	if (v->type == 12)
		val = c & 1 ? val >> 4 : val & 0xFFF;
	else if (v->type == 32)
		val = (val | (u32)p[2] << 16 | (u32)p[3] << 24) & FAT32_ENTRY_MASK;
	v->detail = c;
	if (val > bad_marker(v)) {
		*next = CHAIN_END;
		return 0;
	}
	if (val == bad_marker(v))
		return "bad-cluster marker inside a cluster chain (cluster in detail)";
	if (val < FAT_FIRST_CLUSTER)
		return "free cluster inside a cluster chain (cluster in detail)";
	if (val > v->clusters + 1)
		return "cluster chain runs past the end of the volume (cluster in detail)";
	*next = val;
	return 0;
}

/* Where byte pos of f lies on the disk (the LBA of its sector) and how many
 * bytes from pos, at most end - pos, follow it contiguously.  The file keeps
 * the run it mapped last (clusters run_index .. cur_index, contiguous), so
 * the partial sectors and the next sequential read cost no walk at all. */
static const char *map_run(struct fat_file *f, u32 pos, u32 end, u64 *lba, u32 *run)
{
	struct fat_volume *v = f->vol;
	u32 cs = v->cluster_shift, idx = pos >> cs, last = (end - 1) >> cs, next, c;
	const char *err;

	if (!f->first_cluster) { /* FAT12/16 root: one fixed run */
		*lba = v->lba + v->root_start + (pos >> SECTOR_SHIFT);
		*run = end - pos;
		return 0;
	}
	if (idx < f->run_index) {
		f->run_index = f->cur_index = 0;
		f->run_cluster = f->cur_cluster = f->first_cluster;
	}
	/* Walk to idx, then on while the chain stays contiguous, never past
	 * the cluster that holds byte end - 1. */
	while (f->cur_index < last) {
		err = fat_next(v, f->cur_cluster, &next);
		if (err)
			return err;
		if (next == CHAIN_END)
			return is_dir(f) ? end_of_dir
					 : "cluster chain ends before the file's size (cluster in detail)";
		if (next != f->cur_cluster + 1) {
			if (f->cur_index >= idx)
				break;
			f->run_cluster = next;
			f->run_index = f->cur_index + 1;
		}
		f->cur_cluster = next;
		f->cur_index++;
	}
	if (!is_dir(f) && !f->chain_checked && f->cur_index == (f->size - 1) >> cs) {
		err = fat_next(v, f->cur_cluster, &next);
		if (err)
			return err;
		if (next != CHAIN_END)
			return "cluster chain goes on past the file's size: a loop in the FAT "
			       "or a wrong size (cluster in detail)";
		f->chain_checked = 1;
	}
	c = f->run_cluster + (idx - f->run_index);
	*lba = v->lba + v->data_start + ((u64)(c - FAT_FIRST_CLUSTER) << (cs - SECTOR_SHIFT)) +
	       ((pos - (idx << cs)) >> SECTOR_SHIFT);
	u64 run_end = (u64)(f->cur_index + 1) << cs;
	*run = (run_end < end ? (u32)run_end : end) - pos;
	return 0;
}

const char *fat_read(struct fat_file *f, u32 offset, u32 len, void *dst)
{
	struct fat_volume *v = f->vol;
	u8 *d = dst;
	u32 end, run, in, n;
	u64 lba;
	const char *err;

	if (offset > f->size || len > f->size - offset) {
		v->detail = f->size;
		return "read past the end of the file (size in detail)";
	}
	for (end = offset + len; offset < end; offset += n, d += n) {
		err = map_run(f, offset, end, &lba, &run);
		if (err)
			return err;
		in = offset & (FAT_SECTOR_SIZE - 1);
		if (in || run < FAT_SECTOR_SIZE) {
			n = FAT_SECTOR_SIZE - in;
			if (n > run)
				n = run;
			const u8 *sec;
			err = sector_load(v, lba, &sec);
			if (err)
				return err;
			__builtin_memcpy(d, sec + in, n);
		} else {
			n = run & ~(u32)(FAT_SECTOR_SIZE - 1);
			err = disk_read(v, lba, n >> SECTOR_SHIFT, d);
			if (err)
				return err;
		}
	}
	return 0;
}

static u8 fold(u8 c)
{
	return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c;
}

/* One character of a UCS-2 name (a surrogate pair is one) as UTF-8 in out;
 * returns its length and advances *i. */
static u32 utf8_char(const u16 *s, u32 *i, u32 len, u8 *out)
{
	u32 c = s[(*i)++];

	if (c >= 0xD800 && c < 0xDC00 && *i < len && s[*i] >= 0xDC00 && s[*i] < 0xE000)
		c = 0x10000 + ((c - 0xD800) << 10) + (s[(*i)++] - 0xDC00);
	if (c < 0x80) {
		out[0] = c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = 0xC0 | c >> 6;
		out[1] = 0x80 | (c & 0x3F);
		return 2;
	}
	if (c < 0x10000) {
		out[0] = 0xE0 | c >> 12;
		out[1] = 0x80 | (c >> 6 & 0x3F);
		out[2] = 0x80 | (c & 0x3F);
		return 3;
	}
	out[0] = 0xF0 | c >> 18;
	out[1] = 0x80 | (c >> 12 & 0x3F);
	out[2] = 0x80 | (c >> 6 & 0x3F);
	out[3] = 0x80 | (c & 0x3F);
	return 4;
}

/* The 8.3 name as "BASE.EXT" (NUL-terminated, at most 12 characters);
 * returns its length. */
static u32 short_name(const struct fat_dir_entry *de, char *out)
{
	u32 i, n = 0, lower;

	for (i = 0; i < 11; i++) {
		u8 c = de->name[i];
		if (i == 8) {
			while (n && out[n - 1] == ' ')
				n--;
			out[n++] = '.';
		}
		if (!i && c == FAT_NAME_KANJI_E5)
			c = FAT_NAME_DELETED;
		lower = de->nt_case & (i < 8 ? FAT_CASE_LOWER_BASE : FAT_CASE_LOWER_EXT);
		out[n++] = lower && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
	}
	while (out[n - 1] == ' ')
		n--;
	if (out[n - 1] == '.')
		n--;
	out[n] = 0;
	return n;
}

static u8 lfn_checksum(const u8 *name)
{
	u8 sum = 0;

	for (u32 i = 0; i < 11; i++)
		sum = (u8)((sum & 1) << 7) + (sum >> 1) + name[i];
	return sum;
}

union fat_raw_entry {
	struct fat_dir_entry d;
	struct fat_lfn_entry l;
};

/* The next live 8.3 entry of d into *de, with its long name in vol->lfn
 * (*lfn_len units; 0 when there is none or its entries are broken).  At the
 * end of the directory returns NULL with de->name[0] == FAT_NAME_END. */
static const char *dir_next(struct fat_file *d, union fat_raw_entry *raw, u32 *lfn_len)
{
	struct fat_volume *v = d->vol;
	struct fat_dir_entry *de = &raw->d;
	const struct fat_lfn_entry *l = &raw->l;
	u32 seq, nseq = 0, expect = 0, i, len;
	u8 sum = 0;
	const char *err;

	for (;;) {
		if (d->dir_pos >= d->size) {
			if (d->first_cluster) {
				v->detail = d->first_cluster;
				return "directory has more than 65536 entries: a loop in its "
				       "cluster chain? (first cluster in detail)";
			}
			break;
		}
		err = fat_read(d, d->dir_pos, FAT_DIRENT_SIZE, raw);
		if (err == end_of_dir)
			break;
		if (err)
			return err;
		if (de->name[0] == FAT_NAME_END)
			break;
		d->dir_pos += FAT_DIRENT_SIZE;
		if (de->name[0] == FAT_NAME_DELETED) {
			expect = 0;
			continue;
		}
		if ((de->attr & FAT_ATTR_LONG_NAME_MASK) == FAT_ATTR_LONG_NAME) {
			/* Entries come in reverse: N|LAST, N-1, .. 1, then the 8.3
			 * entry.  Anything out of that order drops the sequence. */
			seq = l->ord & FAT_LFN_SEQ_MASK;
			if (l->ord & FAT_LFN_LAST) {
				nseq = seq;
				sum = l->checksum;
			} else if (seq + 1 != expect || l->checksum != sum) {
				seq = 0;
			}
			expect = seq && seq <= FAT_LFN_MAX_SEQ ? seq : 0;
			if (expect) {
				u16 *p = v->lfn + (seq - 1) * FAT_LFN_UNITS;
				__builtin_memcpy(p, l->name1, sizeof(l->name1));
				__builtin_memcpy(p + 5, l->name2, sizeof(l->name2));
				__builtin_memcpy(p + 11, l->name3, sizeof(l->name3));
			}
			continue;
		}
		if (de->attr & FAT_ATTR_VOLUME_ID) {
			expect = 0;
			continue;
		}
		/* The name ends at a NUL in its last entry, or fills it. */
		len = 0;
		if (expect == 1 && lfn_checksum(de->name) == sum) {
			for (i = 0; i < nseq * FAT_LFN_UNITS && v->lfn[i]; i++)
				;
			if (i > (nseq - 1) * FAT_LFN_UNITS && i <= FAT_LFN_MAX_UNITS)
				len = i;
		}
		*lfn_len = len;
		return 0;
	}
	de->name[0] = FAT_NAME_END;
	return 0;
}

static int match(const u8 *a, u32 alen, const u8 *b, u32 blen)
{
	if (alen != blen)
		return 0;
	while (alen--)
		if (fold(*a++) != fold(*b++))
			return 0;
	return 1;
}

static int match_lfn(const u16 *lfn, u32 len, const u8 *comp, u32 clen)
{
	u8 buf[4];
	u32 i = 0, pos = 0, n;

	while (i < len) {
		n = utf8_char(lfn, &i, len, buf);
		if (pos + n > clen || !match(buf, n, comp + pos, n))
			return 0;
		pos += n;
	}
	return pos == clen;
}

static void open_root(struct fat_volume *v, struct fat_file *f)
{
	*f = (struct fat_file){ .vol = v, .attr = FAT_ATTR_DIRECTORY };
	if (v->type == 32) {
		f->first_cluster = v->root_cluster;
		f->size = DIR_MAX_BYTES;
	} else {
		f->size = v->root_entries * FAT_DIRENT_SIZE;
	}
	f->cur_cluster = f->run_cluster = f->first_cluster;
}

/* Opens the file or directory an entry of a directory describes. */
static const char *open_entry(struct fat_volume *v, const struct fat_dir_entry *de,
			      struct fat_file *f)
{
	u32 c = de->cluster_lo;

	if (v->type == 32)
		c = (c | (u32)de->cluster_hi << 16) & FAT32_ENTRY_MASK;
	if ((de->attr & FAT_ATTR_DIRECTORY) && !c && de->name[0] == '.') {
		open_root(v, f); /* ".." of a directory just below the root */
		return 0;
	}
	*f = (struct fat_file){ .vol = v, .size = de->size, .first_cluster = c,
				.run_cluster = c, .cur_cluster = c, .attr = de->attr };
	if (is_dir(f))
		f->size = DIR_MAX_BYTES;
	else if ((u64)de->size > (u64)v->clusters << v->cluster_shift) {
		v->detail = de->size;
		return "file size is larger than the volume (size in detail)";
	}
	v->detail = c;
	if ((f->size || is_dir(f)) && (c < FAT_FIRST_CLUSTER || c > v->clusters + 1))
		return "directory entry's first cluster is outside the volume (cluster in detail)";
	return 0;
}

const char *fat_open(struct fat_volume *v, const char *path, struct fat_file *f)
{
	const u8 *p = (const u8 *)path, *comp;
	union fat_raw_entry de;
	char sname[13];
	u32 clen, lfn_len;
	const char *err;

	open_root(v, f);
	if (*p != '/')
		return "path does not start with '/'";
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		for (comp = p; *p && *p != '/'; p++)
			;
		clen = p - comp;
		if (!is_dir(f))
			return "a path component before the last one is a file, not a directory";
		if (clen == 1 && comp[0] == '.')
			continue;
		if (clen == 2 && comp[0] == '.' && comp[1] == '.' &&
		    f->first_cluster == (v->type == 32 ? v->root_cluster : 0))
			continue; /* ".." of the root is the root */
		f->dir_pos = 0;
		for (;;) {
			err = dir_next(f, &de, &lfn_len);
			if (err)
				return err;
			if (de.d.name[0] == FAT_NAME_END)
				return "no such file or directory";
			if (match_lfn(v->lfn, lfn_len, comp, clen) ||
			    match((const u8 *)sname, short_name(&de.d, sname), comp, clen))
				break;
		}
		err = open_entry(v, &de.d, f);
		if (err)
			return err;
	}
}

const char *fat_readdir(struct fat_file *dir, struct fat_dirent *e)
{
	struct fat_volume *v = dir->vol;
	union fat_raw_entry raw;
	struct fat_dir_entry *de = &raw.d;
	u32 lfn_len, i, n;
	const char *err;

	if (!is_dir(dir))
		return "not a directory";
	do {
		err = dir_next(dir, &raw, &lfn_len);
		if (err)
			return err;
		if (de->name[0] == FAT_NAME_END) {
			e->name[0] = 0;
			return 0;
		}
	} while (de->name[0] == '.' && (de->name[1] == ' ' || de->name[1] == '.'));
	short_name(de, e->short_name);
	for (i = 0, n = 0; i < lfn_len;)
		n += utf8_char(v->lfn, &i, lfn_len, (u8 *)e->name + n);
	e->name[n] = 0;
	if (!n)
		__builtin_memcpy(e->name, e->short_name, sizeof(e->short_name));
	e->attr = de->attr;
	e->size = de->size;
	e->first_cluster = de->cluster_lo | (v->type == 32 ? (u32)de->cluster_hi << 16 : 0);
	return 0;
}

const char *fat_mount(struct fat_volume *v, struct blockdev *bd, u64 lba, u64 sectors)
{
	const struct fat_bpb *b;
	u32 spc, total, fatsz, root_sectors, clusters, need;
	u64 meta;
	const char *err;

	v->bd = bd;
	v->lba = lba;
	fat_drop_caches(v);
	err = sector_load(v, lba, (const u8 **)&b);
	if (err)
		return err;
	v->detail = b->bytes_per_sector;
	if (b->bytes_per_sector != FAT_SECTOR_SIZE)
		return "BPB: bytes per sector is not 512 (in detail); the loader reads "
		       "512-byte sectors only";
	spc = b->sectors_per_cluster;
	v->detail = spc;
	if (!spc || (spc & (spc - 1)))
		return "BPB: sectors per cluster (in detail) is not a power of two from 1 to 128";
	for (v->cluster_shift = SECTOR_SHIFT; spc > 1; spc >>= 1)
		v->cluster_shift++;
	v->detail = b->reserved_sectors;
	if (!b->reserved_sectors)
		return "BPB: reserved sector count is 0 (the boot sector itself is one)";
	v->detail = b->num_fats;
	if (!b->num_fats)
		return "BPB: number of FATs is 0";
	fatsz = b->fat_size16 ? b->fat_size16 : b->f32.fat_size32;
	total = b->total_sectors16 ? b->total_sectors16 : b->total_sectors32;
	v->detail = 0;
	if (!fatsz)
		return "BPB: sectors per FAT is 0";
	if (!total)
		return "BPB: total sector count is 0";
	v->detail = total;
	if (sectors && total > sectors)
		return "BPB: the volume (sectors in detail) is larger than its partition";
	v->root_entries = b->root_entries;
	root_sectors = (v->root_entries * FAT_DIRENT_SIZE + FAT_SECTOR_SIZE - 1) >> SECTOR_SHIFT;
	meta = b->reserved_sectors + (u64)b->num_fats * fatsz + root_sectors;
	if (meta >= total)
		return "BPB: reserved sectors, FATs and root directory fill the whole volume "
		       "(sectors in detail)";
	v->fat_start = b->reserved_sectors;
	v->fat_sectors = fatsz;
	v->root_start = b->reserved_sectors + b->num_fats * fatsz;
	v->data_start = (u32)meta;
	clusters = (total - (u32)meta) >> (v->cluster_shift - SECTOR_SHIFT);
	v->clusters = clusters;
	v->detail = clusters;
	if (!clusters)
		return "BPB: the volume has no data clusters";
	v->type = clusters < FAT12_CLUSTERS_LIMIT ? 12 : clusters < FAT16_CLUSTERS_LIMIT ? 16 : 32;
	if (v->type == 32) {
		if (clusters > FAT32_BAD - FAT_FIRST_CLUSTER)
			return "BPB: more clusters (in detail) than FAT32 can number";
		if (b->root_entries || b->fat_size16)
			return "BPB: FAT12/16 layout (root entries, 16-bit FAT size) but the "
			       "cluster count (in detail) makes it FAT32";
		/* With mirroring off only the active FAT is current. */
		if (b->f32.ext_flags & FAT32_MIRROR_OFF) {
			u32 active = b->f32.ext_flags & FAT32_ACTIVE_FAT;
			v->detail = active;
			if (active >= b->num_fats)
				return "BPB: FAT32 active FAT (in detail) does not exist";
			v->fat_start += active * fatsz;
		}
		v->root_cluster = b->f32.root_cluster;
		v->detail = v->root_cluster;
		if (v->root_cluster < FAT_FIRST_CLUSTER || v->root_cluster > clusters + 1)
			return "BPB: FAT32 root cluster (in detail) is outside the volume";
	} else if (!b->root_entries) {
		return "BPB: FAT32 layout (no fixed root directory) but the cluster count "
		       "(in detail) makes it FAT12 or FAT16";
	}
	/* Every valid cluster's FAT entry must lie inside the FAT. */
	need = clusters + FAT_FIRST_CLUSTER;
	need = v->type == 12 ? need + (need + 1) / 2 : need << (v->type == 16 ? 1 : 2);
	if ((u64)fatsz << SECTOR_SHIFT < need)
		return "BPB: the FAT is too small for the cluster count (in detail)";
	v->detail = 0;
	return 0;
}
