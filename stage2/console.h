#ifndef CONSOLE_H
#define CONSOLE_H

#include "post.h"
#include "types.h"

void console_init(void);
/* on: a video mode is set, so nothing goes to the screen (die()
 * sets text mode 3 again first). */
void console_graphics(int on);
/* To COM1 and port 0xE9: the progress of a boot. */
void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* To the screen as well: what a person at the machine must see. */
void show(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like snprintf: at most size - 1 characters, always NUL-terminated. */
void format_string(char *buf, u32 size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Shows "stage2: error: <msg>" everywhere, then halts (under QEMU: exits
 * with STATUS_LOADER_ERROR so scripts end by themselves). */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress on POST port 0x80 (include/post.h has the codes). */
void post(u8 code);

#endif
