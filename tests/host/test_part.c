/*
 * The partition parser (stage2/part.c) on tables made by sfdisk and sgdisk,
 * each partition compared with what `sfdisk --dump` (and once `sgdisk -p`)
 * reports; then tables corrupted on purpose: a bad primary GPT (the backup
 * must be used), both bad, a bad entry-array CRC, an EBR chain that loops,
 * overlapping and oversized entries, read errors.
 */
#include <ctype.h>

#include "diskimg.h"
#include "part.h"
#include "testlib.h"

static const char *disk = IMG_DIR "/part.img";
static const char *work = IMG_DIR "/part-w.img";

/* A GUID in its canonical text form, from its on-disk bytes. */
static void guid_str(const struct gpt_guid *g, char *out)
{
	const u8 *b = g->b;
	sprintf(out, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X", b[3],
		b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
		b[14], b[15]);
}

struct dumped {
	int n;
	u64 start, size;
	char type[40], uuid[40];
	int bootable;
};

/* Partitions as sfdisk --dump lists them; returns how many. */
static int sfdisk_dump(const char *img, struct dumped *d, int max, u32 *label_id)
{
	char out[16384];
	int n = 0;
	if (sh_out(out, sizeof(out), "sfdisk --dump %s 2>/dev/null", img))
		return -1;
	for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
		if (!strncmp(l, "label-id: 0x", 12) && label_id)
			*label_id = (u32)strtoul(l + 12, NULL, 16);
		size_t plen = strlen(img);
		if (strncmp(l, img, plen) || n == max)
			continue;
		struct dumped *p = &d[n++];
		memset(p, 0, sizeof(*p));
		p->n = atoi(l + plen);
		char *s;
		if ((s = strstr(l, "start=")))
			p->start = strtoull(s + 6, NULL, 10);
		if ((s = strstr(l, "size=")))
			p->size = strtoull(s + 5, NULL, 10);
		if ((s = strstr(l, "type=")))
			sscanf(s + 5, "%39[^,]", p->type);
		if ((s = strstr(l, "uuid=")))
			sscanf(s + 5, "%39[^,]", p->uuid);
		p->bootable = strstr(l, "bootable") != NULL;
	}
	return n;
}

static const char *scan(const char *img, int known_size, struct part_table *t, struct filedev *d)
{
	if (filedev_open(d, img, known_size))
		return "cannot open image";
	const char *err = part_scan(&d->bd, t);
	filedev_close(d);
	return err;
}

/* Every partition sfdisk lists is in the table with the same numbers. */
static void compare_with_sfdisk(const char *img, const struct part_table *t, int gpt)
{
	struct dumped dp[64];
	u32 label = 0;
	int n = sfdisk_dump(img, dp, 64, &label);
	CHECK(n > 0, "sfdisk --dump listed nothing");
	CHECK_EQ_U64("partition count", t->count, n);
	if (!gpt)
		CHECK_EQ_U64("disk signature", t->disk_signature, label);
	for (int i = 0; i < n; i++) {
		const struct part *p = part_find(t, (u32)dp[i].n);
		if (!p) {
			t_fail("partition %d missing", dp[i].n);
			continue;
		}
		CHECK_EQ_U64("start", p->start, dp[i].start);
		CHECK_EQ_U64("size", p->sectors, dp[i].size);
		CHECK(!p->warn, "partition %d has warnings %#x", dp[i].n, p->warn);
		if (gpt) {
			char ty[40], uu[40];
			guid_str(&p->type_guid, ty);
			guid_str(&p->unique_guid, uu);
			CHECK(!strcasecmp(ty, dp[i].type), "partition %d type %s, sfdisk %s", dp[i].n,
			      ty, dp[i].type);
			CHECK(!strcasecmp(uu, dp[i].uuid), "partition %d uuid %s, sfdisk %s", dp[i].n,
			      uu, dp[i].uuid);
		} else {
			CHECK_EQ_U64("type", p->mbr_type, strtoul(dp[i].type, NULL, 16));
			CHECK_EQ_U64("active", p->active, dp[i].bootable);
		}
	}
}

