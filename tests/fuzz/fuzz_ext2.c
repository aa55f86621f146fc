/*
 * fuzz_ext2.c: libFuzzer target for the ext2 reader (servers/vfs/ext2.c).
 * The input is a disk image (the build seeds the corpus with small images
 * that mke2fs made): mount it, walk its directories (to a bounded depth and
 * count) and read every file and symlink found. Whatever the bytes, the
 * reader must return errors, not read outside the image or loop forever.
 */
#include "ext2.h"
#include <errno.h>
#include <stdlib.h>
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mem {
    const uint8_t *data;
    size_t size;
};

static int mem_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    const struct mem *m = ctx;
    CHECK(off <= m->size && len <= m->size - off); /* ext2.c checks before it reads */
    memcpy(buf, m->data + off, len);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mem m = { data, size };
    struct ext2_dev dev = { .read = mem_read, .write = NULL, .ctx = &m, .size = size };
    struct ext2_fs fs;
    if (ext2_mount(&fs, &dev) != 0)
        return 0;
    CHECK(fs.block_size >= 1024 && fs.block_size <= EXT2_BLOCK_MAX);
    budget = 2000;
    walk(&fs, EXT2_ROOT_INO, 0);
    ext2_unmount(&fs);
    return 0;
}
