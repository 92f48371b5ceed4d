/*
 * Types for gdb: stage2 is built without debug information (its code is
 * what counts, and DWARF cannot describe its segmented addresses anyway),
 * so tools/gdb/boot.py loads this object's DWARF for the structures worth
 * printing while stage2 runs, e.g.
 *     p *(struct e820_entry *)&e820_buf
 *     p *(struct memdetect *)$eax       (regparm: first argument in EAX)
 *     p *(struct biosregs *)$edx        (intcall's "in" registers)
 * Built with -m32 (the same layout as stage2's -m16) and
 * -fno-eliminate-unused-debug-types; it has no code or data.
 */
#include "bios.h"
#include "bootinfo.h"
#include "e820.h"
#include "elf.h"
#include "memory.h"
