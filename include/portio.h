/* x86 port I/O, identical in real, protected and long mode. */
#ifndef PORTIO_H
#define PORTIO_H

#include <stdint.h>

#include "status.h"

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* COM1, programmed for 115200 8N1 with every wait bounded: a board without
 * a UART reads 0xFF from the line status register and is skipped. */
#define COM1_PORT 0x3f8
#define UART_LSR 5
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define DEBUGCON_PORT 0xe9 /* QEMU isa-debugcon, Bochs port_e9_hack */
#define POST_PORT 0x80

static inline int serial_init(void)
{
	if (inb(COM1_PORT + UART_LSR) == 0xff)
		return 0;
	outb(COM1_PORT + 1, 0x00); /* no interrupts */
	outb(COM1_PORT + 3, 0x80); /* DLAB */
	outb(COM1_PORT + 0, 0x01); /* divisor 1: 115200 baud */
	outb(COM1_PORT + 1, 0x00);
	outb(COM1_PORT + 3, 0x03); /* 8N1 */
	outb(COM1_PORT + 2, 0xc7); /* FIFO on, cleared */
	outb(COM1_PORT + 4, 0x03); /* DTR, RTS */
	return 1;
}

static inline void serial_putc(char c)
{
	for (unsigned spin = 0; spin < 100000; spin++)
		if (inb(COM1_PORT + UART_LSR) & UART_LSR_THRE)
			break;
	outb(COM1_PORT, (uint8_t)c);
}

/* A byte from COM1 if one has arrived, else -1. */
static inline int serial_getc(void)
{
	if ((inb(COM1_PORT + UART_LSR) & (UART_LSR_DR | 0x80)) != UART_LSR_DR)
		return -1; /* nothing, or no UART (0xFF) */
	return inb(COM1_PORT);
}

/* fw_cfg's signature register reads "QEMU" under QEMU and 0xFF elsewhere. */
static inline int running_under_qemu(void)
{
	static const char sig[4] = { 'Q', 'E', 'M', 'U' };

	outw(QEMU_FW_CFG_SELECTOR, 0x0000);
	for (int i = 0; i < 4; i++)
		if (inb(QEMU_FW_CFG_DATA) != (uint8_t)sig[i])
			return 0;
	return 1;
}

/* Ends an emulator run by itself: QEMU exits with STATUS_KERNEL_OK or
 * STATUS_KERNEL_FAIL, Bochs quits (the verdict is the last line printed);
 * real hardware just halts.  Shared by the example kernel and the test
 * kernels.
 *
 * Under Bochs, "xchg bx, bx" comes first: Bochs' magic breakpoint.  With
 * "magic_break: enabled=1" (tools/bochs-run --dump) it stops the guest in
 * the built-in debugger after the last line, while memory is still as the
 * loader and the kernel left it, so the runner can read it (xp) before
 * letting the shutdown below happen; without that option, and on QEMU and
 * real hardware, it is an ordinary no-op exchange (66 87 DB in 32- and
 * 64-bit code: the 16-bit form Bochs needs). */
static inline _Noreturn void emulator_finish(int ok)
{
	if (running_under_qemu()) {
		outb(QEMU_EXIT_PORT, ok ? STATUS_KERNEL_OK : STATUS_KERNEL_FAIL);
	} else if (inb(DEBUGCON_PORT) == DEBUGCON_READBACK) {
		__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
		for (const char *s = BOCHS_SHUTDOWN_STRING; *s; s++)
			outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
	}
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif
