#define MBR_SYM_s2_crc32 0x00007dac
#define MBR_SYM_s2_lba 0x00007da2
#define MBR_SYM_s2_length 0x00007da8
#define MBR_SYM_s2_sectors 0x00007da6
