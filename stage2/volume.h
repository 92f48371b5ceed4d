/*
 * The boot volume: the FAT partition that holds /boot/loader.cfg and every
 * file its entries name.  The installer may pin it (the stage2 header's
 * partition number); otherwise it is the first FAT partition, the active one
 * before the others, where /boot/loader.cfg exists.
 */
#ifndef VOLUME_H
#define VOLUME_H

#include "bootinfo.h"
#include "file.h"
#include "types.h"

#define LOADER_CFG_PATH "/boot/loader.cfg"
/* The largest /boot/loader.cfg read (it lives in the loader's heap). */
#define LOADER_CFG_MAX 32768

/* Finds and mounts the boot volume; stops with a message naming what it
 * looked at when there is none. */
void volume_mount(u32 pinned_partition);

/* Opens an absolute path on the boot volume.  NULL, or what is wrong. */
const char *volume_open(const char *path, struct file *f);
/* For file_read: NULL, or what is wrong (a broken cluster chain, a disk
 * error: the LBA is in the message). */
const char *volume_read(struct file *f, u64 off, u32 len, void *dst);

/* The boot partition's number (1-based, as the partition table counts) and
 * its first sector. */
u32 volume_partition(void);
u64 volume_lba(void);

#endif
