/*
 * blockcheck.c: the block driver's test client (tests/test_block.py,
 * manifest tests/manifests/block). The disk it runs against has every
 * 512-byte sector filled with its number (64-bit little-endian words).
 * It reads the capacity, reads and checks sectors at several places (up to
 * the largest transfer), writes sectors and flushes, reads them back,
 * writes max_requests pieces in one WRITEV and reads them back, sends
 * malformed and out-of-range requests (WRITEVs too), keeps requests in
 * flight from several threads at once, and times reading the whole disk.
 *
 * Prints "blockcheck: ..." lines, "blockcheck: FAIL ..." for anything
 * unexpected, and last "blockcheck: done, N failures". The sectors it
 * writes get the words BLOCKCHECK_MARK | sector number: 100-107, the last
 * three, WRITE_BIG_LBA.. (max_transfer bytes), and for each entry I of
 * the WRITEV, 1 + I % 8 sectors from WRITEV_LBA + 16 * I.
 *
 * With the arguments "eio LBA" it checks instead that a read of sector
 * LBA, which the device fails (QEMU's blkdebug), gets CLK_EIO and that the
 * driver serves on.
 *
 * It has its own main() and no fibers, so actor_call makes the kernel call
 * on the calling thread: the threads below may use it at once.
 */
#include <actor/block.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_VA          0x600000000000UL /* where the driver's buffer is mapped */
#define BLOCKCHECK_MARK 0xB10C000000000000ULL
#define WRITE_BIG_LBA   30000
#define WRITEV_LBA      50000 /* the WRITEV's entries */
#define WRITEV_BAD_LBA  60000 /* refused WRITEVs': never written */
#define WRITEV_MAX      (CLK_MSG_MAX / sizeof(struct block_io))
#define WORDS           (BLOCK_SECTOR / 8)
#define THREADS         8
#define THREAD_REQUESTS 32
#define THREAD_SECTORS  64

static long blk; /* a send capability to the driver */
static struct block_info info;
static uint8_t *buf;
static uint32_t buf_id; /* what BLOCK_BUFFER said */
static int failures;

