/*
 * test_initrdfs.c: the initrd as a file system (servers/vfs/initrdfs.c),
 * over newc archives built here, each in a malloc block of exactly its
 * size so that ASan sees any read past it.
 *
 * A tree with explicit and implied directories reads back byte-exact,
 * with its modes, link counts and entries; lookups fail as fs.h says;
 * duplicate and unplaceable entries are resolved without harm; 3,000
 * files in one directory; and every malformed archive (each truncation,
 * a bad magic number, nothing at all) gives -EIO.
 */
#include "initrdfs.h"
#include <errno.h>
#include <stdlib.h>
#include <unit.h>

/* ---- building archives ---- */

struct ar {
    char *buf;
    size_t len, cap;
};

static void ar_reserve(struct ar *a, size_t more)
{
    if (a->len + more <= a->cap)
        return;
    a->cap = (a->len + more) * 2;
    a->buf = realloc(a->buf, a->cap);
    CHECK(a->buf);
}

static void ar_pad4(struct ar *a)
{
    while (a->len % 4)
        a->buf[a->len++] = '\0';
}

/* Append an entry: the newc header ("070701" and 13 fields of 8 hex
 * digits), NAME with its NUL, padding to 4, DATA, padding to 4. */
static void ar_add(struct ar *a, uint32_t mode, const char *name, const void *data, size_t len)
{
    static uint32_t ino = 100;
    size_t namesize = strlen(name) + 1;
    ar_reserve(a, 110 + namesize + len + 8);
    int n =
        sprintf(a->buf + a->len, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                ino++, mode, 0, 0, 1, 0x5F000000, (uint32_t)len, 0, 0, 0, 0, (uint32_t)namesize, 0);
    CHECK_EQ(n, 110);
    a->len += 110;
    memcpy(a->buf + a->len, name, namesize);
    a->len += namesize;
    ar_pad4(a);
    if (len)
        memcpy(a->buf + a->len, data, len);
    a->len += len;
    ar_pad4(a);
}

static void ar_file(struct ar *a, const char *name, const char *text)
{
    ar_add(a, FS_S_IFREG | 0644, name, text, strlen(text));
}

static void ar_dir(struct ar *a, const char *name, uint32_t perm)
{
    ar_add(a, FS_S_IFDIR | perm, name, NULL, 0);
}

static void ar_trailer(struct ar *a)
{
    ar_add(a, 0, "TRAILER!!!", NULL, 0);
}

/* ---- mounting ---- */

static struct fs fs;
static char *image; /* the archive mounted, in a block of its exact size */

/* Mount the first LEN bytes of A: initrdfs_mount's result. */
static int mount_len(const struct ar *a, size_t len)
{
    free(image);
    image = malloc(len ? len : 1);
    CHECK(image);
    memcpy(image, a->buf, len);
    memset(&fs, 0, sizeof(fs));
    return initrdfs_mount(&fs, image, len);
}

static void mount(const struct ar *a)
{
    CHECK_EQ(mount_len(a, a->len), 0);
    CHECK(fs.read_only);
    CHECK_EQ(fs.root, 1);
}

static void unmount(void)
{
    fs.ops->unmount(&fs);
    CHECK(fs.priv == NULL);
    free(image);
    image = NULL;
}

static int lookup(uint64_t dir, const char *name, uint64_t *ino)
{
    uint64_t dummy;
    return fs.ops->lookup(&fs, dir, name, strlen(name), ino ? ino : &dummy);
}

/* The inode of PATH ("a/b/c") from the root. */
static uint64_t resolve(const char *path)
{
    uint64_t ino = fs.root;
    while (*path) {
        const char *end = strchr(path, '/');
        size_t n = end ? (size_t)(end - path) : strlen(path);
        CHECK_EQ(fs.ops->lookup(&fs, ino, path, n, &ino), 0);
        path += n + (end != NULL);
    }
    return ino;
}

static struct fs_attr attr(uint64_t ino)
{
    struct fs_attr a;
    CHECK_EQ(fs.ops->getattr(&fs, ino, &a), 0);
    CHECK_EQ(a.ino, ino);
    return a;
}

