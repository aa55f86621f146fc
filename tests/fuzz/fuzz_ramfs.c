/*
 * fuzz_ramfs.c: libFuzzer target for the file system in memory
 * (servers/vfs/ramfs.c). The input is a program: its first byte picks a
 * memory bound, then each operation is an opcode byte and argument bytes
 * (0 once the input runs out). Operations: create, write (at offsets up
 * to the largest file), truncate, rename, unlink, rmdir, lookup, read,
 * open and close (the in_use hook and forget), over four names and the
 * inode numbers seen so far. After each, the touched inodes are checked:
 * what was written reads back, directories list each name once with the
 * right number and link count, the bound holds. Unmounting at the end
 * must free everything (ASan's leak checker).
 */
#include "ramfs.h"
#include <errno.h>
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INOS 32
#define MAX_OPS  400

static struct fs fs;
static const uint8_t *in;
static size_t in_left;
static uint64_t inos[MAX_INOS];
static unsigned ninos;
static uint64_t open_inos[MAX_INOS];
static unsigned nopen;
static uint64_t bound;

static const char *const names[] = { "a", "b", "c", ".." };

static uint8_t byte(void)
{
    if (!in_left)
        return 0;
    in_left--;
    return *in++;
}

static bool in_use(const struct fs *f, uint64_t ino)
{
    (void)f;
    for (unsigned i = 0; i < nopen; i++)
        if (open_inos[i] == ino)
            return true;
    return false;
}

static void remember(uint64_t ino)
{
    for (unsigned i = 0; i < ninos; i++)
        if (inos[i] == ino)
            return;
    if (ninos < MAX_INOS)
        inos[ninos++] = ino;
    else
        inos[1 + byte() % (MAX_INOS - 1)] = ino;
}

/* An inode number: one seen so far, mostly; sometimes one never made. */
static uint64_t pick_ino(void)
{
    uint8_t b = byte();
    return b == 255 ? 100000 : inos[b % ninos];
}

static const char *pick_name(size_t *len)
{
    static char longname[FS_NAME_MAX + 2];
    uint8_t b = byte();
    if (b == 254) {
        memset(longname, 'x', sizeof(longname) - 1);
        *len = FS_NAME_MAX + 1;
        return longname;
    }
    const char *n = names[b % 4 == 3 && b % 8 != 7 ? 0 : b % 4];
    *len = strlen(n);
    return n;
}

static uint64_t pick_offset(void)
{
    uint64_t off = (uint64_t)byte() << 8 | byte();
    uint8_t shift = byte() % 32;
    return shift >= 28 ? RAMFS_MAX_FILE - off : off << shift;
}

/* Directory DIR: each entry once, each looked up again, the link count. */
static void check_dir(uint64_t dir, const struct fs_attr *a)
{
    struct fs_dirent d;
    uint64_t cookie = 0, ino;
    char seen[8][FS_NAME_MAX + 1];
    unsigned n = 0, subdirs = 0;
    int r;
    while ((r = fs.ops->readdir(&fs, dir, &cookie, &d)) == 1) {
        CHECK(d.len == strlen(d.name) && n < 8);
        for (unsigned i = 0; i < n; i++)
            CHECK(strcmp(seen[i], d.name) != 0);
        memcpy(seen[n++], d.name, d.len + 1);
        CHECK_EQ(fs.ops->lookup(&fs, dir, d.name, d.len, &ino), 0);
        CHECK_EQ(ino, d.ino);
        subdirs += n > 2 && d.type == FS_S_IFDIR;
    }
    CHECK_EQ(r, 0);
    CHECK(a->nlink == 0 ? n == 0 : n >= 2 && a->nlink == 2 + subdirs);
}

/* INO answers consistently: a directory lists itself right; a file reads
 * its size. */
static void check_ino(uint64_t ino)
{
    struct fs_attr a;
    int r = fs.ops->getattr(&fs, ino, &a);
    CHECK(r == 0 || r == -ENOENT);
    if (r)
        return;
    CHECK_EQ(a.ino, ino);
    if ((a.mode & FS_S_IFMT) == FS_S_IFDIR) {
        check_dir(ino, &a);
        return;
    }
    CHECK_EQ(a.mode & FS_S_IFMT, FS_S_IFREG);
    CHECK(a.size <= RAMFS_MAX_FILE && a.nlink <= 1);
    CHECK(a.blocks * 512 <= a.size + 4095 || a.size == 0);
    static uint8_t buf[8192];
    uint64_t off = a.size > sizeof(buf) ? a.size - sizeof(buf) + 1 : 0;
    CHECK_EQ(fs.ops->read(&fs, ino, off, buf, sizeof(buf)), a.size - off);
}

static void op_create(void)
{
    uint64_t dir = pick_ino(), ino;
    size_t len;
    const char *name = pick_name(&len);
    uint32_t mode = byte() % 2 ? FS_S_IFDIR | 0755 : FS_S_IFREG | 0644;
    int r = fs.ops->create(&fs, dir, name, len, mode, &ino);
    CHECK(r == 0 || r == -EEXIST || r == -ENOENT || r == -ENOTDIR || r == -ENOSPC ||
          r == -ENAMETOOLONG);
    CHECK(r != -ENOSPC || bound);
    if (r == 0)
        remember(ino);
}

