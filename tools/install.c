/*
 * install: puts this loader's MBR code and stage2 onto a disk image or a
 * block device that already has a partition table, and takes it off again.
 *
 *   install [--partition N] [--dry-run] [--backup FILE] [--gpt-active]
 *           [--mbr FILE] [--stage2 FILE] DISK
 *   install --uninstall --backup FILE [--dry-run] [--force] DISK
 *
 * (`make install DISK=... [PARTITION=n] [DRY_RUN=1] [BACKUP=file]
 * [GPT_ACTIVE=1]` and `make uninstall DISK=... BACKUP=file [FORCE=1]`.)
 * mbr.bin and stage2.bin come from $BUILD_DIR (default build/).
 *
 * What to write is planned and checked by tools/instplan.c, which reads the
 * disk and nothing else; this file is the I/O around it: it refuses targets
 * that must not be written (a mounted file system on the disk or any of its
 * partitions, a device in use, 4096-byte sectors, a partition instead of a
 * whole disk), prints the plan, saves the backup, writes stage2 and then
 * LBA 0, and reads every written sector back.  A refusal writes nothing:
 * every check runs before the first write.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "bootpatch.h"
#include "hostio.h"
#include "crc32.h"
#include "instplan.h"
#include "layout.h"

static const char *disk_path = "";


/* --- the target ---------------------------------------------------------- */

struct disk {
	struct blockdev bd; /* first: the planner reads through it */
	int fd;
	int is_blk;
};

static int disk_pread(struct blockdev *bd, uint64_t lba, uint32_t count, void *dst)
{
	struct disk *d = (struct disk *)bd;
	size_t len = (size_t)count * SECTOR_SIZE, done = 0;

	if (lba >= bd->sectors || count > bd->sectors - lba) {
		bd->bad_lba = lba;
		return -1;
	}
	while (done < len) {
		ssize_t got = pread(d->fd, (uint8_t *)dst + done, len - done,
				    (off_t)(lba * SECTOR_SIZE + done));
		if (got <= 0) {
			bd->bad_lba = lba + done / SECTOR_SIZE;
			return -1;
		}
		done += (size_t)got;
	}
	return 0;
}

/* Block devices: a set of device numbers that must not be mounted. */
struct devset {
	dev_t dev[512];
	char why[512][300];
	unsigned n;
};

static void devset_add(struct devset *s, dev_t dev, const char *why)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->dev[i] == dev)
			return;
	if (s->n < sizeof(s->dev) / sizeof(s->dev[0])) {
		s->dev[s->n] = dev;
		snprintf(s->why[s->n++], sizeof(s->why[0]), "%s", why);
	}
}

static int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, (int)size, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int sysfs_dev(const char *path, dev_t *dev)
{
	char line[64];
	unsigned ma, mi;

	if (read_line(path, line, sizeof(line)) || sscanf(line, "%u:%u", &ma, &mi) != 2)
		return -1;
	*dev = makedev(ma, mi);
	return 0;
}

