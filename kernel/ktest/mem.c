/*
 * ktest/mem.c: tests of the frame allocator, kernel stacks and the heap on
 * the real machine's memory.
 */
#include <actor.h>
#include <clk/abi.h>
#include <cpio.h>
#include <frame.h>
#include <initrd.h>
#include <kmalloc.h>
#include <kstack.h>
#include <kstring.h>
#include <ktest.h>
#include <log.h>
#include <memlayout.h>
#include <vm.h>

static uint64_t free_frames(void)
{
    struct frame_stats st;
    frame_get_stats(&st);
    return st.free;
}

/* Allocate every free frame as single pages, chained through the frames
 * themselves; each holds its own address, so overlap would show. */
KTEST(frames_exhaust)
{
    uint64_t start = free_frames(), n = 0, head = 0, pa;
    while (frame_alloc(0, &pa) == 0) {
        uint64_t *p = phys_to_virt(pa);
        p[0] = head;
        p[1] = pa ^ 0x5A5A5A5A5A5A5A5AULL;
        head = pa;
        n++;
    }
    KTEST_CHECKF(n == start, "allocated %lu frames, %lu were free", (unsigned long)n,
                 (unsigned long)start);
    KTEST_CHECK(free_frames() == 0);
    uint64_t seen = 0;
    while (head) {
        uint64_t *p = phys_to_virt(head), next = p[0];
        KTEST_CHECKF(p[1] == (head ^ 0x5A5A5A5A5A5A5A5AULL), "frame %#lx overwritten",
                     (unsigned long)head);
        frame_free(head);
        head = next;
        seen++;
    }
    KTEST_CHECK(seen == n);
    KTEST_CHECK(free_frames() == start);
    frame_check();
    log_info("frames_exhaust: %lu frames allocated, checked and freed", (unsigned long)n);
}

#define ORDERS_SLOTS 512

/* Random orders, random frees; the counts and invariants must hold throughout. */
KTEST(frames_random)
{
    static uint64_t addr[ORDERS_SLOTS];
    static uint8_t ord[ORDERS_SLOTS];
    uint64_t start = free_frames(), used = 0;
    memset(addr, 0, sizeof(addr));

    for (int step = 0; step < 20000; step++) {
        unsigned i = ktest_rand() % ORDERS_SLOTS;
        if (addr[i]) {
            frame_free(addr[i]);
            used -= 1ULL << ord[i];
            addr[i] = 0;
        } else {
            unsigned o = ktest_rand() % 6;
            if (frame_alloc(o, &addr[i]) == 0) {
                KTEST_CHECK(IS_ALIGNED(addr[i], PAGE_SIZE << o));
                ord[i] = o;
                used += 1ULL << o;
            } else {
                addr[i] = 0;
            }
        }
        KTEST_CHECK(free_frames() == start - used);
        if (step % 5000 == 0)
            frame_check();
    }
    for (unsigned i = 0; i < ORDERS_SLOTS; i++)
        if (addr[i])
            frame_free(addr[i]);
    KTEST_CHECK(free_frames() == start);
    frame_check();
}

/* Every free frame can be allocated, above 4 GiB too: take the largest
 * blocks first, touch each, and report the highest address reached. */
KTEST(frames_all_memory)
{
    uint64_t start = free_frames(), got = 0, highest = 0, pa, head = 0;
    for (int o = BUDDY_MAX_ORDER; o >= 0; o--) {
        while (frame_alloc(o, &pa) == 0) {
            uint64_t *first = phys_to_virt(pa);
            uint64_t *last = phys_to_virt(pa + (PAGE_SIZE << o) - 8);
            *last = pa;
            first[0] = head;
            first[1] = o;
            head = pa;
            got += 1ULL << o;
            highest = MAX(highest, pa + (PAGE_SIZE << o));
        }
    }
    KTEST_CHECKF(got == start, "allocated %lu of %lu free frames", (unsigned long)got,
                 (unsigned long)start);
    while (head) {
        uint64_t *first = phys_to_virt(head), next = first[0];
        KTEST_CHECK(*(uint64_t *)phys_to_virt(head + (PAGE_SIZE << first[1]) - 8) == head);
        frame_free(head);
        head = next;
    }
    KTEST_CHECK(free_frames() == start);
    kprintf("ktest: frames_all_memory: %lu MiB allocatable, highest address %#lx\n",
            (unsigned long)(got >> 8), (unsigned long)highest);
}

