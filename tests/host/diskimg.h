/*
 * Shared by test_part and test_fat: disk images built by the real tools
 * (sfdisk, sgdisk, mkfs.fat, mtools) under build/tests/fsimg/, read through
 * a file-backed struct blockdev that counts its calls.
 */
#ifndef DISKIMG_H
#define DISKIMG_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blockdev.h"

#ifndef IMG_DIR /* where the images and cmd.log go; a test may choose its own */
#define IMG_DIR "build/tests/fsimg"
#endif

struct filedev {
	struct blockdev bd;
	int fd;
	u64 calls;      /* read() calls */
	u64 sectors_read;
	u64 fail_lba;   /* a read covering this LBA fails; ~0 = none */
	u64 data_from;  /* reads at or above this LBA also count in data_calls */
	u64 data_calls;
};

static __attribute__((unused)) int filedev_read(struct blockdev *bd, u64 lba, u32 count, void *dst)
{
	struct filedev *f = (struct filedev *)bd;

	f->calls++;
	f->sectors_read += count;
	if (lba >= f->data_from)
		f->data_calls++;
	if (f->fail_lba >= lba && f->fail_lba - lba < count) {
		bd->bad_lba = f->fail_lba;
		return -1;
	}
	ssize_t want = (ssize_t)count * 512;
	if (pread(f->fd, dst, (size_t)want, (off_t)(lba * 512)) != want) {
		bd->bad_lba = lba;
		return -1;
	}
	return 0;
}

/* Opens path; sectors = its size unless known_size is 0 (then "unknown"). */
static __attribute__((unused)) int filedev_open(struct filedev *f, const char *path, int known_size)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	f->fd = open(path, O_RDONLY);
	if (f->fd < 0 || fstat(f->fd, &st))
		return -1;
	f->bd.read = filedev_read;
	f->bd.sectors = known_size ? (u64)st.st_size / 512 : 0;
	f->fail_lba = ~0ull;
	f->data_from = ~0ull;
	return 0;
}

static __attribute__((unused)) void filedev_close(struct filedev *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* Runs a shell command (formatted); returns its exit status.  Its output
 * goes to IMG_DIR/cmd.log, which a failing case may show. */
static __attribute__((unused, format(printf, 1, 2))) int sh(const char *fmt, ...)
{
	char cmd[4096], full[4300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "(%s) >>" IMG_DIR "/cmd.log 2>&1", cmd);
	int rc = system(full);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* A command's standard output into buf (NUL-terminated); its exit status. */
static __attribute__((unused, format(printf, 3, 4))) int sh_out(char *buf, size_t size, const char *fmt,
							 ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = fread(buf, 1, size - 1, p);
	buf[n] = 0;
	int rc = pclose(p);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* A regular file's bytes (malloc'ed); NULL for anything else (a directory,
 * a device), whose size ftell cannot tell. */
static __attribute__((unused)) void *read_whole(const char *path, size_t *len)
{
	struct stat st;
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		fclose(f);
		return NULL;
	}
	long n = (long)st.st_size;
	void *buf = malloc(n > 0 ? (size_t)n : 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static __attribute__((unused)) int write_whole(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t n = fwrite(data, 1, len, f);
	return fclose(f) || n != len ? -1 : 0;
}

/* Patches len bytes at byte offset off of an image file. */
static __attribute__((unused)) int patch(const char *path, u64 off, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ssize_t n = pwrite(fd, data, len, (off_t)off);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static __attribute__((unused)) int pread_at(const char *path, u64 off, void *data, size_t len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = pread(fd, data, len, (off_t)off);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

#endif
