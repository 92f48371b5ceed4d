/*
 * INT 13h reads.  Extensions (AH=42h) when AH=41h said so in full to the
 * MBR, else CHS (AH=02h) with the AH=08h geometry.  Transfers never cross a
 * 64 KiB boundary (a DAP buffer across one hangs USB boot) and start at 127
 * sectors, halving on repeated errors: the size that works is kept.
 */
#include "disk.h"
#include "bios.h"
#include "io.h"
#include "layout.h"

#define EDD_READ 0x42
#define EDD_GET_PARAMS 0x48
#define DISK_RESET 0x00
#define CHS_READ 0x02
#define CHS_GET_PARAMS 0x08
#define CHS_MAX_CYLINDER 1023u

struct edd_dap {
	u8 size;      /* 0: 16 */
	u8 reserved;  /* 1 */
	u16 count;    /* 2 */
	u16 offset;   /* 4 */
	u16 segment;  /* 6 */
	u64 lba;      /* 8 */
} __attribute__((packed));
_Static_assert(sizeof(struct edd_dap) == 16, "edd_dap");

/* EDD 1.1 drive parameters (AH=48h), the part every version fills. */
struct edd_params {
	u16 size;         /* 0: buffer size, set by the caller */
	u16 flags;        /* 2 */
	u32 cylinders;    /* 4 */
	u32 heads;        /* 8 */
	u32 spt;          /* 12 */
	u64 sectors;      /* 16: total */
	u16 sector_size;  /* 24 */
} __attribute__((packed));
_Static_assert(sizeof(struct edd_params) == 26, "edd_params");

/* Some BIOSes leave the total at 0 or fill it with junk (all ones); only a
 * plausible answer is used, to name a truncated image before reading it. */
static u64 edd_sectors(u8 drive)
{
	static struct edd_params p;
	struct biosregs in, out;

	p = (struct edd_params){ .size = sizeof(p) };
	initregs(&in);
	in.ah = EDD_GET_PARAMS;
	in.dl = drive;
	set_ds_si(&in, &p);
	intcall(0x13, &in, &out);
	if ((out.eflags & X86_EFLAGS_CF) || p.sector_size != SECTOR_SIZE ||
	    !p.sectors || p.sectors >> 48)
		return 0;
	return p.sectors;
}

int disk_init(struct disk *d, u8 drive, int mbr_used_chs)
{
	struct biosregs in, out;

	*d = (struct disk){ .drive = drive, .xfer_max = DISK_XFER_MAX };
	/* The MBR asked AH=41h the same three questions (CF, BX = AA55h, the
	 * fixed-disk-access bit) for this drive and read the core with the
	 * answer; asking again costs a BIOS call and learns nothing. */
	if (!mbr_used_chs) {
		d->sectors = edd_sectors(drive);
		return 0;
	}

	d->use_chs = 1;
	initregs(&in);
	in.ah = CHS_GET_PARAMS;
	in.dl = drive;
	intcall(0x13, &in, &out);
	if (out.eflags & X86_EFLAGS_CF)
		return -1;
	d->spt = out.cl & 0x3f;
	d->heads = (u32)out.dh + 1;
	u32 cylinders = ((u32)(out.cl & 0xc0) << 2 | out.ch) + 1;
	d->sectors = (u64)cylinders * d->heads * d->spt;
	/* usb-storage and scsi-hd have been seen to report 0 sectors. */
	return d->spt ? 0 : -1;
}

static void disk_reset(struct disk *d)
{
	struct biosregs r;

	initregs(&r);
	r.ah = DISK_RESET;
	r.dl = d->drive;
	intcall(0x13, &r, 0);
}

static int read_once(struct disk *d, u64 lba, u32 n, u32 buf)
{
	static struct edd_dap dap;
	struct biosregs in, out;

	initregs(&in);
	in.dl = d->drive;
	if (!d->use_chs) {
		/* Rebuilt every time: after an error SeaBIOS writes the count
		 * it transferred (0) back into the packet. */
		dap = (struct edd_dap){ .size = sizeof(dap), .count = (u16)n,
					.offset = (u16)(buf & 0xf), .segment = (u16)(buf >> 4),
					.lba = lba };
		in.ah = EDD_READ;
		set_ds_si(&in, &dap);
	} else {
		/* CHS reaches 1024 * 256 * 63 sectors: 32-bit math suffices
		 * (and a real-mode build has no 64-bit division helpers). */
		if (lba > 0xffffffffu)
			return -1;
		u32 sector = (u32)lba % d->spt + 1;
		u32 track = (u32)lba / d->spt;
		u32 head = track % d->heads;
		u32 cyl = track / d->heads;
		if (cyl > CHS_MAX_CYLINDER)
			return -1;
		in.ah = CHS_READ;
		in.al = (u8)n;
		in.ch = (u8)cyl;
		in.cl = (u8)(sector | ((cyl >> 2) & 0xc0));
		in.dh = (u8)head;
		in.es = (u16)(buf >> 4);
		in.bx = (u16)(buf & 0xf);
	}
	intcall(0x13, &in, &out);
	return (out.eflags & X86_EFLAGS_CF) ? -1 : 0;
}

int disk_read(struct disk *d, u64 lba, u32 count, u32 buf, u64 *bad_lba)
{
	while (count) {
		u32 n = count < d->xfer_max ? count : d->xfer_max;
		u32 tries = 0;

		/* CHS transfers stay inside one track. */
		if (d->use_chs && n > d->spt - (u32)lba % d->spt)
			n = d->spt - (u32)lba % d->spt;
		while (read_once(d, lba, n, buf)) {
			d->retries++;
			disk_reset(d);
			if (++tries < DISK_TRIES)
				continue;
			if (n == 1) {
				*bad_lba = lba;
				return -1;
			}
			n /= 2;
			d->xfer_max = n;
			tries = 0;
		}
		lba += n;
		count -= n;
		buf += n * SECTOR_SIZE;
	}
	return 0;
}

int disk_read_to(struct disk *d, u64 lba, u32 count, void *dst, u64 *bad_lba)
{
	u8 *p = dst;

	while (count) {
		u32 n = count < DISK_XFER_MAX ? count : DISK_XFER_MAX;

		if (disk_read(d, lba, n, BOUNCE_BUF_ADDR, bad_lba))
			return -1;
		memcpy(p, phys(BOUNCE_BUF_ADDR), n * SECTOR_SIZE);
		lba += n;
		count -= n;
		p += n * SECTOR_SIZE;
	}
	return 0;
}
