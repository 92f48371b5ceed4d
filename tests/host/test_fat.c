/*
 * The FAT reader (stage2/fat.c) through the partition parser (stage2/part.c)
 * on real images: mkfs.fat makes FAT12, FAT16 and FAT32 volumes with various
 * cluster sizes, bare and inside MBR (LBA 63, 2048) and GPT partitions made
 * by sfdisk and sgdisk; mtools fills them (long names, deep paths, mixed
 * case, a directory over several clusters, a fragmented file, deleted
 * entries, a volume label).  Every file
 * mtools lists is read back and compared byte for byte with what mtools
 * copies out and with the source file; the directory walk is compared with
 * mtools' listing; fragmentation and the runs of a file come from mshowfat,
 * not from the reader.  Hostile volumes are real ones with bytes patched.
 */
#include <ctype.h>
#include <dirent.h>

#include "../../stage2/fat.h"
#include "diskimg.h"
#include "part.h"
#include "testlib.h"

enum layout { BARE, MBR63, MBR2048, GPT };

struct img {
	const char *name;
	int bits, spc;
	u64 mib;
	enum layout layout;
	int big;  /* a 32 MiB contiguous file */
	int frag; /* a fragmented file */
};

static const struct img imgs[] = {
	{ "fat12_s1_bare", 12, 1, 2, BARE, 0, 1 },
	{ "fat12_s4_mbr63", 12, 4, 7, MBR63, 0, 0 },
	{ "fat16_s1_mbr2048", 16, 1, 24, MBR2048, 0, 1 },
	{ "fat16_s4_bare", 16, 4, 64, BARE, 1, 1 },
	{ "fat16_s128_gpt", 16, 128, 1100, GPT, 1, 0 },
	{ "fat32_s1_mbr63", 32, 1, 48, MBR63, 0, 1 },
	{ "fat32_s8_gpt", 32, 8, 320, GPT, 1, 1 },
	{ "fat32_s64_mbr2048", 32, 64, 2400, MBR2048, 0, 0 },
};

static const char *long_name = "A very long file name with spaces and MixedCase.txt";
static const char *utf8_name = "\xc3\x9c" "n\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9" "-\xe5\x90\x8d\xe5\x89\x8d.txt";
static const char *deep_dir = "d1/d2/d3/d4/d5/d6/d7/d8";

static u32 rng = 12345;
static u8 rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return (u8)(rng >> 16);
}

static void make_src_file(const char *rel, size_t size)
{
	char path[512];
	snprintf(path, sizeof(path), IMG_DIR "/src/%s", rel);
	u8 *buf = malloc(size ? size : 1);
	for (size_t i = 0; i < size; i++)
		buf[i] = rnd();
	if (write_whole(path, buf, size))
		fprintf(stderr, "cannot write %s\n", path);
	free(buf);
}

static void make_sources(void)
{
	sh("rm -rf " IMG_DIR "/src && mkdir -p " IMG_DIR "/src/boot " IMG_DIR "/src/%s " IMG_DIR
	   "/src/many " IMG_DIR "/src/big " IMG_DIR "/src/frag", deep_dir);
	make_src_file("small.txt", 100);
	make_src_file("exact512.bin", 512);
	make_src_file("odd.bin", 1537);
	make_src_file("lower.txt", 33);
	make_src_file("empty.dat", 0);
	make_src_file(long_name, 3000);
	make_src_file(utf8_name, 777);
	make_src_file("boot/kernel64.elf", 200 * 1024 + 17);
	char rel[256];
	snprintf(rel, sizeof(rel), "%s/deep file.bin", deep_dir);
	make_src_file(rel, 5000);
	for (int i = 0; i < 120; i++) {
		snprintf(rel, sizeof(rel), "many/file number %03d.dat", i);
		make_src_file(rel, (size_t)(i * 37) % 700);
	}
	make_src_file("big/contig.bin", 32u << 20);
	make_src_file("frag/pad.bin", 20 * 1024);
	make_src_file("frag/frag.bin", 300 * 1024);
	make_src_file("frag/fragodd.bin", 70 * 1024 + 3);
}

/* Start and size of partition n as sfdisk --dump reports it. */
static int sfdisk_part(const char *img, int n, u64 *start, u64 *size)
{
	char out[8192], key[64];
	if (sh_out(out, sizeof(out), "sfdisk --dump %s", img))
		return -1;
	snprintf(key, sizeof(key), "%s%d :", img, n);
	char *l = strstr(out, key);
	if (!l)
		return -1;
	char *s = strstr(l, "start="), *z = strstr(l, "size=");
	if (!s || !z)
		return -1;
	*start = strtoull(s + 6, NULL, 10);
	*size = strtoull(z + 5, NULL, 10);
	return 0;
}

struct built {
	char path[256];
	char mt[300];  /* mtools' -i argument: image@@offset */
	u64 start, sectors;
};

/* FAT32 keeps a next-free hint in its FSInfo sector, and mtools allocates
 * after it, never in the holes: "unknown" (0xFFFFFFFF) makes it search from
 * the start, as it does on FAT12/16. */
