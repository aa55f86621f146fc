/*
 * memory.c: memory objects and their mappings (see memory.h).
 */
#include <actor.h>
#include <frame.h>
#include <kmalloc.h>
#include <kstring.h>
#include <memlayout.h>
#include <memory.h>
#include <param.h>
#include <vm.h>
#include <vspace.h>

static uint64_t free_frames(void)
{
    struct frame_stats st;
    frame_get_stats(&st);
    return st.free;
}

/* The physical address of page I of MO. */
static uint64_t page_pa(const struct memobj *mo, uint32_t i)
{
    return mo->kind == MEMOBJ_RAM ? mo->pa[i] : mo->base + (uint64_t)i * PAGE_SIZE;
}

int memobj_create(struct actor *a, uint64_t npages)
{
    if (npages == 0 || npages > USER_TOP / PAGE_SIZE)
        return CLK_EINVAL;
    if (npages > vspace_room(&a->vs))
        return CLK_ENOMEM;
    struct memobj *mo = kzalloc(sizeof(*mo) + npages * sizeof(uint64_t));
    if (!mo)
        return CLK_ENOMEM;
    mo->owner = a->id;
    for (; mo->npages < npages; mo->npages++) {
        uint64_t pa;
        if (frame_alloc(0, &pa) < 0)
            break;
        memset(phys_to_virt(pa), 0, PAGE_SIZE);
        mo->pa[mo->npages] = pa;
    }
    int slot = mo->npages == npages ? cap_insert(a, CAP_MEMORY, mo, CLK_RIGHTS_ALL, 0) : CLK_ENOMEM;
    if (slot < 0) {
        while (mo->npages)
            frame_free(mo->pa[--mo->npages]);
        kfree(mo);
        return slot;
    }
    a->vs.pages += npages;
    return slot;
}

int memobj_create_dma(struct actor *a, uint64_t npages)
{
    uint64_t base;
    if (npages == 0 || npages > (1UL << BUDDY_MAX_ORDER))
        return CLK_EINVAL;
    if (npages > vspace_room(&a->vs))
        return CLK_ENOMEM;
    struct memobj *mo = kzalloc(sizeof(*mo));
    if (!mo || frame_alloc_contig(npages, &base) < 0) {
        kfree(mo);
        return CLK_ENOMEM;
    }
    memset(phys_to_virt(base), 0, npages * PAGE_SIZE);
    *mo = (struct memobj){ .owner = a->id, .npages = npages, .kind = MEMOBJ_DMA, .base = base };
    int slot = cap_insert(a, CAP_MEMORY, mo, CLK_RIGHTS_ALL, 0);
    if (slot < 0) {
        for (uint64_t i = 0; i < npages; i++)
            frame_free(base + i * PAGE_SIZE);
        kfree(mo);
        return slot;
    }
    a->vs.pages += npages;
    return slot;
}

int memobj_create_device(struct actor *a, uint64_t pa, uint64_t npages)
{
    uint64_t size = npages * PAGE_SIZE;
    if (!IS_ALIGNED(pa, PAGE_SIZE) || npages == 0 || npages > DEVICE_MMIO_MAX_PAGES ||
        pa >= PHYS_LIMIT || size > PHYS_LIMIT - pa || frame_overlaps_ram(pa, size))
        return CLK_EINVAL;
    if (vm_kernel_maps_phys(pa, size))
        return CLK_EPERM;
    struct memobj *mo = kzalloc(sizeof(*mo));
    if (!mo)
        return CLK_ENOMEM;
    /* No owner: device pages cost no quota and are never freed. */
    *mo = (struct memobj){ .npages = npages, .kind = MEMOBJ_DEVICE, .base = pa };
    int slot = cap_insert(a, CAP_MEMORY, mo, CLK_RIGHTS_ALL, 0);
    if (slot < 0)
        kfree(mo);
    return slot;
}

