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
    struct ext2_dev dev = {
        .read = file_read, .write = NULL, .ctx = &fd, .size = (uint64_t)st.st_size
    };
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
    struct ext2_dev dev = { .read = mem_read, .write = NULL, .ctx = &m, .size = m.size };
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

/* ---- writing, judged by e2fsck and debugfs ---- */

static int file_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
    return pwrite(*(int *)ctx, buf, len, (off_t)off) == (ssize_t)len ? 0 : -EIO;
}

static uint32_t path_ino(struct ext2_fs *fs, const char *rel)
{
    return resolve(fs, rel);
}

static void write_all(struct ext2_fs *fs, uint32_t ino, uint64_t off, const uint8_t *data, size_t n)
{
    struct ext2_inode in;
    CHECK_EQ(ext2_read_inode(fs, ino, &in), 0);
    CHECK_EQ(ext2_write(fs, ino, &in, off, data, n), (int64_t)n);
}

/* What debugfs says is in PATH of the image equals DATA (N bytes). */
static void debugfs_has(const char *path, const uint8_t *data, size_t n)
{
    char cmd[512], out[128];
    snprintf(out, sizeof(out), "%s.out", image);
    snprintf(cmd, sizeof(cmd), "debugfs -R 'dump %s %s' %s > /dev/null 2>&1", path, out, image);
    CHECK(system(cmd) == 0);
    FILE *f = fopen(out, "rb");
    CHECK(f);
    static uint8_t got[8 << 20];
    size_t m = fread(got, 1, sizeof(got), f);
    fclose(f);
    unlink(out);
    CHECK_EQ(m, n);
    CHECK(memcmp(got, data, n) == 0);
}

static void e2fsck_clean(void)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "e2fsck -fn %s > %s.fsck 2>&1", image, image);
    int r = system(cmd);
    if (r != 0) {
        snprintf(cmd, sizeof(cmd), "cat %s.fsck", image);
        CHECK(system(cmd) == 0);
    }
    CHECK_EQ(r, 0);
}

