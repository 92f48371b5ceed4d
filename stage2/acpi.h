/*
 * The ACPI Root System Description Pointer, which Multiboot2 (tags 14 and
 * 15) and the own protocol (bootinfo revision 2) hand over.  ACPI
 * specification 6.x, section 5.2.5: a 16-byte aligned "RSD PTR " structure in
 * the first KiB of the EBDA or in 0xE0000-0xFFFFF; bytes 0..19 sum to 0, and
 * from revision 2 on, all `length` bytes do too.
 */
#ifndef ACPI_H
#define ACPI_H

#include "types.h"

#define ACPI_RSDP_SIGNATURE "RSD PTR "
#define ACPI_RSDP_V1_SIZE 20
#define ACPI_RSDP_V2_SIZE 36
#define ACPI_RSDP_OFF_REVISION 15
#define ACPI_RSDP_OFF_LENGTH 20
#define ACPI_EBDA_SCAN 1024
#define ACPI_BIOS_AREA 0xE0000
#define ACPI_BIOS_AREA_SIZE 0x20000

/* Pure: the offset in area[0..len) of the first valid RSDP on a 16-byte
 * boundary, or -1. */
s32 acpi_rsdp_scan(const u8 *area, u32 len);

/* The RSDP's physical address (EBDA first, then the BIOS area), or 0. */
u32 acpi_find_rsdp(u32 ebda_base);

#endif
