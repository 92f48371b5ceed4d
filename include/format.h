/*
 * printf-style formatting for the freestanding builds (stage2 in real mode,
 * the example kernel in 32 and 64 bits) and the host tests.  No libgcc: a
 * real-mode stage2 cannot call its 32-bit helpers, so 64-bit decimal output
 * divides by 10 with shifts.
 *
 * Conversions: %c %s %d %u %x %X with an optional '0' flag and width, and the
 * length modifiers l and ll (so %llx, %016llx, %llu), plus %%.
 */
#ifndef FORMAT_H
#define FORMAT_H

#include <stdarg.h>
#include <stdint.h>

typedef void (*format_putc_fn)(char c, void *ctx);

static inline uint64_t format_divmod10(uint64_t n, unsigned *rem)
{
	uint64_t q = 0, r = 0;

	for (int bit = 63; bit >= 0; bit--) {
		r = (r << 1) | ((n >> bit) & 1);
		if (r >= 10) {
			r -= 10;
			q |= (uint64_t)1 << bit;
		}
	}
	*rem = (unsigned)r;
	return q;
}

static inline void format_number(format_putc_fn putc, void *ctx, uint64_t v, int base,
				 int width, char pad, int upper, int negative)
{
	char buf[24];
	int n = 0;
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	do {
		unsigned d;
		if (base == 16) {
			d = (unsigned)(v & 15);
			v >>= 4;
		} else {
			v = format_divmod10(v, &d);
		}
		buf[n++] = digits[d];
	} while (v);
	if (negative)
		width--;
	if (negative && pad == '0')
		putc('-', ctx);
	for (; width > n; width--)
		putc(pad, ctx);
	if (negative && pad != '0')
		putc('-', ctx);
	while (n)
		putc(buf[--n], ctx);
}

static inline void vformat(format_putc_fn putc, void *ctx, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putc(*fmt, ctx);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, longs = 0;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 'c':
			putc((char)va_arg(ap, int), ctx);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = 0;
			if (!s)
				s = "(null)";
			while (s[len])
				len++;
			for (; width > len; width--)
				putc(' ', ctx);
			while (*s)
				putc(*s++, ctx);
			break;
		}
		case 'd':
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v;
			int negative = 0;
			if (*fmt == 'd') {
				int64_t sv = longs >= 2 ? va_arg(ap, long long)
					   : longs ? va_arg(ap, long) : va_arg(ap, int);
				negative = sv < 0;
				v = negative ? (uint64_t)0 - (uint64_t)sv : (uint64_t)sv;
			} else {
				v = longs >= 2 ? va_arg(ap, unsigned long long)
				  : longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			}
			format_number(putc, ctx, v, (*fmt == 'x' || *fmt == 'X') ? 16 : 10,
				      width, pad, *fmt == 'X', negative);
			break;
		}
		case '%':
			putc('%', ctx);
			break;
		case '\0':
			return;
		default:
			putc('%', ctx);
			putc(*fmt, ctx);
		}
	}
}

#endif