static void check_writes(unsigned block_size)
{
    struct ext2_fs fs;
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "rm -f %s && mke2fs -q -F -t ext2 -b %u -d %s %s 64M >/dev/null 2>&1", image,
             block_size, root, image);
    CHECK(system(cmd) == 0);
    int wfd = open(image, O_RDWR);
    CHECK(wfd >= 0);
    struct stat st;
    CHECK(fstat(wfd, &st) == 0);
    struct ext2_dev dev = {
        .read = file_read, .write = file_write, .ctx = &wfd, .size = (uint64_t)st.st_size
    };
    CHECK_EQ(ext2_mount(&fs, &dev), 0);
    fs.now = 1764000000;
    uint32_t home = path_ino(&fs, "home"), etc = path_ino(&fs, "etc"), ino, dir, sub;

    /* a file written in pieces, across the indirect blocks */
    static uint8_t data[2 * 1024 * 1024 + 333];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = pattern(i, 42);
    CHECK_EQ(ext2_create(&fs, home, "written", 7, EXT2_S_IFREG | 0644, &ino), 0);
    for (size_t off = 0; off < sizeof(data); off += 100000)
        write_all(&fs, ino, off, data + off,
                  off + 100000 > sizeof(data) ? sizeof(data) - off : 100000);
    /* sparse, reaching the triple-indirect pointer with 1 KiB blocks */
    uint32_t sparse;
    CHECK_EQ(ext2_create(&fs, home, "far", 3, EXT2_S_IFREG | 0600, &sparse), 0);
    write_all(&fs, sparse, 72ULL << 20, data, 5000);
    /* directories: make, nest, rename across parents, remove */
    CHECK_EQ(ext2_create(&fs, home, "d1", 2, EXT2_S_IFDIR | 0755, &dir), 0);
    CHECK_EQ(ext2_create(&fs, dir, "d2", 2, EXT2_S_IFDIR | 0755, &sub), 0);
    CHECK_EQ(ext2_create(&fs, sub, "leaf", 4, EXT2_S_IFREG | 0644, &ino), 0);
    write_all(&fs, ino, 0, (const uint8_t *)"leaf\n", 5);
    CHECK_EQ(ext2_rename(&fs, dir, "d2", 2, etc, "moved", 5), 0);
    CHECK_EQ(ext2_rename(&fs, etc, "moved", 5, path_ino(&fs, "etc/moved"), "x", 1), -EINVAL);
    CHECK_EQ(ext2_rmdir(&fs, home, "d1", 2), 0);
    CHECK_EQ(ext2_rmdir(&fs, etc, "moved", 5), -ENOTEMPTY);
    /* many names in one directory, then half of them gone */
    uint32_t lots;
    CHECK_EQ(ext2_create(&fs, EXT2_ROOT_INO, "lots", 4, EXT2_S_IFDIR | 0755, &lots), 0);
    for (int i = 0; i < 1500; i++) {
        char name[32];
        int n = snprintf(name, sizeof(name), "entry-%d", i);
        CHECK_EQ(ext2_create(&fs, lots, name, (size_t)n, EXT2_S_IFREG | 0644, &ino), 0);
        write_all(&fs, ino, 0, (const uint8_t *)name, (size_t)n);
    }
    for (int i = 0; i < 1500; i += 2) {
        char name[32];
        int n = snprintf(name, sizeof(name), "entry-%d", i);
        CHECK_EQ(ext2_unlink(&fs, lots, name, (size_t)n), 0);
    }
    /* links, renames over files, truncation */
    CHECK_EQ(ext2_link(&fs, EXT2_ROOT_INO, "hard", 4, path_ino(&fs, "etc/motd")), 0);
    CHECK_EQ(ext2_link(&fs, EXT2_ROOT_INO, "hard2", 5, lots), -EPERM);
    CHECK_EQ(ext2_rename(&fs, EXT2_ROOT_INO, "hard", 4, lots, "entry-1", 7), 0);
    uint32_t big = path_ino(&fs, "home/user/big");
    struct ext2_inode in;
    CHECK_EQ(ext2_read_inode(&fs, big, &in), 0);
    CHECK_EQ(ext2_truncate(&fs, big, &in, 70000), 0);
    CHECK_EQ(ext2_truncate(&fs, big, &in, 90000), 0); /* grows with zeros */
    CHECK_EQ(ext2_read_inode(&fs, sparse, &in), 0);
    CHECK_EQ(ext2_truncate(&fs, sparse, &in, 0), 0);
    CHECK_EQ(in.blocks512, 0);
    CHECK_EQ(ext2_unlink(&fs, EXT2_ROOT_INO, "empty-file", 10), 0);
    /* errors */
    CHECK_EQ(ext2_create(&fs, home, "written", 7, EXT2_S_IFREG, &ino), -EEXIST);
    CHECK_EQ(ext2_create(&fs, home, "a/b", 3, EXT2_S_IFREG, &ino), -EINVAL);
    CHECK_EQ(ext2_create(&fs, path_ino(&fs, "etc/motd"), "x", 1, EXT2_S_IFREG, &ino), -ENOTDIR);
    char longname[300];
    memset(longname, 'n', sizeof(longname));
    CHECK_EQ(ext2_create(&fs, home, longname, 256, EXT2_S_IFREG, &ino), -ENAMETOOLONG);
    CHECK_EQ(ext2_unlink(&fs, home, "nope", 4), -ENOENT);
    CHECK_EQ(ext2_unlink(&fs, EXT2_ROOT_INO, "etc", 3), -EISDIR);
    CHECK_EQ(ext2_rmdir(&fs, EXT2_ROOT_INO, "hard2", 5), -ENOENT);
    CHECK_EQ(ext2_rename(&fs, EXT2_ROOT_INO, "lots", 4, home, "written", 7), -ENOTDIR);
    ext2_unmount(&fs);
    close(wfd);

    /* the host's tools as judges */
    e2fsck_clean();
    debugfs_has("/home/written", data, sizeof(data));
    debugfs_has("/etc/moved/leaf", (const uint8_t *)"leaf\n", 5);
    debugfs_has("/lots/entry-1", (const uint8_t *)"welcome to CLKernel\n", 20);
    debugfs_has("/lots/entry-7", (const uint8_t *)"entry-7", 7);
    static uint8_t big_now[90000];
    for (size_t i = 0; i < 70000; i++)
        big_now[i] = pattern(i, 7);
    memset(big_now + 70000, 0, 20000);
    debugfs_has("/home/user/big", big_now, sizeof(big_now));

    /* and our own reader, after a fresh mount */
    fd = open(image, O_RDONLY);
    CHECK(fd >= 0);
    dev = (struct ext2_dev){ .read = file_read, .ctx = &fd, .size = (uint64_t)st.st_size };
    CHECK_EQ(ext2_mount(&fs, &dev), 0);
    CHECK_EQ(ext2_lookup(&fs, path_ino(&fs, "lots"), "entry-2", 7, &ino), -ENOENT);
    CHECK_EQ(ext2_lookup(&fs, path_ino(&fs, "home"), "d1", 2, &ino), -ENOENT);
    CHECK_EQ(ext2_read_inode(&fs, path_ino(&fs, "etc/motd"), &in), 0);
    CHECK_EQ(in.links, 2); /* etc/motd and lots/entry-1, where "hard" moved */
    ext2_unmount(&fs);
    close(fd);
}