/* File PATH holds exactly LEN bytes of WANT, read in pieces of STEP. */
static void check_file(const char *path, const void *want, size_t len, size_t step)
{
    uint64_t ino = resolve(path);
    struct fs_attr a = attr(ino);
    CHECK_EQ(a.mode & FS_S_IFMT, FS_S_IFREG);
    CHECK_EQ(a.size, len);
    CHECK_EQ(a.nlink, 1);
    char *buf = malloc(len + step);
    CHECK(buf);
    size_t off = 0;
    for (;;) {
        int64_t n = fs.ops->read(&fs, ino, off, buf + off, step);
        CHECK(n >= 0 && (size_t)n <= step);
        if (n == 0)
            break;
        off += (size_t)n;
    }
    CHECK_EQ(off, len);
    CHECK(memcmp(buf, want, len) == 0);
    free(buf);
}

/* Directory DIR's entries as "name:type;..." (types d, f, l), after
 * checking "." and "..". */
static void check_dir(uint64_t dir, uint64_t parent, const char *want)
{
    char got[1024] = "";
    struct fs_dirent d;
    uint64_t cookie = 0;
    int r, n = 0;
    while ((r = fs.ops->readdir(&fs, dir, &cookie, &d)) == 1) {
        CHECK_EQ(d.len, strlen(d.name));
        CHECK_EQ(d.type, attr(d.ino).mode & FS_S_IFMT);
        if (n == 0) {
            CHECK_STR(d.name, ".");
            CHECK_EQ(d.ino, dir);
        } else if (n == 1) {
            CHECK_STR(d.name, "..");
            CHECK_EQ(d.ino, parent);
        } else {
            uint64_t ino;
            CHECK_EQ(fs.ops->lookup(&fs, dir, d.name, d.len, &ino), 0);
            CHECK_EQ(ino, d.ino);
            char t = d.type == FS_S_IFDIR ? 'd' : d.type == FS_S_IFLNK ? 'l' : 'f';
            size_t at = strlen(got);
            snprintf(got + at, sizeof(got) - at, "%s:%c;", d.name, t);
        }
        n++;
    }
    CHECK_EQ(r, 0);
    CHECK_STR(got, want);
}

/* ---- the tests ---- */

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 131 + i / 4093 + 11);
}

static struct ar sample;
static uint8_t big[10000];

/* The initrd's shape: "." first, a directory named, others only implied. */
static void build_sample(void)
{
    struct ar *a = &sample;
    a->len = 0;
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = pattern(i);
    ar_dir(a, ".", 0700);
    ar_dir(a, "etc", 0750);
    ar_file(a, "etc/services", "vfs 1\nblock 2\n");
    ar_add(a, FS_S_IFREG | 0755, "sbin/supervisor", big, sizeof(big));
    ar_file(a, "test/manifests/x", "manifest x\n");
    ar_file(a, "test/manifests/y", "");
    ar_dir(a, "test/manifests", 0711); /* named after what it holds */
    ar_add(a, FS_S_IFLNK | 0777, "boot-link", "sbin/supervisor", 15);
    ar_file(a, "./dotted/file", "dots");
    ar_file(a, "/slashes//odd/./name", "odd");
    ar_trailer(a);
}