static void op_write(void)
{
    static uint8_t buf[16384], back[16384];
    uint64_t ino = pick_ino(), off = pick_offset();
    size_t len = (size_t)(byte() << 6 | byte() % 64);
    memset(buf, byte(), len);
    int64_t r = fs.ops->write(&fs, ino, off, buf, len);
    CHECK(r >= 0 || r == -ENOENT || r == -EISDIR || r == -EFBIG || r == -ENOSPC);
    CHECK(r != -ENOSPC || bound);
    CHECK(r <= (int64_t)len);
    if (r > 0) {
        CHECK_EQ(fs.ops->read(&fs, ino, off, back, (size_t)r), r);
        CHECK(memcmp(buf, back, (size_t)r) == 0);
    }
}

static void op_truncate(void)
{
    uint64_t ino = pick_ino(), size = pick_offset();
    int r = fs.ops->truncate(&fs, ino, size);
    CHECK(r == 0 || r == -ENOENT || r == -EISDIR || r == -EFBIG);
    struct fs_attr a;
    if (r == 0 && fs.ops->getattr(&fs, ino, &a) == 0)
        CHECK_EQ(a.size, size);
}

static void op_rename(void)
{
    uint64_t fdir = pick_ino(), tdir = pick_ino();
    size_t flen, tlen;
    const char *from = pick_name(&flen), *to = pick_name(&tlen);
    int r = fs.ops->rename(&fs, fdir, from, flen, tdir, to, tlen);
    CHECK(r == 0 || r == -ENOENT || r == -ENOTDIR || r == -EISDIR || r == -ENOTEMPTY ||
          r == -EINVAL || r == -ENOSPC || r == -ENAMETOOLONG);
    uint64_t ino;
    if (r == 0 && (flen != tlen || memcmp(from, to, flen) || fdir != tdir))
        CHECK_EQ(fs.ops->lookup(&fs, fdir, from, flen, &ino), -ENOENT);
    if (r == 0)
        CHECK_EQ(fs.ops->lookup(&fs, tdir, to, tlen, &ino), 0);
}

static void op_remove(bool dir)
{
    uint64_t d = pick_ino();
    size_t len;
    const char *name = pick_name(&len);
    int r = dir ? fs.ops->rmdir(&fs, d, name, len) : fs.ops->unlink(&fs, d, name, len);
    CHECK(r == 0 || r == -ENOENT || r == -ENOTDIR || r == -EISDIR || r == -ENOTEMPTY ||
          r == -EINVAL || r == -ENAMETOOLONG);
    uint64_t ino;
    if (r == 0)
        CHECK_EQ(fs.ops->lookup(&fs, d, name, len, &ino), -ENOENT);
}

static void op_lookup(void)
{
    uint64_t dir = pick_ino(), ino;
    size_t len;
    const char *name = pick_name(&len);
    if (fs.ops->lookup(&fs, dir, name, len, &ino) == 0)
        remember(ino);
}

/* Open an inode, or close one (forgetting it). */
static void op_open_close(void)
{
    uint8_t b = byte();
    if (b % 2 && nopen) {
        unsigned i = b / 2 % nopen;
        uint64_t ino = open_inos[i];
        open_inos[i] = open_inos[--nopen];
        if (!in_use(&fs, ino))
            fs.ops->forget(&fs, ino);
    } else if (nopen < MAX_INOS) {
        open_inos[nopen++] = pick_ino();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    in = data;
    in_left = size;
    nopen = 0;
    uint8_t b = byte();
    bound = b ? (uint64_t)b * 4096 : 0;
    memset(&fs, 0, sizeof(fs));
    fs.in_use = in_use;
    if (ramfs_mount(&fs, bound)) {
        CHECK(bound);
        return 0;
    }
    inos[0] = fs.root;
    ninos = 1;
    for (unsigned k = 0; k < MAX_OPS && in_left; k++) {
        switch (byte() % 10) {
        case 0: op_create(); break;
        case 1: op_write(); break;
        case 2: op_truncate(); break;
        case 3: op_rename(); break;
        case 4: op_remove(false); break;
        case 5: op_remove(true); break;
        case 6: op_lookup(); break;
        case 7: op_open_close(); break;
        case 8: ramfs_set_time(&fs, byte()); break;
        default: check_ino(pick_ino()); break;
        }
        struct fs_statfs s;
        CHECK_EQ(fs.ops->statfs(&fs, &s), 0);
        CHECK(s.free_blocks <= s.blocks && s.files >= 1);
        CHECK(!bound || s.blocks == bound / 4096);
    }
    for (unsigned i = 0; i < ninos; i++)
        check_ino(inos[i]);
    fs.ops->unmount(&fs);
    return 0;
}
