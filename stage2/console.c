/*
 * Console: COM1 and the 0xE9 debug port get every line (a serial cable,
 * QEMU's -serial and Bochs' port_e9_hack), the screen (INT 10h teletype) only
 * what a person at the machine needs: the menu and a failure.  The BIOS
 * teletype costs some 300 instructions a character, more than the rest of a
 * quiet boot (make bench, tools/inscount), for lines nobody reads when the
 * boot goes well.
 */
#include <stdarg.h>

#include "bios.h"
#include "console.h"
#include "format.h"
#include "io.h"

static int have_serial;
/* A video mode is set for the kernel: INT 10h teletype would draw into its
 * framebuffer (SeaBIOS's VGA BIOS writes characters in graphics modes). */
static int graphics;

void console_init(void)
{
	have_serial = serial_init();
}

static void bios_putc(char c)
{
	struct biosregs r;

	initregs(&r);
	r.ah = 0x0e;
	r.al = (u8)c;
	r.bx = 0x0007; /* page 0, light grey */
	intcall(0x10, &r, 0);
}

void console_graphics(int on)
{
	graphics = on;
}

/* ctx: non-zero to put c on the screen too. */
static void console_putc(char c, void *ctx)
{
	if (c == '\n')
		console_putc('\r', ctx);
	if (ctx && !graphics)
		bios_putc(c);
	if (have_serial)
		serial_putc(c);
	outb(DEBUGCON_PORT, (u8)c);
}

void print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(console_putc, 0, fmt, ap);
	va_end(ap);
}

void show(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(console_putc, (void *)1, fmt, ap);
	va_end(ap);
}

struct sink {
	char *p, *end;
};

static void sink_putc(char c, void *ctx)
{
	struct sink *s = ctx;

	if (s->p < s->end)
		*s->p++ = c;
}

void format_string(char *buf, u32 size, const char *fmt, ...)
{
	struct sink s = { buf, buf + size - 1 };
	va_list ap;

	va_start(ap, fmt);
	vformat(sink_putc, &s, fmt, ap);
	va_end(ap);
	*s.p = 0;
}

void post(u8 code)
{
	outb(POST_PORT, code);
}

_Noreturn void die(const char *fmt, ...)
{
	va_list ap;

	post(POST_ERROR);
	if (graphics) {
		/* Back to text (mode 3) so the message shows on screen. */
		struct biosregs r;
		initregs(&r);
		r.ax = 0x0003;
		intcall(0x10, &r, 0);
		graphics = 0;
	}
	show("stage2: error: ");
	va_start(ap, fmt);
	vformat(console_putc, (void *)1, fmt, ap);
	va_end(ap);
	show("\nstage2: boot stopped.\n");
	if (running_under_qemu())
		outb(QEMU_EXIT_PORT, STATUS_LOADER_ERROR);
	for (;;)
		__asm__ volatile("sti; hlt");
}