/* ---- file contents apart from metadata; open files that lose their name ---- */

static uint64_t data_writes, meta_writes;
static uint64_t data_lo = UINT64_MAX, data_hi;

static int count_meta(void *ctx, uint64_t off, const void *buf, size_t len)
{
    meta_writes++;
    return file_write(ctx, off, buf, len);
}

static int count_data(void *ctx, uint64_t off, const void *buf, size_t len)
{
    data_writes++;
    data_lo = off < data_lo ? off : data_lo;
    data_hi = off + len > data_hi ? off + len : data_hi;
    return file_write(ctx, off, buf, len);
}

static uint32_t open_ino;

static bool is_open(void *ctx, uint32_t ino)
{
    (void)ctx;
    return ino == open_ino;
}

static void check_open_unlinked(void)
{
    struct ext2_fs fs;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -f %s && mke2fs -q -F -t ext2 -b 4096 %s 8M >/dev/null 2>&1",
             image, image);
    CHECK(system(cmd) == 0);
    int wfd = open(image, O_RDWR);
    CHECK(wfd >= 0);
    struct ext2_dev dev = { .read = file_read,
                            .write = count_meta,
                            .write_data = count_data,
                            .ctx = &wfd,
                            .size = 8 << 20 };
    CHECK_EQ(ext2_mount(&fs, &dev), 0);
    fs.in_use = is_open;
    uint32_t free_before = fs.free_blocks, ino;
    CHECK_EQ(ext2_create(&fs, EXT2_ROOT_INO, "f", 1, EXT2_S_IFREG | 0644, &ino), 0);
    /* contents (three blocks, through the direct pointers) go through
     * write_data, and nothing else does; the inode and bitmaps do not */
    static uint8_t data[3 * 4096];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = pattern(i, 3);
    data_writes = meta_writes = 0;
    write_all(&fs, ino, 0, data, sizeof(data));
    struct ext2_inode in;
    CHECK_EQ(ext2_read_inode(&fs, ino, &in), 0);
    CHECK(data_writes >= 3 && meta_writes > 0);
    CHECK_EQ(data_lo, (uint64_t)in.block[0] * 4096);
    CHECK_EQ(data_hi, (uint64_t)in.block[2] * 4096 + 4096);
    /* a directory's blocks are metadata */
    uint32_t dir;
    data_writes = 0;
    CHECK_EQ(ext2_create(&fs, EXT2_ROOT_INO, "d", 1, EXT2_S_IFDIR | 0755, &dir), 0);
    CHECK_EQ(data_writes, 0);
    /* unlinked while open: the inode and its data stay */
    open_ino = ino;
    CHECK_EQ(ext2_unlink(&fs, EXT2_ROOT_INO, "f", 1), 0);
    CHECK_EQ(ext2_lookup(&fs, EXT2_ROOT_INO, "f", 1, &ino), -ENOENT);
    CHECK_EQ(ext2_read_inode(&fs, open_ino, &in), 0);
    CHECK_EQ(in.links, 0);
    CHECK(in.mode != 0 && in.dtime == 0);
    uint8_t back[3 * 4096];
    CHECK_EQ(ext2_read(&fs, &in, 0, back, sizeof(back)), (int64_t)sizeof(back));
    CHECK(memcmp(back, data, sizeof(back)) == 0);
    CHECK(fs.free_blocks < free_before - 3);
    CHECK_EQ(ext2_release(&fs, open_ino), 0); /* still open: it stays (the caller asks at close) */
    /* the last close: released, everything back */
    ino = open_ino;
    open_ino = 0;
    CHECK_EQ(ext2_release(&fs, ino), 0);
    CHECK_EQ(ext2_read_inode(&fs, ino, &in), 0);
    CHECK(in.dtime != 0 && in.blocks512 == 0);
    CHECK_EQ(ext2_rmdir(&fs, EXT2_ROOT_INO, "d", 1), 0);
    CHECK_EQ(fs.free_blocks, free_before);
    CHECK_EQ(ext2_release(&fs, ino), 0); /* twice is harmless */
    ext2_unmount(&fs);
    close(wfd);
    e2fsck_clean();
}

