/*
 * frame.c: physical frame allocation (see frame.h).
 *
 * Boot order: frame_early_init() normalises the memory map and picks a bump
 * region (the largest free range below 4 GiB, which the boot page tables
 * already map). vm_init() takes its page tables from there. frame_init() then
 * takes the buddy allocator's state array from the same region and gives
 * every remaining free frame to the buddy allocator.
 */
#include <buddy.h>
#include <clk/abi.h>
#include <frame.h>
#include <kstring.h>
#include <log.h>
#include <memlayout.h>
#include <panic.h>

extern char __kernel_pstart[], __kernel_pend[];

#define RANGES_MAX (MEMMAP_MAX + MODULES_MAX + 4)

struct range {
    uint64_t start, end; /* page-aligned, end exclusive */
};

static struct buddy buddy;
static bool buddy_ready;

/* Usable RAM, sorted and merged; and what must never be handed out. */
static struct range usable[MEMMAP_MAX];
static unsigned nusable;
static struct range reserved[RANGES_MAX];
static unsigned nreserved;
static uint64_t usable_bytes, top;

/* The bump region and how far it has been used. */
static struct range bump;
static uint64_t bump_next;

static void add_reserved(uint64_t start, uint64_t end)
{
    if (end > start && nreserved < RANGES_MAX)
        reserved[nreserved++] =
            (struct range){ ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE) };
    else if (end > start)
        kpanic("frame: too many reserved ranges");
}

/* Insert [START, END) into the sorted usable list, merging neighbours. */
static void add_usable(uint64_t start, uint64_t end)
{
    start = ALIGN_UP(start, PAGE_SIZE);
    end = ALIGN_DOWN(end, PAGE_SIZE);
    if (end <= start || nusable == MEMMAP_MAX)
        return;
    unsigned i = 0;
    while (i < nusable && usable[i].start < start)
        i++;
    memmove(&usable[i + 1], &usable[i], (nusable - i) * sizeof(usable[0]));
    usable[i] = (struct range){ start, end };
    nusable++;
    for (unsigned j = 0; j + 1 < nusable;) {
        if (usable[j].end >= usable[j + 1].start) {
            usable[j].end = MAX(usable[j].end, usable[j + 1].end);
            memmove(&usable[j + 1], &usable[j + 2], (nusable - j - 2) * sizeof(usable[0]));
            nusable--;
        } else {
            j++;
        }
    }
}

/*
 * Call FN for each maximal free piece of usable RAM: usable minus every
 * reserved range. O(usable * reserved^2), both tiny.
 */
static void for_each_free(void (*fn)(uint64_t start, uint64_t end, void *ctx), void *ctx)
{
    for (unsigned i = 0; i < nusable; i++) {
        uint64_t cur = usable[i].start;
        while (cur < usable[i].end) {
            /* Skip past any reserved range covering CUR. */
            bool moved = true;
            while (moved) {
                moved = false;
                for (unsigned r = 0; r < nreserved; r++)
                    if (reserved[r].start <= cur && cur < reserved[r].end) {
                        cur = reserved[r].end;
                        moved = true;
                    }
            }
            if (cur >= usable[i].end)
                break;
            uint64_t end = usable[i].end;
            for (unsigned r = 0; r < nreserved; r++)
                if (reserved[r].start > cur && reserved[r].start < end)
                    end = reserved[r].start;
            fn(cur, end, ctx);
            cur = end;
        }
    }
}

static void pick_bump(uint64_t start, uint64_t end, void *ctx)
{
    (void)ctx;
    end = MIN(end, BOOT_MAP_SIZE);
    if (end > start && end - start > bump.end - bump.start)
        bump = (struct range){ start, end };
}

void frame_early_init(const struct bootinfo *bi)
{
    for (unsigned i = 0; i < bi->nmem; i++)
        if (bi->mem[i].type == MEM_USABLE)
            add_usable(bi->mem[i].base, bi->mem[i].base + bi->mem[i].len);
    for (unsigned i = 0; i < nusable; i++) {
        usable_bytes += usable[i].end - usable[i].start;
        top = MAX(top, usable[i].end);
    }
    /* Firmware may list overlapping regions; anything not usable wins. */
    for (unsigned i = 0; i < bi->nmem; i++)
        if (bi->mem[i].type != MEM_USABLE)
            add_reserved(bi->mem[i].base, bi->mem[i].base + bi->mem[i].len);
    add_reserved(0, 0x100000); /* BIOS data, EBDA, VGA, option ROMs */
    add_reserved((uint64_t)__kernel_pstart, (uint64_t)__kernel_pend);
    add_reserved(bi->info_start, bi->info_end);
    for (unsigned i = 0; i < bi->nmods; i++)
        add_reserved(bi->mods[i].start, bi->mods[i].end);

    for_each_free(pick_bump, NULL);
    if (bump.end - bump.start < 64 * PAGE_SIZE)
        kpanic("frame: less than 256 KiB of free memory below 4 GiB");
    bump_next = bump.start;
    log_info("mem: %lu KiB usable RAM in %u regions, highest address %#lx",
             (unsigned long)(usable_bytes >> 10), nusable, (unsigned long)top);
}

