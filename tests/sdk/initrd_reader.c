/*
 * initrd_reader.c: a service that the supervisor gives the initrd's pages
 * (manifest key caps=initrd; tests/test_supervisor.py, manifest
 * tests/manifests/initrd). It reads CLK_INITRD=SLOT,OFFSET,LEN from its
 * environment, maps the memory object in SLOT read-only, finds files in
 * the archive that starts OFFSET bytes into it with the kernel's cpio
 * reader, and checks that the object cannot be mapped writable or asked
 * for its physical addresses. Then it exits with status 0.
 *
 * With the argument "write" it then writes to the mapping, which must
 * fault (the supervisor reports the fault). Prints "initrd_reader NAME:
 * ..." lines, NAME being its service's name.
 */
#include <actor/sys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpio.h> /* the kernel's reader, last: its kdefs.h defines short macros */

#define VA    0x500000000000UL /* the initrd, read-only */
#define VA_RW 0x510000000000UL /* where a writable map must fail */

static const char *me = "?";

/* Whether the N bytes at P contain the string S. */
static bool contains(const char *p, uint64_t n, const char *s)
{
    size_t k = strlen(s);
    for (uint64_t i = 0; i + k <= n; i++)
        if (!memcmp(p + i, s, k))
            return true;
    return false;
}

/* Find PATH in the archive; print its size and whether it holds TEXT at
 * its start (AT_START) or anywhere. */
static void look_up(const void *archive, uint64_t len, const char *path, const char *text,
                    bool at_start)
{
    struct cpio_entry e;
    int r = cpio_find(archive, len, path, &e);
    bool holds = r == 0 && (at_start ? e.size >= strlen(text) && !memcmp(e.data, text, strlen(text))
                                     : contains(e.data, e.size, text));
    printf("initrd_reader %s: %s -> %d, %lu bytes, holds \"%s\": %s\n", me, path, r,
           r == 0 ? (unsigned long)e.size : 0UL, at_start ? "\\177ELF" : text,
           holds ? "yes" : "no");
}

int main(int argc, char **argv)
{
    char name[64];
    me = getenv("CLK_SERVICE") ? getenv("CLK_SERVICE") : me;
    const char *env = getenv("CLK_INITRD");
    long slot;
    unsigned long off, len;
    if (!env || sscanf(env, "%ld,%lu,%lu", &slot, &off, &len) != 3) {
        printf("initrd_reader %s: no CLK_INITRD (%s)\n", me, env ? env : "not set");
        return 0;
    }
    printf("initrd_reader %s: CLK_INITRD=%s, CLK_DEVICE=%s\n", me, env,
           getenv("CLK_DEVICE") ? getenv("CLK_DEVICE") : "not set");
    long mapped = clk_map(slot, VA, 0);
    printf("initrd_reader %s: map read-only -> %ld\n", me, mapped);
    if (mapped < 0)
        return 1;
    const void *archive = (const void *)(VA + off);
    snprintf(name, sizeof(name), "service %s ", me);
    look_up(archive, len, "test/manifests/initrd", name, false);
    look_up(archive, len, "sbin/supervisor", "\177ELF", true);
    look_up(archive, len, "no/such/file", "", false);
    printf("initrd_reader %s: map writable -> %ld, memory_phys -> %ld, mint with write -> %ld\n",
           me, clk_map(slot, VA_RW, CLK_MAP_WRITE), clk_memory_phys(slot, 0),
           clk_cap_mint(slot, CLK_RIGHT_READ | CLK_RIGHT_WRITE, 0));
    if (argc > 1 && !strcmp(argv[1], "write")) {
        printf("initrd_reader %s: writing to the initrd\n", me);
        fflush(stdout);
        *(volatile char *)VA = 0;
        printf("initrd_reader %s: the write went through\n", me);
    }
    return 0;
}
