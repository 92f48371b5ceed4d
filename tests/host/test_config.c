/*
 * The /boot/loader.cfg parser (stage2/config.c): a table of inputs, each with
 * the exact error message and line it must give, or the exact boot_config
 * (written out by hand here) it must yield.
 */
#include <stdlib.h>

#include "config.h"
#include "testlib.h"

struct want_entry {
	const char *title, *kernel, *cmdline, *initrd;
	u32 protocol, nmodules;
	const char *modules[4];
	struct video_request video;
};

struct ok_case {
	const char *name, *text;
	u32 timeout, default_entry, nentries;
	struct want_entry e[3];
};

static const struct ok_case ok_cases[] = {
	{ "minimal", "title=A\nkernel=/k\n", 0, 0, 1,
	  { { "A", "/k", "", NULL, PROTO_AUTO, 0, { 0 }, { 0 } } } },
	{ "no_final_newline", "title=A\nkernel=/boot/kernel64.elf", 0, 0, 1,
	  { { "A", "/boot/kernel64.elf", "", NULL, PROTO_AUTO, 0, { 0 }, { 0 } } } },
	{ "brief_example",
	  "# comment lines and blank lines are ignored\n"
	  "\n"
	  "timeout=3\n"
	  "default=2\n"
	  "title=Example (64-bit)\n"
	  "kernel=/boot/kernel64.elf\n"
	  "protocol=auto\n"
	  "cmdline=console=ttyS0 loglevel=7\n"
	  "module=/boot/initrd.tar extra words\n"
	  "title=Linux\n"
	  "kernel=/boot/vmlinuz\n"
	  "protocol=linux\n"
	  "initrd=/boot/initrd.img\n"
	  "video=1024x768x32\n",
	  3, 1, 2,
	  { { "Example (64-bit)", "/boot/kernel64.elf", "console=ttyS0 loglevel=7", NULL,
	      PROTO_AUTO, 1, { "/boot/initrd.tar extra words" }, { 0 } },
	    { "Linux", "/boot/vmlinuz", "", "/boot/initrd.img", PROTO_LINUX, 0, { 0 },
	      { 1024, 768, 32, 0, 1, 0 } } } },
	{ "crlf_and_blanks",
	  "  timeout = 10 \r\n\t\r\n   # indented comment\r\ntitle =  Spaced Title \t\r\n"
	  " kernel=/a/b \r\ncmdline=  x=1  # not a comment\r\n",
	  10, 0, 1,
	  { { "Spaced Title", "/a/b", "x=1  # not a comment", NULL, PROTO_AUTO, 0, { 0 },
	      { 0 } } } },
	{ "global_video_inherited_and_overridden",
	  "video=800x600,required\ntitle=A\nkernel=/a\ntitle=B\nkernel=/b\nvideo=640x480x8\n",
	  0, 0, 2,
	  { { "A", "/a", "", NULL, PROTO_AUTO, 0, { 0 }, { 800, 600, 0, 1, 1, 0 } },
	    { "B", "/b", "", NULL, PROTO_AUTO, 0, { 0 }, { 640, 480, 8, 0, 1, 0 } } } },
	{ "default_by_title",
	  "default=Rescue\ntitle=Main\nkernel=/m\ntitle=Rescue\nkernel=/r\nprotocol=multiboot2\n"
	  "module=/m1\nmodule=/m2 a b\nmodule=/m3\n",
	  0, 1, 2,
	  { { "Main", "/m", "", NULL, PROTO_AUTO, 0, { 0 }, { 0 } },
	    { "Rescue", "/r", "", NULL, PROTO_MULTIBOOT2, 3, { "/m1", "/m2 a b", "/m3" },
	      { 0 } } } },
	{ "protocols_and_empty_cmdline",
	  "title=A\nkernel=/a\nprotocol=own\ncmdline=\ntitle=B\nkernel=/b\nprotocol=multiboot1\n"
	  "title=C\nkernel=/c\nprotocol=linux\n",
	  0, 0, 3,
	  { { "A", "/a", "", NULL, PROTO_OWN, 0, { 0 }, { 0 } },
	    { "B", "/b", "", NULL, PROTO_MULTIBOOT1, 0, { 0 }, { 0 } },
	    { "C", "/c", "", NULL, PROTO_LINUX, 0, { 0 }, { 0 } } } },
	{ "value_with_equals_and_timeout_0", "timeout=0\ntitle=a=b\nkernel=/k=1\n", 0, 0, 1,
	  { { "a=b", "/k=1", "", NULL, PROTO_AUTO, 0, { 0 }, { 0 } } } },
	{ "video_any_depth_and_max", "title=A\nkernel=/a\nvideo=65535x0\n", 0, 0, 1,
	  { { "A", "/a", "", NULL, PROTO_AUTO, 0, { 0 }, { 65535, 0, 0, 0, 1, 0 } } } },
	{ "video_preferred_size_is_a_request", "title=A\nkernel=/a\nvideo=0x0\n", 0, 0, 1,
	  { { "A", "/a", "", NULL, PROTO_AUTO, 0, { 0 }, { 0, 0, 0, 0, 1, 0 } } } },
	{ "utf8_byte_order_mark_skipped", "\xef\xbb\xbftimeout=2\r\ntitle=A\r\nkernel=/a\r\n", 2, 0,
	  1, { { "A", "/a", "", NULL, PROTO_AUTO, 0, { 0 }, { 0 } } } },
	{ "default_number_3_of_3", "default=3\ntitle=A\nkernel=/a\ntitle=B\nkernel=/b\ntitle=C\n"
	  "kernel=/c\n", 0, 2, 3,
	  { { "A", "/a", "", NULL, 0, 0, { 0 }, { 0 } }, { "B", "/b", "", NULL, 0, 0, { 0 }, { 0 } },
	    { "C", "/c", "", NULL, 0, 0, { 0 }, { 0 } } } },
};

