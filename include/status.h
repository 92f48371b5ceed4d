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

/*
 * Bochs has no exit-status device.  Its port_e9_hack makes a read of port
 * 0xE9 (DEBUGCON_PORT, portio.h) return 0xE9, where real hardware with
 * nothing there reads 0xFF; QEMU's isa-debugcon reads back 0xE9 too, so
 * fw_cfg is asked first.  Writing BOCHS_SHUTDOWN_STRING one byte at a time
 * to BOCHS_SHUTDOWN_PORT makes Bochs quit (Bochs' iodev/unmapped.cc); the
 * result then travels only as the "end ok"/"end fail" line on port 0xE9,
 * which tools/bochs-run reads.  Only written when an emulator answered:
 * on a real board 0x8900 may belong to a PCI device.
 */
#define DEBUGCON_READBACK 0xe9
#define BOCHS_SHUTDOWN_PORT 0x8900
#define BOCHS_SHUTDOWN_STRING "Shutdown"

#define STATUS_KERNEL_OK 0x10    /* kernel printed "end ok" */
#define STATUS_KERNEL_FAIL 0x11  /* kernel printed "end fail ..." */
#define STATUS_LOADER_ERROR 0x12 /* stage2 stopped with a message */

#endif