__attribute__((format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("blockcheck: FAIL ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    failures++;
}

/* ---- the pattern ---- */

/* Whether COUNT sectors at OFF in the buffer hold sectors LBA.. filled with
 * MARK | sector; the first wrong word goes to *BAD. */
static bool holds(uint64_t off, uint64_t lba, uint32_t count, uint64_t mark, uint64_t *bad)
{
    const uint64_t *w = (const uint64_t *)(buf + off);
    for (uint64_t i = 0; i < (uint64_t)count * WORDS; i++) {
        if (w[i] != (mark | (lba + i / WORDS))) {
            *bad = w[i];
            return false;
        }
    }
    return true;
}

static void fill(uint64_t off, uint64_t lba, uint32_t count, uint64_t mark)
{
    uint64_t *w = (uint64_t *)(buf + off);
    for (uint64_t i = 0; i < (uint64_t)count * WORDS; i++)
        w[i] = mark | (lba + i / WORDS);
}

/* Read COUNT sectors from LBA to OFF (cleared first) and check them. */
static bool read_check(uint64_t lba, uint32_t count, uint64_t off, uint64_t mark, bool quiet)
{
    memset(buf + off, 0xEE, (size_t)count * BLOCK_SECTOR);
    long r = block_transfer(blk, BLOCK_READ, lba, count, off, buf_id);
    uint64_t bad = 0;
    if (r != 0 || !holds(off, lba, count, mark, &bad)) {
        fail("read %u sectors at %lu into offset %lu: %ld, a word %#lx", count, (unsigned long)lba,
             (unsigned long)off, r, (unsigned long)bad);
        return false;
    }
    if (!quiet)
        printf("blockcheck: read %u sectors at %lu into offset %lu: ok\n", count,
               (unsigned long)lba, (unsigned long)off);
    return true;
}

/* ---- the checks ---- */

static bool start(void)
{
    blk = actor_lookup(BLOCK_NAME, 5000000000ULL);
    size_t len = sizeof(info);
    long r = blk < 0 ? blk : actor_call(blk, BLOCK_INFO, NULL, 0, &info, &len);
    if (r < 0) {
        printf("blockcheck: no block device: BLOCK_INFO -> %ld (%s)\n", r, actor_strerror(r));
        return false;
    }
    printf("blockcheck: capacity %lu sectors of %u bytes (%lu bytes); transfers up to %u "
           "bytes, %u in flight; a buffer of %lu bytes; %s\n",
           (unsigned long)info.sectors, info.sector_size,
           (unsigned long)(info.sectors * info.sector_size), info.max_transfer, info.max_requests,
           (unsigned long)info.buffer_size,
           info.flags & BLOCK_INFO_RO ? "read-only" : "read-write");
    long cap = 0;
    size_t id_len = sizeof(buf_id);
    r = actor_call_cap(blk, BLOCK_BUFFER, NULL, 0, 0, &buf_id, &id_len, &cap);
    long map = r == 0 && cap > 0 ? clk_map(cap, BUF_VA, CLK_MAP_WRITE) : CLK_EBADF;
    printf("blockcheck: BLOCK_BUFFER -> %ld, MAP -> %ld\n", r, map);
    buf = (uint8_t *)BUF_VA;
    return map == 0;
}

static void reads(void)
{
    uint64_t last = info.sectors - 1, big = info.max_transfer / BLOCK_SECTOR;
    read_check(0, 1, 0, 0, false);
    read_check(last, 1, BLOCK_SECTOR, 0, false);
    read_check(12345, 17, 4096, 0, false);
    read_check(1000, (uint32_t)big, BLOCK_SECTOR, 0, false);
    read_check(info.sectors - big, (uint32_t)big, info.buffer_size - info.max_transfer, 0, false);
}

/* Write COUNT sectors at LBA from OFF, marked. */
static void write_marked(uint64_t lba, uint32_t count, uint64_t off)
{
    fill(off, lba, count, BLOCKCHECK_MARK);
    long r = block_transfer(blk, BLOCK_WRITE, lba, count, off, buf_id);
    printf("blockcheck: wrote %u sectors at %lu -> %ld\n", count, (unsigned long)lba, r);
    if (r)
        fail("write at %lu", (unsigned long)lba);
}

static void writes(void)
{
    uint32_t big = info.max_transfer / BLOCK_SECTOR;
    write_marked(100, 8, 0);
    write_marked(info.sectors - 3, 3, 8192);
    write_marked(WRITE_BIG_LBA, big, info.buffer_size - info.max_transfer);
    long r = actor_call(blk, BLOCK_FLUSH, NULL, 0, NULL, NULL);
    printf("blockcheck: BLOCK_FLUSH -> %ld\n", r);
    if (r)
        fail("flush");
    memset(buf, 0, info.buffer_size);
    bool ok = read_check(100, 8, 4096, BLOCKCHECK_MARK, true) &&
              read_check(info.sectors - 3, 3, 0, BLOCKCHECK_MARK, true) &&
              read_check(WRITE_BIG_LBA, big, info.max_transfer, BLOCKCHECK_MARK, true) &&
              read_check(99, 1, 0, 0, true) && read_check(108, 1, 0, 0, true) &&
              read_check(WRITE_BIG_LBA + big, 1, 0, 0, true);
    printf("blockcheck: written sectors read back%s\n", ok ? ": ok" : " wrong");
}

/* ---- vectored writes ---- */

/* A WRITEV of max_requests entries, scattered on the disk and, in the
 * other order, in the buffer; then each is read back. */
static void writev_good(void)
{
    static struct block_io ios[WRITEV_MAX];
    unsigned n = info.max_requests < WRITEV_MAX ? info.max_requests : WRITEV_MAX;
    for (unsigned i = 0; i < n; i++) {
        ios[i] = (struct block_io){ .lba = WRITEV_LBA + 16 * i,
                                    .offset = (uint64_t)(n - 1 - i) * 8 * BLOCK_SECTOR,
                                    .count = 1 + i % 8,
                                    .buffer = buf_id };
        fill(ios[i].offset, ios[i].lba, ios[i].count, BLOCKCHECK_MARK);
    }
    long r = block_writev(blk, ios, n);
    memset(buf, 0, info.buffer_size);
    bool ok = r == 0;
    for (unsigned i = 0; i < n && ok; i++)
        ok = read_check(ios[i].lba, ios[i].count, 4096, BLOCKCHECK_MARK, true) &&
             read_check(ios[i].lba + ios[i].count, 1, 0, 0, true);
    printf("blockcheck: WRITEV of %u entries -> %ld; read back%s\n", n, r, ok ? ": ok" : " wrong");
    if (!ok)
        fail("WRITEV");
}

/* WRITEVs that must be refused whole: a bad entry last, entries sharing
 * sectors or buffer bytes, more than max_requests, a piece of an entry.
 * None writes anything (WRITEV_BAD_LBA.. stays as it was). */
static void writev_bad(void)
{
    static struct block_io ios[WRITEV_MAX];
    unsigned more = info.max_requests + 1 <= WRITEV_MAX ? info.max_requests + 1 : WRITEV_MAX;
    for (unsigned i = 0; i < WRITEV_MAX; i++)
        ios[i] = (struct block_io){
            .lba = WRITEV_BAD_LBA + i, .offset = i * BLOCK_SECTOR, .count = 1, .buffer = buf_id
        };
    fill(0, WRITEV_BAD_LBA, WRITEV_MAX, BLOCKCHECK_MARK);
    struct block_io past[3] = { ios[0], ios[1], { info.sectors, 4096, 1, buf_id } };
    struct block_io sector[2] = { ios[0], { WRITEV_BAD_LBA, 4096, 1, buf_id } };
    struct block_io bytes[2] = { ios[0], { WRITEV_BAD_LBA + 1, 0, 1, buf_id } };
    long r[5] = {
        block_writev(blk, past, 3),
        block_writev(blk, sector, 2),
        block_writev(blk, bytes, 2),
        block_writev(blk, ios, more),
        actor_call(blk, BLOCK_WRITEV, ios, sizeof(ios[0]) + 8, NULL, NULL),
    };
    unsigned refused = 0;
    for (unsigned i = 0; i < 5; i++) {
        refused += r[i] == CLK_EINVAL;
        if (r[i] != CLK_EINVAL)
            fail("bad WRITEV %u -> %ld", i, r[i]);
    }
    bool untouched = read_check(WRITEV_BAD_LBA, 8, 8192, 0, true);
    printf("blockcheck: %u of 5 bad WRITEVs refused; nothing written%s\n", refused,
           untouched ? ": ok" : " NOT");
}

/* ---- requests the driver must refuse ---- */

struct bad {
    const char *what;
    unsigned type;
    struct block_io io;
    size_t len;
    long expect;
};

static void bad_requests(void)
{
    uint64_t n = info.sectors, size = info.buffer_size;
    uint32_t over = info.max_transfer / BLOCK_SECTOR + 1;
    const size_t io = sizeof(struct block_io);
    const struct bad bad[] = {
        { "a read past the end", BLOCK_READ, { n, 0, 1, buf_id }, io, CLK_EINVAL },
        { "a read across the end", BLOCK_READ, { n - 1, 0, 2, buf_id }, io, CLK_EINVAL },
        { "a write past the end", BLOCK_WRITE, { n + 5, 0, 1, buf_id }, io, CLK_EINVAL },
        { "an LBA that wraps", BLOCK_READ, { ~0ULL, 0, 2, buf_id }, io, CLK_EINVAL },
        { "no sectors", BLOCK_READ, { 0, 0, 0, buf_id }, io, CLK_EINVAL },
        { "over the largest transfer", BLOCK_READ, { 0, 0, over, buf_id }, io, CLK_EINVAL },
        { "past the buffer", BLOCK_READ, { 0, size - BLOCK_SECTOR, 2, buf_id }, io, CLK_EINVAL },
        { "an offset that wraps", BLOCK_WRITE, { 0, ~0ULL - 511, 1, buf_id }, io, CLK_EINVAL },
        { "an unaligned offset", BLOCK_READ, { 0, 100, 1, buf_id }, io, CLK_EINVAL },
        { "another instance's buffer", BLOCK_READ, { 0, 0, 1, buf_id + 1 }, io, CLK_EDEAD },
        { "a short payload", BLOCK_READ, { 0, 0, 1, buf_id }, 8, CLK_EINVAL },
        { "a payload on FLUSH", BLOCK_FLUSH, { 0, 0, 1, buf_id }, io, CLK_EINVAL },
        { "an unknown type", 99, { 0, 0, 1, buf_id }, io, CLK_ENOSYS },
    };
    unsigned n_bad = sizeof(bad) / sizeof(bad[0]), refused = 0;
    for (unsigned i = 0; i < n_bad; i++) {
        long r = actor_call(blk, bad[i].type, &bad[i].io, bad[i].len, NULL, NULL);
        if (r == bad[i].expect)
            refused++;
        else
            fail("%s -> %ld, not %ld", bad[i].what, r, bad[i].expect);
    }
    bool serving = read_check(7, 1, 0, 0, true);
    printf("blockcheck: %u of %u bad requests refused as they should be; the driver serves on%s\n",
           refused, n_bad, serving ? ": ok" : " NOT");
}

/* ---- many requests in flight ---- */

struct worker {
    unsigned index;
    long note; /* signalled with 1 << index when done */
    unsigned ok, bad;
};

/* Thread I reads THREAD_REQUESTS pieces of its own part of the disk into
 * its own part of the buffer, at the same time as the others. */
static void worker_main(void *arg, void *ipcbuf)
{
    (void)ipcbuf;
    struct worker *w = arg;
    uint64_t room = info.buffer_size / THREADS, piece = THREAD_SECTORS * BLOCK_SECTOR;
    for (unsigned k = 0; k < THREAD_REQUESTS; k++) {
        uint64_t lba = ((uint64_t)w->index * THREAD_REQUESTS + k) * THREAD_SECTORS * 3 + 5;
        uint64_t off = w->index * room + (k % (room / piece)) * piece, bad;
        long r = block_transfer(blk, BLOCK_READ, lba, THREAD_SECTORS, off, buf_id);
        if (r == 0 && holds(off, lba, THREAD_SECTORS, 0, &bad))
            w->ok++;
        else
            w->bad++;
    }
    clk_signal(w->note, 1ULL << w->index);
}

static void in_flight(void)
{
    static struct worker workers[THREADS];
    long note = clk_notification_create();
    if (note < 0 || clk_bind(note) < 0) {
        fail("notification: %ld", note);
        return;
    }
    uint64_t all = (1ULL << THREADS) - 1, got = 0;
    for (unsigned i = 0; i < THREADS; i++) {
        workers[i] = (struct worker){ .index = i, .note = note };
        if (clk_thread_start(worker_main, &workers[i], NULL, 0) < 0)
            fail("thread %u", i);
    }
    struct clk_msg m;
    uint64_t badge;
    while (got != all && clk_wait(30000000000ULL, &m, &badge) == note)
        got |= m.w[0];
    unsigned ok = 0, bad = 0;
    for (unsigned i = 0; i < THREADS; i++)
        ok += workers[i].ok, bad += workers[i].bad;
    printf("blockcheck: %u threads, %u reads at once: %u right, %u wrong\n", THREADS,
           THREADS * THREAD_REQUESTS, ok, bad);
    if (got != all || bad)
        fail("reads from threads");
    clk_unbind(note);
    clk_cap_delete(note);
}

/* ---- throughput ---- */

/* Read the whole disk in max_transfer requests into the buffer's first
 * part; the first word of every sector is checked (original or marked). */
static void whole_disk(void)
{
    uint64_t per = info.max_transfer / BLOCK_SECTOR, wrong = 0, t0 = clk_clock_ns();
    for (uint64_t lba = 0; lba < info.sectors; lba += per) {
        uint32_t count = (uint32_t)(info.sectors - lba < per ? info.sectors - lba : per);
        long r = block_transfer(blk, BLOCK_READ, lba, count, 0, buf_id);
        for (uint32_t s = 0; s < count; s++) {
            uint64_t w = *(const uint64_t *)(buf + (uint64_t)s * BLOCK_SECTOR);
            wrong += r != 0 || (w != lba + s && w != (BLOCKCHECK_MARK | (lba + s)));
        }
    }
    uint64_t ns = clk_clock_ns() - t0, bytes = info.sectors * BLOCK_SECTOR;
    printf("blockcheck: read the whole disk (%lu MiB) in %u KiB requests: %lu ms, %lu MB/s; "
           "%lu sectors wrong\n",
           (unsigned long)(bytes >> 20), info.max_transfer / 1024, (unsigned long)(ns / 1000000),
           (unsigned long)(bytes * 1000 / (ns ? ns : 1)), (unsigned long)wrong);
    if (wrong)
        fail("the whole disk");
}

/* Sector LBA cannot be read: the error, and the driver after it. */
static void device_error(uint64_t lba)
{
    long r = block_transfer(blk, BLOCK_READ, lba - 4, 8, 0, buf_id);
    bool serving = read_check(lba + 8, 8, 0, 0, true);
    printf("blockcheck: a read that the device fails -> %ld (%s); the next read%s\n", r,
           actor_strerror(r), serving ? ": ok" : " failed");
    if (r != CLK_EIO)
        fail("the device's error");
}

/* The root disk that the build makes: an ext2 superblock at byte 1024. */
static void ext2_disk(void)
{
    long r = block_transfer(blk, BLOCK_READ, 2, 1, 0, buf_id);
    const uint8_t *sb = buf; /* byte 1024 of the disk */
    unsigned magic = sb[56] | sb[57] << 8;
    char volume[17] = { 0 };
    memcpy(volume, sb + 120, 16);
    printf("blockcheck: sector 2 -> %ld: ext2 magic %#x, volume \"%s\"\n", r, magic, volume);
    if (r != 0 || magic != 0xEF53)
        fail("no ext2 superblock");
}

int main(int argc, char **argv)
{
    if (!start())
        return 1;
    if (argc == 2 && strcmp(argv[1], "ext2") == 0) {
        ext2_disk();
        printf("blockcheck: done, %d failures\n", failures);
        return failures != 0;
    }
    if (argc == 3 && strcmp(argv[1], "eio") == 0) {
        device_error(strtoull(argv[2], NULL, 0));
        printf("blockcheck: done, %d failures\n", failures);
        return failures != 0;
    }
    reads();
    in_flight(); /* before writes: it reads sectors that writes() changes */
    writes();
    writev_good();
    writev_bad();
    bad_requests();
    whole_disk();
    printf("blockcheck: done, %d failures\n", failures);
    return failures != 0;
}