struct bad_case {
	const char *name, *text;
	u32 line;
	const char *msg;
};

/* "title=A\n" as Notepad's "Unicode" saves it, and its big-endian twin. */
#define UTF16LE_TEXT "\xff\xfet\0i\0t\0l\0e\0=\0A\0\n\0"
#define UTF16BE_TEXT "\xfe\xff\0t\0i\0t\0l\0e\0=\0A\0\n"

static const struct bad_case bad_cases[] = {
	{ "unknown_key_in_entry", "timeout=1\n\n# x\ntitle=A\nkernel=/k\n\nkernal=/x\n", 7,
	  "line 7: unknown key 'kernal' (expected title, kernel, protocol, cmdline, module, "
	  "initrd, video)" },
	{ "unknown_key_global", "tmeout=1\n", 1,
	  "line 1: unknown key 'tmeout' (expected timeout, default, video, or title to start an "
	  "entry)" },
	{ "key_case_matters", "title=A\nKernel=/k\n", 2,
	  "line 2: unknown key 'Kernel' (expected title, kernel, protocol, cmdline, module, "
	  "initrd, video)" },
	{ "timeout_not_number", "\n\ntimeout=3x\ntitle=A\nkernel=/k\n", 3,
	  "line 3: timeout: '3x' is not a number of seconds" },
	{ "timeout_overflow", "timeout=4294967296\ntitle=A\nkernel=/k\n", 1,
	  "line 1: timeout: '4294967296' is not a number of seconds" },
	{ "timeout_negative", "timeout=-1\n", 1, "line 1: timeout: '-1' is not a number of seconds" },
	{ "timeout_empty", "timeout=\n", 1, "line 1: timeout: '' is not a number of seconds" },
	{ "module_before_title", "timeout=1\n\n\n\n\n\n\n\nmodule=/m\n", 9,
	  "line 9: module= before any title=" },
	{ "timeout_after_title", "title=A\nkernel=/k\ntimeout=1\n", 3,
	  "line 3: timeout= after the first title= (global keys come first)" },
	{ "no_kernel", "title=Main\nkernel=/m\ntitle=Rescue\ncmdline=x\n", 0,
	  "entry 2 ('Rescue') has no kernel=" },
	{ "no_kernel_before_next_title", "title=Main\ntitle=B\nkernel=/b\n", 0,
	  "entry 1 ('Main') has no kernel=" },
	{ "kernel_twice", "title=A\nkernel=/a\nkernel=/b\n", 3,
	  "line 3: kernel= given twice in one entry" },
	{ "timeout_twice", "timeout=1\ntimeout=2\n", 2, "line 2: timeout= given twice" },
	{ "default_no_such_title", "default=Nope\ntitle=A\nkernel=/a\n", 1,
	  "line 1: default: no entry is titled 'Nope'" },
	{ "default_number_too_big", "\ndefault=3\ntitle=A\nkernel=/a\ntitle=B\nkernel=/b\n", 2,
	  "line 2: default: there is no entry 3 (entries are numbered 1 to 2)" },
	{ "default_zero", "default=0\ntitle=A\nkernel=/a\n", 1,
	  "line 1: default: there is no entry 0 (entries are numbered 1 to 1)" },
	{ "empty_file", "", 0, "the file is empty" },
	{ "only_comments", "# nothing\n\n  \n", 0, "no entries: the file has no title= line" },
	{ "only_globals", "timeout=5\n", 0, "no entries: the file has no title= line" },
	{ "no_equals", "title=A\nkernel /k\n", 2, "line 2: expected key=value, got 'kernel /k'" },
	{ "empty_key", "title=A\n=x\n", 2, "line 2: expected key=value, got '=x'" },
	{ "empty_title", "title=\n", 1, "line 1: title= is empty" },
	{ "empty_kernel", "title=A\nkernel=  \n", 2, "line 2: kernel= is empty" },
	{ "bad_protocol", "title=A\nkernel=/a\nprotocol=elf\n", 3,
	  "line 3: protocol: unknown 'elf' (expected auto, own, multiboot1, multiboot2, linux)" },
	{ "bad_video_depth", "title=A\nkernel=/a\nvideo=1024x768x33\n", 3,
	  "line 3: video: '1024x768x33' is not WxH or WxHxD (D: 8, 15, 16, 24 or 32), optionally "
	  "with ,required" },
	{ "bad_video_suffix", "video=1024x768,mandatory\n", 1,
	  "line 1: video: '1024x768,mandatory' is not WxH or WxHxD (D: 8, 15, 16, 24 or 32), "
	  "optionally with ,required" },
	{ "bad_video_one_field", "video=1024\n", 1,
	  "line 1: video: '1024' is not WxH or WxHxD (D: 8, 15, 16, 24 or 32), optionally with "
	  ",required" },
	{ "bad_video_four_fields", "video=1x2x8x4\n", 1,
	  "line 1: video: '1x2x8x4' is not WxH or WxHxD (D: 8, 15, 16, 24 or 32), optionally with "
	  ",required" },
	{ "bad_video_width", "video=65536x1\n", 1,
	  "line 1: video: '65536x1' is not WxH or WxHxD (D: 8, 15, 16, 24 or 32), optionally with "
	  ",required" },
	{ "initrd_with_multiboot", "title=MB\nkernel=/k\nprotocol=multiboot2\ninitrd=/i\n", 0,
	  "entry 1 ('MB'): initrd= needs protocol=linux or auto" },
	{ "utf16le_byte_order_mark", UTF16LE_TEXT, 0,
	  "the file is UTF-16: save it as UTF-8 or ASCII" },
	{ "utf16be_byte_order_mark", UTF16BE_TEXT, 0,
	  "the file is UTF-16: save it as UTF-8 or ASCII" },
	{ "utf8_byte_order_mark_keeps_line_numbers", "\xef\xbb\xbftitle=A\nkernal=/a\n", 2,
	  "line 2: unknown key 'kernal' (expected title, kernel, protocol, cmdline, module, "
	  "initrd, video)" },
	{ "byte_order_mark_only_at_the_start", "title=A\n\xef\xbb\xbfkernel=/a\n", 2,
	  "line 2: unknown key '\xef\xbb\xbfkernel' (expected title, kernel, protocol, cmdline, "
	  "module, initrd, video)" },
	{ "nul_byte", "title=A\nkernel=/a\0b\n", 2, "line 2: NUL byte in the line" },
	{ "control_char", "title=A\x1b\n", 1, "line 1: control character 27 in the line" },
	{ "lone_cr", "title=A\rkernel=/k\n", 1, "line 1: control character 13 in the line" },
	{ "long_title_quoted_cut", "title=T\n0123456789012345678901234567890123456789xyz=1\n", 2,
	  "line 2: unknown key '0123456789012345678901234567890123456789...' (expected title, "
	  "kernel, protocol, cmdline, module, initrd, video)" },
};

