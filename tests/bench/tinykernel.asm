; The benchmark's tiny kernel: it ends the boot at its first instructions, so
; a boot's time and instruction count stop where the kernel starts.  It
; checks that EAX holds the magic of the protocol it was built for (a loader
; that starts it some other way is caught: "end fail"), then writes
; STATUS_KERNEL_OK to QEMU's isa-debug-exit device.  Elsewhere (Bochs, real
; hardware) it halts.
;
; One source, three builds (tests/bench/bench.mk):
;   (no define)        ELF32 for this loader's own protocol (EAX = BOOTINFO_MAGIC)
;   -DMULTIBOOT1       with a Multiboot 1 header (EAX = 0x2BADB002)
;   -DMULTIBOOT2       with a Multiboot 2 header (EAX = 0x36D76289)
; linked with link.ld (kmain at 1 MiB); with -DPAYLOAD the 32 MiB kernel
; links a data blob after it (the loader and GRUB must move every byte).

%include "status.inc"
%include "bootinfo.inc"

; Multiboot 1 (Multiboot Specification 0.6.96, section 3.1): magic, flags,
; checksum, 4-byte aligned within the first 8 KiB of the file.  An ELF
; kernel needs no address fields, so no flag is set.
MB1_HEADER_MAGIC equ 0x1BADB002
MB1_BOOT_MAGIC equ 0x2BADB002
MB1_FLAGS equ 0
; Multiboot 2 (Multiboot2 Specification 2.0, section 3.1): magic,
; architecture (0: i386 protected mode), header length, checksum, then
; tags ending with the end tag (type 0, flags 0, size 8); 8-byte aligned
; within the first 32 KiB.
MB2_HEADER_MAGIC equ 0xE85250D6
MB2_BOOT_MAGIC equ 0x36D76289
MB2_ARCH_I386 equ 0

%ifdef MULTIBOOT1
  %define ENTRY_MAGIC MB1_BOOT_MAGIC
%elifdef MULTIBOOT2
  %define ENTRY_MAGIC MB2_BOOT_MAGIC
%else
  %define ENTRY_MAGIC BOOTINFO_MAGIC
%endif

bits 32
section .text.entry progbits alloc exec nowrite align=8
%ifdef MULTIBOOT1
mb1_header:
	dd MB1_HEADER_MAGIC, MB1_FLAGS
	dd 0x100000000 - (MB1_HEADER_MAGIC + MB1_FLAGS)
%endif
%ifdef MULTIBOOT2
mb2_header:
	dd MB2_HEADER_MAGIC, MB2_ARCH_I386, MB2_LENGTH
	dd 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + MB2_LENGTH)
	dw 0, 0				; end tag: type, flags
	dd 8				; size
MB2_LENGTH equ $ - mb2_header
%endif

global kmain
kmain:
	cmp eax, ENTRY_MAGIC
	mov al, STATUS_KERNEL_OK
	je .report
	mov al, STATUS_KERNEL_FAIL
.report:
	out QEMU_EXIT_PORT, al
.halt:
	cli
	hlt
	jmp .halt

section .note.GNU-stack noalloc noexec nowrite progbits
