/*
 * Host tests of the image builder: runs the real build/mkimage (fork/exec,
 * no shell) on the real build outputs and on crafted inputs, then checks the
 * image byte by byte against the layout in tools/mkimage.c and layout.h.
 * Patch offsets come from build/mbr_syms.h and build/stage2_syms.h, the same
 * generated headers mkimage uses, so no offset is written down twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* zlib (an independent inflater) declares a crc32() of its own: renamed
 * out of the way of include/crc32.h's. */
#define crc32 zlib_crc32
#include <zlib.h>
#undef crc32

#include "crc32.h"
#include "layout.h"
#include "mbr_syms.h"
#include "stage2_syms.h"
#include "testlib.h"

#define MIB (1024u * 1024u)
#define PART_TYPE_NON_FS_DATA 0xda
#define PART_ACTIVE 0x80
#define CLASSIC_GAP_SECTORS (PART_LBA_CLASSIC - STAGE2_LBA) /* 62 */

#define OFF_S2_LBA (MBR_SYM_s2_lba - MBR_LOAD_ADDR)
#define OFF_S2_SECTORS (MBR_SYM_s2_sectors - MBR_LOAD_ADDR)
#define OFF_S2_SUM (MBR_SYM_s2_sum - MBR_LOAD_ADDR)
/* stage2's header lives in its code, where a symbol is its file offset. */
#define OFF_CORE_SECTORS STAGE2_SYM_hdr_core_sectors
#define OFF_BODY_CSIZE STAGE2_SYM_hdr_body_csize
#define OFF_BODY_CRC32 STAGE2_SYM_hdr_body_crc32
#define OFF_EXT_SECTORS STAGE2_SYM_hdr_ext_sectors
#define OFF_EXT_CSIZE STAGE2_SYM_hdr_ext_csize
#define OFF_EXT_CRC32 STAGE2_SYM_hdr_ext_crc32
#define OFF_BOOT_PART STAGE2_SYM_hdr_boot_part
#define OFF_S2_SELF_LBA STAGE2_SYM_hdr_stage2_lba
#define OFF_K_LBA STAGE2_SYM_hdr_kernel_lba
#define OFF_K_SIZE STAGE2_SYM_hdr_kernel_size

static char build_dir[PATH_MAX], tmp_dir[64], mkimage[PATH_MAX + 16];

struct blob {
	uint8_t *p;
	size_t len;
};

