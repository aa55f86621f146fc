/*
 * fuzz_ext2.c: libFuzzer target for ext2 (servers/vfs/ext2.c). The input
 * is a disk image (the build seeds the corpus with small images that
 * mke2fs made), mounted from a copy in memory: walk its directories (to a
 * bounded depth and count) and read every file and symlink found; then
 * change it: make, write (into the indirect blocks), truncate, rename and
 * remove files and a directory, and remove the first entries the image
 * had, which frees blocks through whatever pointers and bitmaps it holds.
 * Whatever the bytes, ext2 must return errors, not read or write outside
 * the image or loop forever.
 */
#include "ext2.h"
#include <errno.h>
#include <stdlib.h>
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mem {
    uint8_t *data;
    size_t size;
};

static int mem_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    const struct mem *m = ctx;
    CHECK(off <= m->size && len <= m->size - off); /* ext2.c checks before it reads */
    memcpy(buf, m->data + off, len);
    return 0;
}

static int mem_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
    struct mem *m = ctx;
    CHECK(off <= m->size && len <= m->size - off); /* ...and before it writes */
    memcpy(m->data + off, buf, len);
    return 0;
}

static unsigned budget;

static void walk(struct ext2_fs *fs, uint32_t dir, int depth)
{
    struct ext2_dirent d;
    uint64_t pos = 0;
    int r;
    while (budget && (r = ext2_readdir(fs, dir, &pos, &d)) == 1) {
        budget--;
        CHECK(d.name_len == strlen(d.name));
        CHECK(d.ino >= 1 && d.ino <= fs->inodes_count);
        if (!strcmp(d.name, ".") || !strcmp(d.name, ".."))
            continue;
        struct ext2_inode in;
        if (ext2_read_inode(fs, d.ino, &in))
            continue;
        if ((in.mode & EXT2_S_IFMT) == EXT2_S_IFDIR && depth < 6) {
            walk(fs, d.ino, depth + 1);
        } else {
            static uint8_t buf[8192];
            for (uint64_t off = 0; budget && off < in.size && off < (1u << 20);
                 off += sizeof(buf)) {
                budget--;
                int64_t n = ext2_read(fs, &in, off, buf, sizeof(buf));
                CHECK(n <= (int64_t)sizeof(buf));
                if (n <= 0)
                    break;
            }
        }
        uint32_t ino;
        int l = ext2_lookup(fs, dir, d.name, d.name_len, &ino);
        CHECK(l == 0 || l < 0);
    }
}

/* Every change the VFS makes, on whatever the image holds. */
static void change(struct ext2_fs *fs)
{
    static uint8_t buf[8192];
    struct ext2_inode in;
    uint32_t ino, dir;
    memset(buf, 0x5a, sizeof(buf));
    fs->now = 1764000000;
    if (ext2_create(fs, EXT2_ROOT_INO, "fz", 2, EXT2_S_IFREG | 0644, &ino) == 0 &&
        ext2_read_inode(fs, ino, &in) == 0) {
        CHECK(ext2_write(fs, ino, &in, 0, buf, sizeof(buf)) <= (int64_t)sizeof(buf));
        ext2_write(fs, ino, &in, 300000, buf, 100); /* through an indirect block */
        ext2_truncate(fs, ino, &in, 5000);
    }
    if (ext2_create(fs, EXT2_ROOT_INO, "fzd", 3, EXT2_S_IFDIR | 0755, &dir) == 0) {
        ext2_rename(fs, EXT2_ROOT_INO, "fz", 2, dir, "moved", 5);
        ext2_unlink(fs, dir, "moved", 5);
        ext2_rmdir(fs, EXT2_ROOT_INO, "fzd", 3);
    }
    struct ext2_dirent d;
    uint64_t pos = 0;
    for (unsigned n = 0; n < 8 && ext2_readdir(fs, EXT2_ROOT_INO, &pos, &d) == 1; n++) {
        if (!strcmp(d.name, ".") || !strcmp(d.name, ".."))
            continue;
        if (ext2_unlink(fs, EXT2_ROOT_INO, d.name, d.name_len) == -EISDIR)
            ext2_rmdir(fs, EXT2_ROOT_INO, d.name, d.name_len);
    }
    ext2_apply_frees(fs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mem m = { malloc(size ? size : 1), size };
    if (!m.data)
        return 0;
    memcpy(m.data, data, size);
    struct ext2_dev dev = { .read = mem_read, .write = mem_write, .ctx = &m, .size = size };
    struct ext2_fs fs;
    if (ext2_mount(&fs, &dev) == 0) {
        CHECK(fs.block_size >= 1024 && fs.block_size <= EXT2_BLOCK_MAX);
        budget = 2000;
        walk(&fs, EXT2_ROOT_INO, 0);
        change(&fs);
        ext2_unmount(&fs);
    }
    free(m.data);
    return 0;
}
