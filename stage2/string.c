/* gcc emits calls to the string primitives for struct copies and
 * initialisers even in freestanding code; memcpy, memmove and memset are in
 * stage2/pm.asm, where they reach all of flat memory at rep-movsd speed. */
#include "io.h"

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}