/* Blocks freed with defer_frees stay taken until ext2_apply_frees: a file
 * written after a truncation gets none of them. */
static void check_deferred_frees(void)
{
    struct ext2_fs fs;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -f %s && mke2fs -q -F -t ext2 -b 4096 %s 8M >/dev/null 2>&1",
             image, image);
    CHECK(system(cmd) == 0);
    int wfd = open(image, O_RDWR);
    CHECK(wfd >= 0);
    struct ext2_dev dev = { .read = file_read, .write = file_write, .ctx = &wfd, .size = 8 << 20 };
    CHECK_EQ(ext2_mount(&fs, &dev), 0);
    fs.defer_frees = true;
    fs.now = 1764000000;
    uint32_t free0 = fs.free_blocks, f, g;
    static uint8_t data[10 * 4096];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = pattern(i, 9);
    CHECK_EQ(ext2_create(&fs, EXT2_ROOT_INO, "f", 1, EXT2_S_IFREG | 0644, &f), 0);
    write_all(&fs, f, 0, data, sizeof(data));
    struct ext2_inode in;
    CHECK_EQ(ext2_read_inode(&fs, f, &in), 0);
    uint32_t old[10];
    memcpy(old, in.block, sizeof(old));
    CHECK_EQ(ext2_truncate(&fs, f, &in, 0), 0);
    CHECK_EQ(fs.pending_blocks, 10);
    CHECK_EQ(fs.free_blocks, free0 - 10); /* not given back yet */
    CHECK_EQ(ext2_create(&fs, EXT2_ROOT_INO, "g", 1, EXT2_S_IFREG | 0644, &g), 0);
    write_all(&fs, g, 0, data, sizeof(data));
    CHECK_EQ(ext2_read_inode(&fs, g, &in), 0);
    for (int i = 0; i < 10; i++)
        for (int k = 0; k < 10; k++)
            CHECK(in.block[i] != old[k]);
    CHECK_EQ(ext2_apply_frees(&fs), 0);
    CHECK_EQ(fs.pending_blocks, 0);
    CHECK_EQ(fs.npending, 0);
    CHECK_EQ(fs.free_blocks, free0 - 10);
    ext2_unmount(&fs);
    close(wfd);
    e2fsck_clean();
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
        check_writes(sizes[k]);
        printf("ok %u-byte blocks\n", sizes[k]);
    }
    check_open_unlinked();
    check_deferred_frees();
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s %s %s.fsck", root, image, image);
    CHECK(system(cmd) == 0);
    puts("test_ext2: ok");
    return 0;
}
