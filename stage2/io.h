/* Port I/O and physical-memory helpers for real-mode stage2. */
#ifndef IO_H
#define IO_H

#include "types.h"

#ifdef HOST_FAKE_BIOS
/* The host tests' fake chipset (tests/host/fake_bios.c). */
#define POST_PORT 0x80
u8 inb(u16 port);
void outb(u16 port, u8 v);
#else
#include "portio.h"
#endif

/* About 1 us on any PC.  A read, so the POST code shown on port 0x80 stays. */
static inline void io_delay(void)
{
	(void)inb(POST_PORT);
}

/* Stage2 runs flat (include/layout.h): a physical address below 4 GiB is a
 * pointer.  memcpy, memmove and memset (stage2/pm.asm) reach all of it.
 * The empty asm hides the value from gcc: a constant address folded into an
 * instruction would be encoded as a 16-bit absolute operand under -m16
 * (the assembler refuses those above 64 KiB), while a register base gets
 * 32-bit addressing. */
static inline void *phys(u64 addr)
{
	u32 a = (u32)addr;

	__asm__("" : "+r"(a));
	return (void *)(uintptr_t)a;
}

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
