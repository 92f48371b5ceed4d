; A boot sector that makes a known number of BIOS calls through INT
; instructions and then reaches probe_done: tests/boot/benchtest.py runs
; tools/inscount over it (--stop probe_done) and checks that the report
; counts exactly these calls under the right services.  The counts are
; exported as symbols, their one owner.
%include "status.inc"

PROBE_TTY_CALLS equ 5			; INT 10h AH=0Eh, one character each
PROBE_DISK_CALLS equ 2			; INT 13h AH=42h, one sector each
PROBE_E820_CALLS equ 3			; INT 15h EAX=E820h, following EBX
global PROBE_TTY_CALLS, PROBE_DISK_CALLS, PROBE_E820_CALLS

BUF equ 0x0600				; free low memory for the answers
SMAP equ 0x534d4150

bits 16
section .text
global _start, probe_done
_start:
	jmp 0:.cs0
.cs0:
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, 0x7c00
	cld
	mov [drive], dl
	mov cx, PROBE_TTY_CALLS
.tty:
	push cx
	mov ax, 0x0e00 + '.'
	mov bx, 0x0007
	int 0x10
	pop cx
	loop .tty
	mov cx, PROBE_DISK_CALLS
.disk:
	push cx
	mov si, dap
	mov dl, [drive]
	mov ah, 0x42
	int 0x13
	pop cx
	loop .disk
	xor ebx, ebx
	mov cx, PROBE_E820_CALLS
.e820:
	push cx
	mov eax, 0xe820
	mov edx, SMAP
	mov ecx, 20
	mov di, BUF
	int 0x15
	pop cx
	loop .e820
probe_done:
	mov al, STATUS_KERNEL_OK
	out QEMU_EXIT_PORT, al
.halt:
	cli
	hlt
	jmp .halt

align 4
dap:	db 16, 0
	dw 1				; sectors
	dw BUF, 0			; offset, segment
	dq 0				; LBA
drive:	db 0