static uint32_t get16(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static int read_blob(const char *path, struct blob *b)
{
	FILE *f = fopen(path, "rb");
	b->p = NULL;
	b->len = 0;
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b->p = malloc(n > 0 ? (size_t)n : 1);
	if (!b->p || fread(b->p, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(b->p);
		b->p = NULL;
		return -1;
	}
	fclose(f);
	b->len = (size_t)n;
	return 0;
}

static int write_blob(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int ok = fwrite(p, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static const char *tmp_path(const char *name)
{
	static char paths[8][PATH_MAX];
	static int next;
	char *p = paths[next++ % 8];
	if (snprintf(p, PATH_MAX, "%s/%s", tmp_dir, name) >= PATH_MAX)
		abort();
	return p;
}

static const char *build_path(const char *name)
{
	static char paths[8][PATH_MAX];
	static int next;
	char *p = paths[next++ % 8];
	if (snprintf(p, PATH_MAX, "%s/%s", build_dir, name) >= PATH_MAX)
		abort();
	return p;
}

/* Runs build/mkimage with argv[1..]; returns its exit status (or -1 when it
 * did not exit normally) and its stderr in err. */
static int run_mkimage(const char *const *args, char *err, size_t err_len)
{
	const char *argv[8] = { mkimage };
	int n = 1;
	for (; args[n - 1] && n < 7; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;

	const char *err_path = tmp_path("stderr.txt");
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (devnull < 0 || e < 0)
			_exit(126);
		dup2(devnull, 1); /* only PASS/FAIL lines on our stdout */
		dup2(e, 2);
		execv(mkimage, (char *const *)argv);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	struct blob b;
	err[0] = 0;
	if (!read_blob(err_path, &b)) {
		size_t n2 = b.len < err_len - 1 ? b.len : err_len - 1;
		memcpy(err, b.p, n2);
		err[n2] = 0;
		for (char *q = err; *q; q++)
			if (*q == '\n')
				*q = ' ';
		free(b.p);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int locate_build_dir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = 0;
	/* .../build/tests/test_mkimage -> .../build */
	for (int i = 0; i < 2; i++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			return -1;
		*slash = 0;
	}
	memcpy(build_dir, exe, strlen(exe) + 1);
	if (snprintf(mkimage, sizeof(mkimage), "%s/mkimage", build_dir) >= (int)sizeof(mkimage))
		return -1;
	return access(mkimage, X_OK);
}

/* ------------------------------------------------------------------------ */

static void test_crc32(void)
{
	t_begin("crc32_check_value");
	CHECK(crc32("123456789", 9) == 0xcbf43926u, "crc32(\"123456789\") = %#x, want 0xcbf43926",
	      crc32("123456789", 9));
	CHECK(crc32_update(crc32("1234", 4), "56789", 5) == 0xcbf43926u,
	      "crc32_update does not chain: %#x", crc32_update(crc32("1234", 4), "56789", 5));
	CHECK(crc32("", 0) == 0, "crc32 of nothing = %#x", crc32("", 0));
	t_end();
}

struct inputs {
	struct blob mbr, s2, kernel;
};

/* All the checks on one built image; expected values from the inputs. */
/* Start CHS of a partition at LBA 2048 or 63 with 255 heads x 63 sectors:
 * 2048 = 32 * 63 + 32 is head 32, sector 33; 63 is head 1, sector 1. */
static const uint8_t chs_2048[3] = { 32, 33, 0 }, chs_63[3] = { 1, 1, 0 };

static void check_image(const char *prefix, const struct inputs *in, const struct blob *img,
			uint32_t kernel_lba, int exact_kernel_size_known, uint32_t want_part_sectors,
			const uint8_t *want_end_chs)
{
	char name[128];
	const uint8_t *m = img->p;
	size_t core = get32(in->s2.p + OFF_CORE_SECTORS);
	size_t ext = get32(in->s2.p + OFF_EXT_SECTORS);
	/* What goes on the disk: all of stage2, or in a classic gap too small for
	 * the extension, the core alone, the header saying so. */
	int dropped = kernel_lba == PART_LBA_CLASSIC && STAGE2_LBA + core + ext > kernel_lba;
	size_t s2_len = (dropped ? core : core + ext) * SECTOR_SIZE;
	size_t k_off = (size_t)kernel_lba * SECTOR_SIZE;

	snprintf(name, sizeof(name), "%s_size_whole_mib", prefix);
	t_begin(name);
	CHECK(img->len % MIB == 0, "image size %zu is not a multiple of 1 MiB", img->len);
	CHECK(img->len >= k_off + in->kernel.len, "image size %zu too small for the kernel",
	      img->len);
	CHECK(img->len < k_off + in->kernel.len + MIB, "image size %zu: more than 1 MiB of padding",
	      img->len);
	int ok = t_end();
	if (!ok || img->len < k_off + in->kernel.len)
		return;

	snprintf(name, sizeof(name), "%s_boot_signature", prefix);
	t_begin(name);
	CHECK(m[510] == 0x55 && m[511] == 0xaa, "bytes 510/511 are %02x %02x, want 55 aa", m[510],
	      m[511]);
	t_end();

	snprintf(name, sizeof(name), "%s_mbr_stage2_fields", prefix);
	t_begin(name);
	const uint8_t *s2 = m + (size_t)STAGE2_LBA * SECTOR_SIZE;
	uint32_t sum = 0;
	for (size_t i = 0; i < core * SECTOR_SIZE; i += 4)
		sum += get32(s2 + i);
	CHECK_EQ_U64("MBR s2_lba", get32(m + OFF_S2_LBA), STAGE2_LBA);
	CHECK_EQ_U64("MBR s2_sectors (the core)", m[OFF_S2_SECTORS], core);
	CHECK(core <= STAGE2_CORE_MAX_SECTORS, "the core takes %zu sectors", core);
	CHECK_EQ_U64("MBR s2_sum (of the core as it is in the image)", get32(m + OFF_S2_SUM), sum);
	t_end();

	snprintf(name, sizeof(name), "%s_mbr_code_untouched", prefix);
	t_begin(name);
	for (size_t i = 0; i < MBR_DISK_SIG_OFF; i++) {
		int patched = (i >= OFF_S2_LBA && i < OFF_S2_LBA + 4) ||
			      (i >= OFF_S2_SUM && i < OFF_S2_SUM + 4) || i == OFF_S2_SECTORS;
		if (!patched && m[i] != in->mbr.p[i]) {
			t_fail("MBR byte %#zx is %02x, the input had %02x", i, m[i], in->mbr.p[i]);
			break;
		}
	}
	CHECK(m[0] == 0x33, "byte 0 is %02x, want 33 (Acer BIOSes)", m[0]);
	for (size_t i = MBR_BPB_START; i < MBR_BPB_END; i++)
		if (m[i]) {
			t_fail("BPB byte %#zx is %02x, want the BPB hole empty", i, m[i]);
			break;
		}
	CHECK(m[0x1bc] == 0 && m[0x1bd] == 0, "bytes 0x1BC/0x1BD not zero");
	t_end();

	snprintf(name, sizeof(name), "%s_stage2_header_patched", prefix);
	t_begin(name);
	CHECK_EQ_U64("stage2 own LBA", get64(s2 + OFF_S2_SELF_LBA), STAGE2_LBA);
	CHECK_EQ_U64("stage2 kernel_lba", get64(s2 + OFF_K_LBA), kernel_lba);
	CHECK_EQ_U64("stage2 kernel_size", get64(s2 + OFF_K_SIZE), in->kernel.len);
	CHECK_EQ_U64("stage2 boot partition (raw layout: none)", get32(s2 + OFF_BOOT_PART), 0);
	CHECK_EQ_U64("extension sectors", get32(s2 + OFF_EXT_SECTORS), dropped ? 0 : ext);
	for (size_t i = 0; i < s2_len; i++) {
		int patched = (i >= OFF_K_LBA && i < OFF_K_LBA + 8) ||
			      (i >= OFF_K_SIZE && i < OFF_K_SIZE + 8) ||
			      (i >= OFF_S2_SELF_LBA && i < OFF_S2_SELF_LBA + 8) ||
			      (i >= OFF_BOOT_PART && i < OFF_BOOT_PART + 4) ||
			      (dropped && i >= OFF_EXT_SECTORS && i < OFF_EXT_SECTORS + 4) ||
			      (dropped && i >= OFF_EXT_CSIZE && i < OFF_EXT_CSIZE + 4);
		if (!patched && s2[i] != in->s2.p[i]) {
			t_fail("stage2 byte %#zx is %02x, the input had %02x", i, s2[i],
			       in->s2.p[i]);
			break;
		}
	}
	for (size_t i = (size_t)STAGE2_LBA * SECTOR_SIZE + s2_len; i < k_off; i++)
		if (m[i]) {
			t_fail("byte %#zx between stage2 and the kernel is %02x", i, m[i]);
			break;
		}
	t_end();

	snprintf(name, sizeof(name), "%s_kernel_at_its_lba", prefix);
	t_begin(name);
	CHECK(!memcmp(m + k_off, in->kernel.p, in->kernel.len),
	      "kernel bytes at LBA %u differ from the kernel file", kernel_lba);
	for (size_t i = k_off + in->kernel.len; i < img->len; i++)
		if (m[i]) {
			t_fail("padding byte %#zx is %02x", i, m[i]);
			break;
		}
	t_end();

	snprintf(name, sizeof(name), "%s_partition_entry", prefix);
	t_begin(name);
	const uint8_t *pe = m + MBR_PART_TABLE_OFF;
	uint32_t sectors = (uint32_t)(img->len / SECTOR_SIZE - kernel_lba);
	const uint8_t *start_chs = kernel_lba == PART_LBA_CLASSIC ? chs_63 : chs_2048;
	CHECK(pe[0] == PART_ACTIVE, "status %#x, want 0x80 (active)", pe[0]);
	CHECK(pe[4] == PART_TYPE_NON_FS_DATA, "type %#x, want 0xda", pe[4]);
	CHECK_EQ_U64("LBA start", get32(pe + 8), kernel_lba);
	CHECK_EQ_U64("sector count", get32(pe + 12), sectors);
	CHECK(!memcmp(pe + 1, start_chs, 3), "start CHS %02x %02x %02x, want %02x %02x %02x",
	      pe[1], pe[2], pe[3], start_chs[0], start_chs[1], start_chs[2]);
	if (exact_kernel_size_known) {
		CHECK_EQ_U64("sector count (hand-computed)", get32(pe + 12), want_part_sectors);
		CHECK(!memcmp(pe + 5, want_end_chs, 3), "end CHS %02x %02x %02x, want %02x %02x %02x",
		      pe[5], pe[6], pe[7], want_end_chs[0], want_end_chs[1], want_end_chs[2]);
	}
	for (int i = 16; i < 64; i++)
		if (pe[i]) {
			t_fail("partition entries 2..4: byte %d is %02x", i, pe[i]);
			break;
		}
	t_end();
}

static int build_image(const char *prefix, const char *flag, const char *mbr, const char *s2,
		       const char *kernel, const char *out, struct blob *img)
{
	char name[128], err[512];
	const char *plain[] = { mbr, s2, kernel, out, NULL };
	const char *flagged[] = { flag, mbr, s2, kernel, out, NULL };
	const char *const *args = flag ? flagged : plain;

	snprintf(name, sizeof(name), "%s_builds", prefix);
	t_begin(name);
	unlink(out);
	int rc = run_mkimage(args, err, sizeof(err));
	CHECK(rc == 0, "mkimage exited %d: %s", rc, err);
	if (rc == 0)
		CHECK(!read_blob(out, img), "cannot read %s", out);
	return t_end();
}

static int load_inputs(struct inputs *in, const char *mbr, const char *s2, const char *kernel)
{
	return read_blob(mbr, &in->mbr) || read_blob(s2, &in->s2) || read_blob(kernel, &in->kernel);
}

static void test_real_image(void)
{
	struct inputs in;
	struct blob img;
	const char *mbr = build_path("mbr.bin"), *s2 = build_path("stage2.bin");
	const char *k = build_path("kernel64.elf");

	t_begin("inputs_present");
	CHECK(!load_inputs(&in, mbr, s2, k), "cannot read %s, %s or %s (run make all)", mbr, s2, k);
	int ok = t_end();
	if (!ok)
		return;
	if (build_image("image_kernel64", NULL, mbr, s2, k, tmp_path("kernel64.img"), &img)) {
		check_image("image_kernel64", &in, &img, PART_LBA_MODERN, 0, 0, NULL);

		/* Same inputs, same bytes: the disk signature derives from the
		 * contents. */
		struct blob again;
		t_begin("image_reproducible");
		const char *args[] = { mbr, s2, k, tmp_path("again.img"), NULL };
		char err[512];
		int rc = run_mkimage(args, err, sizeof(err));
		CHECK(rc == 0, "second run exited %d: %s", rc, err);
		if (rc == 0 && !read_blob(tmp_path("again.img"), &again)) {
			CHECK(again.len == img.len && !memcmp(again.p, img.p, img.len),
			      "two runs gave different images");
			free(again.p);
		}
		t_end();
		free(img.p);
	}
	free(in.mbr.p);
	free(in.s2.p);
	free(in.kernel.p);
}

/* A kernel file of len bytes that starts like an ELF file. */
static const char *fake_kernel(const char *name, size_t len)
{
	uint8_t *p = calloc(1, len);
	if (!p)
		abort();
	for (size_t i = 0; i < len; i++)
		p[i] = i < 4 ? (uint8_t)"\177ELF"[i] : (uint8_t)(i * 7 + 3);
	const char *path = tmp_path(name);
	if (write_blob(path, p, len))
		abort();
	free(p);
	return path;
}

/* A kernel file of len bytes with a Linux setup header's marks: 0xAA55 at
 * 0x1FE and "HdrS" at 0x202 (Documentation/arch/x86/boot.rst). */
static const char *fake_bzimage(const char *name, size_t len)
{
	const char *path = fake_kernel(name, len);
	struct blob b;

	if (read_blob(path, &b))
		abort();
	b.p[0] = 0; /* no ELF magic */
	b.p[0x1fe] = 0x55;
	b.p[0x1ff] = 0xaa;
	memcpy(b.p + 0x202, "HdrS", 4);
	if (write_blob(path, b.p, b.len))
		abort();
	free(b.p);
	return path;
}

/* stage2.bin padded with zeros to len bytes (or cut to len); with
 * fix_header, its extension's sector count says so (a well-formed stage2 of
 * that size, as a build with a larger extension would make). */
static const char *resized_stage2(const char *name, size_t len, int fix_header)
{
	struct blob s2;
	if (read_blob(build_path("stage2.bin"), &s2))
		abort();
	uint8_t *p = calloc(1, len ? len : 1);
	if (!p)
		abort();
	memcpy(p, s2.p, s2.len < len ? s2.len : len);
	if (fix_header) {
		/* The extension takes what the core leaves; a stream cut short
		 * (the real extension may be larger) says it is no longer than
		 * that, so the header stays consistent. */
		uint32_t ext = (uint32_t)(len / SECTOR_SIZE) - get32(p + OFF_CORE_SECTORS);
		uint32_t csize = get32(p + OFF_EXT_CSIZE);
		if (csize > ext * SECTOR_SIZE)
			csize = ext * SECTOR_SIZE;
		for (int i = 0; i < 4; i++) {
			p[OFF_EXT_SECTORS + i] = (uint8_t)(ext >> (8 * i));
			p[OFF_EXT_CSIZE + i] = (uint8_t)(csize >> (8 * i));
		}
	}
	const char *path = tmp_path(name);
	if (write_blob(path, p, len))
		abort();
	free(p);
	free(s2.p);
	return path;
}

static void test_crafted_image(const char *prefix, const char *flag, const char *s2,
			       const char *kernel, uint32_t want_part_sectors,
			       const uint8_t *want_end_chs, size_t want_size)
{
	struct inputs in;
	struct blob img;
	char name[128];
	const char *mbr = build_path("mbr.bin");

	if (load_inputs(&in, mbr, s2, kernel))
		abort();
	if (build_image(prefix, flag, mbr, s2, kernel, tmp_path("crafted.img"), &img)) {
		snprintf(name, sizeof(name), "%s_size_hand_computed", prefix);
		t_begin(name);
		CHECK_EQ_U64("image size", img.len, want_size);
		t_end();
		check_image(prefix, &in, &img, flag ? PART_LBA_CLASSIC : PART_LBA_MODERN, 1,
			    want_part_sectors, want_end_chs);
		free(img.p);
	}
	free(in.mbr.p);
	free(in.s2.p);
	free(in.kernel.p);
}

static void expect_refusal_flag(const char *name, const char *flag, const char *mbr,
				const char *s2, const char *kernel, int want_status,
				const char *want_text)
{
	char err[512];
	const char *out = tmp_path("refused.img");
	const char *plain[] = { mbr, s2, kernel, out, NULL };
	const char *flagged[] = { flag, mbr, s2, kernel, out, NULL };
	const char *const *args = flag ? flagged : plain;

	t_begin(name);
	unlink(out);
	int rc = run_mkimage(args, err, sizeof(err));
	if (want_status)
		CHECK(rc == want_status, "exit status %d, want %d", rc, want_status);
	else
		CHECK(rc > 0, "exit status %d, want a refusal (non-zero)", rc);
	CHECK(strncmp(err, "mkimage: ", 9) == 0 && strlen(err) > 12,
	      "no clear message on stderr (got \"%s\")", err);
	if (want_text)
		CHECK(strstr(err, want_text) != NULL, "message \"%s\" does not say \"%s\"", err,
		      want_text);
	CHECK(access(out, F_OK) != 0, "an image was written despite the refusal");
	t_end();
}

static void expect_refusal(const char *name, const char *mbr, const char *s2, const char *kernel,
			   int want_status)
{
	expect_refusal_flag(name, NULL, mbr, s2, kernel, want_status, NULL);
}

/* The packer's header against zlib: the body's and the extension's streams
 * inflate to data whose CRC-32 the header gives. */
static uint32_t inflated_crc(const uint8_t *p, size_t len, size_t *out_len)
{
	static uint8_t out[1 << 17];
	z_stream z = { .next_in = (uint8_t *)p, .avail_in = (uInt)len, .next_out = out,
		       .avail_out = sizeof(out) };

	*out_len = 0;
	if (inflateInit2(&z, -15) != Z_OK)
		return 0;
	int rc = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	if (rc != Z_STREAM_END)
		return 0;
	*out_len = z.total_out;
	return crc32(out, z.total_out);
}

static void test_stage2_streams(void)
{
	struct blob s2;
	size_t n;

	t_begin("stage2_header_describes_its_streams");
	CHECK(!read_blob(build_path("stage2.bin"), &s2), "cannot read stage2.bin");
	if (s2.p) {
		size_t core = get32(s2.p + OFF_CORE_SECTORS) * (size_t)SECTOR_SIZE;
		uint32_t crc = inflated_crc(s2.p + STAGE2_SYM_head_image_size,
					    get32(s2.p + OFF_BODY_CSIZE), &n);
		CHECK(n > 0 && crc == get32(s2.p + OFF_BODY_CRC32),
		      "the body's stream inflates to %zu bytes with CRC-32 %#x, the header says %#x",
		      n, crc, get32(s2.p + OFF_BODY_CRC32));
		crc = inflated_crc(s2.p + core, get32(s2.p + OFF_EXT_CSIZE), &n);
		CHECK(crc == get32(s2.p + OFF_EXT_CRC32),
		      "the extension's stream inflates to %zu bytes with CRC-32 %#x, the header "
		      "says %#x",
		      n, crc, get32(s2.p + OFF_EXT_CRC32));
		free(s2.p);
	}
	t_end();
}

static void test_refusals(void)
{
	struct blob mbr;
	const char *s2 = build_path("stage2.bin"), *k = build_path("kernel64.elf");
	const char *good_mbr = build_path("mbr.bin");

	if (read_blob(good_mbr, &mbr) || mbr.len != SECTOR_SIZE)
		abort();

	/* The kernel. */
	const char *text = tmp_path("kernel.txt");
	if (write_blob(text, "this is not an ELF file\n", 24))
		abort();
	expect_refusal("refuse_non_elf_kernel", good_mbr, s2, text, 0);
	expect_refusal("refuse_kernel_shorter_than_elf_magic", good_mbr, s2,
		       fake_kernel("short.elf", 3), 0);

	/* stage2: its header and size; the classic gap only while it fits. */
	size_t s2_len;
	{
		struct blob b;
		if (read_blob(s2, &b))
			abort();
		s2_len = b.len;
		free(b.p);
	}
	expect_refusal("refuse_stage2_not_whole_sectors", good_mbr,
		       resized_stage2("s2_odd.bin", s2_len + 1, 0), k, 0);
	expect_refusal("refuse_stage2_longer_than_its_header_says", good_mbr,
		       resized_stage2("s2_big.bin", s2_len + SECTOR_SIZE, 0), k, 0);
	{
		/* A core larger than the MBR loads (the packer refuses to make
		 * one; the builder checks again). */
		const char *big = resized_stage2("s2_huge.bin", s2_len, 0);
		struct blob b;
		if (read_blob(big, &b))
			abort();
		uint32_t core = STAGE2_CORE_MAX_SECTORS + 1;
		for (int i = 0; i < 4; i++)
			b.p[OFF_CORE_SECTORS + i] = (uint8_t)(core >> (8 * i));
		if (write_blob(big, b.p, b.len))
			abort();
		free(b.p);
		expect_refusal("refuse_stage2_core_over_62_sectors", good_mbr, big, k, 0);
	}
	expect_refusal("refuse_empty_stage2", good_mbr, resized_stage2("s2_empty.bin", 0, 0), k, 0);
	{
		const char *bad = resized_stage2("s2_nomagic.bin", s2_len, 0);
		struct blob b;
		if (read_blob(bad, &b))
			abort();
		memcpy(b.p + 4, "XXXX", 4);
		if (write_blob(bad, b.p, b.len))
			abort();
		free(b.p);
		expect_refusal("refuse_stage2_without_stg2_header", good_mbr, bad, k, 0);
	}
	/* The MBR: exactly 512 bytes, 55 AA, nothing in 0x1B8..0x1FD. */
	const char *p = tmp_path("mbr511.bin");
	if (write_blob(p, mbr.p, 511))
		abort();
	expect_refusal("refuse_mbr_511_bytes", p, s2, k, 0);
	{
		uint8_t big[513];
		memcpy(big, mbr.p, 512);
		big[512] = 0;
		p = tmp_path("mbr513.bin");
		if (write_blob(p, big, sizeof(big)))
			abort();
		expect_refusal("refuse_mbr_513_bytes", p, s2, k, 0);
	}
	static const struct {
		const char *name;
		unsigned off;
		uint8_t val;
	} pokes[] = {
		{ "refuse_mbr_byte_in_the_bpb_hole_0x04", MBR_BPB_START, 0x01 },
		{ "refuse_mbr_byte_in_the_bpb_hole_0x24", 0x24, 0x80 },
		{ "refuse_mbr_byte_in_the_bpb_hole_0x59", MBR_BPB_END - 1, 0x01 },
		{ "refuse_mbr_byte_at_0x1b8_disk_signature", 0x1b8, 0x01 },
		{ "refuse_mbr_byte_at_0x1bd", 0x1bd, 0x01 },
		{ "refuse_mbr_active_flag_at_0x1be", 0x1be, 0x80 },
		{ "refuse_mbr_byte_at_0x1fd", 0x1fd, 0xff },
		{ "refuse_mbr_without_55aa", 0x1fe, 0x00 },
		{ "refuse_mbr_55ab", 0x1ff, 0xab },
	};
	for (size_t i = 0; i < sizeof(pokes) / sizeof(pokes[0]); i++) {
		uint8_t m[SECTOR_SIZE];
		memcpy(m, mbr.p, SECTOR_SIZE);
		m[pokes[i].off] = pokes[i].val;
		p = tmp_path("mbr_poked.bin");
		if (write_blob(p, m, sizeof(m)))
			abort();
		expect_refusal(pokes[i].name, p, s2, k, 0);
	}

	/* The command line. */
	t_begin("refuse_wrong_argument_count");
	{
		char err[512];
		const char *args[] = { good_mbr, s2, k, NULL };
		int rc = run_mkimage(args, err, sizeof(err));
		CHECK(rc == 2, "exit status %d, want 2", rc);
		CHECK(strstr(err, "usage") != NULL, "no usage message (got \"%s\")", err);
	}
	t_end();
	expect_refusal("refuse_missing_kernel_file", good_mbr, s2, tmp_path("no-such-kernel.elf"),
		       0);
	free(mbr.p);
}

static void remove_tmp_dir(void)
{
	static const char *const names[] = { "stderr.txt", "kernel64.img", "again.img",
					      "crafted.img", "refused.img", "k3000.elf",
					      "k1mib.elf", "short.elf", "kernel.txt", "bz3000", "s2_max.bin",
					      "s2_big.bin", "s2_odd.bin", "s2_huge.bin", "s2_63.bin",
					      "s2_empty.bin",
					      "s2_nomagic.bin", "mbr511.bin", "mbr513.bin",
					      "mbr_poked.bin" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(tmp_path(names[i]));
	rmdir(tmp_dir);
}

int main(void)
{
	test_crc32();

	t_begin("setup_build_dir_and_tmp_dir");
	CHECK(!locate_build_dir(), "cannot find an executable build/mkimage next to this test");
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/test_mkimage.XXXXXX");
	CHECK(mkdtemp(tmp_dir) != NULL, "mkdtemp failed");
	if (!t_end())
		return t_exit_status();

	test_real_image();

	/* A 3000-byte kernel: 6 sectors from LBA 2048 end past 1 MiB, so the
	 * image is 2 MiB = 4096 sectors; the partition spans LBA 2048..4095,
	 * 2048 sectors; LBA 4095 = 65 * 63 is head 65, sector 1, cylinder 0. */
	static const uint8_t chs_4095[3] = { 65, 1, 0 };
	test_crafted_image("image_3000_byte_kernel", NULL, build_path("stage2.bin"),
			   fake_kernel("k3000.elf", 3000), 2048, chs_4095, 2 * MIB);

	/* A Linux bzImage is a kernel the raw layout takes as well. */
	test_crafted_image("image_3000_byte_bzimage", NULL, build_path("stage2.bin"),
			   fake_bzimage("bz3000", 3000), 2048, chs_4095, 2 * MIB);

	/* A 1 MiB kernel from LBA 2048 ends exactly at 2 MiB: the same. */
	test_crafted_image("image_1mib_kernel", NULL, build_path("stage2.bin"),
			   fake_kernel("k1mib.elf", MIB), 2048, chs_4095, 2 * MIB);

	/* The classic layout: 6 sectors from LBA 63 end far below 1 MiB, so
	 * the image is 1 MiB = 2048 sectors; the partition spans LBA 63..2047,
	 * 1985 sectors; LBA 2047 = 32 * 63 + 31 is head 32, sector 32. */
	static const uint8_t chs_2047[3] = { 32, 32, 0 };
	test_crafted_image("image_classic_3000_byte_kernel", "--classic",
			   build_path("stage2.bin"), fake_kernel("k3000.elf", 3000), 1985, chs_2047,
			   MIB);

	/* A stage2 of exactly 62 sectors, extension included, fits the classic
	 * gap whole; one of 80 goes there without its extension (check_image
	 * checks which). */
	test_crafted_image("image_classic_stage2_exactly_62_sectors", "--classic",
			   resized_stage2("s2_max.bin", CLASSIC_GAP_SECTORS * (size_t)SECTOR_SIZE, 1),
			   fake_kernel("k3000.elf", 3000), 1985, chs_2047, MIB);
	test_crafted_image("image_classic_extension_left_out", "--classic",
			   resized_stage2("s2_big.bin", 80 * (size_t)SECTOR_SIZE, 1),
			   fake_kernel("k3000.elf", 3000), 1985, chs_2047, MIB);

	test_stage2_streams();
	test_refusals();
	remove_tmp_dir();
	return t_exit_status();
}
