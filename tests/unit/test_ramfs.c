/*
 * test_ramfs.c: the file system in memory (servers/vfs/ramfs.c), through
 * its struct fs_ops as the VFS core calls it.
 *
 * Every operation and every error it gives; the rename matrix; sparse
 * files written at 2^39 and at the largest size; truncation both ways;
 * 10,000 entries in one directory; readdir going on while the directory
 * changes; files and directories removed while open; the memory bound
 * (-ENOSPC, then the memory comes back); timestamps; and a long
 * randomized run checked against a model of the tree, with files opened
 * and closed so that removed-but-open inodes are exercised too. ASan's
 * leak checker sees that unmount frees everything.
 */
#include "ramfs.h"
#include <errno.h>
#include <stdlib.h>
#include <unit.h>

static struct fs fs;

/* ---- helpers ---- */

/* The open inodes, as the core's in_use hook would see them. */
#define MAX_OPEN 64
static uint64_t open_ino[MAX_OPEN];
static unsigned nopen;

static bool in_use(const struct fs *f, uint64_t ino)
{
    CHECK(f == &fs);
    for (unsigned i = 0; i < nopen; i++)
        if (open_ino[i] == ino)
            return true;
    return false;
}

static void open_file(uint64_t ino)
{
    CHECK(nopen < MAX_OPEN);
    open_ino[nopen++] = ino;
}

/* Close INO: forget it, as the core does with the last handle. */
static void close_file(uint64_t ino)
{
    for (unsigned i = 0; i < nopen; i++) {
        if (open_ino[i] == ino) {
            open_ino[i] = open_ino[--nopen];
            fs.ops->forget(&fs, ino);
            return;
        }
    }
    CHECK(!"not open");
}

static void mount(uint64_t max_bytes)
{
    memset(&fs, 0, sizeof(fs));
    nopen = 0;
    fs.in_use = in_use;
    CHECK_EQ(ramfs_mount(&fs, max_bytes), 0);
    CHECK(fs.ops && fs.priv && !fs.read_only);
}

static void unmount(void)
{
    fs.ops->unmount(&fs);
    CHECK(fs.priv == NULL);
}

static int create(uint64_t dir, const char *name, uint32_t mode, uint64_t *ino)
{
    uint64_t dummy;
    return fs.ops->create(&fs, dir, name, strlen(name), mode, ino ? ino : &dummy);
}

static uint64_t mkfile(uint64_t dir, const char *name)
{
    uint64_t ino = 0;
    CHECK_EQ(create(dir, name, FS_S_IFREG | 0644, &ino), 0);
    CHECK(ino != 0);
    return ino;
}

static uint64_t mkdir_(uint64_t dir, const char *name)
{
    uint64_t ino = 0;
    CHECK_EQ(create(dir, name, FS_S_IFDIR | 0755, &ino), 0);
    CHECK(ino != 0);
    return ino;
}

static int lookup(uint64_t dir, const char *name, uint64_t *ino)
{
    uint64_t dummy;
    return fs.ops->lookup(&fs, dir, name, strlen(name), ino ? ino : &dummy);
}

static uint64_t ino_of(uint64_t dir, const char *name)
{
    uint64_t ino = 0;
    CHECK_EQ(lookup(dir, name, &ino), 0);
    return ino;
}

static int unlink_(uint64_t dir, const char *name)
{
    return fs.ops->unlink(&fs, dir, name, strlen(name));
}

static int rmdir_(uint64_t dir, const char *name)
{
    return fs.ops->rmdir(&fs, dir, name, strlen(name));
}

static int rename_(uint64_t fdir, const char *from, uint64_t tdir, const char *to)
{
    return fs.ops->rename(&fs, fdir, from, strlen(from), tdir, to, strlen(to));
}

static struct fs_attr attr(uint64_t ino)
{
    struct fs_attr a;
    CHECK_EQ(fs.ops->getattr(&fs, ino, &a), 0);
    CHECK_EQ(a.ino, ino);
    return a;
}

static int64_t write_str(uint64_t ino, uint64_t off, const char *s)
{
    return fs.ops->write(&fs, ino, off, s, strlen(s));
}

/* Whether file INO holds exactly the string WANT. */
static void check_contents(uint64_t ino, const char *want)
{
    char buf[256];
    size_t n = strlen(want);
    CHECK(n < sizeof(buf));
    CHECK_EQ(attr(ino).size, n);
    CHECK_EQ(fs.ops->read(&fs, ino, 0, buf, sizeof(buf)), n);
    CHECK(memcmp(buf, want, n) == 0);
}

static struct fs_statfs statfs_(void)
{
    struct fs_statfs s;
    CHECK_EQ(fs.ops->statfs(&fs, &s), 0);
    CHECK_EQ(s.block_size, 4096);
    CHECK(s.free_blocks <= s.blocks);
    return s;
}

/* The entries of DIR besides "." and "..", each once: how many, after
 * checking "." and "..". */
static unsigned count_entries(uint64_t dir, uint64_t parent)
{
    struct fs_dirent d;
    uint64_t cookie = 0;
    unsigned n = 0;
    int r;
    while ((r = fs.ops->readdir(&fs, dir, &cookie, &d)) == 1) {
        CHECK_EQ(d.len, strlen(d.name));
        if (n == 0) {
            CHECK_STR(d.name, ".");
            CHECK_EQ(d.ino, dir);
        } else if (n == 1) {
            CHECK_STR(d.name, "..");
            CHECK_EQ(d.ino, parent);
        }
        CHECK_EQ(d.type, attr(d.ino).mode & FS_S_IFMT);
        n++;
    }
    CHECK_EQ(r, 0);
    CHECK(n >= 2);
    return n - 2;
}

/* ---- the root, names and errors ---- */

static void test_root(void)
{
    mount(0);
    CHECK_STR(fs.ops->type, "ramfs");
    CHECK(fs.ops->readlink == NULL);
    struct fs_attr a = attr(fs.root);
    CHECK_EQ(a.mode, FS_S_IFDIR | 0755);
    CHECK_EQ(a.nlink, 2);
    CHECK_EQ(a.blocks, 0);
    CHECK_EQ(ino_of(fs.root, "."), fs.root);
    CHECK_EQ(ino_of(fs.root, ".."), fs.root);
    CHECK_EQ(count_entries(fs.root, fs.root), 0);
    struct fs_statfs s = statfs_();
    CHECK_EQ(s.files, 1);
    CHECK(s.free_blocks > 0 && s.free_files > 0);
    unmount();

    mount(1 << 20);
    s = statfs_();
    CHECK_EQ(s.blocks, 256);
    CHECK(s.free_blocks >= 250 && s.free_blocks < 256);
    unmount();
    CHECK_EQ(ramfs_mount(&fs, 64), -ENOSPC); /* not even the root fits */
}

