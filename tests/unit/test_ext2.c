/*
 * test_ext2.c: the ext2 reader (servers/vfs/ext2.c) against images that
 * the host's mke2fs makes from a tree of files (mke2fs -d), with 1 KiB
 * and 4 KiB blocks: every file and directory reads back byte-exact,
 * including a directory of 3,000 entries, a sparse file whose data reaches
 * the triple-indirect blocks, an empty file and symlinks; and a corrupted
 * superblock or block pointer gives a clean error.
 */
#include "ext2.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unit.h>

static char root[64], image[80];

/* ---- the tree on the host ---- */

static void put(const char *rel, const void *data, size_t len, off_t at)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    CHECK(pwrite(fd, data, len, at) == (ssize_t)len);
    close(fd);
}

static uint8_t pattern(uint64_t i, unsigned seed)
{
    return (uint8_t)(i * 131 + i / 4093 + seed);
}

static void make_tree(void)
{
    char path[512];
    snprintf(root, sizeof(root), "/tmp/clk-ext2-%d", (int)getpid());
    snprintf(path, sizeof(path), "rm -rf %s && mkdir -p %s/etc %s/home/user/many %s/empty", root,
             root, root, root);
    CHECK(system(path) == 0);
    put("etc/motd", "welcome to CLKernel\n", 20, 0);
    put("empty-file", "", 0, 0);
    static uint8_t big[3 * 1024 * 1024 + 777];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = pattern(i, 7);
    put("home/user/big", big, sizeof(big), 0);
    /* sparse: data at the start, in the middle and beyond 70 MiB, where
     * 1 KiB blocks need the triple-indirect pointer */
    static uint8_t chunk[5000];
    for (size_t i = 0; i < sizeof(chunk); i++)
        chunk[i] = pattern(i, 99);
    put("home/user/sparse", chunk, sizeof(chunk), 0);
    put("home/user/sparse", chunk, sizeof(chunk), 300000);
    put("home/user/sparse", chunk, sizeof(chunk), 72 * 1024 * 1024 + 123);
    for (int i = 0; i < 3000; i++) {
        char name[64], text[64];
        snprintf(name, sizeof(name), "home/user/many/file-%04d", i);
        int n = snprintf(text, sizeof(text), "this is file %d\n", i);
        put(name, text, (size_t)n, 0);
    }
    snprintf(path, sizeof(path), "%s/link-short", root);
    CHECK(symlink("etc/motd", path) == 0);
    char longer[200];
    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    snprintf(path, sizeof(path), "%s/link-long", root);
    CHECK(symlink(longer, path) == 0);
}

/* ---- the device: the image file ---- */

static int file_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    return pread(*(int *)ctx, buf, len, (off_t)off) == (ssize_t)len ? 0 : -EIO;
}

static int fd;

static void make_image(unsigned block_size, struct ext2_fs *fs)
{
    char cmd[512];
    snprintf(image, sizeof(image), "%s.img", root);
    snprintf(cmd, sizeof(cmd),
             "rm -f %s && mke2fs -q -F -t ext2 -b %u -d %s %s 24M > /dev/null 2>&1", image,
             block_size, root, image);
    CHECK(system(cmd) == 0);
    fd = open(image, O_RDONLY);
    CHECK(fd >= 0);
    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    struct ext2_dev dev = { file_read, NULL, &fd, (uint64_t)st.st_size };
    CHECK_EQ(ext2_mount(fs, &dev), 0);
    CHECK_EQ(fs->block_size, block_size);
}

/* ---- walking both and comparing ---- */

static uint32_t resolve(struct ext2_fs *fs, const char *rel)
{
    uint32_t ino = EXT2_ROOT_INO;
    while (*rel) {
        const char *end = strchr(rel, '/');
        size_t n = end ? (size_t)(end - rel) : strlen(rel);
        CHECK_EQ(ext2_lookup(fs, ino, rel, n, &ino), 0);
        rel += n + (end != NULL);
    }
    return ino;
}

static void same_file(struct ext2_fs *fs, const char *rel)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    int hfd = open(path, O_RDONLY);
    CHECK(hfd >= 0);
    struct stat st;
    CHECK(fstat(hfd, &st) == 0);
    struct ext2_inode in;
    CHECK_EQ(ext2_read_inode(fs, resolve(fs, rel), &in), 0);
    CHECK_EQ(in.size, st.st_size);
    CHECK_EQ(in.mode & EXT2_S_IFMT, EXT2_S_IFREG);
    static uint8_t a[65536], b[65536];
    uint64_t off = 0;
    for (;;) {
        ssize_t n = pread(hfd, a, sizeof(a), (off_t)off);
        int64_t m = ext2_read(fs, &in, off, b, sizeof(b));
        CHECK(n >= 0);
        CHECK_EQ(m, n);
        if (n == 0)
            break;
        CHECK(memcmp(a, b, (size_t)n) == 0);
        off += (uint64_t)n;
    }
    close(hfd);
}

