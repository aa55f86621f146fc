/*
 * test_cpio.c: the newc cpio reader (kernel/cpio.c). Archives are built in
 * memory; every malformed variant must give CLK_EINVAL without reading
 * outside the archive (each archive sits in a malloc block of exactly its
 * size, so ASan sees any stray read).
 */
#include <clk/abi.h>
#include <cpio.h>
#include <stdlib.h>
#include <unit.h>

#define HEADER_LEN 110
#define MODE_FILE  (CPIO_S_IFREG | 0644)
#define MODE_DIR   (CPIO_S_IFDIR | 0755)

/* An archive being built. */
struct ar {
    char buf[16384];
    size_t len;
};

static void pad4(struct ar *a)
{
    while (a->len % 4)
        a->buf[a->len++] = '\0';
}

/* Append a header with NAMESIZE and FILESIZE as given, then NAME (NAMELEN
 * bytes, no NUL added), padding, DATA (DATALEN bytes) and padding. */
static void add_raw(struct ar *a, uint32_t mode, const char *name, size_t namelen,
                    uint32_t namesize, const void *data, size_t datalen, uint32_t filesize)
{
    static uint32_t ino = 1;
    CHECK(a->len + HEADER_LEN + namelen + datalen + 8 < sizeof(a->buf));
    a->len += sprintf(a->buf + a->len, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                      ino++, mode, 0, 0, 1, 0x5F000000, filesize, 0, 0, 0, 0, namesize, 0);
    memcpy(a->buf + a->len, name, namelen);
    a->len += namelen;
    pad4(a);
    if (datalen)
        memcpy(a->buf + a->len, data, datalen);
    a->len += datalen;
    pad4(a);
}

static void add(struct ar *a, uint32_t mode, const char *name, const void *data, size_t n)
{
    add_raw(a, mode, name, strlen(name) + 1, strlen(name) + 1, data, n, n);
}

static void add_file(struct ar *a, const char *name, const char *text)
{
    add(a, MODE_FILE, name, text, strlen(text));
}

static void add_trailer(struct ar *a)
{
    add(a, 0, "TRAILER!!!", NULL, 0);
}

/* A copy of the first LEN bytes of A in a block of exactly that size. */
static char *exact(const struct ar *a, size_t len)
{
    char *p = malloc(len ? len : 1);
    CHECK(p);
    memcpy(p, a->buf, len);
    return p;
}

/* cpio_next over the first LEN bytes of A: entries read, then the final return. */
static int walk(const struct ar *a, size_t len, unsigned *nentries)
{
    char *p = exact(a, len);
    size_t off = 0;
    struct cpio_entry e;
    int r;
    *nentries = 0;
    while ((r = cpio_next(p, len, &off, &e)) == 1) {
        CHECK(e.name >= p && e.name < p + len);
        CHECK((const char *)e.data >= p && (const char *)e.data + e.size <= p + len);
        CHECK(off <= len + 3 && IS_ALIGNED(off, 4));
        ++*nentries;
    }
    free(p);
    return r;
}

static struct ar ar;

static void build_sample(void)
{
    ar.len = 0;
    add(&ar, MODE_DIR, ".", NULL, 0);
    add(&ar, MODE_DIR, "./etc", NULL, 0);
    add_file(&ar, "./etc/motd", "hello, world\n");
    add_file(&ar, "init", "\177ELF");
    add_file(&ar, "empty", "");
    add(&ar, MODE_DIR, "bin", NULL, 0);
    add_file(&ar, "bin/a", "1");
    add_file(&ar, "bin/ab", "12");
    add_file(&ar, "bin/abc", "123");
    add_file(&ar, "bin/abcd", "1234");
    add_file(&ar, "bin/abcde", "12345");
    add_file(&ar, "././twice", "dots");
    add_trailer(&ar);
}

static void test_walk(void)
{
    static const struct {
        const char *name;
        uint32_t mode;
        const char *data;
    } want[] = {
        { ".", MODE_DIR, "" },
        { "etc", MODE_DIR, "" },
        { "etc/motd", MODE_FILE, "hello, world\n" },
        { "init", MODE_FILE, "\177ELF" },
        { "empty", MODE_FILE, "" },
        { "bin", MODE_DIR, "" },
        { "bin/a", MODE_FILE, "1" },
        { "bin/ab", MODE_FILE, "12" },
        { "bin/abc", MODE_FILE, "123" },
        { "bin/abcd", MODE_FILE, "1234" },
        { "bin/abcde", MODE_FILE, "12345" },
        { "twice", MODE_FILE, "dots" },
    };
    build_sample();
    char *p = exact(&ar, ar.len);
    size_t off = 0;
    struct cpio_entry e;
    for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
        CHECK_EQ(cpio_next(p, ar.len, &off, &e), 1);
        CHECK_STR(e.name, want[i].name);
        CHECK_EQ(e.mode, want[i].mode);
        CHECK_EQ(e.size, strlen(want[i].data));
        CHECK(memcmp(e.data, want[i].data, e.size) == 0);
        CHECK(IS_ALIGNED((const char *)e.data - p, 4));
    }
    size_t end = off;
    CHECK_EQ(cpio_next(p, ar.len, &off, &e), 0); /* the trailer */
    CHECK_EQ(off, end);
    CHECK_EQ(cpio_next(p, ar.len, &off, &e), 0); /* and it stays there */
    free(p);
}