static void test_create_and_lookup(void)
{
    mount(0);
    uint64_t f = mkfile(fs.root, "file"), d = mkdir_(fs.root, "dir");
    CHECK(f != d && f != fs.root && d != fs.root);
    CHECK_EQ(ino_of(fs.root, "file"), f);
    CHECK_EQ(ino_of(fs.root, "dir"), d);
    CHECK_EQ(ino_of(d, "."), d);
    CHECK_EQ(ino_of(d, ".."), fs.root);
    struct fs_attr a = attr(f);
    CHECK_EQ(a.mode, FS_S_IFREG | 0644);
    CHECK_EQ(a.nlink, 1);
    CHECK_EQ(a.size, 0);
    CHECK_EQ(a.blocks, 0);
    a = attr(d);
    CHECK_EQ(a.mode, FS_S_IFDIR | 0755);
    CHECK_EQ(a.nlink, 2);
    CHECK_EQ(attr(fs.root).nlink, 3);
    uint64_t sub = mkdir_(d, "sub");
    CHECK_EQ(attr(d).nlink, 3);
    CHECK_EQ(ino_of(sub, ".."), d);
    CHECK_EQ(attr(mkfile(d, "x")).mode, FS_S_IFREG | 0644);
    CHECK_EQ(attr(d).nlink, 3); /* files do not count */
    uint64_t odd = 0;
    CHECK_EQ(create(fs.root, "odd", FS_S_IFREG | 04711, &odd), 0);
    CHECK_EQ(attr(odd).mode, FS_S_IFREG | 04711);
    CHECK_EQ(statfs_().files, 6);

    /* names: any byte but '/' and NUL, up to FS_NAME_MAX */
    char name[FS_NAME_MAX + 2];
    memset(name, 'n', sizeof(name));
    name[FS_NAME_MAX] = '\0';
    uint64_t longest = mkfile(fs.root, name);
    CHECK_EQ(ino_of(fs.root, name), longest);
    name[FS_NAME_MAX] = 'n';
    name[FS_NAME_MAX + 1] = '\0';
    CHECK_EQ(create(fs.root, name, FS_S_IFREG | 0644, NULL), -ENAMETOOLONG);
    CHECK_EQ(lookup(fs.root, name, NULL), -ENAMETOOLONG);
    CHECK_EQ(unlink_(fs.root, name), -ENAMETOOLONG);
    CHECK_EQ(rmdir_(fs.root, name), -ENAMETOOLONG);
    CHECK_EQ(rename_(fs.root, name, fs.root, "y"), -ENAMETOOLONG);
    CHECK_EQ(rename_(fs.root, "file", fs.root, name), -ENAMETOOLONG);
    CHECK(mkfile(fs.root, "\x01\xff sp ace") != 0);
    CHECK_EQ(create(fs.root, "a/b", FS_S_IFREG | 0644, NULL), -EINVAL);
    CHECK_EQ(fs.ops->create(&fs, fs.root, "a\0b", 3, FS_S_IFREG, &odd), -EINVAL);
    CHECK_EQ(fs.ops->create(&fs, fs.root, "", 0, FS_S_IFREG, &odd), -EINVAL);
    CHECK_EQ(fs.ops->lookup(&fs, fs.root, "file/", 5, &odd), -EINVAL);
    unmount();
}

static void test_errors(void)
{
    mount(0);
    uint64_t f = mkfile(fs.root, "file"), d = mkdir_(fs.root, "dir");
    mkfile(d, "inner");
    uint64_t ino, cookie = 0;
    char buf[16];
    struct fs_attr a;
    struct fs_dirent de;

    CHECK_EQ(create(fs.root, "file", FS_S_IFREG | 0644, NULL), -EEXIST);
    CHECK_EQ(create(fs.root, "file", FS_S_IFDIR | 0755, NULL), -EEXIST);
    CHECK_EQ(create(fs.root, "dir", FS_S_IFREG | 0644, NULL), -EEXIST);
    CHECK_EQ(create(fs.root, ".", FS_S_IFDIR | 0755, NULL), -EEXIST);
    CHECK_EQ(create(fs.root, "..", FS_S_IFREG | 0644, NULL), -EEXIST);
    CHECK_EQ(create(fs.root, "link", FS_S_IFLNK | 0777, NULL), -EINVAL);
    CHECK_EQ(create(fs.root, "none", 0644, NULL), -EINVAL);
    CHECK_EQ(create(f, "x", FS_S_IFREG | 0644, NULL), -ENOTDIR);
    CHECK_EQ(create(999, "x", FS_S_IFREG | 0644, NULL), -ENOENT);

    CHECK_EQ(lookup(fs.root, "nope", &ino), -ENOENT);
    CHECK_EQ(lookup(fs.root, "FILE", &ino), -ENOENT);
    CHECK_EQ(lookup(f, "x", &ino), -ENOTDIR);
    CHECK_EQ(lookup(f, ".", &ino), -ENOTDIR);
    CHECK_EQ(lookup(0, "x", &ino), -ENOENT);
    CHECK_EQ(lookup(12345, "x", &ino), -ENOENT);

    CHECK_EQ(fs.ops->getattr(&fs, 0, &a), -ENOENT);
    CHECK_EQ(fs.ops->getattr(&fs, 999, &a), -ENOENT);
    CHECK_EQ(fs.ops->read(&fs, 999, 0, buf, 1), -ENOENT);
    CHECK_EQ(fs.ops->read(&fs, d, 0, buf, 1), -EISDIR);
    CHECK_EQ(fs.ops->write(&fs, 999, 0, buf, 1), -ENOENT);
    CHECK_EQ(fs.ops->write(&fs, d, 0, buf, 1), -EISDIR);
    CHECK_EQ(fs.ops->truncate(&fs, 999, 0), -ENOENT);
    CHECK_EQ(fs.ops->truncate(&fs, d, 0), -EISDIR);
    CHECK_EQ(fs.ops->readdir(&fs, f, &cookie, &de), -ENOTDIR);
    CHECK_EQ(fs.ops->readdir(&fs, 999, &cookie, &de), -ENOENT);

    CHECK_EQ(unlink_(fs.root, "nope"), -ENOENT);
    CHECK_EQ(unlink_(fs.root, "dir"), -EISDIR);
    CHECK_EQ(unlink_(fs.root, "."), -EISDIR);
    CHECK_EQ(unlink_(fs.root, ".."), -EISDIR);
    CHECK_EQ(unlink_(f, "x"), -ENOTDIR);
    CHECK_EQ(unlink_(999, "x"), -ENOENT);

    CHECK_EQ(rmdir_(fs.root, "nope"), -ENOENT);
    CHECK_EQ(rmdir_(fs.root, "file"), -ENOTDIR);
    CHECK_EQ(rmdir_(fs.root, "dir"), -ENOTEMPTY);
    CHECK_EQ(rmdir_(d, "."), -EINVAL);
    CHECK_EQ(rmdir_(d, ".."), -ENOTEMPTY);
    CHECK_EQ(rmdir_(f, "x"), -ENOTDIR);
    CHECK_EQ(rmdir_(999, "x"), -ENOENT);

    CHECK_EQ(rename_(fs.root, "nope", fs.root, "x"), -ENOENT);
    CHECK_EQ(rename_(f, "x", fs.root, "x"), -ENOTDIR);
    CHECK_EQ(rename_(fs.root, "file", f, "x"), -ENOTDIR);
    CHECK_EQ(rename_(999, "x", fs.root, "x"), -ENOENT);
    CHECK_EQ(rename_(fs.root, "file", 999, "x"), -ENOENT);
    CHECK_EQ(rename_(fs.root, ".", fs.root, "x"), -EINVAL);
    CHECK_EQ(rename_(d, "..", fs.root, "x"), -EINVAL);
    CHECK_EQ(rename_(fs.root, "file", fs.root, "."), -EINVAL);
    CHECK_EQ(rename_(fs.root, "file", d, ".."), -EINVAL);

    /* nothing above changed anything */
    CHECK_EQ(count_entries(fs.root, fs.root), 2);
    CHECK_EQ(count_entries(d, fs.root), 1);
    CHECK_EQ(attr(f).size, 0);
    CHECK_EQ(attr(fs.root).nlink, 3);

    /* an empty directory goes, and its number with it */
    CHECK_EQ(unlink_(d, "inner"), 0);
    CHECK_EQ(rmdir_(fs.root, "dir"), 0);
    CHECK_EQ(attr(fs.root).nlink, 2);
    CHECK_EQ(fs.ops->getattr(&fs, d, &a), -ENOENT);
    CHECK_EQ(lookup(fs.root, "dir", &ino), -ENOENT);
    CHECK_EQ(unlink_(fs.root, "file"), 0);
    CHECK_EQ(fs.ops->getattr(&fs, f, &a), -ENOENT);
    CHECK_EQ(unlink_(fs.root, "file"), -ENOENT);
    CHECK_EQ(count_entries(fs.root, fs.root), 0);
    CHECK_EQ(statfs_().files, 1);
    unmount();
}

