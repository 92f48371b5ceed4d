/*
 * What the host tools (tools/mkimage.c, tools/install.c) share besides the
 * boot formats (tools/bootpatch.h): how they stop, and how they read a file.
 */
#ifndef HOSTIO_H
#define HOSTIO_H

#include <stddef.h>
#include <stdint.h>

/* The tool's name, for its messages ("install: ..."); set first thing. */
extern const char *host_prog;

/* "<prog>: <message>" on stderr, exit status 1. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The whole of a file; `what` names it in the messages ("kernel", ...).
 * Stops with a message when it cannot be read. */
uint8_t *read_file(const char *path, size_t *len, const char *what);

#endif