KTEST(kmalloc_random)
{
    enum { SLOTS = 300 };
    static uint8_t *ptr[SLOTS];
    static uint32_t len[SLOTS];
    struct kmalloc_stats st;
    memset(ptr, 0, sizeof(ptr));

    for (int step = 0; step < 20000; step++) {
        unsigned i = ktest_rand() % SLOTS;
        if (ptr[i]) {
            for (uint32_t k = 0; k < len[i]; k++)
                KTEST_CHECKF(ptr[i][k] == (uint8_t)(i + k), "object %p corrupted", ptr[i]);
            kfree(ptr[i]);
            ptr[i] = NULL;
        } else {
            len[i] = 1 + ktest_rand() % (ktest_rand() % 8 ? 300 : 9000);
            ptr[i] = kmalloc(len[i]);
            KTEST_CHECK(ptr[i] && IS_ALIGNED((uintptr_t)ptr[i], 16));
            for (uint32_t k = 0; k < len[i]; k++)
                ptr[i][k] = (uint8_t)(i + k);
        }
    }
    for (unsigned i = 0; i < SLOTS; i++)
        kfree(ptr[i]);
    kmalloc_get_stats(&st);
    KTEST_CHECK(st.objects == 0 && st.large == 0);
    KTEST_CHECKF(st.slabs <= 8, "%lu slabs kept after freeing everything", (unsigned long)st.slabs);
    KTEST_CHECK(kmalloc(0) == NULL);
    frame_check();
}

/* A stack's pages are writable and not executable; the page below is unmapped. */
KTEST(kstack_guard_pages)
{
    uint64_t tops[4], start;
    KTEST_CHECK(kstack_alloc(&tops[0]) == 0); /* first use may build page tables */
    kstack_free(tops[0]);
    start = free_frames();
    for (int i = 0; i < 4; i++) {
        KTEST_CHECK(kstack_alloc(&tops[i]) == 0);
        uint64_t bottom = tops[i] - KSTACK_SIZE;
        KTEST_CHECK(vm_kernel_accessible(bottom, VM_WRITE));
        KTEST_CHECK(vm_kernel_accessible(tops[i] - 8, VM_WRITE));
        KTEST_CHECK(!vm_kernel_accessible(bottom, VM_EXEC));
        KTEST_CHECK(!vm_kernel_accessible(bottom - 8, 0));
        KTEST_CHECK(kstack_is_guard(bottom - 8) && !kstack_is_guard(bottom));
        *(volatile uint64_t *)(tops[i] - 8) = 42;
    }
    for (int i = 0; i < KSTACK_STATIC_COUNT; i++)
        KTEST_CHECK(!vm_kernel_accessible(kstack_static_guard(i), 0));
    for (int i = 0; i < 4; i++)
        kstack_free(tops[i]);
    KTEST_CHECK(!vm_kernel_accessible(tops[0] - 8, 0));
    KTEST_CHECK(free_frames() == start);
}

/* A request to spawn test/hello from the initrd as NAME; IMG holds the image. */
static bool hello_req(struct spawn_req *req, struct elf_mem *img, const char *name)
{
    const void *archive;
    size_t len;
    struct cpio_entry e;
    if (initrd_archive(&archive, &len) < 0 || cpio_find(archive, len, "test/hello", &e) < 0)
        return false;
    *img = (struct elf_mem){ e.data, e.size };
    *req = (struct spawn_req){ .read = elf_read_mem,
                               .ctx = img,
                               .size = e.size,
                               .name = name,
                               .prio = 8,
                               .quota = root_quota };
    return true;
}

/* Creating and destroying 10,000 actors gives back every frame and heap object. */
KTEST(actor_churn)
{
    struct elf_mem img;
    struct spawn_req req;
    struct kmalloc_stats before, after;
    struct actor *a;
    KTEST_CHECK(hello_req(&req, &img, "churn"));
    KTEST_CHECK(actor_spawn(&req, &a) == 0);
    actor_destroy(a, "destroyed by the test");
    uint64_t start = free_frames();
    int level = log_level;
    log_level = LOG_WARN; /* 20,000 lines of start and destroy are noise */
    kmalloc_get_stats(&before);
    for (int i = 0; i < 10000; i++) {
        KTEST_CHECK(actor_spawn(&req, &a) == 0);
        actor_destroy(a, "destroyed by the test");
    }
    kmalloc_get_stats(&after);
    log_level = level;
    KTEST_CHECKF(free_frames() == start, "%lu frames lost", (unsigned long)(start - free_frames()));
    KTEST_CHECK(after.objects == before.objects && after.large == before.large);
    KTEST_CHECK(actor_count() == 0);
}

/* What one more actor costs the kernel heap: its actor, one thread with its
 * FPU area, and a capability table of the first size. The aim is at
 * most 4 KiB; page tables are counted apart. */
KTEST(actor_memory)
{
    struct elf_mem img;
    struct spawn_req req;
    struct kmalloc_stats before, after;
    struct actor *a;
    KTEST_CHECK(hello_req(&req, &img, "probe"));
    kmalloc_get_stats(&before);
    KTEST_CHECK(actor_spawn(&req, &a) == 0);
    kmalloc_get_stats(&after);
    uint64_t bytes = after.bytes - before.bytes;
    actor_destroy(a, "destroyed by the test");
    log_info("ktest: kernel heap per actor: %lu bytes (struct thread %lu, struct actor %lu, "
             "capability table of %u slots %lu)",
             (unsigned long)bytes, (unsigned long)sizeof(struct thread),
             (unsigned long)sizeof(struct actor), CAP_SLOTS,
             (unsigned long)(sizeof(struct cap_table) + CAP_SLOTS * sizeof(struct cap)));
    KTEST_CHECKF(bytes <= 4096, "%lu bytes of kernel heap per actor", (unsigned long)bytes);
}
