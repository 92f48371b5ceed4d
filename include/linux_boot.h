/*
 * The Linux/x86 boot protocol (Documentation/arch/x86/boot.rst): the setup
 * header in a bzImage's first sectors and the "zero page" (struct
 * boot_params) a boot loader fills.  Offsets are from the file's (and the
 * zero page's) start, as the protocol document gives them.
 */
#ifndef LINUX_BOOT_H
#define LINUX_BOOT_H

#define LINUX_BOOT_FLAG_OFF 0x1FE   /* 0xAA55 */
#define LINUX_HEADER_OFF 0x202      /* "HdrS" */
#define LINUX_HEADER_MAGIC 0x53726448
#define LINUX_SETUP_HEADER_END 0x206 /* enough of the file to recognise one */

#endif
