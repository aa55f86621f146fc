/*
 * initrd_cap.c: boots as the root actor ("init=test/initrd_cap") and checks
 * the initrd's memory object that clk_bootinfo.initrd_cap names: it maps
 * read-only, cached RAM that holds the archive byte for byte; it cannot be
 * mapped writable, minted with WRITE or asked for its physical addresses;
 * and deleting every capability and mapping of it frees no frame, so that
 * the archive is still intact after the rest of memory has been allocated,
 * zeroed and given back.
 *
 * With "-- die" on the kernel command line it exits with status 1 when
 * done, so that the kernel restarts user space (three times), and each new
 * root must find a fresh capability.
 *
 * Prints "initrd_cap: ok NAME" or "initrd_cap: FAIL ..." per check (check.h)
 * and last "initrd_cap: done, N failures".
 */
#define CHECK_WHO "initrd_cap"
#include "check.h"
#include <kstring.h>
#include <stdbool.h>

#define VA      0x500000000000UL /* the object, read-only */
#define VA_COPY 0x510000000000UL /* a minted copy of it */
#define VA_RW   0x520000000000UL /* where a writable map must fail */
#define CHUNKS  1024

static const struct clk_bootinfo *bi;

/* A checksum of the archive as the root's own mapping shows it. */
static uint64_t checksum(void)
{
    const uint8_t *p = (const uint8_t *)bi->initrd;
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (uint64_t i = 0; i < bi->initrd_len; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* Whether the word "die" follows "--" on the kernel command line. */
static bool asked_to_die(void)
{
    const char *p = bi->cmdline;
    while (*p && !(p[0] == '-' && p[1] == '-' && (p[2] == ' ' || !p[2])))
        p++;
    for (; *p; p++)
        if (p[0] == ' ' && !strncmp(p + 1, "die", 3) && (p[4] == ' ' || !p[4]))
            return true;
    return false;
}

/* Allocate memory objects until none more can be had (each page zeroed by
 * the kernel), then give them all back. Returns the pages it got. */
static unsigned long exhaust_memory(void)
{
    static long slots[CHUNKS];
    unsigned n = 0;
    unsigned long pages = 0;
    for (unsigned long chunk = 256; chunk && n < CHUNKS;) {
        long s = clk_memory_create(chunk);
        if (s < 0) {
            chunk /= 2;
            continue;
        }
        slots[n++] = s;
        pages += chunk;
    }
    while (n)
        clk_cap_delete(slots[--n]);
    return pages;
}

int main(long ncaps)
{
    bi = (const struct clk_bootinfo *)CLK_BOOTINFO_VA;
    if (bi->magic != CLK_BOOTINFO_MAGIC) {
        clk_printf("initrd_cap: no boot information\n");
        return 1;
    }
    long cap = (long)bi->initrd_cap;
    uint64_t off = bi->initrd_offset, len = bi->initrd_len;
    uint64_t npages = (off + len + 4095) / 4096, sum = checksum();
    clk_printf("initrd_cap: actor %ld, %ld capability, device authority in slot %lu, initrd of "
               "%lu bytes in slot %ld at offset %lu (%lu pages)\n",
               clk_self(), ncaps, (unsigned long)bi->device_cap, (unsigned long)len, cap,
               (unsigned long)off, (unsigned long)npages);
    check("started with one capability", ncaps, 1);
    check("device authority in slot 1", (long)bi->device_cap, CLK_CAP_INIT);
    check("an initrd capability", cap > CLK_CAP_INIT && len > 0, 1);
    check("offset inside the first page", off < 4096 && (bi->initrd & 4095) == off, 1);

    check("map read-only", clk_map(cap, VA, 0), 0);
    check("the bytes are the archive's",
          memcmp((const void *)(VA + off), (const void *)bi->initrd, len) == 0, 1);
    check("it starts with the newc magic", memcmp((const void *)(VA + off), "070701", 6), 0);
    check("map writable", clk_map(cap, VA_RW, CLK_MAP_WRITE), CLK_EPERM);
    check("memory_phys", clk_memory_phys(cap, 0), CLK_EBADF);
    check("memory_phys past the end", clk_memory_phys(cap, npages), CLK_EBADF);
    check("mint with write", clk_cap_mint(cap, CLK_RIGHT_READ | CLK_RIGHT_WRITE, 0), CLK_EPERM);
    long copy = clk_cap_mint(cap, CLK_RIGHT_READ, 0);
    check("mint read-only", copy > 0, 1);
    check("map the copy", clk_map(copy, VA_COPY, 0), 0);
    check("the copy shows the same pages",
          memcmp((const void *)VA_COPY, (const void *)VA, npages * 4096), 0);
    long none = clk_cap_mint(cap, 0, 0);
    check("a copy without read cannot map", clk_map(none, VA_RW, 0), CLK_EPERM);

    /* The page tables for the maps exist now: from here on, a frame count
     * that changes means frames of the object itself came or went. */
    long before = clk_stats(CLK_STAT_FREE_FRAMES);
    check("delete the capability", clk_cap_delete(cap), 0);
    check("the mapping outlives it",
          memcmp((const void *)(VA + off), (const void *)bi->initrd, len), 0);
    check("unmap", clk_unmap(VA), 0);
    check("unmap the copy", clk_unmap(VA_COPY), 0);
    check("delete the copy", clk_cap_delete(copy), 0);
    check("delete the copy without read", clk_cap_delete(none), 0);
    long after = clk_stats(CLK_STAT_FREE_FRAMES);
    clk_printf("initrd_cap: free frames %ld before the last capability and mapping went, %ld "
               "after\n",
               before, after);
    check("no frame freed", after - before, 0);
    check("the slot is empty", clk_map(cap, VA, 0), CLK_EBADF);

    unsigned long pages = exhaust_memory();
    clk_printf("initrd_cap: %lu pages allocated and zeroed until memory ran out\n", pages);
    check("memory ran out", pages > 0 && (unsigned long)clk_stats(CLK_STAT_FREE_FRAMES) >= pages,
          1);
    check("the archive is intact", checksum() == sum, 1);
    clk_printf("initrd_cap: done, %d failures\n", failures);
    return asked_to_die() ? 1 : 0;
}
