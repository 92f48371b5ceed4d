/*
 * The loading steps Multiboot1 and Multiboot2 share (stage2 only; see mb.h).
 *
 * Memory, by the Multiboot rule of ../shared/design.md: the kernel is
 * claimed where it asks to be (ELF segments, or the address fields' range);
 * the symbol and string tables an ELF kernel's image does not hold go right
 * above it, the modules above those (page-aligned, as Multiboot1's flag bit
 * 0 and Multiboot2's module alignment tag ask, whether they ask or not), and
 * the information structure into low memory above the loader's area, as
 * GRUB puts it below 640 KiB.  The map the kernel gets is the sanitized
 * firmware view: all of that memory shows as available there, described by
 * the structure's own fields, with the IVT/BDA and the EBDA reserved.
 */
#include "mb.h"
#include "acpi.h"
#include "bios.h"
#include "console.h"
#include "handoff.h"
#include "head.h"
#include "io.h"
#include "layout.h"
#include "paging.h"
#include "physmem.h"
#include "volume.h"

#define MB_LOADER_NAME "stage2 legacy-BIOS loader"

_Noreturn void mb_die(struct boot_request *r, const char *what, const char *fmt,
		      const struct mb_error *e)
{
	char msg[192];

	format_string(msg, sizeof(msg), fmt, e->value, e->name);
	die("%s: %s: %s", r->kernel.name, what, msg);
}

static int read_kernel(void *ctx, u64 off, void *dst, u32 len)
{
	struct file *f = ctx;

	if (off > f->size || len > f->size - off)
		return -1;
	file_read(f, off, len, dst);
	return 0;
}

static void load_section(void *ctx, u64 off, u32 len, u32 addr)
{
	file_read(ctx, off, len, phys(addr));
}

/* The section table, and the sections the image does not hold, above it. */
static void load_sections(struct boot_request *r, struct mb_kernel *k)
{
	struct mb_error e;
	const char *err = mb_elf_sections(read_kernel, &r->kernel, r->kernel.size, &k->sec, &e);
	u32 size, bytes = k->sec.num * k->sec.entsize;

	if (err)
		mb_die(r, "ELF sections", err, &e);
	if (!k->sec.num)
		return;
	/* Only needed until the information structure holds its copy. */
	u64 t = physmem_alloc(bytes, 8, MIB_1, FOUR_GIB, 1, CLAIM_TEMP, "the ELF section headers");
	if (!t)
		die("%s: no room below 4 GiB for its %u bytes of ELF section headers",
		    r->kernel.name, bytes);
	k->shdrs = phys(t);
	file_read(&r->kernel, k->sec.offset, bytes, k->shdrs);
	err = mb_elf_place(k->shdrs, &k->sec, r->kernel.size, 0, 0, 0, &size, &e);
	if (err)
		mb_die(r, "ELF sections", err, &e);
	if (!size)
		return;
	u64 at = physmem_alloc(size, PAGE_SIZE, k->end, FOUR_GIB, 0, CLAIM_KERNEL,
			       "the ELF symbol and string tables");
	if (!at)
		die("%s: its ELF symbol and string tables (%u bytes) do not fit in the RAM below "
		    "4 GiB above the kernel",
		    r->kernel.name, size);
	mb_elf_place(k->shdrs, &k->sec, r->kernel.size, (u32)at, load_section, &r->kernel, &size,
		     &e);
	k->end = (u32)at + size;
}

void mb_load_kernel(struct boot_request *r, const struct mb_address *addr, u32 header_off,
		    u32 header_size, int mb2, struct mb_kernel *k)
{
	static struct kernel_image ki;
	struct mb_error e;

	*k = (struct mb_kernel){ 0 };
	if (addr) {
		struct mb_layout l;
		const char *err = mb_address_layout(addr, header_off, header_size, r->kernel.size,
						    mb2, &l, &e);
		if (err)
			mb_die(r, mb2 ? "Multiboot2 address tag" : "Multiboot1 address fields", err,
			       &e);
		u64 b = l.load_addr & ~(u64)(PAGE_SIZE - 1);
		u64 end = ((u64)l.load_addr + l.mem_size + PAGE_SIZE - 1) & ~(u64)(PAGE_SIZE - 1);
		err = physmem_claim(b, end - b, CLAIM_KERNEL, "the kernel");
		if (err)
			die("%s: the kernel image (%u bytes at 0x%x-0x%llx, as its address fields "
			    "say) %s",
			    r->kernel.name, l.mem_size, l.load_addr, (u64)l.load_addr + l.mem_size,
			    err);
		post(POST_KERNEL);
		print("stage2: loading the kernel by its address fields: %u bytes from offset "
		      "0x%x to 0x%x, %u bytes zeroed after them\n",
		      l.load_size, l.file_offset, l.load_addr, l.mem_size - l.load_size);
		file_read(&r->kernel, l.file_offset, l.load_size, phys(l.load_addr));
		memset(phys(l.load_addr + l.load_size), 0, l.mem_size - l.load_size);
		k->entry = addr->entry_addr;
		k->lo = k->load_base = l.load_addr;
		k->end = k->hi = l.load_addr + l.mem_size;
		return;
	}
	boot_parse_elf(r, &ki);
	/* Multiboot enters in protected mode with paging off: an ELF64
	 * kernel's virtual entry becomes physical, as for ELF32. */
	k->entry = (u32)ki.entry;
	for (u32 i = 0; ki.is64 && i < ki.nseg; i++) {
		const struct kernel_segment *s = &ki.seg[i];
		if (ki.entry >= s->vaddr && ki.entry - s->vaddr < s->memsz) {
			k->entry = (u32)(s->paddr + (ki.entry - s->vaddr));
			break;
		}
	}
	boot_claim_kernel(&ki);
	post(POST_KERNEL);
	print("stage2: loading %s kernel: %u segments at 0x%llx-0x%llx\n",
	      ki.is64 ? "an ELF64" : "an ELF32", ki.nseg, ki.lo, ki.hi);
	boot_load_segments(r, &ki);
	k->lo = k->load_base = (u32)ki.lo;
	k->end = k->hi = (u32)ki.hi;
	load_sections(r, k);
}

