/*
 * initrd.c: boot modules and the initrd (see initrd.h).
 */
#include <clk/abi.h>
#include <cpio.h>
#include <initrd.h>
#include <kstring.h>
#include <log.h>
#include <memlayout.h>
#include <vm.h>

static const void *initrd;
static size_t initrd_len;

static void list_files(const void *archive, size_t len)
{
    struct cpio_entry e;
    size_t off = 0;
    int r, files = 0;
    while ((r = cpio_next(archive, len, &off, &e)) > 0) {
        if ((e.mode & CPIO_S_IFMT) != CPIO_S_IFREG)
            continue;
        log_info("initrd:   %-32s %8lu bytes", e.name, (unsigned long)e.size);
        files++;
    }
    if (r < 0)
        log_err("initrd: archive is malformed at offset %lu; files after it are ignored",
                (unsigned long)off);
    log_info("initrd: %d files", files);
}

void initrd_init(const struct bootinfo *bi)
{
    if (bi->nmods == 0)
        log_warn("boot: no boot modules (expected the initrd)");
    for (unsigned i = 0; i < bi->nmods; i++) {
        const struct boot_module *m = &bi->mods[i];
        uint64_t size = m->end - m->start;
        if (size && !vm_direct_mapped(m->start, size)) {
            log_err("boot: module \"%s\" at %#lx (%lu bytes) is not in RAM; ignored", m->name,
                    (unsigned long)m->start, (unsigned long)size);
            continue;
        }
        log_info("boot: module \"%s\" at %#lx, %lu bytes", m->name, (unsigned long)m->start,
                 (unsigned long)size);
        if (strcmp(m->name, "initrd") == 0 && !initrd) {
            initrd = phys_to_virt(m->start);
            initrd_len = size;
        }
    }
    if (initrd)
        list_files(initrd, initrd_len);
}

int initrd_archive(const void **archive, size_t *len)
{
    if (!initrd)
        return CLK_ENOENT;
    *archive = initrd;
    *len = initrd_len;
    return 0;
}
