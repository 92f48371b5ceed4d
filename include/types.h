/*
 * Fixed-width types for code built three ways: real-mode stage2 (gcc -m16),
 * the 32/64-bit kernel, and host tools.  Freestanding builds have stdint.h
 * from gcc itself, so this works without a libc.
 */
#ifndef TYPES_H
#define TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;

#endif
