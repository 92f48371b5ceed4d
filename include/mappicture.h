/*
 * The memory map as a picture: the colours and the scale that the example
 * kernel (kernel/screen.c), tools/mapview and the tests that check them all
 * use.  Python reads these lines (tests/boot/bootlib.py define()), so each
 * stays a plain "#define NAME value".
 *
 * The band: the map's ranges left to right in address order, with a hole
 * segment wherever one range ends below the next one's base.  Segment i
 * gets the weight
 *     MAP_WEIGHT_BASE + floor(log2(max(length / 1 KiB, 1)))
 * (a 1 KiB range 2, a 4 KiB page 4, 8 GiB 25: every range shows, however
 * small next to the rest), and with C_i the sum of the weights before it
 * and T the sum of all, it spans the columns
 *     [x + width * C_i / T, x + width * C_(i+1) / T)      (integer division)
 * of a band that starts at column x and is width columns wide.
 */
#ifndef MAPPICTURE_H
#define MAPPICTURE_H

#define MAP_WEIGHT_BASE 2

/* 0xRRGGBB, one per map type (README.md's report names), for holes (no
 * range of the map there), the background and the text. */
#define MAP_RGB_USABLE 0x38b038
#define MAP_RGB_RESERVED 0xb03838
#define MAP_RGB_ACPI_RECLAIMABLE 0xe0c030
#define MAP_RGB_ACPI_NVS 0xe07820
#define MAP_RGB_BAD 0xff30ff
#define MAP_RGB_PERSISTENT 0x30c0c0
#define MAP_RGB_LOADER 0x4070e0
#define MAP_RGB_KERNEL 0x9850e8
#define MAP_RGB_MODULE 0x90d0f8
#define MAP_RGB_HOLE 0x505050
#define MAP_RGB_BACKGROUND 0x000000
#define MAP_RGB_TEXT 0xc8c8c8

/* In VGA text mode: the colour (0-15) of a full block (CP437 0xDB) per
 * type, on black. */
#define MAP_VGA_USABLE 0x0a
#define MAP_VGA_RESERVED 0x0c
#define MAP_VGA_ACPI_RECLAIMABLE 0x0e
#define MAP_VGA_ACPI_NVS 0x06
#define MAP_VGA_BAD 0x0d
#define MAP_VGA_PERSISTENT 0x0b
#define MAP_VGA_LOADER 0x09
#define MAP_VGA_KERNEL 0x05
#define MAP_VGA_MODULE 0x03
#define MAP_VGA_HOLE 0x08
#define MAP_VGA_TEXT 0x07

/* The VGA text band: row (from the top) of an 80x25 screen; the legend
 * takes the rows under it, and text scrolls above it once it is drawn. */
#define MAP_VGA_BAND_ROW 22

#endif