static void make_disk(const char *mib, const char *cmd)
{
	if (sh("rm -f %s && truncate -s %s %s && %s", disk, mib, disk, cmd))
		t_fail("making the disk failed (see " IMG_DIR "/cmd.log)");
}

static void copy_disk(void)
{
	sh("cp %s %s", disk, work);
}

static void flip(const char *img, u64 off)
{
	u8 b;
	pread_at(img, off, &b, 1);
	b ^= 0x5A;
	patch(img, off, &b, 1);
}

/* CRC-32 bit by bit, the test's own (not include/crc32.h's), for headers
 * it rewrites. */
static u32 crc32_ref(const u8 *p, size_t n)
{
	u32 c = ~0u;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c >> 1 ^ (0xEDB88320u & -(c & 1));
	}
	return ~c;
}

/* Writes the primary GPT header h back to the work disk with its CRC made
 * right for what the caller changed in it. */
static void write_primary_header(u8 *h)
{
	u32 size, crc;

	memcpy(&size, h + 0x0c, 4);
	memset(h + 0x10, 0, 4);
	crc = crc32_ref(h, size < 512 ? size : 512);
	memcpy(h + 0x10, &crc, 4);
	patch(work, 512, h, 512);
}

static void expect(const char *what, const char *err, const char *want)
{
	CHECK(err && strstr(err, want), "%s: got '%s', want '...%s...'", what, err ? err : "(ok)",
	      want);
}

static void put_entry(const char *img, int slot, u8 status, u8 type, u32 start, u32 size)
{
	u8 e[16] = { status, 0, 0, 0, type, 0, 0, 0, (u8)start, (u8)(start >> 8),
		     (u8)(start >> 16), (u8)(start >> 24), (u8)size, (u8)(size >> 8),
		     (u8)(size >> 16), (u8)(size >> 24) };
	patch(img, 0x1BE + 16 * slot, e, 16);
}

