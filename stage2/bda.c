/* BIOS data area reads (segment 0x40, reached as linear 0x400 + offset with
 * DS = 0).  The host tests supply their own bda_read16(). */
#include "bios.h"

#define BDA_BASE 0x400u

u16 bda_read16(u16 offset)
{
	/* Through a variable so gcc does not treat a small constant address
	 * as a null-pointer dereference. */
	static volatile u32 base = BDA_BASE;
	const volatile u16 *p = (const volatile u16 *)(uintptr_t)(base + offset);

	return *p;
}