static int forget_next_free(const struct img *m, const struct built *b)
{
	u8 bpb[512], unknown[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
	if (m->bits != 32)
		return 0;
	if (pread_at(b->path, b->start * 512, bpb, 512))
		return -1;
	u32 fsinfo = bpb[0x30] | bpb[0x31] << 8;
	return patch(b->path, (b->start + fsinfo) * 512 + 492, unknown, 4);
}

static int build(const struct img *m, struct built *b)
{
	snprintf(b->path, sizeof(b->path), IMG_DIR "/%s.img", m->name);
	if (sh("rm -f %s && truncate -s %lluM %s", b->path, (unsigned long long)m->mib, b->path))
		return -1;
	switch (m->layout) {
	case BARE:
		b->start = 0;
		b->sectors = m->mib * 2048;
		break;
	case MBR63:
	case MBR2048:
		if (sh("echo 'start=%d, type=0c, bootable' | sfdisk -q %s",
		       m->layout == MBR63 ? 63 : 2048, b->path))
			return -1;
		if (sfdisk_part(b->path, 1, &b->start, &b->sectors))
			return -1;
		break;
	case GPT:
		if (sh("sgdisk -n 1:2048:4095 -t 1:ef02 -n 2:4096:0 -t 2:0700 %s", b->path))
			return -1;
		if (sfdisk_part(b->path, 2, &b->start, &b->sectors))
			return -1;
		break;
	}
	snprintf(b->mt, sizeof(b->mt), "%s@@%llu", b->path, (unsigned long long)b->start * 512);
	if (sh("mkfs.fat -n FSTEST -F %d -s %d --offset=%llu %s %llu", m->bits, m->spc,
	       (unsigned long long)b->start, b->path, (unsigned long long)b->sectors / 2))
		return -1;
	const char *s = IMG_DIR "/src";
	if (sh("cd %s && mmd -i ../%s.img@@%llu ::/boot ::/many ::/d1 ::/d1/d2 ::/d1/d2/d3 "
	       "::/d1/d2/d3/d4 ::/d1/d2/d3/d4/d5 ::/d1/d2/d3/d4/d5/d6 ::/d1/d2/d3/d4/d5/d6/d7 "
	       "::/d1/d2/d3/d4/d5/d6/d7/d8", s, m->name, (unsigned long long)b->start * 512))
		return -1;
	if (sh("cd %s && mcopy -i ../%s.img@@%llu small.txt exact512.bin odd.bin lower.txt "
	       "empty.dat '%s' '%s' ::/ && mcopy -i ../%s.img@@%llu boot/kernel64.elf ::/boot/ && "
	       "mcopy -i ../%s.img@@%llu '%s/deep file.bin' ::/%s/ && "
	       "mcopy -i ../%s.img@@%llu many/* ::/many/",
	       s, m->name, (unsigned long long)b->start * 512, long_name, utf8_name, m->name,
	       (unsigned long long)b->start * 512, m->name, (unsigned long long)b->start * 512,
	       deep_dir, deep_dir, m->name, (unsigned long long)b->start * 512))
		return -1;
	if (m->big && sh("mmd -i %s ::/big && mcopy -i %s %s/big/contig.bin ::/big/", b->mt,
			 b->mt, s))
		return -1;
	if (m->frag) {
		/* Fill, punch holes, then write: the new files' chains fill the
		 * holes first and continue past the last pad file. */
		if (sh("mmd -i %s ::/frag", b->mt))
			return -1;
		for (int i = 0; i < 8; i++)
			if (sh("mcopy -i %s %s/frag/pad.bin ::/frag/pad%d.bin", b->mt, s, i))
				return -1;
		if (sh("mdel -i %s ::/frag/pad1.bin ::/frag/pad3.bin ::/frag/pad5.bin", b->mt) ||
		    forget_next_free(m, b) ||
		    sh("mcopy -i %s %s/frag/frag.bin ::/frag/frag.bin", b->mt, s) ||
		    sh("mdel -i %s ::/frag/pad2.bin ::/frag/pad6.bin", b->mt) ||
		    forget_next_free(m, b) ||
		    sh("mcopy -i %s %s/frag/fragodd.bin ::/frag/fragodd.bin", b->mt, s))
			return -1;
	}
	return 0;
}

/* The runs of a file's chain as mshowfat prints them: "<2-5> <9> ...". */
static int mshowfat_runs(const struct built *b, const char *path, u32 *first)
{
	char out[8192];
	if (sh_out(out, sizeof(out), "mshowfat -i %s '::%s'", b->mt, path))
		return -1;
	int runs = 0;
	for (char *p = out; (p = strchr(p, '<')); p++) {
		if (!runs)
			*first = (u32)strtoul(p + 1, NULL, 10);
		runs++;
	}
	return runs;
}

struct path_list {
	char **v;
	size_t n, cap;
};

static void list_add(struct path_list *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof(char *));
	}
	l->v[l->n++] = strdup(s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_free(struct path_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Walks the volume with fat_readdir; directories get a trailing '/'. */
static const char *walk(struct fat_volume *v, const char *dir, struct path_list *out, int depth)
{
	struct fat_file d;
	struct fat_dirent *e = malloc(sizeof(*e));
	char path[2048];
	const char *err = fat_open(v, dir, &d);
	while (!err && depth < 16) {
		err = fat_readdir(&d, e);
		if (err || !e->name[0])
			break;
		int isdir = e->attr & FAT_ATTR_DIRECTORY;
		snprintf(path, sizeof(path), "%s%s%s", dir, e->name, isdir ? "/" : "");
		list_add(out, path);
		if (isdir)
			err = walk(v, path, out, depth + 1);
	}
	free(e);
	return err;
}

static void upcase(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

/* Reads a whole file through the reader. */
static const char *read_all(struct fat_volume *v, const char *path, u8 **data, u32 *size)
{
	struct fat_file f;
	const char *err = fat_open(v, path, &f);
	if (err)
		return err;
	*size = f.size;
	*data = malloc(f.size ? f.size : 1);
	return fat_read(&f, 0, f.size, *data);
}

static int mount_image(const struct img *m, const struct built *b, struct filedev *d,
		       struct fat_volume *v)
{
	if (filedev_open(d, b->path, 1)) {
		t_fail("cannot open %s", b->path);
		return -1;
	}
	u64 lba = 0, sectors = d->bd.sectors;
	if (m->layout != BARE) {
		static struct part_table t;
		const char *err = part_scan(&d->bd, &t);
		if (err) {
			t_fail("part_scan: %s", err);
			return -1;
		}
		const struct part *p = part_find(&t, m->layout == GPT ? 2 : 1);
		if (!p) {
			t_fail("partition not found");
			return -1;
		}
		CHECK_EQ_U64("partition start", p->start, b->start);
		CHECK_EQ_U64("partition sectors", p->sectors, b->sectors);
		lba = p->start;
		sectors = p->sectors;
	}
	const char *err = fat_mount(v, &d->bd, lba, sectors);
	if (err) {
		t_fail("fat_mount: %s (detail %llu)", err, (unsigned long long)v->detail);
		return -1;
	}
	return 0;
}

struct geo {
	u32 reserved, nfats, fatsz, root_entries, spc, root_cluster;
	u64 root_off, data_off; /* bytes */
};

/* The layout from the BPB bytes, computed here, not by the reader. */
static void read_geo_at(const char *img, u64 off, int bits, struct geo *g)
{
	u8 s[512];
	pread_at(img, off, s, 512);
	g->spc = s[13];
	g->reserved = s[14] | s[15] << 8;
	g->nfats = s[16];
	g->root_entries = s[17] | s[18] << 8;
	g->fatsz = s[22] | s[23] << 8;
	if (!g->fatsz)
		g->fatsz = s[36] | s[37] << 8 | (u32)s[38] << 16 | (u32)s[39] << 24;
	g->root_cluster = s[44] | s[45] << 8;
	g->root_off = (u64)(g->reserved + g->nfats * g->fatsz) * 512;
	g->data_off = g->root_off + (u64)g->root_entries * 32;
	if (bits == 32)
		g->root_off = g->data_off + (u64)(g->root_cluster - 2) * g->spc * 512;
}

static void read_geo(const char *img, int bits, struct geo *g)
{
	read_geo_at(img, 0, bits, g);
}

static void test_image(const struct img *m)
{
	static struct fat_volume v;
	struct filedev d = { .fd = -1 };
	struct built b;
	char name[200], out_dir[300], path[2048], buf[65536];

	snprintf(name, sizeof(name), "fat_build_%s", m->name);
	t_begin(name);
	int built = !build(m, &b);
	CHECK(built, "building the image failed (see " IMG_DIR "/cmd.log)");
	CHECK(!built || m->layout != BARE || !sh("fsck.fat -n %s", b.path),
	      "fsck.fat -n is not clean");
	t_end();
	if (!built)
		return;

	snprintf(name, sizeof(name), "fat_mount_%s", m->name);
	t_begin(name);
	int ok = !mount_image(m, &b, &d, &v);
	if (ok)
		CHECK_EQ_U64("FAT type", v.type, m->bits);
	t_end();
	if (!ok) {
		filedev_close(&d);
		return;
	}

	/* mtools' view: every path, and every file copied out. */
	struct path_list mt = { 0 }, mine = { 0 };
	snprintf(out_dir, sizeof(out_dir), IMG_DIR "/out-%s", m->name);
	sh("rm -rf %s && mkdir -p %s", out_dir, out_dir);
	char *listing = malloc(1 << 20);
	sh_out(listing, 1 << 20, "mdir -i %s -/ -b ::/", b.mt);
	for (char *l = strtok(listing, "\n"); l; l = strtok(NULL, "\n"))
		if (!strncmp(l, "::/", 3))
			list_add(&mt, l + 2);
	free(listing);
	qsort(mt.v, mt.n, sizeof(char *), cmp_str);
	int copied = !sh("mcopy -s -n -i %s '::/*' %s/", b.mt, out_dir);

	snprintf(name, sizeof(name), "fat_walk_matches_mdir_%s", m->name);
	t_begin(name);
	const char *err = walk(&v, "/", &mine, 0);
	CHECK(!err, "walk: %s", err);
	qsort(mine.v, mine.n, sizeof(char *), cmp_str);
	CHECK(mt.n > 130, "mdir listed only %zu paths", mt.n);
	CHECK_EQ_U64("number of paths", mine.n, mt.n);
	for (size_t i = 0; i < mine.n && i < mt.n; i++)
		CHECK(!strcmp(mine.v[i], mt.v[i]), "path %zu: reader '%s', mdir '%s'", i, mine.v[i],
		      mt.v[i]);
	t_end();

	snprintf(name, sizeof(name), "fat_every_file_matches_mtools_and_source_%s", m->name);
	t_begin(name);
	CHECK(copied, "mcopy -s out failed");
	size_t files = 0;
	for (size_t i = 0; i < mt.n; i++) {
		const char *p = mt.v[i];
		if (p[strlen(p) - 1] == '/')
			continue;
		u8 *data = NULL;
		u32 size = 0;
		size_t mlen = 0, slen = 0;
		err = read_all(&v, p, &data, &size);
		snprintf(path, sizeof(path), "%s%s", out_dir, p);
		u8 *mdata = read_whole(path, &mlen);
		snprintf(path, sizeof(path), IMG_DIR "/src%s", p);
		u8 *sdata = read_whole(path, &slen);
		if (!strncmp(p, "/frag/pad", 9)) { /* pad0.bin .. pad7.bin */
			free(sdata);
			sdata = read_whole(IMG_DIR "/src/frag/pad.bin", &slen);
		}
		if (err)
			t_fail("%s: %s (detail %llu)", p, err, (unsigned long long)v.detail);
		else if (!mdata || mlen != size || memcmp(mdata, data, size))
			t_fail("%s: differs from mtools' copy (%u vs %zu bytes)", p, size, mlen);
		else if (!sdata || slen != size || memcmp(sdata, data, size))
			t_fail("%s: differs from the source file", p);
		files++;
		free(data);
		free(mdata);
		free(sdata);
	}
	CHECK(files >= 128, "only %zu files checked", files);
	t_end();

	snprintf(name, sizeof(name), "fat_case_insensitive_and_short_names_%s", m->name);
	t_begin(name);
	{
		struct fat_file f;
		const char *variants[] = { "/BOOT/KERNEL64.ELF", "/Boot/Kernel64.Elf",
					   "//boot///kernel64.elf", "/./boot/./kernel64.elf",
					   "/many/../boot/kernel64.elf", "/../boot/kernel64.elf",
					   "/d1/d2/../../boot/kernel64.elf" };
		for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
			err = fat_open(&v, variants[i], &f);
			CHECK(!err && f.size == 200 * 1024 + 17, "%s: %s", variants[i],
			      err ? err : "wrong size");
		}
		snprintf(path, sizeof(path), "/%s", long_name);
		upcase(path);
		err = fat_open(&v, path, &f);
		CHECK(!err && f.size == 3000, "%s: %s", path, err ? err : "wrong size");
		snprintf(path, sizeof(path), "/D1/d2/D3/d4/D5/d6/D7/d8/DEEP FILE.BIN");
		err = fat_open(&v, path, &f);
		CHECK(!err && f.size == 5000, "%s: %s", path, err ? err : "wrong size");
		/* The 8.3 alias mtools gave the long name, from mdir's listing. */
		char lst[8192];
		sh_out(lst, sizeof(lst), "mdir -i %s ::/", b.mt);
		char *l = strstr(lst, long_name);
		while (l && l > lst && l[-1] != '\n')
			l--;
		CHECK(l != NULL, "mdir does not list the long name");
		if (l) {
			char base[9], ext[4], alias[16];
			memcpy(base, l, 8);
			base[8] = 0;
			memcpy(ext, l + 9, 3);
			ext[3] = 0;
			for (int k = 7; k >= 0 && base[k] == ' '; k--)
				base[k] = 0;
			for (int k = 2; k >= 0 && ext[k] == ' '; k--)
				ext[k] = 0;
			snprintf(alias, sizeof(alias), "/%s.%s", base, ext);
			for (char *c = alias; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			err = fat_open(&v, alias, &f);
			CHECK(!err && f.size == 3000, "alias %s: %s", alias, err ? err : "wrong size");
		}
		/* Non-ASCII: matched exactly as UTF-8, no case folding beyond ASCII. */
		snprintf(path, sizeof(path), "/%s", utf8_name);
		err = fat_open(&v, path, &f);
		CHECK(!err && f.size == 777, "utf8 name: %s", err ? err : "wrong size");
		snprintf(path, sizeof(path), "/%s", utf8_name);
		path[1] = 'u';
		path[2] = 0;
		strcat(path, utf8_name + 2); /* "\xc3\x9c" (U+00DC) replaced by 'u' */
		CHECK(fat_open(&v, path, &f) != NULL, "a non-ASCII letter matched an ASCII one");
		/* lower.txt: an 8.3 name stored in upper case with the NT lower-case bits. */
		struct fat_file root;
		struct fat_dirent *e = malloc(sizeof(*e));
		int seen_lower = 0;
		fat_open(&v, "/", &root);
		while (!fat_readdir(&root, e) && e->name[0])
			if (!strcmp(e->name, "lower.txt") && !strcmp(e->short_name, "lower.txt"))
				seen_lower = 1;
		CHECK(seen_lower, "lower.txt not listed in lower case");
		free(e);
	}
	t_end();

	snprintf(name, sizeof(name), "fat_errors_%s", m->name);
	t_begin(name);
	{
		struct fat_file f;
		err = fat_open(&v, "/boot/missing.elf", &f);
		CHECK(err && !strcmp(err, "no such file or directory"), "missing: %s", err);
		err = fat_open(&v, "/small.txt/x", &f);
		CHECK(err && strstr(err, "is a file, not a directory"), "file as dir: %s", err);
		err = fat_open(&v, "boot/kernel64.elf", &f);
		CHECK(err && !strcmp(err, "path does not start with '/'"), "relative: %s", err);
		fat_open(&v, "/small.txt", &f);
		err = fat_read(&f, 50, 51, buf);
		CHECK(err && strstr(err, "read past the end of the file"), "past end: %s", err);
		CHECK(!fat_read(&f, 50, 50, buf), "last 50 bytes");
	}
	t_end();

	snprintf(name, sizeof(name), "fat_partial_and_backward_reads_%s", m->name);
	t_begin(name);
	{
		struct fat_file f;
		size_t slen;
		u8 *src = read_whole(IMG_DIR "/src/boot/kernel64.elf", &slen);
		err = fat_open(&v, "/boot/kernel64.elf", &f);
		CHECK(!err, "open: %s", err);
		u32 chunks[] = { 1, 7, 511, 512, 513, 1000, 4096, 65536, 3 };
		u32 off = 0;
		for (int i = 0; !err && off < f.size; i++) {
			u32 n = chunks[i % 9];
			if (n > f.size - off)
				n = f.size - off;
			err = fat_read(&f, off, n, buf);
			CHECK(!err && !memcmp(buf, src + off, n), "sequential read at %u+%u: %s", off,
			      n, err ? err : "differs");
			off += n;
		}
		u32 offs[] = { 150000, 3, 199817, 70000, 0 };
		for (int i = 0; i < 5; i++) {
			err = fat_read(&f, offs[i], 5000, buf);
			CHECK(!err && !memcmp(buf, src + offs[i], 5000), "read at %u: %s", offs[i],
			      err ? err : "differs");
		}
		free(src);
	}
	t_end();

	/* One blockdev read per contiguous run: the runs come from mshowfat. */
	const char *counted[] = { "/big/contig.bin", "/frag/frag.bin", "/frag/fragodd.bin" };
	for (int i = 0; i < 3; i++) {
		if ((i == 0 && !m->big) || (i > 0 && !m->frag))
			continue;
		snprintf(name, sizeof(name), "fat_one_read_per_run_%s%s", m->name, counted[i]);
		t_begin(name);
		u32 first = 0;
		int runs = mshowfat_runs(&b, counted[i], &first);
		struct fat_file f;
		err = fat_open(&v, counted[i], &f);
		CHECK(!err, "open: %s", err);
		CHECK(i == 0 ? runs == 1 : runs >= 3, "mshowfat: %d runs", runs);
		CHECK_EQ_U64("first cluster (directory vs mshowfat)", f.first_cluster, first);
		u8 *data = malloc(f.size);
		fat_drop_caches(&v); /* count FAT reads from a cold cache */
		/* The data region starts after the FATs and the root directory:
		 * computed from the BPB bytes, not by the reader. */
		struct geo g;
		read_geo_at(b.path, b.start * 512, m->bits, &g);
		d.data_from = b.start + g.data_off / 512;
		u64 calls0 = d.calls, data0 = d.data_calls;
		err = fat_read(&f, 0, f.size, data);
		CHECK(!err, "read: %s", err);
		u64 calls = d.calls - calls0, data_calls = d.data_calls - data0;
		u64 fat_reads = calls - data_calls;
		d.data_from = ~0ull;
		/* Whole runs in one call each, plus one for a partial last sector. */
		CHECK_EQ_U64("data reads", data_calls, (u64)runs + (f.size % 512 ? 1 : 0));
		u64 clusters = ((u64)f.size + (1u << v.cluster_shift) - 1) >> v.cluster_shift;
		u64 fat_bytes = clusters * (u64)v.type / 8 + 8;
		/* Full windows, one more at each end, one per run, and the
		 * windows of 1, 2, .. sectors a cold cache starts with. */
		u64 ramp = 0;
		for (u32 w = 1; w < FAT_CACHE_SECTORS; w *= 2)
			ramp++;
		u64 max_windows = fat_bytes / (FAT_CACHE_SECTORS * 512) + 2 + (u64)runs + ramp;
		CHECK(fat_reads <= max_windows, "%llu FAT reads for %llu clusters (max %llu)",
		      (unsigned long long)fat_reads, (unsigned long long)clusters,
		      (unsigned long long)max_windows);
		fprintf(stderr, "INFO %s %s: %u bytes, %llu clusters, %d runs: %llu blockdev calls "
				"(%llu data, %llu FAT)\n",
			m->name, counted[i], f.size, (unsigned long long)clusters, runs,
			(unsigned long long)calls, (unsigned long long)data_calls,
			(unsigned long long)fat_reads);
		/* Sequential 64 KiB reads resume where the last one stopped: no
		 * rewalk from the first cluster, so no more FAT reads than above. */
		if (i == 0) {
			v.cache_count = 0;
			err = fat_open(&v, counted[i], &f);
			d.data_from = b.start + g.data_off / 512;
			calls0 = d.calls;
			data0 = d.data_calls;
			for (u32 off = 0; !err && off < f.size; off += 65536)
				err = fat_read(&f, off, 65536, data + off);
			CHECK(!err, "chunked read: %s", err);
			u64 chunk_data = d.data_calls - data0, chunk_fat = d.calls - calls0 - chunk_data;
			d.data_from = ~0ull;
			CHECK_EQ_U64("data reads of 64 KiB chunks", chunk_data, f.size / 65536);
			CHECK(chunk_fat <= fat_reads, "%llu FAT reads in 64 KiB chunks, %llu at once",
			      (unsigned long long)chunk_fat, (unsigned long long)fat_reads);
		}
		snprintf(path, sizeof(path), IMG_DIR "/src%s", counted[i]);
		size_t slen;
		u8 *src = read_whole(path, &slen);
		CHECK(src && slen == f.size && !memcmp(src, data, slen), "data differs");
		free(src);
		free(data);
		t_end();
	}

	snprintf(name, sizeof(name), "fat_read_error_names_lba_%s", m->name);
	t_begin(name);
	{
		struct fat_file f;
		fat_open(&v, "/odd.bin", &f);
		u64 lba = v.lba + v.data_start +
			  ((u64)(f.first_cluster - 2) << (v.cluster_shift - 9));
		d.fail_lba = lba;
		fat_drop_caches(&v);
		err = fat_read(&f, 0, f.size, buf);
		CHECK(err && strstr(err, "disk read error"), "got %s", err);
		CHECK_EQ_U64("detail", v.detail, lba);
		d.fail_lba = ~0ull;
	}
	t_end();

	list_free(&mt);
	list_free(&mine);
	filedev_close(&d);
	sh("rm -rf %s %s", out_dir, b.path);
}

/* --- hostile volumes: real images with bytes patched ------------------- */

/* Sets cluster c's entry in every FAT copy. */
static void set_fat(const char *img, int bits, const struct geo *g, u32 c, u32 val)
{
	for (u32 k = 0; k < g->nfats; k++) {
		u64 base = (u64)(g->reserved + k * g->fatsz) * 512;
		u8 b[4];
		if (bits == 12) {
			u64 off = base + c + c / 2;
			pread_at(img, off, b, 2);
			u16 w = b[0] | b[1] << 8;
			w = c & 1 ? (u16)((w & 0x000F) | (val << 4)) : (u16)((w & 0xF000) | (val & 0xFFF));
			b[0] = (u8)w;
			b[1] = (u8)(w >> 8);
			patch(img, off, b, 2);
		} else if (bits == 16) {
			b[0] = (u8)val;
			b[1] = (u8)(val >> 8);
			patch(img, base + c * 2, b, 2);
		} else {
			b[0] = (u8)val;
			b[1] = (u8)(val >> 8);
			b[2] = (u8)(val >> 16);
			b[3] = (u8)(val >> 24);
			patch(img, base + c * 4ull, b, 4);
		}
	}
}

/* Byte offset of the root directory entry whose bytes at its offset 0..10
 * are name83 (11 bytes), or of an LFN entry holding ucs (ASCII) at offset 1. */
static u64 find_root_entry(const char *img, const struct geo *g, const char *name83)
{
	u8 e[32];
	for (u32 i = 0; i < 512; i++) {
		if (pread_at(img, g->root_off + i * 32ull, e, 32))
			break;
		if (!memcmp(e, name83, 11))
			return g->root_off + i * 32ull;
	}
	return 0;
}

struct hostile {
	const char *name;
	int bits;
};

static void expect_err(const char *what, const char *err, const char *want)
{
	CHECK(err && strstr(err, want), "%s: got '%s', want '...%s...'", what, err ? err : "(ok)",
	      want);
}

static void hostile_tests(int bits, int spc, u64 mib)
{
	char base[256], img[256], name[160];
	struct geo g;
	struct filedev d;
	static struct fat_volume v;
	struct fat_file f;
	u8 buf[16384];
	const char *err;
	u32 first = 0;

	snprintf(base, sizeof(base), IMG_DIR "/hostile%d.img", bits);
	snprintf(img, sizeof(img), IMG_DIR "/hostile%d-p.img", bits);
	snprintf(name, sizeof(name), "fat_hostile_build_fat%d", bits);
	t_begin(name);
	/* chain.bin: 10 clusters, contiguous; full/: exactly one cluster of
	 * entries (".", ".." and 14 files) with no end marker. */
	int ok = !sh("rm -f %s && truncate -s %lluM %s && mkfs.fat -F %d -s %d %s", base,
		     (unsigned long long)mib, base, bits, spc, base);
	make_src_file("chain.bin", 10 * 512 * (size_t)spc);
	ok = ok && !sh("mcopy -i %s " IMG_DIR "/src/chain.bin ::/CHAIN.BIN && mmd -i %s ::/FULL",
		       base, base);
	for (int i = 0; ok && i < 16 * spc - 2; i++)
		ok = !sh("mcopy -i %s " IMG_DIR "/src/small.txt ::/FULL/F%02d.DAT", base, i);
	ok = ok && !sh("mcopy -i %s '" IMG_DIR "/src/%s' ::/ && mcopy -i %s '" IMG_DIR
		       "/src/%s' '::/Long Name Broken.txt'",
		       base, long_name, base, long_name);
	CHECK(ok, "building failed");
	read_geo(base, bits, &g);
	char out[4096];
	sh_out(out, sizeof(out), "mshowfat -i %s ::/CHAIN.BIN", base);
	char *lt = strchr(out, '<');
	first = lt ? (u32)strtoul(lt + 1, NULL, 10) : 0;
	CHECK(lt && strchr(lt, '-') && !strchr(lt + 1, '<'), "CHAIN.BIN not one run: %s", out);
	t_end();
	if (!ok || !first)
		return;

	u32 eoc = bits == 12 ? 0xFFF : bits == 16 ? 0xFFFF : 0x0FFFFFFF;
	u32 bad = bits == 12 ? 0xFF7 : bits == 16 ? 0xFFF7 : 0x0FFFFFF7;
	struct {
		const char *name;
		u32 cluster_off, val; /* FAT entry of first + cluster_off := val (+ first if rel) */
		int rel;
		const char *want;
	} chain_cases[] = {
		{ "loop_back", 5, 2, 1, "goes on past the file's size: a loop" },
		{ "loop_self", 9, 9, 1, "goes on past the file's size: a loop" },
		{ "truncated", 4, eoc, 0, "ends before the file's size" },
		{ "past_end", 4, bits == 12 ? 0xFF0 : bits == 16 ? 0xFFF0 : 0x0FFFFFF0, 0,
		  "past the end of the volume" },
		{ "free_in_chain", 4, 0, 0, "free cluster inside a cluster chain" },
		{ "reserved_1_in_chain", 4, 1, 0, "free cluster inside a cluster chain" },
		{ "bad_in_chain", 4, bad, 0, "bad-cluster marker" },
	};
	for (size_t i = 0; i < sizeof(chain_cases) / sizeof(chain_cases[0]); i++) {
		snprintf(name, sizeof(name), "fat_hostile_fat%d_chain_%s", bits, chain_cases[i].name);
		t_begin(name);
		sh("cp %s %s", base, img);
		set_fat(img, bits, &g, first + chain_cases[i].cluster_off,
			chain_cases[i].val + (chain_cases[i].rel ? first : 0));
		filedev_open(&d, img, 1);
		err = fat_mount(&v, &d.bd, 0, d.bd.sectors);
		CHECK(!err, "mount: %s", err);
		err = fat_open(&v, "/chain.bin", &f);
		CHECK(!err, "open: %s", err);
		u8 *data = malloc(f.size);
		err = fat_read(&f, 0, f.size, data);
		expect_err("read", err, chain_cases[i].want);
		free(data);
		filedev_close(&d);
		t_end();
	}

	/* A directory whose chain loops onto itself and has no end marker. */
	snprintf(name, sizeof(name), "fat_hostile_fat%d_directory_never_ends", bits);
	t_begin(name);
	sh("cp %s %s", base, img);
	sh_out(out, sizeof(out), "mshowfat -i %s ::/FULL", base);
	lt = strchr(out, '<');
	u32 dirc = lt ? (u32)strtoul(lt + 1, NULL, 10) : 0;
	CHECK(dirc >= 2, "mshowfat ::/FULL: %s", out);
	set_fat(img, bits, &g, dirc, dirc);
	filedev_open(&d, img, 1);
	fat_mount(&v, &d.bd, 0, d.bd.sectors);
	expect_err("open", fat_open(&v, "/full/none.txt", &f), "more than 65536 entries");
	CHECK(!fat_open(&v, "/full/f13.dat", &f), "a file before the loop is still found");
	filedev_close(&d);
	t_end();

	/* A directory cycle: FULL/F00.DAT turned into a directory whose first
	 * cluster is FULL's own.  A path through it a thousand times is still
	 * a finite walk: it ends with the file or a message, never a hang. */
	snprintf(name, sizeof(name), "fat_hostile_fat%d_directory_cycle", bits);
	t_begin(name);
	sh("cp %s %s", base, img);
	{
		u64 dir_off = g.data_off + (u64)(dirc - 2) * g.spc * 512, e_off = 0;
		u8 e[32];
		for (u32 i = 0; i < g.spc * 16 && !e_off; i++) {
			pread_at(img, dir_off + i * 32ull, e, 32);
			if (!memcmp(e, "F00     DAT", 11))
				e_off = dir_off + i * 32ull;
		}
		CHECK(e_off, "F00.DAT not in FULL's first cluster");
		e[11] = FAT_ATTR_DIRECTORY;
		e[26] = (u8)dirc;
		e[27] = (u8)(dirc >> 8);
		e[20] = (u8)(dirc >> 16);
		e[21] = (u8)(dirc >> 24);
		memset(e + 28, 0, 4);
		patch(img, e_off, e, 32);
		static char cyc[16384];
		size_t n = (size_t)sprintf(cyc, "/full");
		for (int k = 0; k < 1000; k++)
			n += (size_t)sprintf(cyc + n, "/f00.dat");
		filedev_open(&d, img, 1);
		fat_mount(&v, &d.bd, 0, d.bd.sectors);
		strcpy(cyc + n, "/f13.dat");
		err = fat_open(&v, cyc, &f);
		CHECK(!err && !(f.attr & FAT_ATTR_DIRECTORY) && f.size, "through the cycle: %s",
		      err ? err : "not the file");
		strcpy(cyc + n, "/none.txt");
		expect_err("open", fat_open(&v, cyc, &f), "no such file or directory");
		filedev_close(&d);
	}
	t_end();

	/* The long name's LFN entries: checksum broken, sequence broken. */
	{
		sh_out(out, sizeof(out), "mdir -i %s ::/", base);
		char *l = strstr(out, "Long Name Broken.txt");
		while (l && l > out && l[-1] != '\n')
			l--;
		char n83[12];
		memcpy(n83, l ? l : "           ", 8);
		memcpy(n83 + 8, l ? l + 9 : "   ", 3);
		n83[11] = 0;
		u64 off = find_root_entry(base, &g, n83);
		const char *how[] = { "checksum", "sequence", "order_byte_missing_last" };
		for (int k = 0; k < 3; k++) {
			snprintf(name, sizeof(name), "fat_hostile_fat%d_lfn_broken_%s", bits, how[k]);
			t_begin(name);
			CHECK(off >= 64, "8.3 entry %s not found in the root", n83);
			sh("cp %s %s", base, img);
			u8 e[32];
			/* The name has 20 characters: two LFN entries before the 8.3 one. */
			pread_at(img, off - 32, e, 32);
			CHECK(e[11] == 0x0F && e[0] == 1, "entry before the 8.3 one is not LFN #1");
			if (k == 0)
				e[13] ^= 0x55;
			else if (k == 1)
				e[0] = 3;
			pread_at(img, off - 64, buf, 32);
			if (k == 2)
				buf[0] = 2; /* the LAST bit (0x40) dropped */
			patch(img, off - 64, buf, 32);
			patch(img, off - 32, e, 32);
			filedev_open(&d, img, 1);
			fat_mount(&v, &d.bd, 0, d.bd.sectors);
			expect_err("long name", fat_open(&v, "/Long Name Broken.txt", &f),
				   "no such file or directory");
			char alias[16];
			snprintf(alias, sizeof(alias), "/%.8s", n83);
			for (char *c = alias + strlen(alias); c > alias && c[-1] == ' ';)
				*--c = 0;
			strcat(alias, ".TXT");
			err = fat_open(&v, alias, &f);
			CHECK(!err && f.size == 3000, "8.3 alias %s: %s", alias, err ? err : "size");
			CHECK(!fat_open(&v, "/a very long file name with spaces and mixedcase.txt", &f),
			      "an intact long name next to it no longer found");
			filedev_close(&d);
			t_end();
		}

		snprintf(name, sizeof(name), "fat_hostile_fat%d_size_beyond_volume", bits);
		t_begin(name);
		sh("cp %s %s", base, img);
		u64 ce = find_root_entry(base, &g, "CHAIN   BIN");
		CHECK(ce, "CHAIN.BIN entry not found");
		u8 big[4] = { 0x00, 0xFF, 0xFF, 0xFF };
		patch(img, ce + 28, big, 4);
		filedev_open(&d, img, 1);
		fat_mount(&v, &d.bd, 0, d.bd.sectors);
		expect_err("open", fat_open(&v, "/chain.bin", &f), "file size is larger than the volume");
		filedev_close(&d);
		t_end();

		snprintf(name, sizeof(name), "fat_hostile_fat%d_first_cluster_outside", bits);
		t_begin(name);
		sh("cp %s %s", base, img);
		u8 cl[2] = { 0xF0, 0xFF }, hi[2] = { 0xFF, 0x0F };
		patch(img, ce + 26, cl, 2);
		if (bits == 32)
			patch(img, ce + 20, hi, 2);
		filedev_open(&d, img, 1);
		fat_mount(&v, &d.bd, 0, d.bd.sectors);
		expect_err("open", fat_open(&v, "/chain.bin", &f), "first cluster is outside the volume");
		filedev_close(&d);
		t_end();
	}

	/* BPB refusals. */
	struct {
		const char *name;
		u32 off, len, val;
		const char *want;
	} bpb_cases[] = {
		{ "sector_size_4096", 11, 2, 4096, "bytes per sector is not 512" },
		{ "sector_size_1024", 11, 2, 1024, "bytes per sector is not 512" },
		{ "spc_3", 13, 1, 3, "not a power of two" },
		{ "spc_0", 13, 1, 0, "not a power of two" },
		{ "reserved_0", 14, 2, 0, "reserved sector count is 0" },
		{ "fats_0", 16, 1, 0, "number of FATs is 0" },
		{ "fat_too_small", bits == 32 ? 36 : 22, bits == 32 ? 4 : 2, 1, "too small" },
		{ "layout_vs_count", 17, 2, bits == 32 ? 512 : 0,
		  bits == 32 ? "FAT12/16 layout" : "FAT32 layout" },
		{ "meta_fills_volume", 19, 2, 10, "fill the whole volume" },
	};
	for (size_t i = 0; i < sizeof(bpb_cases) / sizeof(bpb_cases[0]); i++) {
		snprintf(name, sizeof(name), "fat_hostile_fat%d_bpb_%s", bits, bpb_cases[i].name);
		t_begin(name);
		sh("cp %s %s", base, img);
		u8 val[4] = { (u8)bpb_cases[i].val, (u8)(bpb_cases[i].val >> 8),
			      (u8)(bpb_cases[i].val >> 16), (u8)(bpb_cases[i].val >> 24) };
		patch(img, bpb_cases[i].off, val, bpb_cases[i].len);
		filedev_open(&d, img, 1);
		expect_err("mount", fat_mount(&v, &d.bd, 0, d.bd.sectors), bpb_cases[i].want);
		filedev_close(&d);
		t_end();
	}
	snprintf(name, sizeof(name), "fat_hostile_fat%d_volume_larger_than_partition", bits);
	t_begin(name);
	filedev_open(&d, base, 1);
	expect_err("mount", fat_mount(&v, &d.bd, 0, d.bd.sectors - 1), "larger than its partition");
	CHECK(!fat_mount(&v, &d.bd, 0, d.bd.sectors), "the exact size is refused");
	filedev_close(&d);
	t_end();
	sh("rm -f %s %s", base, img);
}

int main(void)
{
	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	setenv("LC_ALL", "C.UTF-8", 1);
	if (system("mkdir -p " IMG_DIR " && rm -f " IMG_DIR "/cmd.log"))
		return 1;
	make_sources();
	for (size_t i = 0; i < sizeof(imgs) / sizeof(imgs[0]); i++)
		test_image(&imgs[i]);
	hostile_tests(12, 1, 2);
	hostile_tests(16, 1, 20);
	hostile_tests(32, 1, 40);
	return t_exit_status();
}
