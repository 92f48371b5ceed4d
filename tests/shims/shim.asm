; Test shim: a boot sector that runs before the loader's MBR and hands over
; control the way awkward real BIOSes do.  It relocates itself to 0x0600,
; reads the real MBR from sector REAL_MBR_LBA to 0000:7C00 and jumps to it.
; Variants (nasm -D):
;   ENTRY_07C0     enter at 07C0:0000 instead of 0000:7C00 (ELKS issue 1367)
;   ENTRY_DL=n     DL handed to the MBR (0: PhoenixBIOS 4.0 hard-disk boot)
;   A20_OFF        switch A20 off through port 0x92 first
;   HOOK_2401      hook INT 15h so AX=2401h (enable A20) fails, from memory
;                  taken by lowering 40:13, as option ROMs do
; Always: junk in the upper halves of every 32-bit register at entry
; (rust-osdev issue 44, Limine PR 552).
; Failure: 'S' on port 0xE9 and a halt.

%ifndef ENTRY_DL
%define ENTRY_DL 0x80
%endif

SHIM_BASE equ 0x0600

bits 16
org SHIM_BASE
start:
	; Running at 0x7C00 until the copy: only position-independent code.
	cli
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, 0x7c00
	sti
	cld
	mov si, 0x7c00
	mov di, SHIM_BASE
	mov cx, 256
	rep movsw
	jmp 0:relocated
relocated:
	mov [drive], dl
%ifdef A20_OFF
	in al, 0x92
	and al, 0xfc			; bit 1 = A20, bit 0 = reset: both 0
	out 0x92, al
%endif
%ifdef HOOK_2401
	dec word [0x413]		; 1 KiB for the resident hook
	mov ax, [0x413]
	shl ax, 6			; KiB -> segment
	mov es, ax
	xor di, di
	mov si, hook
	mov cx, hook_end - hook
	rep movsb
	mov eax, [0x15 * 4]
	mov [es:old15 - hook], eax
	mov word [0x15 * 4], 0
	mov [0x15 * 4 + 2], es
	xor ax, ax
	mov es, ax
%endif
	mov si, dap
	mov ah, 0x42
	mov dl, [drive]
	int 0x13
	jc fail
	mov eax, 0xbad10000
	mov ebx, 0xbad20000
	mov ecx, 0xbad30000
	mov edx, 0xbad40000 | ENTRY_DL
	mov esi, 0xbad50000
	mov edi, 0xbad60000
	mov ebp, 0xbad70000
	mov esp, 0xbad87c00
%ifdef ENTRY_07C0
	jmp 0x07c0:0x0000
%else
	jmp 0x0000:0x7c00
%endif

fail:
	mov al, 'S'
	out 0xe9, al
.halt:
	hlt
	jmp .halt

; Resident INT 15h hook, copied to the stolen KiB; CS = its segment.
hook:
	cmp ax, 0x2401
	jne .chain
	mov ah, 0x86			; "function not supported"
	push bp
	mov bp, sp
	or byte [bp + 6], 1		; CF in the caller's FLAGS image
	pop bp
	iret
.chain:
	jmp far [cs:old15 - hook]
old15:	dd 0
hook_end:

dap:	db 0x10, 0
	dw 1, 0x7c00, 0
	dq REAL_MBR_LBA
drive:	db 0

	times 510 - ($ - $$) db 0
	dw 0xaa55
