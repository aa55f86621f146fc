/*
 * kstack.h: kernel stacks. Every kernel stack, static or allocated, sits
 * directly above an unmapped guard page, so an overflow faults at once
 * instead of corrupting memory. The fault lands on an IST stack (see gdt.c)
 * and the panic report names the overflow.
 */
#ifndef CLK_KSTACK_H
#define CLK_KSTACK_H

#include <kdefs.h>
#include <memlayout.h>
#include <param.h>

#define KSTACK_SIZE (KSTACK_PAGES * PAGE_SIZE)
#define KSTACK_SLOT (KSTACK_SIZE + PAGE_SIZE) /* guard page + stack */

/* Stacks that exist before any allocator: in the image's .bss. */
enum kstack_static {
    KSTACK_BOOT,
    KSTACK_DOUBLE_FAULT,
    KSTACK_NMI,
    KSTACK_MACHINE_CHECK,
    KSTACK_STATIC_COUNT,
};

/* The initial stack pointer (one past the top) of static stack WHICH. */
uint64_t kstack_static_top(enum kstack_static which);

/* The guard page below static stack WHICH (vm_init leaves it unmapped). */
uint64_t kstack_static_guard(enum kstack_static which);

/* Allocate and map a stack; *TOP gets its initial stack pointer. */
int kstack_alloc(uint64_t *top);

/* Unmap and free the stack whose initial stack pointer is TOP. */
void kstack_free(uint64_t top);

/* True when VA lies in the guard page of any kernel stack. */
bool kstack_is_guard(uint64_t va);

#endif