static void test_tree(void)
{
    build_sample();
    mount(&sample);
    CHECK_STR(fs.ops->type, "initrd");

    /* modes: from the archive, 040555 for the implied */
    CHECK_EQ(attr(fs.root).mode, FS_S_IFDIR | 0555); /* "." is left out */
    CHECK_EQ(attr(resolve("etc")).mode, FS_S_IFDIR | 0750);
    CHECK_EQ(attr(resolve("sbin")).mode, FS_S_IFDIR | 0555);
    CHECK_EQ(attr(resolve("test")).mode, FS_S_IFDIR | 0555);
    CHECK_EQ(attr(resolve("test/manifests")).mode, FS_S_IFDIR | 0711);
    CHECK_EQ(attr(resolve("sbin/supervisor")).mode, FS_S_IFREG | 0755);
    CHECK_EQ(attr(resolve("etc/services")).mode, FS_S_IFREG | 0644);
    CHECK_EQ(attr(resolve("boot-link")).mode, FS_S_IFLNK | 0777);

    /* link counts: 2 + subdirectories */
    CHECK_EQ(attr(fs.root).nlink, 2 + 5); /* etc sbin test dotted slashes */
    CHECK_EQ(attr(resolve("test")).nlink, 3);
    CHECK_EQ(attr(resolve("test/manifests")).nlink, 2);
    CHECK_EQ(attr(resolve("etc")).nlink, 2);

    /* contents, byte-exact, in pieces of several sizes */
    check_file("etc/services", "vfs 1\nblock 2\n", 14, 3);
    check_file("sbin/supervisor", big, sizeof(big), 4096);
    check_file("sbin/supervisor", big, sizeof(big), 777);
    check_file("sbin/supervisor", big, sizeof(big), 1 << 20);
    check_file("test/manifests/x", "manifest x\n", 11, 100);
    check_file("test/manifests/y", "", 0, 100);
    check_file("dotted/file", "dots", 4, 1);
    check_file("slashes/odd/name", "odd", 3, 10);
    uint64_t sup = resolve("sbin/supervisor");
    CHECK_EQ(attr(sup).blocks, (sizeof(big) + 511) / 512);
    char buf[16];
    CHECK_EQ(fs.ops->read(&fs, sup, sizeof(big), buf, 16), 0);
    CHECK_EQ(fs.ops->read(&fs, sup, UINT64_MAX, buf, 16), 0);
    CHECK_EQ(fs.ops->read(&fs, sup, sizeof(big) - 2, buf, 16), 2);
    CHECK_EQ((uint8_t)buf[1], pattern(sizeof(big) - 1));

    /* the symlink */
    uint64_t link = resolve("boot-link");
    char target[64];
    CHECK_EQ(fs.ops->readlink(&fs, link, target, sizeof(target)), 15);
    CHECK(memcmp(target, "sbin/supervisor", 15) == 0);
    CHECK_EQ(fs.ops->readlink(&fs, link, target, 4), 15); /* cut short, length still */
    CHECK(memcmp(target, "sbin", 4) == 0);
    CHECK_EQ(attr(link).size, 15);

    /* directories in archive order of first naming */
    check_dir(fs.root, fs.root, "etc:d;sbin:d;test:d;boot-link:l;dotted:d;slashes:d;");
    check_dir(resolve("test/manifests"), resolve("test"), "x:f;y:f;");
    check_dir(resolve("etc"), fs.root, "services:f;");
    check_dir(resolve("slashes/odd"), resolve("slashes"), "name:f;");
    CHECK_EQ(resolve("test/manifests/.."), resolve("test"));
    CHECK_EQ(resolve(".."), fs.root);
    CHECK_EQ(resolve("./etc/../sbin/."), resolve("sbin"));

    /* a cookie given again gives the same entry; past the end, nothing */
    struct fs_dirent d1, d2;
    uint64_t c = 3, c2 = 3;
    CHECK_EQ(fs.ops->readdir(&fs, fs.root, &c, &d1), 1);
    CHECK_EQ(fs.ops->readdir(&fs, fs.root, &c2, &d2), 1);
    CHECK_STR(d1.name, "sbin");
    CHECK_STR(d2.name, "sbin");
    CHECK_EQ(c, 4);
    c = UINT64_MAX;
    CHECK_EQ(fs.ops->readdir(&fs, fs.root, &c, &d1), 0);

    /* statfs: the archive's blocks, no free space; every inode */
    struct fs_statfs s;
    CHECK_EQ(fs.ops->statfs(&fs, &s), 0);
    CHECK_EQ(s.block_size, 4096);
    CHECK_EQ(s.blocks, (sample.len + 4095) / 4096);
    CHECK_EQ(s.free_blocks, 0);
    CHECK_EQ(s.files, 15);
    CHECK_EQ(s.free_files, 0);
    unmount();
}