/* ---- file data ---- */

static uint8_t pattern(uint64_t i, unsigned seed)
{
    return (uint8_t)(i * 131 + i / 4093 + seed);
}

static void test_read_write(void)
{
    mount(0);
    uint64_t f = mkfile(fs.root, "f");
    char buf[64];
    CHECK_EQ(fs.ops->read(&fs, f, 0, buf, sizeof(buf)), 0);
    CHECK_EQ(write_str(f, 0, "hello, world"), 12);
    check_contents(f, "hello, world");
    CHECK_EQ(attr(f).blocks, 8); /* one 4 KiB page */
    CHECK_EQ(write_str(f, 7, "there!"), 6);
    check_contents(f, "hello, there!");
    CHECK_EQ(fs.ops->read(&fs, f, 7, buf, 3), 3);
    CHECK(memcmp(buf, "the", 3) == 0);
    CHECK_EQ(fs.ops->read(&fs, f, 13, buf, 1), 0); /* at the end */
    CHECK_EQ(fs.ops->read(&fs, f, 1000, buf, 1), 0);
    CHECK_EQ(fs.ops->read(&fs, f, 10, buf, sizeof(buf)), 3);
    CHECK_EQ(fs.ops->write(&fs, f, 100, buf, 0), 0); /* nothing, no growth */
    CHECK_EQ(attr(f).size, 13);

    /* a gap becomes zeros */
    CHECK_EQ(write_str(f, 20, "X"), 1);
    CHECK_EQ(attr(f).size, 21);
    memset(buf, 0x55, sizeof(buf));
    CHECK_EQ(fs.ops->read(&fs, f, 0, buf, sizeof(buf)), 21);
    CHECK(memcmp(buf, "hello, there!\0\0\0\0\0\0\0X", 21) == 0);

    /* across pages, from odd offsets, read back in odd pieces */
    static uint8_t big[3 * 4096 + 1234], back[sizeof(big)];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = pattern(i, 1);
    uint64_t g = mkfile(fs.root, "g");
    CHECK_EQ(fs.ops->write(&fs, g, 4000, big, sizeof(big)), sizeof(big));
    CHECK_EQ(attr(g).size, 4000 + sizeof(big));
    CHECK_EQ(attr(g).blocks, 5 * 8);
    for (size_t off = 0; off < sizeof(big); off += 777) {
        size_t n = sizeof(big) - off < 777 ? sizeof(big) - off : 777;
        CHECK_EQ(fs.ops->read(&fs, g, 4000 + off, back + off, 777), n);
    }
    CHECK(memcmp(big, back, sizeof(big)) == 0);
    CHECK_EQ(fs.ops->read(&fs, g, 0, back, 4000), 4000);
    for (int i = 0; i < 4000; i++)
        CHECK_EQ(back[i], 0);
    unmount();
}

