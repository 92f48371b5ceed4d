/*
 * The extension's version mark: the first object of STAGE2_EXT (the
 * Makefile), so the extension is never empty, and what it was built from is
 * in it for anyone reading a disk's sectors.
 */
const char ext_mark[] __attribute__((used)) = "stage2 extension: Multiboot, Linux, video, gzip";
