/*
 * kstack.c: kernel stacks, each above an unmapped guard page (see kstack.h).
 */
#include <clk/abi.h>
#include <frame.h>
#include <kstack.h>
#include <panic.h>
#include <vm.h>

/* Boot, double-fault, NMI and machine-check stacks. vm_init() maps each
 * one's stack pages and leaves its guard page unmapped. */
struct static_stack {
    uint8_t guard[PAGE_SIZE];
    uint8_t stack[KSTACK_SIZE];
} __attribute__((aligned(PAGE_SIZE)));

struct static_stack static_stacks[KSTACK_STATIC_COUNT] __attribute__((section(".bss.stacks")));

/* Allocated stacks: slot i spans [KSTACK_VBASE + i * KSTACK_SLOT, + KSTACK_SLOT),
 * its first page the guard. */
static uint64_t slot_used[(KSTACK_SLOTS + 63) / 64];

uint64_t kstack_static_top(enum kstack_static which)
{
    return (uint64_t)(static_stacks[which].stack + KSTACK_SIZE);
}

uint64_t kstack_static_guard(enum kstack_static which)
{
    return (uint64_t)static_stacks[which].guard;
}

static uint64_t slot_base(unsigned slot)
{
    return KSTACK_VBASE + (uint64_t)slot * KSTACK_SLOT;
}

static void unmap_stack(uint64_t base, unsigned pages)
{
    for (unsigned i = 0; i < pages; i++) {
        uint64_t pa;
        if (arch_unmap(vm_kernel_root(), base + PAGE_SIZE * (i + 1), &pa) == 0)
            frame_free(pa);
    }
}

int kstack_alloc(uint64_t *top)
{
    unsigned slot = 0;
    while (slot < KSTACK_SLOTS && (slot_used[slot / 64] & (1ULL << (slot % 64))))
        slot++;
    if (slot == KSTACK_SLOTS)
        return CLK_ENOMEM;

    uint64_t base = slot_base(slot);
    for (unsigned i = 0; i < KSTACK_PAGES; i++) {
        uint64_t pa;
        int err = frame_alloc(0, &pa);
        if (!err) {
            err = arch_map(vm_kernel_root(), base + PAGE_SIZE * (i + 1), pa, VM_WRITE | VM_GLOBAL);
            if (err)
                frame_free(pa);
        }
        if (err) {
            unmap_stack(base, i);
            return err;
        }
    }
    slot_used[slot / 64] |= 1ULL << (slot % 64);
    *top = base + KSTACK_SLOT;
    return 0;
}

void kstack_free(uint64_t top)
{
    uint64_t off = top - KSTACK_VBASE;
    unsigned slot = off / KSTACK_SLOT - 1;
    if (top <= KSTACK_VBASE || off % KSTACK_SLOT || slot >= KSTACK_SLOTS ||
        !(slot_used[slot / 64] & (1ULL << (slot % 64))))
        kpanic("kstack_free: %#lx is not an allocated kernel stack", (unsigned long)top);
    unmap_stack(slot_base(slot), KSTACK_PAGES);
    slot_used[slot / 64] &= ~(1ULL << (slot % 64));
}

bool kstack_is_guard(uint64_t va)
{
    for (int i = 0; i < KSTACK_STATIC_COUNT; i++)
        if (va - kstack_static_guard(i) < PAGE_SIZE)
            return true;
    if (va < KSTACK_VBASE || va >= slot_base(KSTACK_SLOTS))
        return false;
    return (va - KSTACK_VBASE) % KSTACK_SLOT < PAGE_SIZE;
}