/* A block device's kernel name (sda, loop0p1) from its number. */
static int dev_name(dev_t dev, char *name, size_t size)
{
	char link[64], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(dev), minor(dev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = 0;
	snprintf(name, size, "%s", strrchr(target, '/') + 1);
	return 0;
}

/* dev and the partitions the kernel knows on it; refuses when any of them
 * is held by another driver (device mapper, RAID, LVM). */
static void add_disk_and_partitions(struct devset *s, dev_t dev, const char *label)
{
	char name[256], path[PATH_MAX], why[300];
	struct dirent *e;
	DIR *dir;

	devset_add(s, dev, label);
	if (dev_name(dev, name, sizeof(name)))
		return;
	snprintf(path, sizeof(path), "/sys/class/block/%s", name);
	if (!(dir = opendir(path)))
		return;
	while ((e = readdir(dir))) {
		char sub[PATH_MAX + 300];
		dev_t pdev;
		snprintf(sub, sizeof(sub), "%s/%s/partition", path, e->d_name);
		if (access(sub, F_OK))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s/dev", path, e->d_name);
		if (sysfs_dev(sub, &pdev))
			continue;
		snprintf(why, sizeof(why), "its partition %s", e->d_name);
		devset_add(s, pdev, why);
	}
	closedir(dir);
	for (unsigned i = 0; i < s->n; i++) {
		DIR *h;
		if (dev_name(s->dev[i], name, sizeof(name)))
			continue;
		snprintf(path, sizeof(path), "/sys/class/block/%s/holders", name);
		if (!(h = opendir(path)))
			continue;
		while ((e = readdir(h)))
			if (e->d_name[0] != '.')
				die("%s: %s (%s) is in use by %s (device mapper, RAID or LVM): "
				    "stop that first",
				    disk_path, name, s->why[i], e->d_name);
		closedir(h);
	}
}

/* Every loop device whose backing file is (ino, dev), with its partitions:
 * writing the file under a mounted loop device corrupts that file system. */
static void add_loops_over(struct devset *s, dev_t fdev, ino_t ino)
{
	struct dirent *e;
	DIR *dir = opendir("/sys/block");

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		char path[PATH_MAX], file[PATH_MAX];
		struct stat st;
		dev_t ldev;
		if (strncmp(e->d_name, "loop", 4))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", e->d_name);
		if (read_line(path, file, sizeof(file)) || stat(file, &st) || st.st_dev != fdev ||
		    st.st_ino != ino)
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/dev", e->d_name);
		if (sysfs_dev(path, &ldev))
			continue;
		add_disk_and_partitions(s, ldev, "a loop device over the same file");
	}
	closedir(dir);
}

/* Refuses when anything in s is mounted or used as swap. */
static void refuse_mounted(const struct devset *s)
{
	static const char *const tables[] = { "/proc/mounts", "/proc/swaps" };
	char line[4096];

	for (unsigned t = 0; t < 2; t++) {
		FILE *f = fopen(tables[t], "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			char src[PATH_MAX], where[PATH_MAX] = "";
			struct stat st;
			if (sscanf(line, "%4095s %4095s", src, where) < 1 || src[0] != '/' ||
			    stat(src, &st) || !S_ISBLK(st.st_mode))
				continue;
			for (unsigned i = 0; i < s->n; i++)
				if (st.st_rdev == s->dev[i]) {
					fclose(f);
					if (t == 1)
						die("%s: %s (%s) is in use as swap: swapoff it "
						    "first",
						    disk_path, src, s->why[i]);
					die("%s: %s (%s) is mounted on %s: unmount it first "
					    "(writing under a mounted file system corrupts it)",
					    disk_path, src, s->why[i], where);
				}
		}
		fclose(f);
	}
}

/* Opens the target, refusing what must not be written.  rw: open for
 * writing (a dry run opens read-only but checks the same). */