static void check_str(const char *what, const char *got, const char *want)
{
	if (!got != !want || (got && strcmp(got, want)))
		t_fail("%s: got '%s', want '%s'", what, got ? got : "(null)", want ? want : "(null)");
}

/* The parser writes into its text and one byte past len: give it exactly that. */
static char *copy_text(const char *text, size_t len)
{
	char *buf = malloc(len + 1);
	memcpy(buf, text, len);
	return buf;
}

static size_t case_len(const char *name, const char *text)
{
	/* Cases with an embedded NUL give their length through the name. */
	if (!strcmp(name, "nul_byte"))
		return sizeof("title=A\nkernel=/a\0b\n") - 1;
	if (!strcmp(name, "utf16le_byte_order_mark"))
		return sizeof(UTF16LE_TEXT) - 1;
	if (!strcmp(name, "utf16be_byte_order_mark"))
		return sizeof(UTF16BE_TEXT) - 1;
	return strlen(text);
}

int main(void)
{
	struct boot_config cfg;
	struct config_error err;
	char name[160];

	for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const struct ok_case *c = &ok_cases[i];
		size_t len = strlen(c->text);
		char *buf = copy_text(c->text, len);
		snprintf(name, sizeof(name), "config_ok_%s", c->name);
		t_begin(name);
		const char *msg = config_parse(buf, len, &cfg, &err);
		if (msg) {
			t_fail("unexpected error: line %u: %s", err.line, msg);
		} else {
			CHECK_EQ_U64("timeout", cfg.timeout, c->timeout);
			CHECK_EQ_U64("default_entry", cfg.default_entry, c->default_entry);
			CHECK_EQ_U64("nentries", cfg.nentries, c->nentries);
			for (u32 j = 0; j < c->nentries && j < cfg.nentries; j++) {
				const struct want_entry *w = &c->e[j];
				const struct boot_entry *g = &cfg.entries[j];
				check_str("title", g->title, w->title);
				check_str("kernel", g->kernel, w->kernel);
				check_str("cmdline", g->cmdline, w->cmdline);
				check_str("initrd", g->initrd, w->initrd);
				CHECK_EQ_U64("protocol", g->protocol, w->protocol);
				CHECK_EQ_U64("nmodules", g->nmodules, w->nmodules);
				for (u32 m = 0; m < w->nmodules && m < g->nmodules; m++)
					check_str("module", g->modules[m], w->modules[m]);
				CHECK_EQ_U64("video.width", g->video.width, w->video.width);
				CHECK_EQ_U64("video.height", g->video.height, w->video.height);
				CHECK_EQ_U64("video.bpp", g->video.bpp, w->video.bpp);
				CHECK_EQ_U64("video.required", g->video.required, w->video.required);
				CHECK_EQ_U64("video.given", g->video.given, w->video.given);
				/* Parsed in place: every string points into the buffer. */
				CHECK(g->title >= buf && g->title < buf + len, "title not in the buffer");
			}
		}
		t_end();
		free(buf);
	}
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = case_len(c->name, c->text);
		char *buf = copy_text(c->text, len);
		snprintf(name, sizeof(name), "config_error_%s", c->name);
		t_begin(name);
		const char *msg = config_parse(buf, len, &cfg, &err);
		check_str("message", msg, c->msg);
		CHECK_EQ_U64("line", err.line, c->line);
		t_end();
		free(buf);
	}

	/* Limits, built in code. */
	static char big[1 << 16];
	size_t n;

	t_begin("config_error_more_than_32_modules");
	n = (size_t)sprintf(big, "title=A\nkernel=/k\n");
	for (int m = 0; m < 33; m++)
		n += (size_t)sprintf(big + n, "module=/m%d\n", m);
	check_str("message", config_parse(big, n, &cfg, &err),
		  "line 35: more than 32 module= lines in one entry");
	t_end();

	t_begin("config_ok_exactly_32_modules");
	n = (size_t)sprintf(big, "title=A\nkernel=/k\n");
	for (int m = 0; m < 32; m++)
		n += (size_t)sprintf(big + n, "module=/m%d\n", m);
	CHECK(!config_parse(big, n, &cfg, &err), "error: %s", err.msg);
	CHECK_EQ_U64("nmodules", cfg.entries[0].nmodules, 32);
	check_str("module 31", cfg.entries[0].modules[31], "/m31");
	t_end();

	t_begin("config_error_more_than_16_entries");
	n = 0;
	for (int m = 0; m < 17; m++)
		n += (size_t)sprintf(big + n, "title=E%d\nkernel=/k\n", m);
	check_str("message", config_parse(big, n, &cfg, &err), "line 33: more than 16 entries");
	t_end();

	t_begin("config_error_line_too_long");
	for (size_t extra = 0; extra < 2; extra++) {
		/* line 3 is 4095 bytes, then 4096 */
		n = (size_t)sprintf(big, "title=A\nkernel=/k\ncmdline=");
		memset(big + n, 'x', 4095 - 8 + extra);
		n += 4095 - 8 + extra;
		big[n++] = '\n';
		const char *msg = config_parse(big, n, &cfg, &err);
		if (!extra)
			CHECK(!msg, "4095-byte line refused: %s", err.msg);
		else
			check_str("message", msg, "line 3: line longer than 4095 bytes");
	}
	t_end();

	/* The lines that named each file, for stage2's messages (counted by
	 * hand in the text: comments, blank and CRLF lines count too). */
	t_begin("config_ok_file_lines");
	n = (size_t)sprintf(big, "# c\n\ntimeout=1\ntitle=A\r\nkernel=/a\nmodule=/m1 x\n\n"
			    "module=/m2\ntitle=B\n  # c\nprotocol=linux\ninitrd=/i\nkernel=/b\n");
	if (config_parse(big, n, &cfg, &err)) {
		t_fail("error: %s", err.msg);
	} else {
		CHECK_EQ_U64("A kernel_line", cfg.entries[0].kernel_line, 5);
		CHECK_EQ_U64("A module_line[0]", cfg.entries[0].module_line[0], 6);
		CHECK_EQ_U64("A module_line[1]", cfg.entries[0].module_line[1], 8);
		CHECK_EQ_U64("A initrd_line", cfg.entries[0].initrd_line, 0);
		CHECK_EQ_U64("B kernel_line", cfg.entries[1].kernel_line, 13);
		CHECK_EQ_U64("B initrd_line", cfg.entries[1].initrd_line, 12);
	}
	t_end();

	return t_exit_status();
}
