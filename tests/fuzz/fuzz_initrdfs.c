/*
 * fuzz_initrdfs.c: libFuzzer target for the initrd file system
 * (servers/vfs/initrdfs.c). The input is a newc archive (the corpus is
 * seeded with small ones): mount it, walk the whole tree (readdir each
 * directory, to a bounded depth and count), look each name up again, read
 * every file and link. Whatever the bytes, mounting gives -EIO or a tree
 * whose every inode answers, and nothing is read outside the input.
 */
#include "initrdfs.h"
#include <errno.h>
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fs fs;
static unsigned budget;
static size_t input_size;

/* Read all of file or link INO of SIZE bytes (its data lies in the input). */
static void read_all(uint64_t ino, uint64_t size, uint32_t type)
{
    static uint8_t buf[4096];
    uint64_t off = 0;
    for (;;) {
        int64_t n = fs.ops->read(&fs, ino, off, buf, sizeof(buf));
        CHECK(n >= 0 && n <= (int64_t)sizeof(buf));
        if (n == 0)
            break;
        off += (uint64_t)n;
    }
    CHECK_EQ(off, size);
    CHECK(size <= input_size);
    if (type == FS_S_IFLNK) {
        char target[64];
        int64_t n = fs.ops->readlink(&fs, ino, target, sizeof(target));
        CHECK_EQ(n, size);
    }
}

static void walk(uint64_t dir, uint64_t parent, int depth)
{
    struct fs_dirent d;
    uint64_t cookie = 0, ino;
    int r, n = 0;
    while (budget && (r = fs.ops->readdir(&fs, dir, &cookie, &d)) == 1) {
        budget--;
        CHECK(d.len >= 1 && d.len <= FS_NAME_MAX && d.len == strlen(d.name));
        CHECK(!memchr(d.name, '/', d.len));
        struct fs_attr a;
        CHECK_EQ(fs.ops->getattr(&fs, d.ino, &a), 0);
        CHECK_EQ(a.mode & FS_S_IFMT, d.type);
        CHECK_EQ(fs.ops->lookup(&fs, dir, d.name, d.len, &ino), 0);
        CHECK_EQ(ino, d.ino);
        if (n++ < 2) {
            CHECK_STR(d.name, n == 1 ? "." : "..");
            CHECK_EQ(d.ino, n == 1 ? dir : parent);
            continue;
        }
        if (d.type == FS_S_IFDIR) {
            CHECK(a.nlink >= 2);
            if (depth < 16)
                walk(d.ino, dir, depth + 1);
        } else {
            CHECK(d.type == FS_S_IFREG || d.type == FS_S_IFLNK);
            CHECK_EQ(a.nlink, 1);
            read_all(d.ino, a.size, d.type);
            CHECK_EQ(fs.ops->lookup(&fs, d.ino, "x", 1, &ino), -ENOTDIR);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input_size = size;
    memset(&fs, 0, sizeof(fs));
    int r = initrdfs_mount(&fs, data, size);
    CHECK(r == 0 || r == -EIO);
    if (r == 0) {
        CHECK(fs.read_only && fs.root == 1);
        struct fs_statfs s;
        CHECK_EQ(fs.ops->statfs(&fs, &s), 0);
        CHECK(s.files >= 1 && s.blocks == (size + 4095) / 4096);
        budget = 5000;
        walk(fs.root, fs.root, 0);
        uint64_t ino;
        CHECK_EQ(fs.ops->lookup(&fs, fs.root, "..", 2, &ino), 0);
        CHECK_EQ(ino, fs.root);
        struct fs_attr a;
        CHECK_EQ(fs.ops->getattr(&fs, s.files + 1, &a), -ENOENT);
        fs.ops->unmount(&fs);
    }
    return 0;
}
