/*
 * Values written to QEMU's isa-debug-exit device (port QEMU_EXIT_PORT) once
 * fw_cfg has said this is QEMU; QEMU exits with (value << 1) | 1.  The
 * launcher (tools/qemu-run) reads this file to turn exit codes into words.
 * On anything that is not QEMU nothing is written: the loader halts.
 */
#ifndef STATUS_H
#define STATUS_H

#define QEMU_EXIT_PORT 0xf4
#define QEMU_FW_CFG_SELECTOR 0x510
#define QEMU_FW_CFG_DATA 0x511

#define STATUS_KERNEL_OK 0x10    /* kernel printed "end ok" */
#define STATUS_KERNEL_FAIL 0x11  /* kernel printed "end fail ..." */
#define STATUS_LOADER_ERROR 0x12 /* stage2 stopped with a message */

#endif