static void open_disk(struct disk *d, int rw)
{
	static struct devset s;
	struct stat st;

	if (stat(disk_path, &st))
		die("%s: %s", disk_path, strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		char name[256], path[PATH_MAX];
		d->is_blk = 1;
		if (!dev_name(st.st_rdev, name, sizeof(name))) {
			snprintf(path, sizeof(path), "/sys/class/block/%s/partition", name);
			if (!access(path, F_OK))
				die("%s is a partition (%s), not a whole disk: give the disk it "
				    "is on (the loader's code goes into the disk's first sectors)",
				    disk_path, name);
		}
		add_disk_and_partitions(&s, st.st_rdev, "the disk itself");
		snprintf(path, sizeof(path), "/sys/class/block/%s/loop/backing_file", name);
		char file[PATH_MAX];
		struct stat fst;
		if (!read_line(path, file, sizeof(file)) && !stat(file, &fst))
			add_loops_over(&s, fst.st_dev, fst.st_ino);
	} else if (S_ISREG(st.st_mode)) {
		add_loops_over(&s, st.st_dev, st.st_ino);
	} else {
		die("%s is neither a block device nor a disk image file", disk_path);
	}
	refuse_mounted(&s);

	/* O_EXCL on a block device: the kernel refuses it while a file system,
	 * swap, RAID or device mapper holds the device. */
	d->fd = open(disk_path, (rw ? O_RDWR : O_RDONLY) | (d->is_blk ? O_EXCL : 0));
	if (d->fd < 0 && errno == EBUSY)
		die("%s is in use (mounted, or held by another program): the kernel refused to "
		    "open it exclusively",
		    disk_path);
	if (d->fd < 0)
		die("cannot open %s%s: %s", disk_path, rw ? " for writing" : "", strerror(errno));
	if (d->is_blk) {
		int ssz = 0;
		uint64_t bytes = 0;
		if (ioctl(d->fd, BLKSSZGET, &ssz) || ioctl(d->fd, BLKGETSIZE64, &bytes))
			die("%s: cannot ask the device for its sector size and size: %s",
			    disk_path, strerror(errno));
		if (ssz != SECTOR_SIZE)
			die("%s has %d-byte logical sectors: BIOSes boot through INT 13h, which "
			    "reads 512-byte sectors, so this disk cannot boot the loader (some "
			    "USB bridges do this; use another adapter or stick)",
			    disk_path, ssz);
		d->bd.sectors = bytes / SECTOR_SIZE;
	} else {
		if (st.st_size % SECTOR_SIZE)
			die("%s is %lld bytes, not a whole number of 512-byte sectors: not a disk "
			    "image (or a truncated one)",
			    disk_path, (long long)st.st_size);
		d->bd.sectors = (uint64_t)st.st_size / SECTOR_SIZE;
	}
	d->bd.read = disk_pread;
}

static void write_sectors(struct disk *d, uint64_t lba, const uint8_t *buf, uint32_t n)
{
	size_t len = (size_t)n * SECTOR_SIZE, done = 0;

	while (done < len) {
		ssize_t put = pwrite(d->fd, buf + done, len - done,
				     (off_t)(lba * SECTOR_SIZE + done));
		if (put <= 0)
			die("%s: writing LBA %llu failed: %s", disk_path,
			    (unsigned long long)(lba + done / SECTOR_SIZE),
			    put ? strerror(errno) : "no space");
		done += (size_t)put;
	}
	if (fsync(d->fd))
		die("%s: flushing the writes at LBA %llu failed: %s", disk_path,
		    (unsigned long long)lba, strerror(errno));
	uint8_t *back = malloc(len);
	if (!back || d->bd.read(&d->bd, lba, n, back) || memcmp(back, buf, len))
		die("%s: LBA %llu-%llu do not read back as written: the disk is faulty", disk_path,
		    (unsigned long long)lba, (unsigned long long)(lba + n - 1));
	free(back);
}

/* --- what is written ------------------------------------------------------ */

static unsigned changed(const uint8_t *a, const uint8_t *b)
{
	unsigned n = 0;

	for (unsigned i = 0; i < SECTOR_SIZE; i++)
		n += a[i] != b[i];
	return n;
}

/* What sector k of write w holds. */
static void describe(const struct plan *p, const struct plan_write *w, uint32_t k, char *buf,
		     size_t size)
{
	if (w->kind == PLAN_MBR) {
		snprintf(buf, size, "the MBR: the loader's code in bytes 0x000-0x%03x and "
				    "0x%03x-0x%03x, the rest of the sector kept",
			 MBR_BPB_START - 1, MBR_BPB_END, MBR_CODE_LIMIT - 1);
		if (p->activated)
			snprintf(buf + strlen(buf), size - strlen(buf), "; %s %u marked active",
				 p->activated_protective ? "protective entry" : "partition",
				 p->activated);
	} else if (w->kind == PLAN_RESTORE) {
		snprintf(buf, size, "restored from the backup");
	} else if (k >= p->stage2_sectors) {
		snprintf(buf, size, "zeros over the rest of the earlier install (%u of %u)",
			 k - p->stage2_sectors + 1, w->sectors - p->stage2_sectors);
	} else {
		snprintf(buf, size, "stage2 sector %u of %u (%s)", k + 1, p->stage2_sectors,
			 k < p->core_sectors ? "core" : "extension");
	}
}

