/*
 * The whole userland of tests/boot/linuxtest.py's initramfs: a static
 * x86-64 /init with no libc (gcc -static -nostdlib) that mounts /proc,
 * prints one line with the kernel's command line on the console and powers
 * the machine off.  Raw system calls keep it a few KiB and independent of
 * the host's libc.
 */
#define SYS_READ 0
#define SYS_WRITE 1
#define SYS_OPEN 2
#define SYS_MOUNT 165
#define SYS_REBOOT 169
#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc /* RB_POWER_OFF */

static long sys(long n, long a, long b, long c, long d, long e)
{
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return r;
}

void _start(void)
{
	static const char prefix[] = "linuxtest-init: cmdline=";
	static char line[sizeof(prefix) + 4096 + 1];
	long n = 0, fd, got;

	for (const char *p = prefix; *p; p++)
		line[n++] = *p;
	sys(SYS_MOUNT, (long)"proc", (long)"/proc", (long)"proc", 0, 0);
	fd = sys(SYS_OPEN, (long)"/proc/cmdline", 0, 0, 0, 0);
	if (fd >= 0 && (got = sys(SYS_READ, fd, (long)(line + n), 4096, 0, 0)) > 0)
		n += got;
	else
		for (const char *p = "(no /proc/cmdline)"; *p; p++)
			line[n++] = *p;
	if (line[n - 1] != '\n')
		line[n++] = '\n';
	sys(SYS_WRITE, 1, (long)line, n, 0, 0);
	sys(SYS_REBOOT, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0, 0);
	for (;;)
		;
}
