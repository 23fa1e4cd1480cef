# Accelerator probe firmware: a 64 KiB BIOS image mapped at 0xF0000.
# Real mode -> protected mode -> long mode with paging, then writes 0x31 to isa-debug-exit
# (port 0xf4), so QEMU exits with (0x31 << 1) | 1 = 99 only if a vCPU ran 64-bit code.
        .code16
        .org 0
start:
        cli
        mov     $0xf000, %ax
        mov     %ax, %ds
        lgdtl   gdtr                        # DS:gdtr, 32-bit base
        mov     %cr0, %eax
        or      $1, %eax
        mov     %eax, %cr0
        ljmpl   $0x08, $(0xf0000 + pm32)
        .code32
pm32:
        mov     $0x10, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        mov     $0x8000, %esp
        # Page tables at 0x1000 (PML4), 0x2000 (PDPT), 0x3000 (PD): identity-map 0-2 MiB.
        mov     $0x1000, %edi
        xor     %eax, %eax
        mov     $(3 * 1024), %ecx
        rep stosl
        movl    $0x2003, 0x1000
        movl    $0x3003, 0x2000
        movl    $0x0083, 0x3000
        mov     %cr4, %eax
        or      $0x20, %eax                 # PAE
        mov     %eax, %cr4
        mov     $0x1000, %eax
        mov     %eax, %cr3
        mov     $0xc0000080, %ecx           # EFER
        rdmsr
        or      $0x100, %eax                # LME
        wrmsr
        mov     %cr0, %eax
        or      $0x80000000, %eax           # PG
        mov     %eax, %cr0
        ljmpl   $0x18, $(0xf0000 + lm64)
        .code64
lm64:
        # Some 64-bit work through the page tables before saying yes.
        movabs  $0x0123456789abcdef, %rax
        mov     %rax, 0x7000
        mov     0x7000, %rbx
        cmp     %rax, %rbx
        jne     fail
        mov     $0x31, %al
        out     %al, $0xf4
fail:
        hlt
        jmp     fail
        .align 8
gdt:
        .quad   0
        .quad   0x00cf9a000000ffff          # 0x08: 32-bit code
        .quad   0x00cf92000000ffff          # 0x10: data
        .quad   0x00af9a000000ffff          # 0x18: 64-bit code
gdt_end:
gdtr:
        .word   gdt_end - gdt - 1
        .long   0xf0000 + gdt
        .org 0xfff0
        .code16
reset:
        ljmp    $0xf000, $start
        .org 0x10000, 0xf4
