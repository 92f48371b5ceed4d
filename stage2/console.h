#ifndef CONSOLE_H
#define CONSOLE_H

#include "types.h"

void console_init(void);
void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "stage2: error: <msg>" everywhere, then halts (under QEMU: exits
 * with STATUS_LOADER_ERROR so scripts end by themselves). */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress byte on the POST port, for debug cards and -d trace. */
void post(u8 code);

#endif
