/*
 * shm.c: checks memory objects within one actor: creating, mapping twice
 * (the same pages at two addresses), read-only copies, bad arguments,
 * unmapping, the page quota (the runner gives it 64 pages), and that every
 * frame comes back (it runs below the runner, so nobody else frees any).
 * Prints "shm: ok NAME" or "shm: FAIL NAME ..." lines.
 */
#define CHECK_WHO "shm"
#include "check.h"

/* The most pages a memory object can have within the quota now. */
static long room(void)
{
    long lo = 0, hi = 64;
    while (lo < hi) {
        long mid = (lo + hi + 1) / 2, mo = clk_memory_create((unsigned long)mid);
        if (mo > 0)
            lo = mid, clk_cap_delete(mo);
        else
            hi = mid - 1;
    }
    return lo;
}

#define A 0x10000000UL
#define B 0x20000000UL

int main(void)
{
    /* A first round makes the page tables and kernel heap slabs that the
     * checks below need, so that the frame count can be compared after. */
    long warm = clk_memory_create(4);
    clk_map(warm, A, 0), clk_map(warm, B, 0), clk_unmap(A), clk_unmap(B);
    clk_cap_delete(warm), clk_cap_delete(clk_endpoint_create());
    room();
    long free0 = clk_stats(CLK_STAT_FREE_FRAMES);
    check("no pages", clk_memory_create(0), CLK_EINVAL);
    check("over the page quota", clk_memory_create(64), CLK_ENOMEM);
    long avail = room(); /* the quota less the image, stack and IPC buffer */
    check("some room", avail > 8, 1);
    long mo = clk_memory_create(4);
    check("create 4 pages", mo > 0, 1);
    check("misaligned", clk_map(mo, A + 8, CLK_MAP_WRITE), CLK_EINVAL);
    check("kernel address", clk_map(mo, 0xFFFF800000000000UL, 0), CLK_EINVAL);
    check("null page", clk_map(mo, 0, 0), CLK_EINVAL);
    check("running off user space", clk_map(mo, 0x00007FFFFFFFE000UL, 0), CLK_EINVAL);
    check("over the stack", clk_map(mo, 0x7FFFFFFFE000UL - 0x2000, 0), CLK_EEXIST);
    check("unknown flags", clk_map(mo, A, 2), CLK_EINVAL);
    check("map read-write", clk_map(mo, A, CLK_MAP_WRITE), 0);
    check("map the same address again", clk_map(mo, A, 0), CLK_EEXIST);
    volatile uint64_t *a = (uint64_t *)A;
    for (int i = 0; i < 4 * 512; i++)
        a[i] = 0x5151000000000000UL + (uint64_t)i;
    long ro = clk_cap_mint(mo, CLK_RIGHT_READ, 0);
    check("a read-only copy cannot map writable", clk_map(ro, B, CLK_MAP_WRITE), CLK_EPERM);
    check("but can map read-only", clk_map(ro, B, 0), 0);
    volatile uint64_t *b = (uint64_t *)B;
    long same = 0;
    for (int i = 0; i < 4 * 512; i++)
        same += b[i] == 0x5151000000000000UL + (uint64_t)i;
    check("both mappings show the same pages", same, 4 * 512);
    a[100] = 42;
    check("a write shows through the other", (long)b[100], 42);
    check("no capability", clk_map(0, A, 0), CLK_EBADF);
    long ep = clk_endpoint_create();
    check("wrong type", clk_map(ep, B + 0x100000, 0), CLK_EBADF);
    check("the pages count against the quota", room(), avail - 4);
    /* The mappings keep the object alive without the capabilities. */
    clk_cap_delete(mo);
    clk_cap_delete(ro);
    check("mapped pages survive their capabilities", (long)b[100], 42);
    check("unmap", clk_unmap(A), 0);
    check("unmap twice", clk_unmap(A), CLK_ENOENT);
    check("unmap what MAP did not map", clk_unmap(0x7FFFFFFFE000UL), CLK_ENOENT);
    check("unmap the last mapping", clk_unmap(B), 0);
    clk_cap_delete(ep);
    check("every frame is back", clk_stats(CLK_STAT_FREE_FRAMES), free0);
    check("and so is the quota", room(), avail);
    /* Mappings far apart need page tables, which the quota pays for. */
    long one = clk_memory_create(1), maps = 0, r = 0;
    while (maps < 64 && (r = clk_map(one, 0x40000000UL * (unsigned long)(maps + 2), 0)) == 0)
        maps++;
    check("scattered mappings run into the page quota", maps < 40 && r == CLK_ENOMEM, 1);
    /* Their tables took the space past its quota: nothing more fits. */
    check("and then no page is left", clk_memory_create(1), CLK_ENOMEM);
    clk_printf("shm: %d failures\n", failures);
    return failures != 0;
}
