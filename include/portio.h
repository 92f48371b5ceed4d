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

#endif
