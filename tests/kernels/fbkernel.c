/*
 * The video tests' kernel (tests/boot/videotest.py): takes the framebuffer
 * the loader describes, prints its fields, fills it with a pattern the test
 * recomputes from a screendump (or from Bochs' memory), and ends.
 *
 * One source, one 32-bit build per protocol: the own protocol (bootinfo.h,
 * its request comes from loader.cfg's video=), and with FB_MULTIBOOT1 or
 * FB_MULTIBOOT2 a Multiboot header that asks for FB_WIDTH x FB_HEIGHT x
 * FB_DEPTH itself.  The entry takes EAX (magic) and EBX (the information)
 * and sets up its own stack, which suits all three.
 *
 * The pattern: pixel (x, y) is white on the border (x or y 0 or last),
 * else colour i = ((x >> 3) + 3 * (y >> 3)) & 7 with red full when bit 2 of
 * i is set, green bit 1, blue bit 0.  Full and zero channels survive every
 * depth unchanged, and a wrong pitch, depth or address shifts the blocks.
 *
 * Output lines (COM1 and port 0xE9):
 *   fb type=rgb|text|none address=0x.. pitch=.. width=.. height=.. bpp=..
 *      red=pos:size green=pos:size blue=pos:size
 *   vbe mode=0x.. lfb=0x.. width=.. height=.. bpp=..   (Multiboot, when the
 *      VBE information came along: the ModeInfoBlock's own fields)
 *   end ok | end fail <reason>
 */
#include <stdarg.h>
#include <stdint.h>

#include "bootinfo.h"
#include "format.h"
#include "multiboot.h"
#include "multiboot2.h"
#include "portio.h"
#include "status.h"
#include "vbe.h"

#ifndef FB_WIDTH
#define FB_WIDTH 1024
#define FB_HEIGHT 768
#define FB_DEPTH 32
#endif

#define STACK_SIZE 8192

#if defined(FB_MULTIBOOT1)
#define MB1_FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_VIDEO_MODE)
__attribute__((section(".text.entry"), aligned(4), used))
static const struct multiboot_header mb1_header = {
	.magic = MULTIBOOT_HEADER_MAGIC, .flags = MB1_FLAGS,
	.checksum = -(MULTIBOOT_HEADER_MAGIC + MB1_FLAGS),
	.mode_type = 0, .width = FB_WIDTH, .height = FB_HEIGHT, .depth = FB_DEPTH };
#elif defined(FB_MULTIBOOT2)
/* The framebuffer tag not marked optional, as GRUB's own examples have it. */
struct mb2_fb_header {
	struct multiboot2_header h;
	struct multiboot2_header_tag_framebuffer fb;
	uint32_t pad;
	struct multiboot2_header_tag end;
};
__attribute__((section(".text.entry"), aligned(8), used))
static const struct mb2_fb_header mb2_header = {
	{ MULTIBOOT2_HEADER_MAGIC, MULTIBOOT2_ARCHITECTURE_I386, sizeof(struct mb2_fb_header),
	  -(MULTIBOOT2_HEADER_MAGIC + MULTIBOOT2_ARCHITECTURE_I386 +
	    (uint32_t)sizeof(struct mb2_fb_header)) },
	{ MULTIBOOT2_HEADER_TAG_FRAMEBUFFER, 0, sizeof(struct multiboot2_header_tag_framebuffer),
	  FB_WIDTH, FB_HEIGHT, FB_DEPTH },
	0,
	{ MULTIBOOT2_HEADER_TAG_END, 0, sizeof(struct multiboot2_header_tag) } };
#endif

uint8_t fb_stack[STACK_SIZE] __attribute__((aligned(16)));
void fb_main(uint32_t magic, uint32_t info);

/* Entry from any of the protocols: EAX = magic, EBX = information. */
__asm__(".section .text.entry, \"ax\"\n"
	".globl fb_entry\n"
	"fb_entry:\n"
	"	cli\n"
	"	mov $fb_stack + 8192, %esp\n"
	"	push %ebx\n"
	"	push %eax\n"
	"	call fb_main\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	".previous\n");
_Static_assert(STACK_SIZE == 8192, "the entry's stack size");

static int have_serial;

static void out_putc(char c, void *ctx)
{
	(void)ctx;
	if (have_serial) {
		if (c == '\n')
			serial_putc('\r');
		serial_putc(c);
	}
	outb(DEBUGCON_PORT, (uint8_t)c);
}

static void print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(out_putc, 0, fmt, ap);
	va_end(ap);
}

static _Noreturn void fail(const char *why)
{
	print("end fail %s\n", why);
	emulator_finish(0);
}

/* What every protocol says about the framebuffer, in one form. */
struct fb {
	uint64_t address;
	uint32_t pitch, width, height;
	uint8_t bpp, pos[3], size[3];
	const char *type;
};

