/*
 * The /boot/loader.cfg parser, pure (README.md, "The configuration file", is the format).
 * Parses in place: text must have room for len + 1 bytes (a NUL is written
 * at text[len]); line ends and trailing blanks become NULs and every string
 * in the boot_config points into text, which must stay alive.
 */
#ifndef STAGE2_CONFIG_H
#define STAGE2_CONFIG_H

#include "bootentry.h"
#include "types.h"

#define CONFIG_LINE_MAX 4095 /* bytes in one line, without its line end */
#define CONFIG_MSG_MAX 200

struct config_error {
	u32 line;                 /* 1-based; 0 when the problem is not one line's */
	char msg[CONFIG_MSG_MAX]; /* "line 7: unknown key 'kernal' (...)", or
				   * "entry 2 ('Rescue') has no kernel=" */
};

/* NULL on success, else err->msg; the caller prefixes the file name. */
const char *config_parse(char *text, u32 len, struct boot_config *cfg, struct config_error *err);

#endif
