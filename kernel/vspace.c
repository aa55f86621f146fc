/*
 * vspace.c: actor address spaces and user copies (see vspace.h).
 */
#include <clk/abi.h>
#include <frame.h>
#include <kstring.h>
#include <memlayout.h>
#include <memory.h>
#include <vm.h>
#include <vspace.h>

int vspace_init(struct vspace *vs)
{
    vs->pages = 0;
    vs->max_pages = UINT64_MAX;
    vs->regions = NULL;
    return arch_space_create(&vs->root);
}

void vspace_destroy(struct vspace *vs)
{
    memobj_unmap_all(vs);
    arch_space_destroy(vs->root);
    vs->root = 0;
    vs->pages = 0;
}

static bool user_range(uint64_t va, uint64_t len)
{
    return va < USER_TOP && len <= USER_TOP - va;
}

int vspace_map_new(struct vspace *vs, uint64_t va, uint64_t n, unsigned flags)
{
    if (!IS_ALIGNED(va, PAGE_SIZE) || n > USER_TOP / PAGE_SIZE || !user_range(va, n * PAGE_SIZE))
        return CLK_EINVAL;
    if (n > vspace_room(vs))
        return CLK_ENOMEM;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t pa;
        int err = frame_alloc(0, &pa);
        if (!err) {
            memset(phys_to_virt(pa), 0, PAGE_SIZE);
            err = arch_map(vs->root, va + i * PAGE_SIZE, pa, flags | VM_USER | VM_OWNED);
            if (err)
                frame_free(pa);
        }
        if (err) {
            while (i--) {
                arch_unmap(vs->root, va + i * PAGE_SIZE, &pa);
                frame_free(pa);
            }
            return err;
        }
    }
    vs->pages += n;
    return 0;
}

void vspace_unmap_owned(struct vspace *vs, uint64_t va)
{
    uint64_t pa;
    unsigned flags;
    if (arch_lookup(vs->root, va, &pa, &flags) && (flags & VM_OWNED) &&
        arch_unmap(vs->root, va, NULL) == 0) {
        frame_free(pa);
        vs->pages--;
    }
}

int vspace_map_frame(struct vspace *vs, uint64_t va, uint64_t pa, unsigned flags)
{
    if (!user_range(va, PAGE_SIZE))
        return CLK_EINVAL;
    return arch_map(vs->root, va, pa, (flags | VM_USER) & ~VM_OWNED);
}

/* Copy N bytes from user address UVA to kernel memory K, one page at a time. */
int copy_from_user(const struct vspace *vs, void *k, uint64_t uva, size_t n)
{
    if (!user_range(uva, n))
        return CLK_EFAULT;
    while (n) {
        uint64_t pa;
        unsigned f;
        if (!arch_lookup(vs->root, uva, &pa, &f) || !(f & VM_USER))
            return CLK_EFAULT;
        size_t chunk = MIN(n, PAGE_SIZE - (uva & (PAGE_SIZE - 1)));
        /* Device memory is not for the kernel to copy (reads may have side
         * effects), and MMIO_CREATE never hands out direct-mapped pages. */
        if (!vm_direct_mapped(pa, chunk))
            return CLK_EFAULT;
        memcpy(k, phys_to_virt(pa), chunk);
        uva += chunk;
        k = (char *)k + chunk;
        n -= chunk;
    }
    return 0;
}

/* Walk the N bytes at UVA as copy_to_user does, copying SRC there unless
 * it is NULL (then only check). */
static int to_user(const struct vspace *vs, uint64_t uva, const void *src, size_t n)
{
    if (!user_range(uva, n))
        return CLK_EFAULT;
    while (n) {
        uint64_t pa;
        unsigned f;
        if (!arch_lookup(vs->root, uva, &pa, &f) || !(f & VM_USER) || !(f & VM_WRITE))
            return CLK_EFAULT;
        size_t chunk = MIN(n, PAGE_SIZE - (uva & (PAGE_SIZE - 1)));
        if (!vm_direct_mapped(pa, chunk))
            return CLK_EFAULT;
        if (src) {
            memcpy(phys_to_virt(pa), src, chunk);
            src = (const char *)src + chunk;
        }
        uva += chunk;
        n -= chunk;
    }
    return 0;
}

int copy_to_user(const struct vspace *vs, uint64_t uva, const void *src, size_t n)
{
    return to_user(vs, uva, src, n);
}

int check_user_writable(const struct vspace *vs, uint64_t uva, size_t n)
{
    return to_user(vs, uva, NULL, n);
}

int copy_str_from_user(const struct vspace *vs, char *dst, uint64_t uva, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        if (copy_from_user(vs, &dst[i], uva + i, 1) < 0)
            return CLK_EFAULT;
        if (!dst[i])
            return (int)i;
    }
    return CLK_ERANGE;
}