static void from_bootinfo(const struct bootinfo *bi, struct fb *f)
{
	const struct bootinfo_framebuffer *b = &bi->framebuffer;
	static const char *const types[] = { "none", "text", "rgb" };

	if (bi->header.signature != BOOTINFO_SIGNATURE || bi->header.revision < 2 ||
	    bi->header.total_size < sizeof(*bi))
		fail("bad-bootinfo");
	if (b->type > BOOTINFO_VIDEO_RGB)
		fail("bad-framebuffer-type");
	*f = (struct fb){ b->address, b->pitch, b->width, b->height, b->bpp,
			  { b->red_position, b->green_position, b->blue_position },
			  { b->red_size, b->green_size, b->blue_size }, types[b->type] };
}

/* Multiboot's framebuffer fields (both versions lay them out alike from
 * the address on): address, pitch, width, height, bpp, type; then, at c for
 * type RGB, each colour's position and size. */
static void from_multiboot(const uint8_t *p, const uint8_t *c, struct fb *f)
{
	static const char *const types[] = { "indexed", "rgb", "text" };

	f->address = *(const uint64_t *)p;
	f->pitch = *(const uint32_t *)(p + 8);
	f->width = *(const uint32_t *)(p + 12);
	f->height = *(const uint32_t *)(p + 16);
	f->bpp = p[20];
	f->type = p[21] < 3 ? types[p[21]] : "unknown";
	if (p[21] == MULTIBOOT_FRAMEBUFFER_TYPE_RGB)
		for (int k = 0; k < 3; k++) {
			f->pos[k] = c[2 * k];
			f->size[k] = c[2 * k + 1];
		}
}

/* The VBE mode block a Multiboot loader passes on, against the fields. */
static void print_vbe(uint16_t mode, const struct vbe_mode_info *mi)
{
	print("vbe mode=0x%x lfb=0x%x width=%u height=%u bpp=%u\n", mode, mi->PhysBasePtr,
	      mi->XResolution, mi->YResolution, mi->BitsPerPixel);
}

static void draw(const struct fb *f)
{
	uint32_t bytes = f->bpp / 8, full[3];

	for (int k = 0; k < 3; k++)
		full[k] = ((1u << f->size[k]) - 1) << f->pos[k];
	for (uint32_t y = 0; y < f->height; y++) {
		volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)(f->address + y * f->pitch);
		for (uint32_t x = 0; x < f->width; x++) {
			uint32_t i = ((x >> 3) + 3 * (y >> 3)) & 7, px = 0;
			if (!x || !y || x == f->width - 1 || y == f->height - 1)
				i = 7;
			for (int k = 0; k < 3; k++)
				if (i & (4 >> k))
					px |= full[k];
			for (uint32_t b = 0; b < bytes; b++)
				*p++ = (uint8_t)(px >> (8 * b));
		}
	}
}

void fb_main(uint32_t magic, uint32_t info)
{
	struct fb f;

	have_serial = serial_init();
	print("\nfbkernel: magic 0x%x, information at 0x%x\n", magic, info);
	f = (struct fb){ .type = "none" };
	if (magic == BOOTINFO_MAGIC) {
		from_bootinfo((const struct bootinfo *)(uintptr_t)info, &f);
	} else if (magic == MULTIBOOT_BOOTLOADER_MAGIC) {
		const struct multiboot_info *mi = (const void *)(uintptr_t)info;
		if (mi->flags & MULTIBOOT_INFO_FRAMEBUFFER_INFO)
			from_multiboot((const uint8_t *)&mi->framebuffer_addr, mi->color_info, &f);
		if (mi->flags & MULTIBOOT_INFO_VBE_INFO)
			print_vbe(mi->vbe_mode, (const void *)(uintptr_t)mi->vbe_mode_info);
	} else if (magic == MULTIBOOT2_BOOTLOADER_MAGIC) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)info, *end = p + *(const uint32_t *)p;
		for (p += 8; p + 8 <= end && *(const uint32_t *)p;
		     p += (*(const uint32_t *)(p + 4) + 7) & ~7u) {
			/* The colours follow the common part (32 bytes). */
			if (*(const uint32_t *)p == MULTIBOOT2_TAG_TYPE_FRAMEBUFFER)
				from_multiboot(p + 8, p + 32, &f);
			else if (*(const uint32_t *)p == MULTIBOOT2_TAG_TYPE_VBE)
				print_vbe(*(const uint16_t *)(p + 8),
					  (const struct vbe_mode_info *)(p + 528));
		}
	} else {
		fail("unknown-magic");
	}
	print("fb type=%s address=0x%llx pitch=%u width=%u height=%u bpp=%u red=%u:%u "
	      "green=%u:%u blue=%u:%u\n",
	      f.type, (unsigned long long)f.address, f.pitch, f.width, f.height, f.bpp, f.pos[0],
	      f.size[0], f.pos[1], f.size[1], f.pos[2], f.size[2]);
	if (f.type[0] == 'r') {
		if ((f.bpp != 16 && f.bpp != 24 && f.bpp != 32) || !f.width || !f.height ||
		    f.pitch < f.width * (f.bpp / 8) ||
		    f.address + (uint64_t)f.pitch * f.height > 0x100000000ull)
			fail("bad-framebuffer-fields");
		for (int k = 0; k < 3; k++)
			if (!f.size[k] || f.size[k] > 8 || f.pos[k] + f.size[k] > f.bpp)
				fail("bad-framebuffer-masks");
		draw(&f);
	}
	print("end ok\n");
	emulator_finish(1);
}
