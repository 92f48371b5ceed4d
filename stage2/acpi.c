/* The ACPI RSDP; see acpi.h. */
#include "acpi.h"
#include "io.h"

static u8 sum(const u8 *p, u32 n)
{
	u8 s = 0;

	while (n--)
		s += *p++;
	return s;
}

s32 acpi_rsdp_scan(const u8 *area, u32 len)
{
	static const char sig[8] = ACPI_RSDP_SIGNATURE;

	for (u32 off = 0; off + ACPI_RSDP_V1_SIZE <= len; off += 16) {
		const u8 *p = area + off;
		/* A word compare first: the scan passes some 8000 places. */
		if (*(const u32 *)p != *(const u32 *)sig || memcmp(p, sig, sizeof(sig)) ||
		    sum(p, ACPI_RSDP_V1_SIZE))
			continue;
		if (p[ACPI_RSDP_OFF_REVISION] >= 2) {
			/* The extended structure must fit the area and add up. */
			if (off + ACPI_RSDP_V2_SIZE > len)
				continue;
			u32 l = (u32)p[ACPI_RSDP_OFF_LENGTH] | (u32)p[ACPI_RSDP_OFF_LENGTH + 1] << 8 |
				(u32)p[ACPI_RSDP_OFF_LENGTH + 2] << 16 |
				(u32)p[ACPI_RSDP_OFF_LENGTH + 3] << 24;
			if (l < ACPI_RSDP_V2_SIZE || l > len - off || sum(p, l))
				continue;
		}
		return (s32)off;
	}
	return -1;
}

u32 acpi_find_rsdp(u32 ebda_base)
{
	s32 off;

	if (ebda_base && (off = acpi_rsdp_scan(phys(ebda_base), ACPI_EBDA_SCAN)) >= 0)
		return ebda_base + (u32)off;
	if ((off = acpi_rsdp_scan(phys(ACPI_BIOS_AREA), ACPI_BIOS_AREA_SIZE)) >= 0)
		return ACPI_BIOS_AREA + (u32)off;
	return 0;
}
