/* Files; see file.h. */
#include "file.h"
#include "console.h"
#include "head.h"
#include "io.h"
#include "layout.h"
#include "volume.h"

/* Through the bounce buffer in the largest transfers the BIOS takes: a read
 * of n sectors lands at BOUNCE_BUF_ADDR and is copied where it belongs. */
static void raw_read(struct file *f, u64 off, u32 len, u8 *dst)
{
	while (len) {
		u32 skip = (u32)off & (SECTOR_SIZE - 1);
		u32 want = (skip + len + SECTOR_SIZE - 1) / SECTOR_SIZE;
		u32 n = want < DISK_XFER_MAX ? want : DISK_XFER_MAX;
		u32 chunk = n * SECTOR_SIZE - skip;
		u64 bad;

		if (chunk > len)
			chunk = len;
		if (disk_read(&boot_disk, f->lba + (off >> 9), n, BOUNCE_BUF_ADDR, &bad))
			die("disk read error at LBA %llu (drive 0x%x) reading %s", bad,
			    boot_disk.drive, f->name);
		memcpy(dst, phys(BOUNCE_BUF_ADDR + skip), chunk);
		off += chunk;
		dst += chunk;
		len -= chunk;
	}
}

void file_read(struct file *f, u64 off, u32 len, void *dst)
{
	if (off > f->size || len > f->size - off)
		die("internal: read of %u bytes at %llu past the end of %s (%llu bytes)", len, off,
		    f->name, f->size);
	if (off < f->prefix_len) {
		u32 n = f->prefix_len - (u32)off < len ? f->prefix_len - (u32)off : len;

		memcpy(dst, f->prefix + (u32)off, n);
		off += n;
		dst = (u8 *)dst + n;
		len -= n;
		if (!len)
			return;
	}
	if (f->kind == FILE_MEM) {
		memmove(dst, f->mem + (u32)off, len);
	} else if (f->kind == FILE_FAT) {
		const char *err = volume_read(f, off, len, dst);
		if (err)
			die("%s: %s", f->name, err);
	} else {
		raw_read(f, off, len, dst);
	}
}

void file_raw(struct file *f, const char *name, u64 lba, u64 size)
{
	u64 sectors = (size + SECTOR_SIZE - 1) / SECTOR_SIZE;

	*f = (struct file){ .name = name, .size = size, .kind = FILE_RAW, .lba = lba };
	if (boot_disk.sectors && lba + sectors > boot_disk.sectors)
		die("the image is truncated: %s ends at sector %llu, the disk has %llu", name,
		    lba + sectors, boot_disk.sectors);
}
