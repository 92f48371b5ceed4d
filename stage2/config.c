/*
 * /boot/loader.cfg parser; see config.h and README.md (The configuration file).
 *
 * Only whole-line comments exist: a '#' after a value is part of the value,
 * because kernel command lines may hold one.  Keys and protocol names are
 * lower case and matched exactly.
 */
#include <stdarg.h>

#include "config.h"

#define QUOTE_MAX 40 /* bytes of a quoted value shown in a message */

enum {
	K_TIMEOUT,
	K_DEFAULT,
	K_VIDEO, /* the last global key, and the first entry key */
	K_TITLE,
	K_KERNEL,
	K_PROTOCOL,
	K_CMDLINE,
	K_MODULE,
	K_INITRD,
	K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"timeout", "default", "video", "title", "kernel", "protocol", "cmdline", "module", "initrd",
};
static const char *const proto_names[PROTO_COUNT] = {
	"auto", "own", "multiboot1", "multiboot2", "linux",
};

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static char *put(char *o, const char *s, u32 max, const char *end)
{
	while (*s && max-- && o < end)
		*o++ = *s++;
	return o;
}

static char *put_u32(char *o, u32 n, const char *end)
{
	char num[11], *a = num + sizeof(num) - 1;

	*a = 0;
	do
		*--a = '0' + n % 10;
	while (n /= 10);
	return put(o, a, ~0u, end);
}

/* Formats the message: %s a string, %q a value in quotes (cut at QUOTE_MAX
 * bytes), %u a number; "line N: " first when line is not 0. */
static const char *fail(struct config_error *e, u32 line, const char *fmt, ...)
{
	char *o = e->msg;
	const char *end = e->msg + CONFIG_MSG_MAX - 1, *a;
	u32 n;
	va_list ap;

	va_start(ap, fmt);
	e->line = line;
	if (line) {
		o = put(o, "line ", ~0u, end);
		o = put_u32(o, line, end);
		o = put(o, ": ", ~0u, end);
	}
	for (; *fmt && o < end; fmt++) {
		if (*fmt != '%') {
			*o++ = *fmt;
		} else if (*++fmt == 'u') {
			o = put_u32(o, va_arg(ap, u32), end);
		} else if (*fmt == 's') {
			o = put(o, va_arg(ap, const char *), ~0u, end);
		} else { /* 'q' */
			a = va_arg(ap, const char *);
			o = put(o, "'", 1, end);
			o = put(o, a, QUOTE_MAX, end);
			for (n = 0; n <= QUOTE_MAX && a[n]; n++)
				;
			o = put(o, n > QUOTE_MAX ? "...'" : "'", ~0u, end);
		}
	}
	*o = 0;
	va_end(ap);
	return e->msg;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A decimal number that fits in u32; 0 if s is not one. */
static int parse_u32(const char *s, u32 *out)
{
	u32 n = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (0xFFFFFFFFu - (*s - '0')) / 10)
			return 0;
		n = n * 10 + (*s - '0');
	}
	*out = n;
	return 1;
}

/* WxH or WxHxD, then optionally ",required".  0 means any. */
static int parse_video(char *s, struct video_request *v)
{
	u32 f[3] = { 0, 0, 0 }, i = 0;
	char *start = s;

	*v = (struct video_request){ 0 };
	for (;; s++) {
		if (*s == ',' && !streq(s, ",required"))
			return 0;
		if (*s == 'x' || *s == ',' || !*s) {
			char c = *s;
			*s = 0;
			if (i == 3 || !parse_u32(start, &f[i++]))
				return 0;
			*s = c;
			if (c != 'x')
				break;
			start = s + 1;
		}
	}
	if (i < 2 || f[0] > 0xFFFF || f[1] > 0xFFFF ||
	    (f[2] && f[2] != 8 && f[2] != 15 && f[2] != 16 && f[2] != 24 && f[2] != 32))
		return 0;
	v->width = f[0];
	v->height = f[1];
	v->bpp = f[2];
	v->required = *s == ',';
	v->given = 1;
	return 1;
}

static const char *finish_entry(struct boot_config *cfg, struct config_error *err)
{
	const struct boot_entry *e = &cfg->entries[cfg->nentries - 1];

	if (!e->kernel)
		return fail(err, 0, "entry %u (%q) has no kernel=", cfg->nentries, e->title);
	if (e->initrd && e->protocol != PROTO_LINUX && e->protocol != PROTO_AUTO)
		return fail(err, 0, "entry %u (%q): initrd= needs protocol=linux or auto",
			    cfg->nentries, e->title);
	return 0;
}