static void test_find(void)
{
    build_sample();
    char *p = exact(&ar, ar.len);
    struct cpio_entry e;
    CHECK_EQ(cpio_find(p, ar.len, "etc/motd", &e), 0);
    CHECK_EQ(e.size, 13);
    CHECK(memcmp(e.data, "hello, world\n", 13) == 0);
    CHECK_EQ(cpio_find(p, ar.len, "bin/abcde", &e), 0);
    CHECK(memcmp(e.data, "12345", 5) == 0);
    CHECK_EQ(cpio_find(p, ar.len, "empty", &e), 0);
    CHECK_EQ(e.size, 0);
    CHECK_EQ(cpio_find(p, ar.len, "twice", &e), 0);

    CHECK_EQ(cpio_find(p, ar.len, "bin", &e), CLK_ENOENT); /* a directory */
    CHECK_EQ(cpio_find(p, ar.len, "etc", &e), CLK_ENOENT);
    CHECK_EQ(cpio_find(p, ar.len, ".", &e), CLK_ENOENT);
    CHECK_EQ(cpio_find(p, ar.len, "./etc/motd", &e), CLK_ENOENT); /* names lose "./" */
    CHECK_EQ(cpio_find(p, ar.len, "bin/abcdef", &e), CLK_ENOENT);
    CHECK_EQ(cpio_find(p, ar.len, "bin/", &e), CLK_ENOENT);
    CHECK_EQ(cpio_find(p, ar.len, "", &e), CLK_ENOENT);
    CHECK_EQ(cpio_find(p, ar.len, "TRAILER!!!", &e), CLK_ENOENT);
    free(p);

    ar.len = 0;
    add_trailer(&ar); /* an empty archive */
    p = exact(&ar, ar.len);
    CHECK_EQ(cpio_find(p, ar.len, "init", &e), CLK_ENOENT);
    free(p);
}

/* Entries after the trailer are never read; a file past it is not found. */
static void test_trailer_ends_archive(void)
{
    build_sample();
    add_file(&ar, "late", "x");
    char *p = exact(&ar, ar.len);
    struct cpio_entry e;
    CHECK_EQ(cpio_find(p, ar.len, "late", &e), CLK_ENOENT);
    free(p);
}

/* Every proper prefix of a valid archive is malformed (no trailer). */
static void test_truncated(void)
{
    build_sample();
    unsigned n, total;
    CHECK_EQ(walk(&ar, ar.len, &total), 0);
    CHECK_EQ(total, 12);
    for (size_t len = 0; len < ar.len; len++) {
        CHECK_EQ(walk(&ar, len, &n), CLK_EINVAL);
        CHECK(n <= total);
    }
    char *p = exact(&ar, 60);
    struct cpio_entry e;
    CHECK_EQ(cpio_find(p, 60, "init", &e), CLK_EINVAL);
    free(p);
}

/* A file before the damage is found; the walk past it reports CLK_EINVAL. */
static void test_missing_trailer(void)
{
    ar.len = 0;
    add_file(&ar, "a", "alpha");
    add_file(&ar, "b", "beta");
    char *p = exact(&ar, ar.len);
    struct cpio_entry e;
    CHECK_EQ(cpio_find(p, ar.len, "b", &e), 0);
    CHECK_EQ(cpio_find(p, ar.len, "c", &e), CLK_EINVAL);
    unsigned n;
    CHECK_EQ(walk(&ar, ar.len, &n), CLK_EINVAL);
    CHECK_EQ(n, 2);
    free(p);
}

/* The one-entry archive "name" + trailer, with byte AT of the header set to C. */
static int one_with_header_byte(size_t at, char c)
{
    ar.len = 0;
    add_file(&ar, "name", "data");
    add_trailer(&ar);
    ar.buf[at] = c;
    unsigned n;
    return walk(&ar, ar.len, &n);
}

