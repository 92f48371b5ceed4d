/*
 * libFuzzer harness for the /boot/loader.cfg parser (stage2/config.c): any
 * text must give either a message naming a line (or an entry) or a
 * boot_config whose every string lies inside the text and is NUL-terminated
 * there, within the documented limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static void check_str(const char *s, const char *buf, size_t len, int may_be_null)
{
	if (!s) {
		if (!may_be_null)
			__builtin_trap();
		return;
	}
	if (!*s && s[0] == 0 && (s < buf || s > buf + len)) /* cmdline's "" default */
		return;
	if (s < buf || s > buf + len || !memchr(s, 0, (size_t)(buf + len + 1 - s)))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_config cfg;
	struct config_error err;
	char *buf = malloc(size + 1); /* exactly what the parser may touch */

	memcpy(buf, data, size);
	const char *msg = config_parse(buf, (u32)size, &cfg, &err);
	if (msg) {
		if (msg != err.msg || !*msg || !memchr(err.msg, 0, sizeof(err.msg)))
			__builtin_trap();
	} else {
		if (!cfg.nentries || cfg.nentries > BOOT_ENTRIES_MAX ||
		    cfg.default_entry >= cfg.nentries)
			__builtin_trap();
		for (u32 i = 0; i < cfg.nentries; i++) {
			const struct boot_entry *e = &cfg.entries[i];
			check_str(e->title, buf, size, 0);
			check_str(e->kernel, buf, size, 0);
			check_str(e->cmdline, buf, size, 0);
			check_str(e->initrd, buf, size, 1);
			if (!*e->title || !*e->kernel || e->nmodules > BOOT_MODULES_MAX ||
			    e->protocol >= PROTO_COUNT)
				__builtin_trap();
			for (u32 m = 0; m < e->nmodules; m++)
				check_str(e->modules[m], buf, size, 0);
		}
	}
	free(buf);
	return 0;
}