static void test_errors(void)
{
    build_sample();
    mount(&sample);
    uint64_t ino, file = resolve("etc/services"), cookie = 0;
    struct fs_attr a;
    struct fs_dirent d;
    char buf[8];

    /* read-only: the core answers -EROFS for these */
    CHECK(!fs.ops->write && !fs.ops->truncate && !fs.ops->create && !fs.ops->unlink);
    CHECK(!fs.ops->rmdir && !fs.ops->rename);

    CHECK_EQ(lookup(fs.root, "nope", &ino), -ENOENT);
    CHECK_EQ(lookup(fs.root, "Etc", &ino), -ENOENT);
    CHECK_EQ(lookup(resolve("etc"), "services2", &ino), -ENOENT);
    CHECK_EQ(lookup(resolve("etc"), "servic", &ino), -ENOENT);
    CHECK_EQ(lookup(fs.root, "services", &ino), -ENOENT); /* only in etc */
    CHECK_EQ(lookup(file, "x", &ino), -ENOTDIR);
    CHECK_EQ(lookup(file, ".", &ino), -ENOTDIR);
    CHECK_EQ(lookup(resolve("boot-link"), "x", &ino), -ENOTDIR);
    CHECK_EQ(lookup(0, "etc", &ino), -ENOENT);
    CHECK_EQ(lookup(16, "etc", &ino), -ENOENT);
    CHECK_EQ(fs.ops->lookup(&fs, fs.root, "etc/services", 12, &ino), -EINVAL);
    CHECK_EQ(fs.ops->lookup(&fs, fs.root, "", 0, &ino), -EINVAL);
    char name[FS_NAME_MAX + 2];
    memset(name, 'n', sizeof(name) - 1);
    name[FS_NAME_MAX + 1] = '\0';
    CHECK_EQ(lookup(fs.root, name, &ino), -ENAMETOOLONG);
    name[FS_NAME_MAX] = '\0';
    CHECK_EQ(lookup(fs.root, name, &ino), -ENOENT);

    CHECK_EQ(fs.ops->getattr(&fs, 0, &a), -ENOENT);
    CHECK_EQ(fs.ops->getattr(&fs, 16, &a), -ENOENT);
    CHECK_EQ(fs.ops->getattr(&fs, UINT64_MAX, &a), -ENOENT);
    CHECK_EQ(fs.ops->getattr(&fs, 15, &a), 0);
    CHECK_EQ(fs.ops->read(&fs, fs.root, 0, buf, 1), -EISDIR);
    CHECK_EQ(fs.ops->read(&fs, 99, 0, buf, 1), -ENOENT);
    CHECK_EQ(fs.ops->readdir(&fs, file, &cookie, &d), -ENOTDIR);
    CHECK_EQ(fs.ops->readdir(&fs, 99, &cookie, &d), -ENOENT);
    CHECK_EQ(fs.ops->readlink(&fs, file, buf, sizeof(buf)), -EINVAL);
    CHECK_EQ(fs.ops->readlink(&fs, fs.root, buf, sizeof(buf)), -EINVAL);
    CHECK_EQ(fs.ops->readlink(&fs, 0, buf, sizeof(buf)), -ENOENT);
    unmount();
}