int main(void)
{
	static struct part_table t;
	struct filedev d;
	const char *err;

	if (system("mkdir -p " IMG_DIR " && rm -f " IMG_DIR "/cmd.log"))
		return 1;

	t_begin("part_mbr_primaries_match_sfdisk");
	make_disk("64M", "printf 'label: dos\\nlabel-id: 0x1234abcd\\nstart=63, size=2000, type=c, "
			 "bootable\\nstart=4096, size=8192, type=83\\nstart=20000, size=100, type=7\\n"
			 "start=30000, type=ef\\n' | sfdisk -q build/tests/fsimg/part.img");
	err = scan(disk, 1, &t, &d);
	CHECK(!err, "%s", err);
	CHECK_EQ_U64("scheme", t.scheme, PART_SCHEME_MBR);
	CHECK_EQ_U64("disk signature (sfdisk's label-id)", t.disk_signature, 0x1234abcd);
	compare_with_sfdisk(disk, &t, 0);
	CHECK_EQ_U64("table warnings", t.warn, 0);
	t_end();

	t_begin("part_mbr_size_unknown_same_table");
	err = scan(disk, 0, &t, &d);
	CHECK(!err && t.count == 4, "%s, %u partitions", err, t.count);
	t_end();

	t_begin("part_mbr_overlap_past_end_multi_active");
	copy_disk();
	put_entry(work, 1, 0x80, 0x83, 1000, 2000);   /* overlaps partition 1 (63..2062) */
	put_entry(work, 3, 0x00, 0x83, 131000, 1000); /* 64 MiB = 131072 sectors: past the end */
	err = scan(work, 1, &t, &d);
	CHECK(!err, "%s", err);
	const struct part *p1 = part_find(&t, 1), *p2 = part_find(&t, 2), *p3 = part_find(&t, 4);
	CHECK(p1 && p2 && p3, "partitions missing");
	if (p1 && p2 && p3) {
		CHECK(p1->warn & PART_WARN_OVERLAP, "1 not flagged overlapping");
		CHECK(p2->warn & PART_WARN_OVERLAP, "2 not flagged overlapping");
		CHECK(p3->warn == PART_WARN_PAST_END, "3 warn %#x", p3->warn);
	}
	CHECK(t.warn & PART_WARN_MULTI_ACTIVE, "two active entries not flagged");
	err = scan(work, 0, &t, &d);
	CHECK(!err && !(part_find(&t, 4)->warn & PART_WARN_PAST_END),
	      "past-end flagged with the disk size unknown");
	t_end();

	t_begin("part_mbr_refusals");
	copy_disk();
	put_entry(work, 3, 0x12, 0x83, 40000, 10);
	expect("status 0x12", scan(work, 1, &t, &d), "status byte other than 0x00 or 0x80");
	CHECK_EQ_U64("entry in detail", t.detail, 4);
	copy_disk();
	u8 zero[2] = { 0, 0 };
	patch(work, 510, zero, 2);
	expect("no 55AA", scan(work, 1, &t, &d), "no 55 AA signature");
	filedev_open(&d, disk, 1);
	d.fail_lba = 0;
	expect("read error", part_scan(&d.bd, &t), "disk read error");
	CHECK_EQ_U64("LBA in detail", t.detail, 0);
	filedev_close(&d);
	t_end();

	t_begin("part_mbr_logical_partitions_match_sfdisk");
	make_disk("64M", "printf 'label: dos\\nstart=2048, size=4096, type=83\\nstart=8192, "
			 "size=100000, type=5\\nstart=10240, size=2048, type=6\\nstart=14336, "
			 "size=4096, type=83\\nstart=20480, size=1000, type=b\\n' | sfdisk -q "
			 "build/tests/fsimg/part.img");
	err = scan(disk, 1, &t, &d);
	CHECK(!err, "%s", err);
	compare_with_sfdisk(disk, &t, 0);
	CHECK(part_find(&t, 5) && part_find(&t, 7) && !part_find(&t, 8), "logicals not 5..7");
	CHECK_EQ_U64("table warnings", t.warn, 0);
	t_end();

	t_begin("part_mbr_ebr_chain_loop");
	copy_disk();
	{
		/* The third EBR's link (entry 2) pointed back at the second EBR:
		 * find the EBRs by following the chain here, independently. */
		u8 s[512];
		u64 ext = 8192, ebr = ext, ebrs[8];
		int k = 0;
		while (k < 8) {
			pread_at(work, ebr * 512, s, 512);
			ebrs[k++] = ebr;
			u32 link = s[0x1CE + 8] | s[0x1CE + 9] << 8 | (u32)s[0x1CE + 10] << 16 |
				   (u32)s[0x1CE + 11] << 24;
			if (!s[0x1CE + 4])
				break;
			ebr = ext + link;
		}
		CHECK(k == 3, "chain of %d EBRs", k);
		u32 rel = (u32)(ebrs[1] - ext);
		u8 e[16] = { 0, 0, 0, 0, 5, 0, 0, 0, (u8)rel, (u8)(rel >> 8), 0, 0, 0x10, 0, 0, 0 };
		patch(work, ebrs[2] * 512 + 0x1CE, e, 16);
	}
	err = scan(work, 1, &t, &d);
	CHECK(!err, "%s", err);
	CHECK(t.warn & PART_WARN_EBR_LOOP, "loop not flagged (warn %#x)", t.warn);
	CHECK(t.count == 5 && part_find(&t, 7) && !part_find(&t, 8),
	      "%u partitions: a loop must list each logical partition once", t.count);
	t_end();

	t_begin("part_gpt_matches_sfdisk_and_sgdisk");
	make_disk("64M", "sgdisk -n 1:2048:4095 -t 1:ef02 -n 2:4096:+20M -t 2:ef00 "
			 "-n 3:0:+10M -t 3:0700 -n 4:0:0 -t 4:8300 build/tests/fsimg/part.img");
	err = scan(disk, 1, &t, &d);
	CHECK(!err, "%s", err);
	CHECK_EQ_U64("scheme", t.scheme, PART_SCHEME_GPT);
	CHECK_EQ_U64("header LBA", t.gpt_header_lba, 1);
	compare_with_sfdisk(disk, &t, 1);
	CHECK_EQ_U64("table warnings", t.warn, 0);
	{
		static const struct gpt_guid want[4] = { GPT_TYPE_BIOS_BOOT, GPT_TYPE_EFI_SYSTEM,
							 GPT_TYPE_MS_BASIC_DATA, GPT_TYPE_LINUX_FS };
		for (u32 i = 0; i < 4; i++) {
			const struct part *p = part_find(&t, i + 1);
			CHECK(p && !memcmp(&p->type_guid, &want[i], 16),
			      "partition %u type is not gpt.h's constant", i + 1);
		}
		/* sgdisk -p's table: "   1            2048            4095   1024.0 KiB  EF02  " */
		char out[8192];
		sh_out(out, sizeof(out), "sgdisk -p %s", disk);
		char *l = strstr(out, "Number  Start");
		int rows = 0;
		for (l = l ? strchr(l, '\n') : NULL; l && *++l;) {
			unsigned n;
			unsigned long long a, z;
			if (sscanf(l, "%u %llu %llu", &n, &a, &z) == 3) {
				const struct part *p = part_find(&t, n);
				CHECK(p && p->start == a && p->start + p->sectors - 1 == z,
				      "sgdisk -p row %u: %llu-%llu", n, a, z);
				rows++;
			}
			l = strchr(l, '\n');
		}
		CHECK_EQ_U64("sgdisk -p rows", rows, 4);
	}
	t_end();

	u64 last = 64ull * 2048 - 1;
	t_begin("part_gpt_bad_primary_header_uses_backup");
	copy_disk();
	flip(work, 512 + 0x30); /* last usable LBA: header CRC no longer matches */
	err = scan(work, 1, &t, &d);
	CHECK(!err, "%s", err);
	CHECK(t.warn & PART_WARN_GPT_BACKUP, "backup use not flagged");
	CHECK_EQ_U64("header LBA", t.gpt_header_lba, last);
	CHECK(t.gpt_primary_error && strstr(t.gpt_primary_error, "header CRC32 mismatch"),
	      "primary error: %s", t.gpt_primary_error);
	compare_with_sfdisk(disk, &t, 1);
	t_end();

	t_begin("part_gpt_bad_primary_signature_uses_backup");
	copy_disk();
	flip(work, 512);
	err = scan(work, 1, &t, &d);
	CHECK(!err && t.gpt_header_lba == last, "%s", err);
	expect("primary error", t.gpt_primary_error, "no \"EFI PART\" signature");
	t_end();

	t_begin("part_gpt_bad_entry_crc_uses_backup");
	copy_disk();
	flip(work, 2 * 512 + 0x38); /* a name byte of entry 0: only the array CRC notices */
	err = scan(work, 1, &t, &d);
	CHECK(!err && t.gpt_header_lba == last, "%s", err);
	expect("primary error", t.gpt_primary_error, "entry array CRC32 mismatch");
	compare_with_sfdisk(disk, &t, 1);
	t_end();

	/* An entry array at LBA 2^64 - 1 (fuzz_part): array + its sectors
	 * wraps to a small number, and the header has a valid CRC. */
	t_begin("part_gpt_entry_array_lba_wraps");
	copy_disk();
	{
		u8 h[512];
		u64 at = ~0ull;
		pread_at(work, 512, h, sizeof(h));
		memcpy(h + 0x48, &at, 8);
		write_primary_header(h);
	}
	err = scan(work, 1, &t, &d);
	CHECK(!err && t.gpt_header_lba == last, "%s", err);
	expect("primary error", t.gpt_primary_error, "entry array LBA out of range");
	t_end();

	/* Entries that end at LBA 2^64 - 1 (fuzz_part): last - first + 1 wraps,
	 * to 0 sectors at LBA 0 for a whole-range entry, and start + sectors
	 * wraps to 0 in the overlap check for any other.  No disk has that
	 * sector, so both are skipped as bad entries.  Slots 4 and 5 of the
	 * primary array, with both CRCs made right again. */
	t_begin("part_gpt_entry_ending_at_lba_max_skipped");
	copy_disk();
	{
		u8 h[512], *a;
		u32 count, esize, crc;
		u64 arr, first0 = 0, first1 = 34, lmax = ~0ull;
		pread_at(work, 512, h, sizeof(h));
		memcpy(&arr, h + 0x48, 8);
		memcpy(&count, h + 0x50, 4);
		memcpy(&esize, h + 0x54, 4);
		a = malloc((size_t)count * esize);
		CHECK(a != 0, "malloc");
		pread_at(work, arr * 512, a, (size_t)count * esize);
		for (int k = 4; k <= 5; k++) {
			u8 *e = a + (size_t)k * esize;
			memcpy(e, a, 16); /* entry 0's type GUID */
			memcpy(e + 32, k == 4 ? &first0 : &first1, 8);
			memcpy(e + 40, &lmax, 8);
		}
		patch(work, arr * 512, a, (size_t)count * esize);
		crc = crc32_ref(a, (size_t)count * esize);
		free(a);
		memcpy(h + 0x58, &crc, 4);
		write_primary_header(h);
	}
	err = scan(work, 1, &t, &d);
	CHECK(!err, "%s", err);
	CHECK_EQ_U64("header LBA", t.gpt_header_lba, 1);
	CHECK(t.warn & PART_WARN_BAD_ENTRY, "bad entries not flagged (warn 0x%x)", t.warn);
	CHECK_EQ_U64("last bad entry", t.bad_entry, 6);
	CHECK_EQ_U64("partitions", t.count, 4);
	CHECK(!part_find(&t, 5) && !part_find(&t, 6), "an entry ending at LBA 2^64 - 1 was kept");
	for (u32 i = 0; i < t.count; i++)
		CHECK(t.part[i].sectors != 0, "partition %u has 0 sectors", t.part[i].index);
	compare_with_sfdisk(disk, &t, 1);
	t_end();

	t_begin("part_gpt_both_headers_bad");
	copy_disk();
	flip(work, 512 + 0x30);
	flip(work, last * 512 + 0x30);
	expect("scan", scan(work, 1, &t, &d), "header CRC32 mismatch");
	expect("backup error", t.gpt_backup_error, "header CRC32 mismatch");
	CHECK_EQ_U64("detail", t.detail, 1);
	t_end();

	t_begin("part_gpt_both_arrays_bad");
	copy_disk();
	flip(work, 2 * 512 + 0x38);
	flip(work, (last - 32) * 512 + 0x38); /* the backup array: 32 sectors below it */
	expect("scan", scan(work, 1, &t, &d), "entry array CRC32 mismatch");
	expect("backup error", t.gpt_backup_error, "entry array CRC32 mismatch");
	t_end();

	t_begin("part_gpt_bad_primary_size_unknown");
	copy_disk();
	flip(work, 512 + 0x30);
	expect("scan", scan(work, 0, &t, &d), "header CRC32 mismatch");
	expect("backup error", t.gpt_backup_error, "disk size unknown");
	t_end();

	t_begin("part_gpt_disk_truncated_last_usable_past_end");
	sh("head -c %llu %s > %s", 60ull << 20, disk, work);
	expect("scan", scan(work, 1, &t, &d), "last usable LBA is past the end");
	t_end();

	t_begin("part_gpt_hybrid_flagged");
	copy_disk();
	put_entry(work, 1, 0, 0x0c, 4096, 40960);
	err = scan(work, 1, &t, &d);
	CHECK(!err && (t.warn & PART_WARN_HYBRID) && t.scheme == PART_SCHEME_GPT, "%s, warn %#x",
	      err, t.warn);
	t_end();

	t_begin("part_bare_fat_is_no_table");
	sh("rm -f %s && truncate -s 4M %s && mkfs.fat -F 16 %s", work, work, work);
	err = scan(work, 1, &t, &d);
	CHECK(err != NULL, "a bare FAT volume was taken for a partition table");
	t_end();

	sh("rm -f %s %s", disk, work);
	return t_exit_status();
}