const char *config_parse(char *text, u32 len, struct boot_config *cfg, struct config_error *err)
{
	char *p = text, *end = text + len, *line, *eol, *val;
	u32 lineno = 0, k, global_seen = 0, seen = 0, def_line = 0, n;
	struct boot_entry *e = 0;
	struct video_request video = { 0 };
	const char *def = 0, *msg;

	*cfg = (struct boot_config){ 0 };
	err->line = 0;
	err->msg[0] = 0;
	text[len] = 0;
	if (!len)
		return fail(err, 0, "the file is empty");
	/* Windows editors may start a UTF-8 file with its byte-order mark, and
	 * Notepad's "Unicode" is UTF-16, whose first line would otherwise be
	 * refused as holding a NUL byte, with no word of why. */
	if (len >= 3 && (u8)p[0] == 0xEF && (u8)p[1] == 0xBB && (u8)p[2] == 0xBF)
		p += 3;
	else if (len >= 2 && (u8)(p[0] ^ p[1]) == 0x01 && ((u8)p[0] | 1) == 0xFF)
		return fail(err, 0, "the file is UTF-16: save it as UTF-8 or ASCII");
	while (p < end) {
		lineno++;
		for (line = eol = p; eol < end && *eol != '\n'; eol++) {
			if (!*eol)
				return fail(err, lineno, "NUL byte in the line");
			if ((unsigned char)*eol < ' ' && *eol != '\t' &&
			    !(*eol == '\r' && (eol + 1 == end || eol[1] == '\n')))
				return fail(err, lineno, "control character %u in the line",
					    (u32)(unsigned char)*eol);
			if (eol - line == CONFIG_LINE_MAX)
				return fail(err, lineno, "line longer than %u bytes",
					    (u32)CONFIG_LINE_MAX);
		}
		p = eol + 1;
		*eol = 0;
		while (eol > line && is_blank(eol[-1]))
			*--eol = 0;
		while (is_blank(*line))
			line++;
		if (!*line || *line == '#')
			continue;
		for (val = line; *val && *val != '='; val++)
			;
		if (!*val || val == line)
			return fail(err, lineno, "expected key=value, got %q", line);
		*val++ = 0;
		for (eol = val - 1; eol > line && is_blank(eol[-1]);)
			*--eol = 0;
		while (is_blank(*val))
			val++;
		for (k = 0; k < K_COUNT && !streq(line, key_names[k]); k++)
			;
		if (k == K_COUNT)
			return fail(err, lineno, e ? "unknown key %q (expected title, kernel, protocol, "
						     "cmdline, module, initrd, video)"
						   : "unknown key %q (expected timeout, default, video, "
						     "or title to start an entry)",
				    line);
		if (k == K_TITLE) {
			if (e && (msg = finish_entry(cfg, err)))
				return msg;
			if (!*val)
				return fail(err, lineno, "title= is empty");
			if (cfg->nentries == BOOT_ENTRIES_MAX)
				return fail(err, lineno, "more than %u entries", (u32)BOOT_ENTRIES_MAX);
			e = &cfg->entries[cfg->nentries++];
			e->title = val;
			e->cmdline = "";
			e->video = video;
			seen = 0;
			continue;
		}
		if (k < K_VIDEO && e)
			return fail(err, lineno, "%s= after the first title= (global keys come first)",
				    key_names[k]);
		if (k > K_VIDEO && !e)
			return fail(err, lineno, "%s= before any title=", key_names[k]);
		u32 *s = e ? &seen : &global_seen;
		if (k != K_MODULE && (*s & 1u << k))
			return fail(err, lineno, e ? "%s= given twice in one entry" : "%s= given twice",
				    key_names[k]);
		*s |= 1u << k;
		if (!*val && k != K_CMDLINE && k != K_TIMEOUT && k != K_DEFAULT && k != K_VIDEO &&
		    k != K_PROTOCOL)
			return fail(err, lineno, "%s= is empty", key_names[k]);
		if (k == K_TIMEOUT) {
			if (!parse_u32(val, &cfg->timeout))
				return fail(err, lineno, "timeout: %q is not a number of seconds", val);
		} else if (k == K_DEFAULT) {
			def = val;
			def_line = lineno;
		} else if (k == K_VIDEO) {
			if (!parse_video(val, e ? &e->video : &video))
				return fail(err, lineno, "video: %q is not WxH or WxHxD (D: 8, 15, 16, "
							 "24 or 32), optionally with ,required", val);
		} else if (k == K_KERNEL) {
			e->kernel = val;
			e->kernel_line = lineno;
		} else if (k == K_PROTOCOL) {
			for (n = 0; n < PROTO_COUNT && !streq(val, proto_names[n]); n++)
				;
			if (n == PROTO_COUNT)
				return fail(err, lineno, "protocol: unknown %q (expected auto, own, "
							 "multiboot1, multiboot2, linux)", val);
			e->protocol = n;
		} else if (k == K_CMDLINE) {
			e->cmdline = val;
		} else if (k == K_MODULE) {
			if (e->nmodules == BOOT_MODULES_MAX)
				return fail(err, lineno, "more than %u module= lines in one entry",
					    (u32)BOOT_MODULES_MAX);
			e->module_line[e->nmodules] = lineno;
			e->modules[e->nmodules++] = val;
		} else {
			e->initrd = val;
			e->initrd_line = lineno;
		}
	}
	if (!e)
		return fail(err, 0, "no entries: the file has no title= line");
	if ((msg = finish_entry(cfg, err)))
		return msg;
	if (def) {
		if (parse_u32(def, &n)) {
			if (!n || n > cfg->nentries)
				return fail(err, def_line, "default: there is no entry %u (entries are "
							   "numbered 1 to %u)", n, cfg->nentries);
			cfg->default_entry = n - 1;
		} else {
			for (n = 0; n < cfg->nentries && !streq(def, cfg->entries[n].title); n++)
				;
			if (n == cfg->nentries)
				return fail(err, def_line, "default: no entry is titled %q", def);
			cfg->default_entry = n;
		}
	}
	return 0;
}
