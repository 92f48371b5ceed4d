; The benchmark's raw-read stage: the fastest a boot sector can move a
; kernel through the BIOS.  It reads read_count sectors from read_lba (both
; patched in by tools/bench, from the symbols of build/bench/rawread.elf)
; with INT 13h AH=42h calls of at most RAW_XFER sectors into the loader's
; low bounce buffer, which is 64 KiB aligned so no transfer crosses a 64 KiB
; boundary, then exits QEMU with STATUS_KERNEL_OK (STATUS_LOADER_ERROR if a
; read fails).  Nothing is copied anywhere: this is the limit a loader's
; read path is measured against.
%include "layout.inc"
%include "status.inc"

RAW_XFER equ 127			; the largest count every EDD BIOS takes
EDD_READ equ 0x42
%if RAW_XFER * SECTOR_SIZE > BOUNCE_BUF_SIZE
  %error "a transfer does not fit the bounce buffer"
%endif

bits 16
section .text
global _start, read_lba, read_count
_start:
	jmp 0:.cs0
.cs0:
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, MBR_LOAD_ADDR
	cld
	mov [drive], dl			; some BIOSes trash DL across INT 13h
	mov ebx, [read_count]
.next:
	mov ecx, RAW_XFER
	cmp ebx, ecx
	jae .sized
	mov ecx, ebx
.sized:
	jecxz .done
	; The packet is rebuilt for every call: after an error SeaBIOS writes
	; the count it transferred back into it.
	mov byte [dap], 16
	mov [dap + 2], cx
	mov word [dap + 4], 0
	mov word [dap + 6], BOUNCE_BUF_ADDR >> 4
	mov eax, [read_lba]
	mov [dap + 8], eax
	mov si, dap
	mov dl, [drive]
	mov ah, EDD_READ
	push ecx
	int 0x13
	pop ecx
	mov al, STATUS_LOADER_ERROR
	jc .exit
	add [read_lba], ecx
	sub ebx, ecx
	jmp .next
.done:
	mov al, STATUS_KERNEL_OK
.exit:
	out QEMU_EXIT_PORT, al
.halt:
	cli
	hlt
	jmp .halt

align 4
read_lba:	dd 0
read_count:	dd 0
dap:		times 16 db 0		; upper LBA dword stays 0
drive:		db 0