static void test_sparse(void)
{
    mount(0);
    uint64_t f = mkfile(fs.root, "sparse");
    uint64_t at = 1ULL << 39;
    static uint8_t data[10000], buf[20000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = pattern(i, 3);
    uint64_t free_before = statfs_().free_blocks;
    CHECK_EQ(fs.ops->write(&fs, f, at - 100, data, sizeof(data)), sizeof(data));
    struct fs_attr a = attr(f);
    CHECK_EQ(a.size, at - 100 + sizeof(data));
    CHECK_EQ(a.blocks, 4 * 8);                       /* pages at 2^39 - 4096 .. 2^39 + 8192 */
    CHECK(free_before - statfs_().free_blocks < 16); /* no terabyte-sized array */

    /* holes before, and data read from just before it into it */
    memset(buf, 0xAA, sizeof(buf));
    CHECK_EQ(fs.ops->read(&fs, f, 0, buf, 4096), 4096);
    for (int i = 0; i < 4096; i++)
        CHECK_EQ(buf[i], 0);
    CHECK_EQ(fs.ops->read(&fs, f, 1ULL << 38, buf, 100), 100);
    CHECK_EQ(buf[0] | buf[99], 0);
    CHECK_EQ(fs.ops->read(&fs, f, at - 5000, buf, sizeof(buf)), 4900 + sizeof(data));
    for (int i = 0; i < 4900; i++)
        CHECK_EQ(buf[i], 0);
    CHECK(memcmp(buf + 4900, data, sizeof(data)) == 0);

    /* a second range far below: the tree grows downwards too */
    CHECK_EQ(write_str(f, 12345, "low"), 3);
    CHECK_EQ(fs.ops->read(&fs, f, 12344, buf, 5), 5);
    CHECK(memcmp(buf, "\0low\0", 5) == 0);
    CHECK_EQ(attr(f).blocks, 5 * 8);

    /* the largest file: 2^40 bytes */
    uint64_t g = mkfile(fs.root, "huge");
    CHECK_EQ(write_str(g, RAMFS_MAX_FILE - 1, "Z"), 1);
    CHECK_EQ(attr(g).size, RAMFS_MAX_FILE);
    CHECK_EQ(write_str(g, RAMFS_MAX_FILE - 2, "YZW"), 2); /* short, at the limit */
    CHECK_EQ(write_str(g, RAMFS_MAX_FILE, "W"), -EFBIG);
    CHECK_EQ(write_str(g, UINT64_MAX - 1, "W"), -EFBIG);
    CHECK_EQ(fs.ops->read(&fs, g, RAMFS_MAX_FILE - 3, buf, 10), 3);
    CHECK(memcmp(buf, "\0YZ", 3) == 0);
    CHECK_EQ(fs.ops->truncate(&fs, g, RAMFS_MAX_FILE + 1), -EFBIG);
    CHECK_EQ(fs.ops->truncate(&fs, g, UINT64_MAX), -EFBIG);
    CHECK_EQ(attr(g).size, RAMFS_MAX_FILE);

    /* removing them gives all the memory back */
    CHECK_EQ(unlink_(fs.root, "sparse"), 0);
    CHECK_EQ(unlink_(fs.root, "huge"), 0);
    CHECK_EQ(statfs_().free_blocks, free_before);
    unmount();
}

static void test_truncate(void)
{
    mount(0);
    uint64_t f = mkfile(fs.root, "t");
    static uint8_t data[3 * 4096], buf[40000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = pattern(i, 5);
    uint64_t free_before = statfs_().free_blocks;
    CHECK_EQ(fs.ops->write(&fs, f, 0, data, sizeof(data)), sizeof(data));
    CHECK_EQ(attr(f).blocks, 24);

    /* down into the middle of a page: the tail of it reads as zeros later */
    CHECK_EQ(fs.ops->truncate(&fs, f, 5000), 0);
    CHECK_EQ(attr(f).size, 5000);
    CHECK_EQ(attr(f).blocks, 16);
    CHECK_EQ(fs.ops->read(&fs, f, 0, buf, sizeof(buf)), 5000);
    CHECK(memcmp(buf, data, 5000) == 0);
    CHECK_EQ(fs.ops->truncate(&fs, f, 30000), 0); /* up: a hole */
    CHECK_EQ(attr(f).size, 30000);
    CHECK_EQ(attr(f).blocks, 16);
    memset(buf, 0xEE, sizeof(buf));
    CHECK_EQ(fs.ops->read(&fs, f, 0, buf, sizeof(buf)), 30000);
    CHECK(memcmp(buf, data, 5000) == 0);
    for (int i = 5000; i < 30000; i++)
        CHECK_EQ(buf[i], 0);

    /* to a page boundary, to the same size, to 0 */
    CHECK_EQ(fs.ops->truncate(&fs, f, 4096), 0);
    CHECK_EQ(attr(f).blocks, 8);
    CHECK_EQ(fs.ops->truncate(&fs, f, 4096), 0);
    CHECK_EQ(attr(f).size, 4096);
    CHECK_EQ(fs.ops->read(&fs, f, 0, buf, sizeof(buf)), 4096);
    CHECK(memcmp(buf, data, 4096) == 0);
    CHECK_EQ(fs.ops->truncate(&fs, f, 0), 0);
    CHECK_EQ(attr(f).size, 0);
    CHECK_EQ(attr(f).blocks, 0);
    CHECK_EQ(fs.ops->read(&fs, f, 0, buf, sizeof(buf)), 0);
    CHECK_EQ(statfs_().free_blocks, free_before);

    /* a sparse file cut between its pieces keeps the lower ones */
    CHECK_EQ(write_str(f, 10, "lo"), 2);
    CHECK_EQ(write_str(f, 1ULL << 35, "hi"), 2);
    CHECK_EQ(fs.ops->truncate(&fs, f, 1ULL << 30), 0);
    CHECK_EQ(attr(f).blocks, 8);
    CHECK_EQ(fs.ops->read(&fs, f, 9, buf, 4), 4);
    CHECK(memcmp(buf, "\0lo\0", 4) == 0);
    CHECK_EQ(fs.ops->read(&fs, f, (1ULL << 30) - 2, buf, 10), 2);
    CHECK_EQ(buf[0] | buf[1], 0);
    CHECK_EQ(fs.ops->truncate(&fs, f, 0), 0);
    CHECK_EQ(statfs_().free_blocks, free_before);
    unmount();
}

/* ---- directories ---- */

static void test_readdir_order(void)
{
    mount(0);
    static const char *names[] = { "one", "two", "three", "four", "five" };
    uint64_t ino[5];
    uint64_t d = mkdir_(fs.root, "d");
    for (int i = 0; i < 5; i++)
        ino[i] = i % 2 ? mkdir_(d, names[i]) : mkfile(d, names[i]);
    CHECK_EQ(unlink_(d, "three"), 0);
    ino[2] = mkfile(d, "three"); /* a new entry, at the end */
    static const int order[] = { 0, 1, 3, 4, 2 };
    struct fs_dirent de;
    uint64_t cookie = 0;
    CHECK_EQ(fs.ops->readdir(&fs, d, &cookie, &de), 1);
    CHECK_STR(de.name, ".");
    CHECK_EQ(de.ino, d);
    CHECK_EQ(de.type, FS_S_IFDIR);
    CHECK_EQ(fs.ops->readdir(&fs, d, &cookie, &de), 1);
    CHECK_STR(de.name, "..");
    CHECK_EQ(de.ino, fs.root);
    CHECK_EQ(de.len, 2);
    for (int k = 0; k < 5; k++) {
        uint64_t saved = cookie;
        CHECK_EQ(fs.ops->readdir(&fs, d, &cookie, &de), 1);
        CHECK_STR(de.name, names[order[k]]);
        CHECK_EQ(de.len, strlen(names[order[k]]));
        CHECK_EQ(de.ino, ino[order[k]]);
        CHECK_EQ(de.type, order[k] % 2 ? FS_S_IFDIR : FS_S_IFREG);
        /* the same cookie gives the same entry again */
        struct fs_dirent again;
        CHECK_EQ(fs.ops->readdir(&fs, d, &saved, &again), 1);
        CHECK_EQ(saved, cookie);
        CHECK_STR(again.name, de.name);
    }
    CHECK_EQ(fs.ops->readdir(&fs, d, &cookie, &de), 0);
    CHECK_EQ(fs.ops->readdir(&fs, d, &cookie, &de), 0); /* and stays at the end */
    uint64_t far = UINT64_MAX;
    CHECK_EQ(fs.ops->readdir(&fs, d, &far, &de), 0);
    CHECK_EQ(attr(d).nlink, 4);
    CHECK_EQ(attr(d).size, (5 + 2) * 20);
    unmount();
}

#define MANY 10000

static void many_name(char *buf, size_t size, int i)
{
    snprintf(buf, size, "entry-%05d", i);
}

static void test_many_entries(void)
{
    mount(0);
    uint64_t d = mkdir_(fs.root, "many");
    static uint64_t ino[MANY];
    static bool seen[MANY];
    memset(seen, 0, sizeof(seen));
    char name[32];
    for (int i = 0; i < MANY; i++) {
        many_name(name, sizeof(name), i);
        ino[i] = i % 10 ? mkfile(d, name) : mkdir_(d, name);
    }
    CHECK_EQ(attr(d).nlink, 2 + MANY / 10);
    for (int i = 0; i < MANY; i++) {
        many_name(name, sizeof(name), i);
        CHECK_EQ(ino_of(d, name), ino[i]);
    }
    struct fs_dirent de;
    uint64_t cookie = 2;
    int r, n = 0;
    while ((r = fs.ops->readdir(&fs, d, &cookie, &de)) == 1) {
        int i = atoi(de.name + 6);
        CHECK(i >= 0 && i < MANY && !seen[i]);
        CHECK_EQ(de.ino, ino[i]);
        seen[i] = true;
        CHECK_EQ(i, n); /* in order of creation */
        n++;
    }
    CHECK_EQ(r, 0);
    CHECK_EQ(n, MANY);
    for (int i = 0; i < MANY; i++) {
        many_name(name, sizeof(name), i);
        CHECK_EQ(i % 10 ? unlink_(d, name) : rmdir_(d, name), 0);
        CHECK_EQ(lookup(d, name, NULL), -ENOENT);
    }
    CHECK_EQ(count_entries(d, fs.root), 0);
    CHECK_EQ(attr(d).nlink, 2);
    CHECK_EQ(statfs_().files, 2);
    CHECK_EQ(rmdir_(fs.root, "many"), 0);
    unmount();
}

/* Readdir goes on while entries come and go: every entry that stays is
 * returned exactly once, none twice, and none after it was removed. */
static void test_readdir_while_changing(void)
{
    enum { N = 2000, ADDED = 700 };
    static int returned[N + ADDED];
    static bool removed[N + ADDED];
    memset(returned, 0, sizeof(returned));
    memset(removed, 0, sizeof(removed));
    mount(0);
    uint64_t d = mkdir_(fs.root, "d");
    char name[32];
    for (int i = 0; i < N; i++) {
        many_name(name, sizeof(name), i);
        mkfile(d, name);
    }
    struct fs_dirent de;
    uint64_t cookie = 0;
    int r, added = 0, steps = 0;
    while ((r = fs.ops->readdir(&fs, d, &cookie, &de)) == 1) {
        if (!strcmp(de.name, ".") || !strcmp(de.name, ".."))
            continue;
        int i = atoi(de.name + 6);
        CHECK(i >= 0 && i < N + ADDED && !removed[i]);
        CHECK_EQ(returned[i]++, 0);
        /* after each entry: remove a few (behind and ahead), add some */
        for (int k = 0; k < 3; k++) {
            int j = (int)unit_rand_below(N + added);
            if (!removed[j]) {
                many_name(name, sizeof(name), j);
                CHECK_EQ(unlink_(d, name), 0);
                removed[j] = true;
            }
        }
        if (added < ADDED && ++steps % 2) {
            many_name(name, sizeof(name), N + added++);
            mkfile(d, name);
        }
    }
    CHECK_EQ(r, 0);
    int stayed = 0;
    for (int i = 0; i < N + added; i++) {
        if (!removed[i]) {
            CHECK_EQ(returned[i], 1);
            stayed++;
        }
    }
    CHECK(stayed > 100);
    CHECK_EQ(count_entries(d, fs.root), stayed);
    unmount();
}

/* ---- rename ---- */

static void test_rename_files(void)
{
    mount(0);
    uint64_t a = mkdir_(fs.root, "a"), b = mkdir_(fs.root, "b");
    uint64_t f = mkfile(a, "f"), g = mkfile(a, "g");
    CHECK_EQ(write_str(f, 0, "eff"), 3);
    CHECK_EQ(write_str(g, 0, "gee"), 3);

    /* a new name in the same directory */
    CHECK_EQ(rename_(a, "f", a, "f2"), 0);
    CHECK_EQ(lookup(a, "f", NULL), -ENOENT);
    CHECK_EQ(ino_of(a, "f2"), f);
    CHECK_EQ(count_entries(a, fs.root), 2);
    check_contents(f, "eff");
    /* into another directory */
    CHECK_EQ(rename_(a, "f2", b, "f"), 0);
    CHECK_EQ(lookup(a, "f2", NULL), -ENOENT);
    CHECK_EQ(ino_of(b, "f"), f);
    CHECK_EQ(count_entries(a, fs.root), 1);
    CHECK_EQ(count_entries(b, fs.root), 1);
    /* over another file, which goes */
    CHECK_EQ(rename_(b, "f", a, "g"), 0);
    CHECK_EQ(ino_of(a, "g"), f);
    check_contents(f, "eff");
    struct fs_attr at;
    CHECK_EQ(fs.ops->getattr(&fs, g, &at), -ENOENT);
    CHECK_EQ(count_entries(b, fs.root), 0);
    CHECK_EQ(count_entries(a, fs.root), 1);
    /* onto itself: nothing changes */
    CHECK_EQ(rename_(a, "g", a, "g"), 0);
    CHECK_EQ(ino_of(a, "g"), f);
    CHECK_EQ(count_entries(a, fs.root), 1);
    /* a file over a directory, a directory over a file */
    mkdir_(b, "sub");
    CHECK_EQ(rename_(a, "g", b, "sub"), -EISDIR);
    CHECK_EQ(rename_(b, "sub", a, "g"), -ENOTDIR);
    CHECK_EQ(rename_(a, "missing", b, "x"), -ENOENT);
    CHECK_EQ(ino_of(a, "g"), f);
    CHECK_EQ(attr(fs.root).nlink, 4);
    CHECK_EQ(attr(b).nlink, 3);
    unmount();
}

static void test_rename_dirs(void)
{
    mount(0);
    uint64_t a = mkdir_(fs.root, "a"), b = mkdir_(fs.root, "b");
    uint64_t c = mkdir_(a, "c"), e = mkdir_(c, "e");
    mkfile(e, "file");
    CHECK_EQ(attr(a).nlink, 3);

    /* into itself or below it */
    CHECK_EQ(rename_(fs.root, "a", a, "x"), -EINVAL);
    CHECK_EQ(rename_(fs.root, "a", e, "x"), -EINVAL);
    CHECK_EQ(rename_(a, "c", c, "x"), -EINVAL);
    CHECK_EQ(rename_(a, "c", e, "file"), -EINVAL); /* even over a file there */
    /* over an ancestor (never empty) */
    CHECK_EQ(rename_(c, "e", fs.root, "a"), -ENOTEMPTY);
    /* onto itself */
    CHECK_EQ(rename_(fs.root, "a", fs.root, "a"), 0);
    CHECK_EQ(ino_of(fs.root, "a"), a);

    /* to another parent: ".." and the link counts follow */
    CHECK_EQ(rename_(a, "c", b, "c2"), 0);
    CHECK_EQ(ino_of(b, "c2"), c);
    CHECK_EQ(ino_of(c, ".."), b);
    CHECK_EQ(attr(a).nlink, 2);
    CHECK_EQ(attr(b).nlink, 3);
    CHECK_EQ(attr(c).nlink, 3);
    CHECK_EQ(ino_of(e, ".."), c);
    /* within one parent */
    CHECK_EQ(rename_(b, "c2", b, "c3"), 0);
    CHECK_EQ(attr(b).nlink, 3);
    CHECK_EQ(ino_of(c, ".."), b);
    struct fs_dirent de;
    uint64_t cookie = 1;
    CHECK_EQ(fs.ops->readdir(&fs, c, &cookie, &de), 1);
    CHECK_STR(de.name, "..");
    CHECK_EQ(de.ino, b);

    /* over an empty directory, which goes; over a full one: -ENOTEMPTY */
    uint64_t empty = mkdir_(a, "empty");
    CHECK_EQ(attr(a).nlink, 3);
    CHECK_EQ(rename_(b, "c3", a, "empty"), 0);
    struct fs_attr at;
    CHECK_EQ(fs.ops->getattr(&fs, empty, &at), -ENOENT);
    CHECK_EQ(ino_of(a, "empty"), c);
    CHECK_EQ(attr(a).nlink, 3);
    CHECK_EQ(attr(b).nlink, 2);
    CHECK_EQ(ino_of(c, ".."), a);
    mkdir_(b, "full");
    mkfile(ino_of(b, "full"), "x");
    CHECK_EQ(rename_(a, "empty", b, "full"), -ENOTEMPTY);
    /* up to the root, over a sibling in the same directory */
    uint64_t s = mkdir_(fs.root, "s");
    CHECK_EQ(attr(fs.root).nlink, 5);
    CHECK_EQ(rename_(c, "e", fs.root, "s"), 0);
    CHECK_EQ(fs.ops->getattr(&fs, s, &at), -ENOENT);
    CHECK_EQ(attr(fs.root).nlink, 5);
    CHECK_EQ(attr(c).nlink, 2);
    CHECK_EQ(ino_of(e, ".."), fs.root);
    CHECK_EQ(rename_(fs.root, "s", fs.root, "a"), -ENOTEMPTY);
    uint64_t f = mkfile(fs.root, "f");
    CHECK_EQ(rename_(fs.root, "f", e, "file"), 0); /* a file down, over a file */
    CHECK_EQ(ino_of(e, "file"), f);
    CHECK_EQ(count_entries(fs.root, fs.root), 3);
    unmount();
}

/* ---- removed while open ---- */

static void test_unlinked_while_open(void)
{
    mount(0);
    uint64_t f = mkfile(fs.root, "f"), d = mkdir_(fs.root, "d");
    CHECK_EQ(write_str(f, 0, "still here"), 10);
    uint64_t free_before = statfs_().free_blocks;
    open_file(f);
    open_file(d);
    CHECK_EQ(unlink_(fs.root, "f"), 0);
    CHECK_EQ(rmdir_(fs.root, "d"), 0);
    CHECK_EQ(lookup(fs.root, "f", NULL), -ENOENT);
    CHECK_EQ(lookup(fs.root, "d", NULL), -ENOENT);
    CHECK_EQ(count_entries(fs.root, fs.root), 0);
    CHECK_EQ(attr(fs.root).nlink, 2);

    /* the file: reads and writes go on, with no name */
    CHECK_EQ(attr(f).nlink, 0);
    check_contents(f, "still here");
    CHECK_EQ(write_str(f, 6, " there"), 6);
    check_contents(f, "still  there");
    CHECK_EQ(fs.ops->truncate(&fs, f, 5), 0);
    check_contents(f, "still");
    /* the directory: empty for good */
    CHECK_EQ(attr(d).nlink, 0);
    CHECK_EQ(lookup(d, ".", NULL), -ENOENT);
    CHECK_EQ(lookup(d, "..", NULL), -ENOENT);
    CHECK_EQ(create(d, "x", FS_S_IFREG | 0644, NULL), -ENOENT);
    CHECK_EQ(rename_(d, "x", fs.root, "y"), -ENOENT);
    uint64_t cookie = 0;
    struct fs_dirent de;
    CHECK_EQ(fs.ops->readdir(&fs, d, &cookie, &de), 0);

    /* a linked inode is not forgotten; unlinked ones are, at the last close */
    fs.ops->forget(&fs, fs.root);
    CHECK_EQ(attr(fs.root).nlink, 2);
    close_file(f);
    close_file(d);
    struct fs_attr a;
    CHECK_EQ(fs.ops->getattr(&fs, f, &a), -ENOENT);
    CHECK_EQ(fs.ops->getattr(&fs, d, &a), -ENOENT);
    fs.ops->forget(&fs, f); /* twice: nothing */
    CHECK(statfs_().free_blocks > free_before);

    /* a file replaced by rename while open */
    uint64_t g = mkfile(fs.root, "g"), h = mkfile(fs.root, "h");
    CHECK_EQ(write_str(g, 0, "old"), 3);
    open_file(g);
    CHECK_EQ(rename_(fs.root, "h", fs.root, "g"), 0);
    CHECK_EQ(ino_of(fs.root, "g"), h);
    CHECK_EQ(attr(g).nlink, 0);
    check_contents(g, "old");
    close_file(g);
    CHECK_EQ(fs.ops->getattr(&fs, g, &a), -ENOENT);

    /* one left open at unmount is freed too (the leak checker sees) */
    uint64_t k = mkfile(fs.root, "k");
    CHECK_EQ(write_str(k, 1 << 20, "k"), 1);
    open_file(k);
    CHECK_EQ(unlink_(fs.root, "k"), 0);
    unmount();
}

/* ---- the memory bound ---- */

static void test_enospc(void)
{
    enum { LIMIT = 256 * 1024 };
    static uint8_t big[LIMIT];
    memset(big, 'b', sizeof(big));
    mount(LIMIT);
    uint64_t free0 = statfs_().free_blocks;

    uint64_t f = mkfile(fs.root, "big");
    int64_t n = fs.ops->write(&fs, f, 0, big, sizeof(big));
    CHECK(n > LIMIT / 2 && n < LIMIT); /* short: the space ran out */
    CHECK_EQ(n % 4096, 0);
    CHECK_EQ(attr(f).size, n);
    CHECK_EQ(fs.ops->write(&fs, f, (uint64_t)n, big, 4096), -ENOSPC);
    CHECK_EQ(fs.ops->write(&fs, f, 1ULL << 36, big, 1), -ENOSPC); /* a new page too */
    CHECK_EQ(attr(f).size, n);
    CHECK_EQ(fs.ops->write(&fs, f, 100, "over", 4), 4); /* an old page: fine */
    CHECK(statfs_().free_blocks <= 1);

    /* names run out too, and a failed create leaves nothing behind */
    char name[32];
    int made = 0, err = 0;
    CHECK_EQ(fs.ops->truncate(&fs, f, (uint64_t)n - 16 * 4096), 0);
    for (; made < 10000; made++) {
        snprintf(name, sizeof(name), "file-%d", made);
        if ((err = create(fs.root, name, made % 2 ? FS_S_IFDIR | 0755 : FS_S_IFREG | 0644, NULL)) !=
            0)
            break;
    }
    CHECK_EQ(err, -ENOSPC);
    CHECK(made > 10);
    CHECK_EQ(lookup(fs.root, name, NULL), -ENOENT);
    CHECK_EQ(count_entries(fs.root, fs.root), made + 1);

    /* everything removed: all the memory is back, and it fills again alike */
    for (int i = 0; i < made; i++) {
        snprintf(name, sizeof(name), "file-%d", i);
        CHECK_EQ(i % 2 ? rmdir_(fs.root, name) : unlink_(fs.root, name), 0);
    }
    CHECK_EQ(unlink_(fs.root, "big"), 0);
    CHECK_EQ(statfs_().free_blocks, free0);
    f = mkfile(fs.root, "again");
    CHECK_EQ(fs.ops->write(&fs, f, 0, big, sizeof(big)), n);
    CHECK_EQ(unlink_(fs.root, "again"), 0);
    CHECK_EQ(statfs_().free_blocks, free0);

    /* a rename that needs a new entry can fail too, changing nothing */
    uint64_t d = mkdir_(fs.root, "d");
    uint64_t g = mkfile(fs.root, "g");
    n = fs.ops->write(&fs, g, 0, big, sizeof(big));
    CHECK(n > 0);
    CHECK_EQ(rename_(fs.root, "g", d, "g"), -ENOSPC);
    CHECK_EQ(ino_of(fs.root, "g"), g);
    CHECK_EQ(count_entries(d, fs.root), 0);
    CHECK_EQ(rename_(fs.root, "g", fs.root, "d"), -EISDIR);
    unmount();
}

/* Make a directory, a file in it, a sparse write, a move: the results of
 * each (0 or a byte count, or -ENOSPC), then remove what was made. */
static void bounded_round(int64_t out[5])
{
    static uint8_t data[5000];
    uint64_t d = 0, f = 0;
    out[0] = create(fs.root, "d", FS_S_IFDIR | 0755, &d);
    out[1] = out[0] ? -1 : create(d, "f", FS_S_IFREG | 0644, &f);
    out[2] = out[1] ? -1 : fs.ops->write(&fs, f, (1ULL << 30) - 100, data, sizeof(data));
    out[3] = out[1] ? -1 : rename_(d, "f", fs.root, "g");
    out[4] = out[1] ? -1 : fs.ops->write(&fs, f, 0, data, 1);
    for (int i = 0; i < 5; i++)
        CHECK(out[i] >= -1 || out[i] == -ENOSPC);
    if (out[0] == 0)
        CHECK_EQ(attr(d).nlink, 2);
    if (out[1] == 0)
        CHECK_EQ(ino_of(out[3] ? d : fs.root, out[3] ? "f" : "g"), f);
    CHECK_EQ(count_entries(fs.root, fs.root), (out[0] == 0) + (out[3] == 0));
    if (out[1] == 0)
        CHECK_EQ(out[3] ? unlink_(d, "f") : unlink_(fs.root, "g"), 0);
    if (out[0] == 0)
        CHECK_EQ(rmdir_(fs.root, "d"), 0);
    CHECK_EQ(count_entries(fs.root, fs.root), 0);
}

/* Under every bound from too small for the root up to plenty, each
 * allocation fails in turn: each operation either succeeds or gives
 * -ENOSPC, changing nothing, and what was taken comes back (the same
 * round twice gives the same results). */
static void test_every_bound(void)
{
    int mounted = 0, full = 0;
    for (uint64_t bound = 64; bound < 32768; bound += 8) {
        memset(&fs, 0, sizeof(fs));
        fs.in_use = in_use;
        int r = ramfs_mount(&fs, bound);
        if (r) {
            CHECK_EQ(r, -ENOSPC);
            CHECK(!mounted);
            continue;
        }
        mounted++;
        int64_t first[5], second[5];
        bounded_round(first);
        bounded_round(second);
        CHECK(memcmp(first, second, sizeof(first)) == 0);
        full += first[2] == 5000 && first[3] == 0 && first[4] == 1;
        unmount();
    }
    CHECK(mounted > 3000 && full > 100);
}

static void test_times(void)
{
    mount(0);
    ramfs_set_time(&fs, 1000);
    uint64_t d = mkdir_(fs.root, "d");
    struct fs_attr a = attr(d);
    CHECK(a.atime == 1000 && a.mtime == 1000 && a.ctime == 1000);
    CHECK_EQ(attr(fs.root).mtime, 1000);
    ramfs_set_time(&fs, 2000);
    uint64_t f = mkfile(d, "f");
    CHECK_EQ(attr(f).mtime, 2000);
    CHECK_EQ(attr(d).mtime, 2000);
    CHECK_EQ(attr(d).ctime, 2000);
    CHECK_EQ(attr(fs.root).mtime, 1000);

    ramfs_set_time(&fs, 3000);
    CHECK_EQ(write_str(f, 0, "data"), 4);
    a = attr(f);
    CHECK(a.mtime == 3000 && a.ctime == 3000 && a.atime == 2000);
    CHECK_EQ(attr(d).mtime, 2000);
    ramfs_set_time(&fs, 4000);
    char buf[8];
    CHECK_EQ(fs.ops->read(&fs, f, 0, buf, sizeof(buf)), 4);
    a = attr(f);
    CHECK(a.atime == 4000 && a.mtime == 3000);
    ramfs_set_time(&fs, 5000);
    CHECK_EQ(fs.ops->truncate(&fs, f, 2), 0);
    a = attr(f);
    CHECK(a.mtime == 5000 && a.ctime == 5000);
    ramfs_set_time(&fs, 6000);
    CHECK_EQ(rename_(d, "f", fs.root, "f"), 0);
    CHECK_EQ(attr(f).ctime, 6000);
    CHECK_EQ(attr(f).mtime, 5000);
    CHECK_EQ(attr(d).mtime, 6000);
    CHECK_EQ(attr(fs.root).mtime, 6000);
    ramfs_set_time(&fs, 7000);
    open_file(f);
    CHECK_EQ(unlink_(fs.root, "f"), 0);
    CHECK_EQ(attr(f).ctime, 7000);
    CHECK_EQ(attr(fs.root).ctime, 7000);
    close_file(f);
    ramfs_set_time(&fs, 8000);
    CHECK_EQ(rmdir_(fs.root, "d"), 0);
    CHECK_EQ(attr(fs.root).mtime, 8000);
    unmount();
}

/* ---- a randomized run against a model ---- */

#define M_NODES   48
#define M_PAGES   6 /* files stay under M_PAGES pages */
#define M_OPS     30000
#define M_REMOVED (-2) /* a model node's parent once it has no name */

static const char *const m_names[] = { "a", "b", "c", "d" };

struct mnode {
    bool used, dir, open;
    int parent; /* a model index, M_REMOVED, or the root's own index (0) */
    const char *name;
    uint64_t ino;
    uint8_t data[M_PAGES * 4096];
    uint64_t size;
    bool page[M_PAGES]; /* allocated */
};

static struct mnode m[M_NODES];

/* What the run did, to check that it did much of everything. */
static struct {
    unsigned created, unlinked, rmdired, renamed, replaced, orphaned, dir_moves, errors;
} m_did;

static int m_child(int dir, const char *name)
{
    for (int i = 1; i < M_NODES; i++)
        if (m[i].used && m[i].parent == dir && !strcmp(m[i].name, name))
            return i;
    return -1;
}

static bool m_has_children(int dir)
{
    for (int i = 1; i < M_NODES; i++)
        if (m[i].used && m[i].parent == dir)
            return true;
    return false;
}

static int m_children(int dir)
{
    int n = 0;
    for (int i = 1; i < M_NODES; i++)
        n += m[i].used && m[i].parent == dir;
    return n;
}

static int m_subdirs(int dir)
{
    int n = 0;
    for (int i = 1; i < M_NODES; i++)
        n += m[i].used && m[i].parent == dir && m[i].dir;
    return n;
}

/* Whether DIR is N or lies under it. */
static bool m_inside(int dir, int n)
{
    for (;;) {
        if (dir == n)
            return true;
        if (dir == 0)
            return false;
        dir = m[dir].parent;
    }
}

/* Index N lost its name: it stays while open. */
static void m_drop(int n)
{
    m[n].parent = M_REMOVED;
    m_did.orphaned += m[n].open;
    if (!m[n].open)
        m[n].used = false;
}

/* A random used node: a directory if DIR, else a file. -1 if none. */
static int m_pick(bool dir)
{
    for (int tries = 0; tries < 100; tries++) {
        int i = (int)unit_rand_below(M_NODES);
        if (m[i].used && m[i].dir == dir)
            return i;
    }
    return dir ? 0 : -1;
}

static int m_free_slot(void)
{
    for (int i = 1; i < M_NODES; i++)
        if (!m[i].used)
            return i;
    return -1;
}

static const char *m_name(void)
{
    return m_names[unit_rand_below(ARRAY_SIZE(m_names))];
}

/* -ENOENT if directory index D has been removed, else 0. */
static int m_dir_ok(int d)
{
    return m[d].parent == M_REMOVED ? -ENOENT : 0;
}

static void m_create(void)
{
    int d = m_pick(true), slot = m_free_slot();
    const char *name = m_name();
    if (slot < 0)
        return;
    bool dir = unit_rand_below(3) == 0;
    int want = m_dir_ok(d);
    if (!want && m_child(d, name) >= 0)
        want = -EEXIST;
    uint64_t ino;
    CHECK_EQ(create(m[d].ino, name, dir ? FS_S_IFDIR | 0700 : FS_S_IFREG | 0600, &ino), want);
    m_did.errors += want != 0;
    if (want)
        return;
    m_did.created++;
    memset(&m[slot], 0, sizeof(m[slot]));
    m[slot] = (struct mnode){ .used = true, .dir = dir, .parent = d, .name = name, .ino = ino };
}

static void m_write(void)
{
    int f = m_pick(false);
    if (f < 0)
        return;
    uint64_t off = unit_rand_below(M_PAGES * 4096 - 1);
    size_t len = (size_t)unit_rand_below(M_PAGES * 4096 - off) % 6000 + 1;
    static uint8_t buf[M_PAGES * 4096];
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)unit_rand();
    CHECK_EQ(fs.ops->write(&fs, m[f].ino, off, buf, len), len);
    memcpy(m[f].data + off, buf, len);
    for (uint64_t p = off / 4096; p <= (off + len - 1) / 4096; p++)
        m[f].page[p] = true;
    if (off + len > m[f].size)
        m[f].size = off + len;
}

static void m_truncate(void)
{
    int f = m_pick(false);
    if (f < 0)
        return;
    uint64_t size = unit_rand_below(M_PAGES * 4096 + 1);
    CHECK_EQ(fs.ops->truncate(&fs, m[f].ino, size), 0);
    if (size < m[f].size)
        memset(m[f].data + size, 0, m[f].size - size);
    for (uint64_t p = (size + 4095) / 4096; p < M_PAGES; p++)
        m[f].page[p] = false;
    m[f].size = size;
}

static void m_unlink(void)
{
    int d = m_pick(true);
    const char *name = m_name();
    int c = m_dir_ok(d) ? -1 : m_child(d, name);
    int want = m_dir_ok(d) ? -ENOENT : c < 0 ? -ENOENT : m[c].dir ? -EISDIR : 0;
    CHECK_EQ(unlink_(m[d].ino, name), want);
    m_did.errors += want != 0;
    m_did.unlinked += want == 0;
    if (!want)
        m_drop(c);
}

static void m_rmdir(void)
{
    int d = m_pick(true);
    const char *name = m_name();
    int c = m_dir_ok(d) ? -1 : m_child(d, name);
    int want = m_dir_ok(d)         ? -ENOENT
               : c < 0             ? -ENOENT
               : !m[c].dir         ? -ENOTDIR
               : m_has_children(c) ? -ENOTEMPTY
                                   : 0;
    CHECK_EQ(rmdir_(m[d].ino, name), want);
    m_did.errors += want != 0;
    m_did.rmdired += want == 0;
    if (!want)
        m_drop(c);
}

/* The result POSIX asks of renaming FROM in FD to TO in TD, given the
 * indexes F and T they name (-1: none). */
static int m_rename_result(int fd, int td, int f, int t)
{
    if (m_dir_ok(fd) || m_dir_ok(td) || f < 0)
        return -ENOENT;
    if (t == f)
        return 1; /* nothing to do */
    if (m[f].dir && m_inside(td, f))
        return -EINVAL;
    if (t < 0)
        return 0;
    if (m[f].dir && !m[t].dir)
        return -ENOTDIR;
    if (!m[f].dir && m[t].dir)
        return -EISDIR;
    return m[t].dir && m_has_children(t) ? -ENOTEMPTY : 0;
}

static void m_rename(void)
{
    int fd = m_pick(true), td = m_pick(true);
    const char *from = m_name(), *to = m_name();
    int f = m_dir_ok(fd) ? -1 : m_child(fd, from);
    int t = m_dir_ok(td) ? -1 : m_child(td, to);
    int want = m_rename_result(fd, td, f, t);
    CHECK_EQ(rename_(m[fd].ino, from, m[td].ino, to), want < 0 ? want : 0);
    m_did.errors += want < 0;
    if (want != 0)
        return;
    m_did.renamed++;
    m_did.replaced += t >= 0;
    m_did.dir_moves += m[f].dir && fd != td;
    if (t >= 0)
        m_drop(t);
    m[f].parent = td;
    m[f].name = to;
}

/* Open or close a random inode (closing forgets it). */
static void m_open_close(void)
{
    int i = (int)unit_rand_below(M_NODES - 1) + 1;
    if (!m[i].used)
        return;
    if (!m[i].open) {
        m[i].open = true;
        open_file(m[i].ino);
        return;
    }
    m[i].open = false;
    close_file(m[i].ino);
    if (m[i].parent == M_REMOVED)
        m[i].used = false;
}

/* Directory index D's entries: each child once, with its inode number. */
static void m_check_dir(int d)
{
    CHECK_EQ(count_entries(m[d].ino, m[m[d].parent].ino), m_children(d));
    struct fs_dirent de;
    uint64_t cookie = 2;
    while (fs.ops->readdir(&fs, m[d].ino, &cookie, &de) == 1) {
        int c = m_child(d, de.name);
        CHECK(c >= 0);
        CHECK_EQ(de.ino, m[c].ino);
    }
}

/* Everything the model knows, checked: each inode's attributes and
 * contents, each name, each directory's entries. */
static void m_check_all(void)
{
    static uint8_t buf[M_PAGES * 4096 + 10];
    for (int i = 0; i < M_NODES; i++) {
        if (!m[i].used)
            continue;
        struct fs_attr a = attr(m[i].ino);
        bool removed = m[i].parent == M_REMOVED;
        CHECK_EQ(a.mode & FS_S_IFMT, m[i].dir ? FS_S_IFDIR : FS_S_IFREG);
        CHECK_EQ(a.nlink, removed ? 0 : m[i].dir ? 2 + m_subdirs(i) : 1);
        if (!removed && i)
            CHECK_EQ(ino_of(m[m[i].parent].ino, m[i].name), m[i].ino);
        if (m[i].dir) {
            if (!removed)
                m_check_dir(i);
            continue;
        }
        CHECK_EQ(a.size, m[i].size);
        int pages = 0;
        for (int p = 0; p < M_PAGES; p++)
            pages += m[i].page[p];
        CHECK_EQ(a.blocks, pages * 8);
        CHECK_EQ(fs.ops->read(&fs, m[i].ino, 0, buf, sizeof(buf)), m[i].size);
        CHECK(memcmp(buf, m[i].data, m[i].size) == 0);
    }
}

static void test_random_against_model(void)
{
    mount(0);
    memset(m, 0, sizeof(m));
    m[0] = (struct mnode){ .used = true, .dir = true, .parent = 0, .name = "", .ino = fs.root };
    static void (*const ops[])(void) = { m_create, m_create, m_write,  m_write,      m_truncate,
                                         m_unlink, m_rmdir,  m_rename, m_rename,     m_rename,
                                         m_rename, m_rmdir,  m_unlink, m_open_close, m_write };
    for (int k = 0; k < M_OPS; k++) {
        ops[unit_rand_below(ARRAY_SIZE(ops))]();
        if (k % 100 == 0)
            m_check_all();
    }
    m_check_all();
    printf("  created %u, unlinked %u, rmdir %u, renamed %u (%u replacing, %u directories "
           "moved), removed while open %u, errors %u\n",
           m_did.created, m_did.unlinked, m_did.rmdired, m_did.renamed, m_did.replaced,
           m_did.dir_moves, m_did.orphaned, m_did.errors);
    CHECK(m_did.created > 400 && m_did.unlinked > 200 && m_did.rmdired > 80);
    CHECK(m_did.renamed > 800 && m_did.replaced > 80 && m_did.dir_moves > 400);
    CHECK(m_did.orphaned > 100 && m_did.errors > 1000);
    unmount();
}

int main(void)
{
    printf("test_ramfs: seed %#lx\n", (unsigned long)unit_seed());
    RUN(test_root);
    RUN(test_create_and_lookup);
    RUN(test_errors);
    RUN(test_read_write);
    RUN(test_sparse);
    RUN(test_truncate);
    RUN(test_readdir_order);
    RUN(test_many_entries);
    RUN(test_readdir_while_changing);
    RUN(test_rename_files);
    RUN(test_rename_dirs);
    RUN(test_unlinked_while_open);
    RUN(test_enospc);
    RUN(test_every_bound);
    RUN(test_times);
    RUN(test_random_against_model);
    return 0;
}