static void check_image(struct ext2_fs *fs)
{
    same_file(fs, "etc/motd");
    same_file(fs, "empty-file");
    same_file(fs, "home/user/big");
    same_file(fs, "home/user/sparse");

    /* a read that starts in a hole and ends in data */
    struct ext2_inode in;
    CHECK_EQ(ext2_read_inode(fs, resolve(fs, "home/user/sparse"), &in), 0);
    uint8_t buf[100];
    CHECK_EQ(ext2_read(fs, &in, 300000 - 50, buf, 100), 100);
    for (int i = 0; i < 50; i++)
        CHECK_EQ(buf[i], 0);
    for (int i = 0; i < 50; i++)
        CHECK_EQ(buf[50 + i], pattern((uint64_t)i, 99));
    CHECK(in.blocks512 * 512ULL < in.size / 100); /* it is sparse on disk too */
    CHECK_EQ(ext2_read(fs, &in, in.size, buf, 10), 0);

    /* 3,000 entries, each once, each file's contents right */
    uint32_t many = resolve(fs, "home/user/many");
    static bool seen[3000];
    memset(seen, 0, sizeof(seen));
    struct ext2_dirent d;
    uint64_t pos = 0;
    int r, entries = 0;
    while ((r = ext2_readdir(fs, many, &pos, &d)) == 1) {
        entries++;
        if (!strcmp(d.name, ".") || !strcmp(d.name, ".."))
            continue;
        int i = atoi(d.name + 5);
        CHECK(!strncmp(d.name, "file-", 5) && i >= 0 && i < 3000 && !seen[i]);
        seen[i] = true;
        CHECK_EQ(d.type, EXT2_FT_REG);
        char text[64], want[64];
        struct ext2_inode f;
        CHECK_EQ(ext2_read_inode(fs, d.ino, &f), 0);
        int n = snprintf(want, sizeof(want), "this is file %d\n", i);
        CHECK_EQ(ext2_read(fs, &f, 0, text, sizeof(text)), n);
        CHECK(!memcmp(text, want, (size_t)n));
    }
    CHECK_EQ(r, 0);
    CHECK_EQ(entries, 3002);

    /* symlinks, fast (in the inode) and slow (in a block) */
    CHECK_EQ(ext2_read_inode(fs, resolve(fs, "link-short"), &in), 0);
    CHECK_EQ(in.mode & EXT2_S_IFMT, EXT2_S_IFLNK);
    char target[256] = { 0 };
    CHECK_EQ(ext2_read(fs, &in, 0, target, sizeof(target)), 8);
    CHECK_STR(target, "etc/motd");
    CHECK_EQ(ext2_read_inode(fs, resolve(fs, "link-long"), &in), 0);
    CHECK_EQ(ext2_read(fs, &in, 0, target, sizeof(target)), 199);

    /* errors */
    uint32_t ino;
    CHECK_EQ(ext2_lookup(fs, EXT2_ROOT_INO, "nope", 4, &ino), -ENOENT);
    CHECK_EQ(ext2_lookup(fs, resolve(fs, "etc/motd"), "x", 1, &ino), -ENOTDIR);
    CHECK_EQ(ext2_read_inode(fs, 0, &in), -EIO);
    CHECK_EQ(ext2_read_inode(fs, fs->inodes_count + 1, &in), -EIO);
    CHECK(resolve(fs, "empty") != 0);
}

/* A copy of the image with BYTES at OFF changed, mounted from memory. */
struct mem {
    uint8_t *data;
    uint64_t size;
};

static int mem_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    struct mem *m = ctx;
    if (off > m->size || len > m->size - off)
        return -EIO;
    memcpy(buf, m->data + off, len);
    return 0;
}

static void check_corruption(void)
{
    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    struct mem m = { malloc((size_t)st.st_size), (uint64_t)st.st_size };
    CHECK(m.data && pread(fd, m.data, m.size, 0) == (ssize_t)m.size);
    struct ext2_dev dev = { mem_read, NULL, &m, m.size };
    struct ext2_fs fs;

    m.data[1024 + 56] ^= 0xFF; /* the magic */
    CHECK_EQ(ext2_mount(&fs, &dev), -EINVAL);
    m.data[1024 + 56] ^= 0xFF;
    m.data[1024 + 24] = 9; /* blocks of 512 KiB */
    CHECK_EQ(ext2_mount(&fs, &dev), -ENOTSUP);
    m.data[1024 + 24] = 0;
    m.data[1024 + 4 + 3] = 0x7F; /* more blocks than the device holds */
    CHECK_EQ(ext2_mount(&fs, &dev), -EIO);
    m.data[1024 + 4 + 3] = 0;
    CHECK_EQ(ext2_mount(&fs, &dev), 0);

    /* the big file's first block pointer, pointed far outside */
    uint32_t big = resolve(&fs, "home/user/big");
    uint32_t g = (big - 1) / fs.inodes_per_group, i = (big - 1) % fs.inodes_per_group;
    uint64_t at = (uint64_t)fs.group[g].inode_table * fs.block_size + (uint64_t)i * fs.inode_size;
    memcpy(m.data + at + 40, "\xff\xff\xff\x7f", 4);
    struct ext2_inode in;
    uint8_t buf[16];
    CHECK_EQ(ext2_read_inode(&fs, big, &in), 0);
    CHECK_EQ(ext2_read(&fs, &in, 0, buf, sizeof(buf)), -EIO);
    ext2_unmount(&fs);
    free(m.data);
}

int main(void)
{
    make_tree();
    static const unsigned sizes[] = { 1024, 4096 };
    for (unsigned k = 0; k < 2; k++) {
        struct ext2_fs fs;
        make_image(sizes[k], &fs);
        check_image(&fs);
        ext2_unmount(&fs);
        if (k == 0)
            check_corruption();
        close(fd);
        printf("ok %u-byte blocks\n", sizes[k]);
    }
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s %s", root, image);
    CHECK(system(cmd) == 0);
    puts("test_ext2: ok");
    return 0;
}
