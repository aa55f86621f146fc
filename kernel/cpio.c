/*
 * cpio.c: newc cpio archive reader (see cpio.h).
 */
#include <clk/abi.h>
#include <cpio.h>
#include <kstring.h>

#define HEADER_LEN 110

enum field {
    F_INO,
    F_MODE,
    F_UID,
    F_GID,
    F_NLINK,
    F_MTIME,
    F_FILESIZE,
    F_DEVMAJ,
    F_DEVMIN,
    F_RDEVMAJ,
    F_RDEVMIN,
    F_NAMESIZE,
    F_CHECK
};

/* The 8-hex-digit field F of the header at H; false when not hex. */
static bool field(const char *h, enum field f, uint32_t *v)
{
    const char *p = h + 6 + 8 * f;
    *v = 0;
    for (int i = 0; i < 8; i++) {
        char c = p[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        *v = (*v << 4) | d;
    }
    return true;
}

/* A header is well-formed only when every one of its fields is hex. */
static bool all_fields_hex(const char *h)
{
    uint32_t v;
    for (int f = F_INO; f <= F_CHECK; f++)
        if (!field(h, f, &v))
            return false;
    return true;
}

int cpio_next(const void *archive, size_t len, size_t *off, struct cpio_entry *e)
{
    const char *a = archive;
    size_t pos = *off;
    uint32_t mode, size, namesize, mtime;

    if (pos > len || len - pos < HEADER_LEN || memcmp(a + pos, "070701", 6) != 0)
        return CLK_EINVAL;
    const char *h = a + pos;
    if (!all_fields_hex(h))
        return CLK_EINVAL;
    field(h, F_MODE, &mode);
    field(h, F_MTIME, &mtime);
    field(h, F_FILESIZE, &size);
    field(h, F_NAMESIZE, &namesize);
    /* The name (with its NUL) follows the header; data starts 4-aligned. */
    if (namesize == 0 || namesize > len - pos - HEADER_LEN)
        return CLK_EINVAL;
    const char *name = h + HEADER_LEN;
    if (name[namesize - 1] != '\0' || strlen(name) != namesize - 1)
        return CLK_EINVAL;
    uint64_t data = ALIGN_UP((uint64_t)pos + HEADER_LEN + namesize, 4);
    if (data > len || size > len - data)
        return CLK_EINVAL;
    if (strcmp(name, "TRAILER!!!") == 0)
        return 0;

    while (name[0] == '.' && name[1] == '/')
        name += 2;
    *e = (struct cpio_entry){ name, a + data, size, mode, mtime };
    *off = ALIGN_UP(data + size, 4);
    return 1;
}

int cpio_find(const void *archive, size_t len, const char *name, struct cpio_entry *e)
{
    size_t off = 0;
    int r;
    while ((r = cpio_next(archive, len, &off, e)) > 0)
        if ((e->mode & CPIO_S_IFMT) == CPIO_S_IFREG && strcmp(e->name, name) == 0)
            return 0;
    return r == 0 ? CLK_ENOENT : r;
}