/* One line per sector written (the dry run), or per write. */
static void print_plan(const struct plan *p, int per_sector, const char *verb)
{
	char what[200];

	for (uint32_t i = 0; i < p->nwrites; i++) {
		const struct plan_write *w = &p->w[i];
		if (per_sector) {
			for (uint32_t k = 0; k < w->sectors; k++) {
				const uint8_t *now = w->data + k * SECTOR_SIZE;
				describe(p, w, k, what, sizeof(what));
				printf("%s LBA %llu: %s (%u of 512 bytes change)\n", verb,
				       (unsigned long long)(w->lba + k), what,
				       changed(now, w->old + k * SECTOR_SIZE));
			}
			continue;
		}
		unsigned diff = 0;
		for (uint32_t k = 0; k < w->sectors; k++)
			diff += changed(w->data + k * SECTOR_SIZE, w->old + k * SECTOR_SIZE);
		if (w->kind == PLAN_STAGE2)
			snprintf(what, sizeof(what), "stage2 (%u sectors)%s", p->stage2_sectors,
				 w->sectors > p->stage2_sectors
					 ? " and zeros over the rest of the earlier install"
					 : "");
		else if (w->kind == PLAN_RESTORE)
			snprintf(what, sizeof(what), "the backup's sectors");
		else
			describe(p, w, 0, what, sizeof(what));
		char range[64];
		snprintf(range, sizeof(range), w->sectors > 1 ? "LBA %llu-%llu" : "LBA %llu",
			 (unsigned long long)w->lba,
			 (unsigned long long)(w->lba + w->sectors - 1));
		printf("%s %s: %s (%u bytes change)\n", verb, range, what, diff);
	}
}

static void save_backup(const char *path, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd < 0 && errno == EEXIST)
		die("backup file %s exists: it may hold the only copy of what an earlier install "
		    "replaced; give another name or move it away",
		    path);
	if (fd < 0)
		die("cannot create backup file %s: %s", path, strerror(errno));
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd) || close(fd)) {
		unlink(path);
		die("cannot write backup file %s: %s", path, strerror(errno));
	}
	/* The file's directory entry too, before the disk changes. */
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = 0;
	int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
}

static void usage(void)
{
	die("usage: install [--partition N] [--dry-run] [--backup FILE] [--gpt-active] "
	    "[--mbr FILE] [--stage2 FILE] DISK\n"
	    "       install --uninstall --backup FILE [--dry-run] [--force] DISK");
}