/* Entries that repeat a path or cannot be placed never break the tree. */
static void test_duplicates_and_oddities(void)
{
    struct ar a = { 0 };
    ar_file(&a, "twice", "first");
    ar_file(&a, "twice", "second"); /* the later one wins */
    ar_file(&a, "file-then-dir", "file");
    ar_dir(&a, "file-then-dir", 0755); /* a type change is left out */
    ar_file(&a, "dir-then-file/inside", "in");
    ar_file(&a, "dir-then-file", "no");
    ar_file(&a, "file-then-dir/x", "no");
    ar_dir(&a, "d", 0700);
    ar_dir(&a, "d", 0755); /* a directory named again: its mode changes */
    ar_file(&a, "d/../escape", "no");
    ar_file(&a, "../escape", "no");
    ar_file(&a, "..", "no");
    ar_add(&a, 0020644, "device", NULL, 0); /* a character device: left out */
    ar_add(&a, 0010644, "fifo", NULL, 0);
    char longname[FS_NAME_MAX + 10];
    memset(longname, 'L', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    ar_file(&a, longname, "too long");
    longname[FS_NAME_MAX] = '\0';
    ar_file(&a, longname, "just right");
    ar_dir(&a, ".", 0777);
    ar_dir(&a, "./", 0777);
    ar_file(&a, "", "empty name");
    ar_add(&a, FS_S_IFDIR | 0755, "dir-with-data", "ignored", 7);
    ar_trailer(&a);
    mount(&a);

    check_file("twice", "second", 6, 100);
    check_file("file-then-dir", "file", 4, 100);
    CHECK_EQ(attr(resolve("dir-then-file")).mode, FS_S_IFDIR | 0555);
    check_file("dir-then-file/inside", "in", 2, 100);
    check_file(longname, "just right", 10, 100);
    CHECK_EQ(attr(resolve("d")).mode, FS_S_IFDIR | 0755);
    CHECK_EQ(attr(resolve("dir-with-data")).size, 0);
    CHECK_EQ(attr(fs.root).mode, FS_S_IFDIR | 0555);
    CHECK_EQ(lookup(fs.root, "escape", NULL), -ENOENT);
    CHECK_EQ(lookup(fs.root, "device", NULL), -ENOENT);
    CHECK_EQ(lookup(fs.root, "fifo", NULL), -ENOENT);
    CHECK_EQ(lookup(resolve("d"), "..", NULL), 0);
    char want[512];
    snprintf(want, sizeof(want),
             "twice:f;file-then-dir:f;dir-then-file:d;d:d;%s:f;dir-with-data:d;", longname);
    check_dir(fs.root, fs.root, want);
    struct fs_dirent d;
    uint64_t cookie = 6, ino;
    CHECK_EQ(fs.ops->readdir(&fs, fs.root, &cookie, &d), 1);
    CHECK_EQ(d.len, FS_NAME_MAX);
    CHECK_STR(d.name, longname);
    CHECK_EQ(fs.ops->readdir(&fs, fs.root, &cookie, &d), 1);
    CHECK_STR(d.name, "dir-with-data");
    CHECK_EQ(fs.ops->readdir(&fs, fs.root, &cookie, &d), 0);
    CHECK_EQ(lookup(resolve("file-then-dir"), "x", &ino), -ENOTDIR);
    unmount();
    free(a.buf);
}

static void test_many_files(void)
{
    enum { N = 3000 };
    struct ar a = { 0 };
    char name[64], text[64];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "many/sub/file-%04d", i);
        snprintf(text, sizeof(text), "this is file %d\n", i);
        ar_file(&a, name, text);
    }
    ar_trailer(&a);
    mount(&a);
    uint64_t dir = resolve("many/sub");
    static uint64_t ino[N];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "many/sub/file-%04d", i);
        snprintf(text, sizeof(text), "this is file %d\n", i);
        check_file(name, text, strlen(text), 64);
        ino[i] = resolve(name);
    }
    struct fs_dirent d;
    uint64_t cookie = 2;
    int i = 0;
    while (fs.ops->readdir(&fs, dir, &cookie, &d) == 1) {
        snprintf(name, sizeof(name), "file-%04d", i);
        CHECK_STR(d.name, name);
        CHECK_EQ(d.ino, ino[i]);
        i++;
    }
    CHECK_EQ(i, N);
    CHECK_EQ(attr(dir).nlink, 2);
    unmount();
    free(a.buf);
}

/* Every proper prefix of an archive lacks its trailer: -EIO; so does a
 * header with a bad magic number or a field that is not hex. */
static void test_malformed(void)
{
    build_sample();
    for (size_t len = 0; len < sample.len; len++)
        CHECK_EQ(mount_len(&sample, len), -EIO);
    CHECK_EQ(mount_len(&sample, sample.len), 0);
    unmount();

    struct ar a = { 0 };
    ar_file(&a, "f", "x");
    ar_trailer(&a);
    a.buf[5] = '2'; /* 070702: the checksummed variant, not read */
    CHECK_EQ(mount_len(&a, a.len), -EIO);
    a.buf[5] = '1';
    a.buf[20] = 'g'; /* not hex */
    CHECK_EQ(mount_len(&a, a.len), -EIO);
    a.buf[20] = '0';
    memcpy(a.buf + 6 + 6 * 8, "FFFFFFFF", 8); /* a file size past the end */
    CHECK_EQ(mount_len(&a, a.len), -EIO);
    free(a.buf);

    a = (struct ar){ 0 };
    ar_trailer(&a); /* an empty archive is fine: just the root */
    mount(&a);
    check_dir(fs.root, fs.root, "");
    CHECK_EQ(attr(fs.root).nlink, 2);
    unmount();
    free(a.buf);
    free(image);
    image = NULL;
}

int main(void)
{
    RUN(test_tree);
    RUN(test_errors);
    RUN(test_duplicates_and_oddities);
    RUN(test_many_files);
    RUN(test_malformed);
    free(sample.buf);
    return 0;
}
