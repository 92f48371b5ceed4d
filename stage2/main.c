/*
 * Stage2's body: from the head's call to the protocol layer.  The order
 * matters: each protocol builds the memory map it hands over last, after
 * every allocation, so the map shows each byte the loader used.
 */
#include "a20.h"
#include "boot.h"
#include "config.h"
#include "console.h"
#include "cpu.h"
#include "disk.h"
#include "head.h"
#include "io.h"
#include "layout.h"
#include "memory.h"
#include "menu.h"
#include "physmem.h"
#include "volume.h"


void stage2_main(u32 mbr_dx, u32 mbr_cx);

struct disk boot_disk;

static void load_config(struct boot_config *cfg)
{
	static struct file f;
	static struct config_error e;
	const char *err = volume_open(LOADER_CFG_PATH, &f);

	if (err)
		die("%s: %s", LOADER_CFG_PATH, err);
	if (f.size > LOADER_CFG_MAX)
		die("%s is %llu bytes; the loader reads at most %u", LOADER_CFG_PATH, f.size,
		    LOADER_CFG_MAX);
	char *text = heap_alloc((u32)f.size + 1);
	file_read(&f, 0, (u32)f.size, text);
	text[f.size] = 0;
	if (config_parse(text, (u32)f.size, cfg, &e))
		die("%s%s%s", LOADER_CFG_PATH, e.line ? " " : ": ", e.msg);
}

void stage2_main(u32 mbr_dx, u32 mbr_cx)
{
	static struct memdetect md;
	static struct cpu_features cpu;
	static struct boot_request req;
	static struct boot_entry raw_entry;
	static struct boot_config cfg;
	struct bootinfo *bi = heap_alloc(sizeof(*bi) + BOOTINFO_TAIL_MAX);
	u8 mbr_flags = (u8)(mbr_dx >> 8);

	console_init();
	outb(DEBUGCON_PORT, '\n'); /* after the MBR's 'M' there */
	if (disk_init(&boot_disk, (u8)mbr_dx, mbr_flags & MBR_FLAG_CHS))
		die("boot drive 0x%x: the BIOS reports neither INT 13h extensions nor a "
		    "CHS geometry",
		    mbr_dx & 0xff);
	memset(bi, 0, sizeof(*bi));
	bi->boot_drive = mbr_dx & 0xff;
	bi->quirks.entry_dl = mbr_cx & 0xff;
	bi->quirks.disk_retries = (mbr_cx >> 8) & 0xff;
	if (bi->boot_drive != bi->quirks.entry_dl)
		bi->quirks.flags |= QUIRK_DL_FIXED;
	if (mbr_flags & MBR_FLAG_CHS)
		bi->quirks.flags |= QUIRK_DISK_CHS;
	print("stage2: started from drive 0x%x (BIOS gave DL=0x%x)\n", bi->boot_drive,
	      bi->quirks.entry_dl);

	post(POST_A20);
	bi->a20_method = (u32)enable_a20();
	if (!bi->a20_method)
		die("the A20 gate could not be enabled (INT 15h 2401h, 8042 and port 0x92 all "
		    "failed)");
	cpu_detect(&cpu);

	post(POST_MEMORY);
	physmem_init(&md, bi);

	post(POST_DISK);
	u64 kernel_size = STAGE2_HDR(u64, hdr_kernel_size);
	if (kernel_size) {
		/* The raw layout: one kernel file at a place the image builder
		 * wrote into the stage2 header, booted by whatever protocol it
		 * speaks. */
		raw_entry = (struct boot_entry){ .title = "kernel", .kernel = "the kernel",
						 .cmdline = "", .protocol = PROTO_AUTO };
		req.entry = &raw_entry;
		file_raw(&req.kernel, raw_entry.kernel, STAGE2_HDR(u64, hdr_kernel_lba),
			 kernel_size);
	} else {
		volume_mount(STAGE2_HDR(u32, hdr_boot_part));
		load_config(&cfg);
		req.entry = &cfg.entries[menu_choose(&cfg)];
		print("stage2: booting '%s' from partition %u\n", req.entry->title,
		      volume_partition());
		const char *err = volume_open(req.entry->kernel, &req.kernel);
		if (err)
			die("%s line %u: kernel %s: %s", LOADER_CFG_PATH, req.entry->kernel_line,
			    req.entry->kernel, err);
	}
	req.head = heap_alloc(PROTO_HEAD_MAX);
	req.bi = bi;
	req.cpu = &cpu;
	boot(&req);
}
