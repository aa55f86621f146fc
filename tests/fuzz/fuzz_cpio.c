/*
 * fuzz_cpio.c: libFuzzer target for the newc cpio reader (kernel/cpio.c).
 * Walks the input with cpio_next() to the end and looks names up with
 * cpio_find(); every entry's name and data must lie inside the input, the
 * walk must advance, and cpio_find() must agree with the walk.
 */
#include <clk/abi.h>
#include <cpio.h>
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Is [P, P+N) inside [BUF, BUF+LEN)? */
static bool inside(const uint8_t *buf, size_t len, const void *p, uint64_t n)
{
    const uint8_t *q = p;
    return q >= buf && q <= buf + len && n <= (uint64_t)(buf + len - q);
}

static void check_entry(const uint8_t *data, size_t size, const struct cpio_entry *e)
{
    CHECK(inside(data, size, e->name, 1));
    size_t room = data + size - (const uint8_t *)e->name;
    CHECK(memchr(e->name, '\0', room) != NULL); /* NUL-terminated inside the input */
    CHECK(strncmp(e->name, "./", 2) != 0);
    CHECK(inside(data, size, e->data, e->size));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cpio_entry e, first = { 0 };
    size_t off = 0;
    int r;
    bool have_first = false, have_init = false;

    while ((r = cpio_next(data, size, &off, &e)) == 1) {
        size_t before = (const uint8_t *)e.name - data;
        check_entry(data, size, &e);
        CHECK(off > before && off <= ALIGN_UP(size, 4) && IS_ALIGNED(off, 4));
        bool regular = (e.mode & CPIO_S_IFMT) == CPIO_S_IFREG;
        if (regular && !have_first) {
            first = e;
            have_first = true;
        }
        have_init |= regular && strcmp(e.name, "init") == 0;
    }
    CHECK(r == 0 || r == CLK_EINVAL);

    if (have_first) { /* the first regular file is found, at the same place */
        CHECK_EQ(cpio_find(data, size, first.name, &e), 0);
        CHECK(e.name == first.name && e.data == first.data && e.size == first.size);
    }
    int f = cpio_find(data, size, "init", &e);
    if (have_init)
        CHECK_EQ(f, 0);
    else
        CHECK_EQ(f, r == 0 ? CLK_ENOENT : CLK_EINVAL);
    if (f == 0)
        check_entry(data, size, &e);
    return 0;
}