/* The text console as the video BIOS recorded it in the BDA: the EGA text
 * modes (0-3, 7) with a plausible width; 0 when there is none (no VGA BIOS,
 * a graphics mode). */
static void text_console(struct mb_info_input *in)
{
	u32 mode = bda_read16(BDA_VIDEO_MODE) & 0x7f, cols = bda_read16(BDA_VIDEO_COLS);
	u32 rows = (bda_read16(BDA_VIDEO_ROWS) & 0xff) + 1;

	if ((mode > 3 && mode != 7) || cols < 40 || cols > 255)
		return;
	in->text_cols = cols;
	in->text_rows = rows > 1 ? rows : 25;
}

void mb_gather(struct boot_request *r, struct mb_kernel *k, struct mb_info_input *in)
{
	const struct boot_entry *e = r->entry;
	struct bootinfo *bi = r->bi;

	boot_load_modules(r, k->end);
	post(POST_PAGING); /* the map and the information, as the other protocols */
	/* The command line is the entry's, as GRUB 2 gives the words after
	 * the kernel's path; a module's string is its path and the words after
	 * it (stage2/boot.h). */
	*in = (struct mb_info_input){ .cmdline = e->cmdline, .loader_name = MB_LOADER_NAME,
				      .boot_drive = bi->boot_drive, .mods = r->modules,
				      .nmods = r->nmodules, .load_base = k->load_base };
	/* The partition the kernel came from, 0-based as Multiboot counts: the
	 * raw layout's kernel is partition 1's data. */
	in->boot_part = STAGE2_HDR(u64, hdr_kernel_size) ? 0 : volume_partition() - 1;
	if (k->shdrs) {
		in->shdrs = k->shdrs;
		in->shnum = k->sec.num;
		in->shentsize = k->sec.entsize;
		in->shndx = k->sec.shndx;
	}
	u32 rsdp = acpi_find_rsdp(bi->ebda_base);
	if (rsdp)
		in->rsdp = phys(rsdp);
	text_console(in);
	bi->map_count = physmem_map(bi->map, BOOTINFO_MAP_MAX, PHYSMEM_MAP_FIRMWARE, bi);
	in->map = bi->map;
	in->map_count = bi->map_count;
}

_Noreturn void mb_boot(struct boot_request *r, const struct mb_kernel *k,
		       const struct mb_info_input *in,
		       u32 (*build)(const struct mb_info_input *, u8 *, u32, u32), u32 magic,
		       const char *what)
{
	static struct handoff h;
	u32 size = build(in, 0, 0, 0);
	u64 at = physmem_alloc(size, 8, LOADER_LOW_END, MIB_1, 0, CLAIM_LOADER,
			       "the Multiboot information");

	if (!at)
		at = physmem_alloc(size, 8, MIB_1, FOUR_GIB, 0, CLAIM_LOADER,
				   "the Multiboot information");
	if (!at)
		die("no room below 4 GiB for the %u bytes of %s information", size, what);
	build(in, phys(at), size, (u32)at);
	/* The specification leaves ESP to the kernel; a stack it may use until
	 * it sets its own costs nothing. */
	h = (struct handoff){ .entry = k->entry, .mode = HANDOFF_PM32, .esp = boot_alloc_stack(),
			      .eax = magic, .ebx = (u32)at };
	post(POST_JUMP);
	print("stage2: starting the %s kernel at 0x%x, information (%u bytes) at 0x%llx, %u map "
	      "entries\n",
	      what, k->entry, size, at, in->map_count);
	kernel_jump(&h);
}