int memobj_create_boot(struct actor *a, uint64_t pa, uint64_t npages, unsigned rights)
{
    if (!IS_ALIGNED(pa, PAGE_SIZE) || npages == 0 || npages > USER_TOP / PAGE_SIZE ||
        (rights & CLK_RIGHT_WRITE))
        return CLK_EINVAL;
    struct memobj *mo = kzalloc(sizeof(*mo));
    if (!mo)
        return CLK_ENOMEM;
    /* No owner: the boot loader's pages cost no quota and are never freed. */
    *mo = (struct memobj){ .npages = npages, .kind = MEMOBJ_BOOT, .base = pa };
    int slot = cap_insert(a, CAP_MEMORY, mo, rights, 0);
    if (slot < 0)
        kfree(mo);
    return slot;
}

int64_t memobj_phys(const struct memobj *mo, uint64_t page)
{
    if (mo->kind == MEMOBJ_RAM || mo->kind == MEMOBJ_BOOT)
        return CLK_EBADF;
    if (page >= mo->npages)
        return CLK_EINVAL;
    return (int64_t)page_pa(mo, (uint32_t)page);
}

void memobj_retain(struct memobj *mo)
{
    mo->refs++;
}

void memobj_release(struct memobj *mo)
{
    if (--mo->refs)
        return;
    if (mo->kind == MEMOBJ_RAM || mo->kind == MEMOBJ_DMA) { /* device and boot pages stay */
        struct actor *owner = actor_find(mo->owner);
        if (owner)
            owner->vs.pages -= mo->npages;
        for (uint32_t i = 0; i < mo->npages; i++)
            frame_free(page_pa(mo, i));
    }
    kfree(mo);
}

int memobj_map(struct vspace *vs, struct memobj *mo, uint64_t va, bool write)
{
    uint64_t len = (uint64_t)mo->npages * PAGE_SIZE;
    if (!IS_ALIGNED(va, PAGE_SIZE) || va < USER_MIN || va >= USER_TOP || len > USER_TOP - va)
        return CLK_EINVAL;
    if (write && mo->kind == MEMOBJ_BOOT)
        return CLK_EPERM; /* no capability has WRITE; this holds even if one did */
    struct region *r = kzalloc(sizeof(*r));
    if (!r)
        return CLK_ENOMEM;
    /* Device registers must see every access, in order: uncached. */
    unsigned flags =
        VM_USER | (write ? VM_WRITE : 0) | (mo->kind == MEMOBJ_DEVICE ? VM_NOCACHE : 0);
    uint64_t free_before = free_frames();
    int err = 0;
    uint32_t mapped = 0;
    while (mapped < mo->npages &&
           !(err = arch_map(vs->root, va + mapped * PAGE_SIZE, page_pa(mo, mapped), flags)))
        mapped++;
    /* The page tables this made stay until the space goes, so they count
     * against its page quota for good: mapping cannot eat memory unbounded. */
    vs->pages += free_before - free_frames();
    if (!err && vs->pages > vs->max_pages)
        err = CLK_ENOMEM;
    if (err) {
        while (mapped--)
            arch_unmap(vs->root, va + mapped * PAGE_SIZE, NULL);
        kfree(r);
        return err;
    }
    r->va = va;
    r->mo = mo;
    r->next = vs->regions;
    vs->regions = r;
    memobj_retain(mo);
    return 0;
}

static void unmap_region(struct vspace *vs, struct region *r)
{
    for (uint32_t i = 0; i < r->mo->npages; i++)
        arch_unmap(vs->root, r->va + i * PAGE_SIZE, NULL);
    memobj_release(r->mo);
    kfree(r);
}

int memobj_unmap(struct vspace *vs, uint64_t va)
{
    for (struct region **p = &vs->regions; *p; p = &(*p)->next)
        if ((*p)->va == va) {
            struct region *r = *p;
            *p = r->next;
            unmap_region(vs, r);
            return 0;
        }
    return CLK_ENOENT;
}

void memobj_unmap_all(struct vspace *vs)
{
    while (vs->regions) {
        struct region *r = vs->regions;
        vs->regions = r->next;
        memobj_release(r->mo); /* the tables go with the space */
        kfree(r);
    }
}