static void test_bad_header(void)
{
    CHECK_EQ(one_with_header_byte(0, '1'), CLK_EINVAL); /* magic */
    CHECK_EQ(one_with_header_byte(5, '2'), CLK_EINVAL); /* "070702": the crc format */
    CHECK_EQ(one_with_header_byte(5, '7'), CLK_EINVAL); /* "070707": old binary */
    for (unsigned i = 0; i < 8; i++) {
        CHECK_EQ(one_with_header_byte(6 + 8 * 1 + i, 'g'), CLK_EINVAL);  /* mode */
        CHECK_EQ(one_with_header_byte(6 + 8 * 6 + i, ' '), CLK_EINVAL);  /* filesize */
        CHECK_EQ(one_with_header_byte(6 + 8 * 11 + i, 'x'), CLK_EINVAL); /* namesize */
    }
    for (unsigned f = 0; f < 13; f++) /* every field, used or not, must be hex */
        CHECK_EQ(one_with_header_byte(6 + 8 * f + 3, 'z'), CLK_EINVAL);
    /* filesize 4 -> 10: the next header is looked for in the wrong place */
    CHECK_EQ(one_with_header_byte(6 + 8 * 6 + 7, 'a'), CLK_EINVAL);
    CHECK_EQ(one_with_header_byte(6 + 8 * 1, 'a'), 0); /* lower-case hex is fine */
}

static void test_bad_names(void)
{
    unsigned n;
    ar.len = 0; /* namesize 0 */
    add_raw(&ar, MODE_FILE, "", 0, 0, "x", 1, 1);
    add_trailer(&ar);
    CHECK_EQ(walk(&ar, ar.len, &n), CLK_EINVAL);

    ar.len = 0; /* no NUL at namesize - 1 */
    add_raw(&ar, MODE_FILE, "abcd", 4, 4, "x", 1, 1);
    add_trailer(&ar);
    CHECK_EQ(walk(&ar, ar.len, &n), CLK_EINVAL);

    ar.len = 0; /* a NUL before namesize - 1 */
    add_raw(&ar, MODE_FILE, "ab\0d", 5, 5, "x", 1, 1);
    add_trailer(&ar);
    CHECK_EQ(walk(&ar, ar.len, &n), CLK_EINVAL);

    ar.len = 0; /* namesize past the end of the archive */
    add_raw(&ar, MODE_FILE, "abc", 4, 400, "x", 1, 1);
    CHECK_EQ(walk(&ar, ar.len, &n), CLK_EINVAL);

    ar.len = 0; /* the name is the last thing, NUL-less */
    add_raw(&ar, MODE_FILE, "abcdefg", 7, 8, NULL, 0, 0);
    CHECK_EQ(walk(&ar, HEADER_LEN + 7, &n), CLK_EINVAL);
    CHECK_EQ(walk(&ar, HEADER_LEN + 8, &n), CLK_EINVAL); /* has its NUL, but no trailer */
}

static void test_bad_sizes(void)
{
    unsigned n;
    ar.len = 0; /* file data past the end */
    add_raw(&ar, MODE_FILE, "f", 2, 2, "abc", 3, 4);
    CHECK_EQ(walk(&ar, HEADER_LEN + 2 + 3, &n), CLK_EINVAL);

    ar.len = 0;
    add_raw(&ar, MODE_FILE, "f", 2, 2, "abc", 3, 0xFFFFFFFF);
    add_trailer(&ar);
    CHECK_EQ(walk(&ar, ar.len, &n), CLK_EINVAL);

    ar.len = 0; /* namesize at its largest */
    add_raw(&ar, MODE_FILE, "f", 2, 0xFFFFFFFF, "abc", 3, 3);
    add_trailer(&ar);
    CHECK_EQ(walk(&ar, ar.len, &n), CLK_EINVAL);

    /* Data that ends exactly at the end of the archive, unpadded: the entry is
     * read, and the walk then stops (no trailer). */
    ar.len = 0;
    add_raw(&ar, MODE_FILE, "f", 2, 2, "abcde", 5, 5);
    CHECK_EQ(walk(&ar, HEADER_LEN + 2 + 5, &n), CLK_EINVAL);
    CHECK_EQ(n, 1);
}

static void test_bad_offsets(void)
{
    build_sample();
    char *p = exact(&ar, ar.len);
    struct cpio_entry e;
    size_t off = ar.len + 1;
    CHECK_EQ(cpio_next(p, ar.len, &off, &e), CLK_EINVAL);
    off = SIZE_MAX;
    CHECK_EQ(cpio_next(p, ar.len, &off, &e), CLK_EINVAL);
    off = 2; /* not at a header */
    CHECK_EQ(cpio_next(p, ar.len, &off, &e), CLK_EINVAL);
    CHECK_EQ(off, 2);
    free(p);
}

int main(void)
{
    RUN(test_walk);
    RUN(test_find);
    RUN(test_trailer_ends_archive);
    RUN(test_truncated);
    RUN(test_missing_trailer);
    RUN(test_bad_header);
    RUN(test_bad_names);
    RUN(test_bad_sizes);
    RUN(test_bad_offsets);
    return 0;
}
