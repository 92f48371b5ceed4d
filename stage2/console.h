#ifndef CONSOLE_H
#define CONSOLE_H

#include "types.h"

void console_init(void);
void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like snprintf: at most size - 1 characters, always NUL-terminated. */
void format_string(char *buf, u32 size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints "stage2: error: <msg>" everywhere, then halts (under QEMU: exits
 * with STATUS_LOADER_ERROR so scripts end by themselves). */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress on POST port 0x80, for debug cards (README.md lists the codes):
 * the last code shown says how far the boot got.  The MBR's own codes are
 * printable ('M', newline, '!') and go to port 0xE9 as well. */
enum post_code {
	POST_STAGE2 = 0xb0,
	POST_A20 = 0xb1,
	POST_MEMORY = 0xb2,
	POST_DISK = 0xb3,
	POST_KERNEL = 0xb4,
	POST_PAGING = 0xb5,
	POST_JUMP = 0xb6,
	POST_ERROR = 0xbf, /* die(): the message says why */
};
void post(u8 code);

#endif
