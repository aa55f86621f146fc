/*
 * ktest/tlb.c: address spaces and the TLB. After a switch, after an unmap
 * in a space that is not loaded, and after a space is destroyed and its
 * PCID and table are reused, the CPU must read what the page tables say
 * now. With PCIDs the TLB keeps a space's entries while others run, so each
 * step checks an invalidation; without them it checks the plain switch.
 * The kernel reads the user page directly: SMAP is off.
 */
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <frame.h>
#include <ktest.h>
#include <memlayout.h>
#include <vm.h>
#include <vspace.h>

#define TEST_VA 0x0000000010000000UL /* a user page */

/* Map a new page at TEST_VA in VS that holds MARK. */
static int map_marked(struct vspace *vs, uint64_t mark)
{
    uint64_t pa;
    int err = vspace_map_new(vs, TEST_VA, 1, VM_WRITE);
    if (!err && arch_lookup(vs->root, TEST_VA, &pa, NULL))
        *(uint64_t *)phys_to_virt(pa) = mark;
    return err;
}

/* Unmap the page at TEST_VA of VS and free its frame. */
static int unmap(struct vspace *vs)
{
    uint64_t pa;
    int err = arch_unmap(vs->root, TEST_VA, &pa);
    if (!err) {
        frame_free(pa);
        vs->pages--;
    }
    return err;
}

/* What the CPU reads at TEST_VA with VS loaded. */
static uint64_t read_in(const struct vspace *vs)
{
    arch_activate(vs->root);
    return *(volatile uint64_t *)TEST_VA;
}

KTEST(tlb_invalidation)
{
    struct vspace a, b, c;
    bool pcid = read_cr4() & CR4_PCIDE;
    KTEST_CHECK(vspace_init(&a) == 0 && vspace_init(&b) == 0);
    KTEST_CHECK(map_marked(&a, 0xA1) == 0 && map_marked(&b, 0xB1) == 0);
    KTEST_CHECKF(!pcid || ((a.root & CR3_PCID) && (b.root & CR3_PCID) &&
                           (a.root & CR3_PCID) != (b.root & CR3_PCID)),
                 "PCIDs %#lx and %#lx", (unsigned long)(a.root & CR3_PCID),
                 (unsigned long)(b.root & CR3_PCID));

    /* A switch and back: each space sees its own page. */
    KTEST_CHECK(read_in(&a) == 0xA1);
    KTEST_CHECK(read_in(&b) == 0xB1);
    KTEST_CHECK(read_in(&a) == 0xA1);

    /* A page replaced while its space is not loaded, then while it is. */
    arch_activate(b.root);
    KTEST_CHECK(unmap(&a) == 0 && map_marked(&a, 0xA2) == 0);
    KTEST_CHECK(read_in(&a) == 0xA2);
    KTEST_CHECK(unmap(&a) == 0 && map_marked(&a, 0xA3) == 0);
    KTEST_CHECK(read_in(&a) == 0xA3);

    /* A dies; the next space takes its PCID (the lowest free one) and
     * very likely its top-level table. */
    uint64_t a_pcid = a.root & CR3_PCID;
    arch_activate(vm_kernel_root());
    vspace_destroy(&a);
    KTEST_CHECK(vspace_init(&c) == 0 && map_marked(&c, 0xC1) == 0);
    KTEST_CHECK((c.root & CR3_PCID) == a_pcid);
    KTEST_CHECK(read_in(&c) == 0xC1);
    KTEST_CHECK(read_in(&b) == 0xB1);

    arch_activate(vm_kernel_root());
    vspace_destroy(&b);
    vspace_destroy(&c);
}