/* Take SIZE bytes, aligned to ALIGN, from the bump region. */
static int bump_take(uint64_t size, uint64_t align, uint64_t *pa)
{
    uint64_t p = ALIGN_UP(bump_next, align);
    if (p + size > bump.end)
        return CLK_ENOMEM;
    bump_next = p + size;
    *pa = p;
    return 0;
}

static void give_to_buddy(uint64_t start, uint64_t end, void *ctx)
{
    (void)ctx;
    buddy_add_range(&buddy, start >> PAGE_SHIFT, (end - start) >> PAGE_SHIFT);
}

void frame_init(void)
{
    uint64_t nframes = top >> PAGE_SHIFT;
    uint64_t state_pa;
    if (bump_take(ALIGN_UP(nframes, PAGE_SIZE), PAGE_SIZE, &state_pa) < 0)
        kpanic("frame: no room for the allocator's state (%lu frames)", (unsigned long)nframes);

    buddy_init(&buddy, phys_to_virt(state_pa), nframes, DIRECT_MAP);
    add_reserved(bump.start, bump_next); /* page tables and the state array */
    for_each_free(give_to_buddy, NULL);
    buddy_ready = true;

    struct frame_stats st;
    frame_get_stats(&st);
    log_info("mem: %lu frames free (%lu KiB), %lu frames used by the kernel and boot data",
             (unsigned long)st.free, (unsigned long)(st.free * 4), (unsigned long)st.kernel);
}

int frame_alloc(unsigned order, uint64_t *pa)
{
    if (!buddy_ready)
        return bump_take(PAGE_SIZE << order, PAGE_SIZE << order, pa);
    uint64_t pfn;
    int err = buddy_alloc(&buddy, order, &pfn);
    if (err == 0)
        *pa = pfn << PAGE_SHIFT;
    return err;
}

int frame_alloc_contig(uint64_t npages, uint64_t *pa)
{
    unsigned order = 0;
    while (order <= BUDDY_MAX_ORDER && (1ULL << order) < npages)
        order++;
    if (npages == 0 || order > BUDDY_MAX_ORDER || !buddy_ready)
        return CLK_EINVAL;
    uint64_t pfn;
    int err = buddy_alloc(&buddy, order, &pfn);
    if (err < 0)
        return err;
    /* One block of the next power of two, cut into frames; those past
     * NPAGES go straight back (and merge with their free buddies). */
    buddy_split(&buddy, pfn);
    for (uint64_t i = npages; i < (1ULL << order); i++)
        buddy_free(&buddy, pfn + i);
    *pa = pfn << PAGE_SHIFT;
    return 0;
}

void frame_free(uint64_t pa)
{
    if (!buddy_ready || !IS_ALIGNED(pa, PAGE_SIZE))
        kpanic("frame_free: %#lx is not a frame the allocator gave out", (unsigned long)pa);
    buddy_free(&buddy, pa >> PAGE_SHIFT);
}

bool frame_overlaps_ram(uint64_t pa, uint64_t size)
{
    for (unsigned i = 0; i < nusable; i++)
        if (pa < usable[i].end && pa + size > usable[i].start)
            return true;
    return false;
}

void frame_get_stats(struct frame_stats *st)
{
    st->total = usable_bytes;
    st->managed = buddy.nmanaged;
    st->free = buddy.nfree;
    st->kernel = (usable_bytes >> PAGE_SHIFT) - buddy.nmanaged;
    st->top = top;
}

void frame_check(void)
{
    buddy_check(&buddy);
}

void *page_alloc(unsigned order)
{
    uint64_t pa = 0;
    if (frame_alloc(order, &pa) < 0)
        return NULL;
    return phys_to_virt(pa);
}

void page_free(void *p)
{
    frame_free(virt_to_phys(p));
}

bool page_block_of(const void *p, void **head, unsigned *order)
{
    uint64_t va = (uint64_t)p, hpfn;
    if (va < DIRECT_MAP || va >= DIRECT_MAP + top)
        return false;
    if (!buddy_block_of(&buddy, (va - DIRECT_MAP) >> PAGE_SHIFT, &hpfn, order))
        return false;
    *head = phys_to_virt(hpfn << PAGE_SHIFT);
    return true;
}

void page_set_tag(void *head, enum page_tag tag)
{
    buddy_set_tag(&buddy, virt_to_phys(head) >> PAGE_SHIFT, tag);
}

enum page_tag page_tag(const void *head)
{
    return buddy_tag(&buddy, virt_to_phys(head) >> PAGE_SHIFT);
}
