/* The boot volume; see volume.h. */
#include "volume.h"
#include "console.h"
#include "fat.h"
#include "head.h"
#include "io.h"
#include "layout.h"
#include "part.h"
#include "physmem.h"

static struct blockdev bd;
static struct part_table table;
/* In the heap: its FAT window (FAT_CACHE_SECTORS) is larger than static
 * data has room for. */
static struct fat_volume *vol;
static const struct part *boot_part;

static int bd_read(struct blockdev *b, u64 lba, u32 count, void *dst)
{
	return disk_read_to(&boot_disk, lba, count, dst, &b->bad_lba);
}

/* The FAT reader's messages say "(... in detail)" where a number goes:
 * put it there. */
static const char *explain(const char *msg, u64 detail)
{
	static const char mark[] = "in detail";
	static char head[128], buf[160];
	u32 n = 0;

	while (msg[n] && memcmp(msg + n, mark, sizeof(mark) - 1))
		n++;
	if (!msg[n] || n >= sizeof(head))
		return msg;
	memcpy(head, msg, n);
	head[n] = 0;
	format_string(buf, sizeof(buf), "%s%llu%s", head, detail, msg + n + sizeof(mark) - 1);
	return buf;
}

/* NULL when partition p holds a FAT file system with the configuration;
 * *mounted says whether the file system was there. */
static const char *try_partition(const struct part *p, int *mounted)
{
	static struct fat_file cfg;
	const char *err = fat_mount(vol, &bd, p->start, p->sectors);

	*mounted = !err;
	if (!err)
		err = fat_open(vol, LOADER_CFG_PATH, &cfg);
	return err ? explain(err, vol->detail) : 0;
}

void volume_mount(u32 pinned)
{
	const char *err;

	bd = (struct blockdev){ .read = bd_read, .sectors = boot_disk.sectors };
	vol = heap_alloc(sizeof(*vol));
	memset(vol, 0, sizeof(*vol));
	err = part_scan(&bd, &table);
	if (err)
		die("drive 0x%x: no partition table to find the boot volume in: %s",
		    boot_disk.drive, err);
	if (pinned) {
		const struct part *p = part_find(&table, pinned);
		if (!p)
			die("drive 0x%x has no partition %u, which the loader was installed to boot "
			    "from",
			    boot_disk.drive, pinned);
		int mounted;
		if ((err = try_partition(p, &mounted)))
			die("partition %u (LBA %llu): %s%s", pinned, p->start,
			    mounted ? LOADER_CFG_PATH ": " : "not a FAT file system: ", err);
		boot_part = p;
		return;
	}
	/* The active partition first (some BIOSes and users rely on it), then
	 * the others in table order. */
	for (int pass = 0; pass < 2 && !boot_part; pass++)
		for (u32 i = 0; i < table.count && !boot_part; i++) {
			const struct part *p = &table.part[i];
			if ((pass == 0) != (p->active != 0))
				continue;
			int mounted;
			if (!try_partition(p, &mounted))
				boot_part = p;
		}
	if (!boot_part)
		die("drive 0x%x: none of its %u partitions is a FAT file system holding %s",
		    boot_disk.drive, table.count, LOADER_CFG_PATH);
	/* try_partition left the last one tried mounted: the right one. */
}

const char *volume_open(const char *path, struct file *f)
{
	const char *err;

	*f = (struct file){ .name = path, .kind = FILE_FAT };
	err = fat_open(vol, path, &f->fat);
	if (err)
		return explain(err, vol->detail);
	if (f->fat.attr & FAT_ATTR_DIRECTORY)
		return "is a directory";
	f->size = f->fat.size;
	return 0;
}

const char *volume_read(struct file *f, u64 off, u32 len, void *dst)
{
	const char *err = fat_read(&f->fat, (u32)off, len, dst);

	return err ? explain(err, vol->detail) : 0;
}

u32 volume_partition(void)
{
	return boot_part->index;
}

u64 volume_lba(void)
{
	return boot_part->start;
}