int main(int argc, char **argv)
{
	host_prog = "install";
	const char *build = getenv("BUILD_DIR") ? getenv("BUILD_DIR") : "build";
	const char *backup = NULL, *mbr_path = NULL, *s2_path = NULL;
	char mbr_def[PATH_MAX], s2_def[PATH_MAX];
	int dry = 0, uninstall = 0, force = 0;
	struct plan_input in = { 0 };
	static struct plan p;
	struct disk d = { 0 };
	const char *err;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--partition") && i + 1 < argc) {
			char *end;
			unsigned long n = strtoul(argv[++i], &end, 10);
			if (*end || !n || n > 0xffff)
				die("PARTITION=%s: not a partition number (1, 2, ...)", argv[i]);
			in.partition = (uint32_t)n;
		} else if (!strcmp(a, "--backup") && i + 1 < argc) {
			backup = argv[++i];
		} else if (!strcmp(a, "--mbr") && i + 1 < argc) {
			mbr_path = argv[++i];
		} else if (!strcmp(a, "--stage2") && i + 1 < argc) {
			s2_path = argv[++i];
		} else if (!strcmp(a, "--dry-run")) {
			dry = 1;
		} else if (!strcmp(a, "--gpt-active")) {
			in.gpt_active = 1;
		} else if (!strcmp(a, "--uninstall")) {
			uninstall = 1;
		} else if (!strcmp(a, "--force")) {
			force = 1;
		} else if (a[0] == '-' || *disk_path) {
			usage();
		} else {
			disk_path = a;
		}
	}
	if (!*disk_path)
		usage();
	if (uninstall && !backup)
		die("uninstall needs the backup the install saved (BACKUP=file)");
	if (uninstall && (in.partition || in.gpt_active || mbr_path || s2_path))
		die("uninstall takes only DISK, BACKUP, DRY_RUN and FORCE");
	if (!uninstall && force)
		die("FORCE=1 is for uninstall only");

	uint8_t *bak = NULL;
	size_t bak_len = 0;
	if (uninstall) {
		bak = read_file(backup, &bak_len, "backup file");
	} else {
		snprintf(mbr_def, sizeof(mbr_def), "%s/mbr.bin", build);
		snprintf(s2_def, sizeof(s2_def), "%s/stage2.bin", build);
		in.mbr = read_file(mbr_path ? mbr_path : mbr_def, &in.mbr_len, "the loader's");
		in.stage2 = read_file(s2_path ? s2_path : s2_def, &in.stage2_len, "the loader's");
	}

	open_disk(&d, !dry);
	err = uninstall ? plan_uninstall(&d.bd, bak, bak_len, force, &p)
			: plan_install(&d.bd, &in, &p);
	if (err)
		die("%s: %s", disk_path, err);
	for (uint32_t i = 0; i < p.nnotes; i++)
		printf("%s: note: %s\n", host_prog, p.notes[i]);

	uint8_t *image = NULL;
	size_t image_len = 0;
	if (!uninstall && backup) {
		image = backup_encode(&p, &image_len);
		if (!access(backup, F_OK))
			die("backup file %s exists: it may hold the only copy of what an earlier "
			    "install replaced; give another name or move it away",
			    backup);
	}
	if (dry) {
		print_plan(&p, 1, "would write");
		if (image)
			printf("would save the %llu sectors overwritten to %s (%zu bytes)\n",
			       (unsigned long long)((image_len - sizeof(struct backup_header) -
						     p.nwrites * sizeof(struct backup_extent)) /
						    SECTOR_SIZE),
			       backup, image_len);
		printf("%s: %s: dry run: nothing written\n", host_prog, disk_path);
		return 0;
	}
	if (image) {
		save_backup(backup, image, image_len);
		printf("saved the sectors it overwrites to %s\n", backup);
	}
	print_plan(&p, 0, "write");
	for (uint32_t i = 0; i < p.nwrites; i++)
		write_sectors(&d, p.w[i].lba, p.w[i].data, p.w[i].sectors);
	if (close(d.fd))
		die("%s: %s", disk_path, strerror(errno));
	if (uninstall) {
		printf("%s: %s: restored from %s; the loader is off the disk\n", host_prog, disk_path,
		       backup);
	} else if (p.pinned) {
		printf("%s: %s: stage2 (%u sectors) at LBA %llu and the MBR's code; boots "
		       "partition %u\n",
		       host_prog, disk_path, p.stage2_sectors, (unsigned long long)p.stage2_lba,
		       p.pinned);
	} else {
		printf("%s: %s: stage2 (%u sectors) at LBA %llu and the MBR's code; boots the "
		       "first FAT partition holding /boot/loader.cfg (now partition %u)\n",
		       host_prog, disk_path, p.stage2_sectors, (unsigned long long)p.stage2_lba,
		       p.boot_part);
	}
	plan_free(&p);
	return 0;
}
