/*
 * INT 15h memory-size interfaces as the BIOS presents them (ACPI spec,
 * "System Address Map Interfaces"; Phoenix BIOS 4.0 user's manual for E801).
 */
#ifndef E820_H
#define E820_H

#include "types.h"

#define E820_SMAP 0x534d4150u /* "SMAP", in EDX on the call, in EAX on return */
#define E820_FUNC 0xe820u
#define E801_FUNC 0xe801u
#define INT15_88H 0x88u

/* ACPI 1.0 entries are 20 bytes; ACPI 3.0 added the extended attributes. */
#define E820_ENTRY_SIZE_ACPI1 20u
#define E820_ENTRY_SIZE_ACPI3 24u

/* Address range types.  Values outside this list are legal input (an AMI CSM
 * returned 2954887168) and are treated as reserved by the sanitizer. */
#define E820_TYPE_USABLE 1u
#define E820_TYPE_RESERVED 2u
#define E820_TYPE_ACPI 3u        /* ACPI reclaimable */
#define E820_TYPE_ACPI_NVS 4u
#define E820_TYPE_UNUSABLE 5u    /* bad memory */
#define E820_TYPE_DISABLED 6u
#define E820_TYPE_PERSISTENT 7u

/* ACPI 3.0 extended attributes, bit 0: "the entry is valid".  Some BIOSes
 * clear it on every entry, so it is honoured only if some entry sets it. */
#define E820_ATTR_VALID 0x1u
#define E820_ATTR_NONVOLATILE 0x2u

struct e820_entry {
	u64 base;   /* 0 */
	u64 length; /* 8 */
	u32 type;   /* 16 */
	u32 attr;   /* 20: ACPI 3.0 extended attributes */
} __attribute__((packed));

_Static_assert(sizeof(struct e820_entry) == E820_ENTRY_SIZE_ACPI3, "e820_entry");

/* E801 reports 1 MiB..16 MiB in KiB (at most 15 MiB) and 16 MiB.. in 64 KiB
 * blocks; 88h reports KiB above 1 MiB in AX. */
#define E801_LOW_MAX_KIB 0x3c00u
#define E801_HIGH_BLOCK 0x10000u

#endif
