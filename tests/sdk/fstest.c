/*
 * fstest.c: an ordinary C program that drives the VFS through libc's
 * POSIX calls, for tests/test_vfs.py. It reads commands from the console
 * after the prompt "fstest> ":
 *
 *   errno [DIR]         every errno case of the file calls, and the
 *                       behaviour around them, in DIR (/tmp if none):
 *                       "errno: ok NAME" or "errno: FAIL NAME ...", then
 *                       "errno: done, N failed"
 *   sum PATH [LIMIT]    every file under PATH: "F crc32 size path", "D path"
 *                       and "L path" lines, then "sum: done N files"; with
 *                       LIMIT, only the first LIMIT bytes of each file are
 *                       read (and summed)
 *   gen SEED DIR        make a tree in DIR from SEED (what gen_tree below
 *                       makes; the test makes the same on the host), sync
 *   check SEED DIR      read it back: "check: ok N files" or failures
 *   fill PATH           write PATH until the disk is full: "fill: ENOSPC
 *                       after N bytes", then remove it
 *   crashwrite PATH MIB RESTARTS
 *                       a thread writes MIB MiB to PATH, fsyncing each
 *                       MiB and rewriting what an fsync says was lost,
 *                       while the main thread has the supervisor restart
 *                       the VFS RESTARTS times (see restart_here; every
 *                       other time it crashes it instead); then verify
 *                       every byte
 *   crashread PATH RESTARTS
 *                       a thread reads PATH with read() while the VFS is
 *                       restarted and crashed under it as for crashwrite:
 *                       "crashread: BYTES bytes, crc CRC, offset OFF, N
 *                       restarts, error: none"
 *   stream PATH MIB     write MIB MiB and fsync each, round after round
 *                       (each round's bytes differ), forever printing
 *                       progress (the test kills QEMU in the middle)
 *   readbench PATH      read PATH in 128 KiB pieces twice (cold, warm):
 *                       bytes, guest instructions (rdtsc under -icount)
 *                       and time
 *   sessions N PATH     with PATH open, connect to the VFS N more times
 *                       directly (after two connects that lie about their
 *                       buffer), so that the oldest sessions, ours among
 *                       them, are dropped; then go on with PATH
 *   restart NAME        have the supervisor restart service NAME
 *   cat PATH, ls PATH, rm PATH, mkdir PATH, cd PATH, pwd, sync
 *   exit
 */
#include "crc32.h"
#include <actor/supervisor.h>
#include <actor/vfs.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (1024 * 1024)

static uint8_t big[1 << 20]; /* one MiB, for the commands that move much data */

/* ---- small helpers ---- */

/* xorshift64*: the byte stream of a file, which the host side makes too. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

/* The next N bytes of the stream whose state is *S (start: stream(seed)). */
static void more_bytes(uint64_t *s, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(next_rand(s) >> 56);
}

static uint64_t stream(uint64_t seed)
{
    return seed * 0x9E3779B97F4A7C15ULL + 1;
}

static void fill_bytes(uint64_t seed, uint8_t *p, size_t n)
{
    uint64_t s = stream(seed);
    more_bytes(&s, p, n);
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static int write_all(int fd, const void *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return -1;
        p = (const uint8_t *)p + w;
        n -= (size_t)w;
    }
    return 0;
}

/* ---- errno ---- */

static int failures;

/* R should be -1 with errno WANT (WANT 0: R should be >= 0). */
static void expect(const char *name, long r, int want)
{
    int got = r < 0 ? errno : 0;
    if ((want && r == -1 && got == want) || (!want && r >= 0)) {
        printf("errno: ok %s\n", name);
    } else {
        printf("errno: FAIL %s: returned %ld, errno %d (%s); wanted %d (%s)\n", name, r, got,
               strerror(got), want, strerror(want));
        failures++;
    }
}

static void check(const char *name, bool ok)
{
    printf("errno: %s %s\n", ok ? "ok" : "FAIL", name);
    failures += !ok;
}

/* The errno checks work in a scratch directory: /tmp (the ramfs) or one
 * on the ext2 root; a rename across mounts goes to ELSEWHERE. */
static const char *scratch = "/tmp", *elsewhere = "/home/f";

/* SCRATCH/NAME, in one of eight buffers (a call may name two paths). */
static const char *P(const char *name)
{
    static char paths[8][320];
    static unsigned next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof(paths[0]), "%s/%s", scratch, name);
    return p;
}

static void errno_files(void)
{
    expect("ENOENT open", open("/nope", O_RDONLY), ENOENT);
    expect("ENOENT stat", stat("/etc/nope", &(struct stat){ 0 }), ENOENT);
    expect("ENOENT unlink", unlink(P("nope")), ENOENT);
    expect("ENOENT creat in a missing dir", open("/nodir/x", O_CREAT | O_WRONLY, 0644), ENOENT);
    expect("ENOENT empty path", open("", O_RDONLY), ENOENT);
    int fd = open(P("e"), O_CREAT | O_WRONLY | O_EXCL, 0644);
    expect("create e", fd, 0);
    close(fd);
    expect("EEXIST O_EXCL", open(P("e"), O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
    expect("EEXIST mkdir", mkdir("/etc", 0755), EEXIST);
    expect("ENOTDIR open under a file", open(P("e/x"), O_RDONLY), ENOTDIR);
    expect("ENOTDIR rmdir a file", rmdir(P("e")), ENOTDIR);
    expect("ENOTDIR chdir to a file", chdir(P("e")), ENOTDIR);
    expect("ENOTDIR opendir a file", opendir(P("e")) ? 0 : -1, ENOTDIR);
    expect("ENOTDIR trailing slash", open(P("e/"), O_RDONLY), ENOTDIR);
    expect("EISDIR open a dir to write", open("/etc", O_WRONLY), EISDIR);
    expect("EISDIR unlink a dir", unlink("/etc"), EISDIR);
    expect("EISDIR read a dir", read(fd = open("/etc", O_RDONLY), big, 10), EISDIR);
    close(fd);
    expect("ENOTEMPTY rmdir", rmdir("/etc"), ENOTEMPTY);
    expect("EBADF read", read(99, big, 1), EBADF);
    expect("EBADF close", close(-1), EBADF);
    expect("EBADF fstat", fstat(200, &(struct stat){ 0 }), EBADF);
    fd = open(P("e"), O_RDONLY);
    expect("EBADF write to O_RDONLY", write(fd, "x", 1), EBADF);
    expect("EINVAL lseek before 0", lseek(fd, -1, SEEK_SET), EINVAL);
    expect("EINVAL ftruncate O_RDONLY", ftruncate(fd, 0), EINVAL);
    close(fd);
    expect("EBADF use after close", read(fd, big, 1), EBADF);
    expect("EINVAL open mode 3", open(P("e"), 3), EINVAL);
    expect("EINVAL rmdir .", rmdir(P(".")), EINVAL);
    expect("EROFS open /boot to write", open("/boot/etc/services", O_WRONLY), EROFS);
    expect("EROFS mkdir in /boot", mkdir("/boot/x", 0755), EROFS);
    expect("EROFS unlink in /boot", unlink("/boot/etc/services"), EROFS);
    expect("EROFS creat in /boot", open("/boot/new", O_CREAT | O_WRONLY, 0644), EROFS);
}

static void errno_names(void)
{
    static char path[5000];
    memset(path, 'a', sizeof(path) - 1);
    path[0] = '/';
    expect("ENAMETOOLONG path", open(path, O_RDONLY), ENAMETOOLONG);
    snprintf(path, sizeof(path), "%s/%0300d", scratch, 7);
    expect("ENAMETOOLONG name", open(path, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
    const char *odd = P("odd \x01\x7f\xff name");
    int fd = open(odd, O_CREAT | O_WRONLY, 0644);
    expect("odd bytes in a name", fd, 0);
    close(fd);
    expect("odd name stat", stat(odd, &(struct stat){ 0 }), 0);
    expect("odd name unlink", unlink(odd), 0);
}

static void errno_rename(void)
{
    mkdir(P("d"), 0755);
    mkdir(P("d/sub"), 0755);
    close(open(P("f"), O_CREAT | O_WRONLY, 0644));
    expect("EINVAL rename into itself", rename(P("d"), P("d/sub/x")), EINVAL);
    expect("EISDIR rename file over dir", rename(P("f"), P("d")), EISDIR);
    expect("ENOTDIR rename dir over file", rename(P("d"), P("f")), ENOTDIR);
    expect("rename onto itself", rename(P("f"), P("f")), 0);
    mkdir(P("d2"), 0755);
    expect("ENOTEMPTY rename dir over non-empty", rename(P("d2"), P("d")), ENOTEMPTY);
    expect("EXDEV rename across mounts", rename(P("f"), elsewhere), EXDEV);
    expect("ENOENT rename missing", rename(P("none"), P("x")), ENOENT);
    expect("rename dir over empty dir", rename(P("d"), P("d2")), 0);
    expect("rename file", rename(P("f"), P("d2/g")), 0);
    struct stat st;
    check("renamed file is there", stat(P("d2/g"), &st) == 0 && S_ISREG(st.st_mode));
    check("old name is gone", stat(P("f"), &st) == -1 && errno == ENOENT);
    unlink(P("d2/g"));
    rmdir(P("d2/sub"));
    expect("rmdir", rmdir(P("d2")), 0);
}

static void behaviour_io(void)
{
    int fd = open(P("io"), O_CREAT | O_RDWR | O_TRUNC, 0644);
    char b[16] = { 0 };
    check("write 10", write(fd, "0123456789", 10) == 10);
    int fd2 = dup(fd);
    check("dup shares the offset", lseek(fd2, 0, SEEK_CUR) == 10);
    lseek(fd, 2, SEEK_SET);
    check("read after seek", read(fd2, b, 3) == 3 && !memcmp(b, "234", 3));
    check("dup2", dup2(fd, 10) == 10 && lseek(10, 0, SEEK_CUR) == 5);
    close(10);
    close(fd2);
    check("SEEK_END", lseek(fd, 0, SEEK_END) == 10);
    check("write past the end makes a hole", pwrite(fd, "x", 1, 20) == 1);
    memset(b, 'q', sizeof(b));
    check("the hole reads as zeros", pread(fd, b, 11, 10) == 11 && !b[0] && !b[9] && b[10] == 'x');
    check("ftruncate down", ftruncate(fd, 4) == 0 && lseek(fd, 0, SEEK_END) == 4);
    check("ftruncate up",
          ftruncate(fd, 8) == 0 && pread(fd, b, 8, 0) == 8 && !memcmp(b, "0123\0\0\0\0", 8));
    close(fd);
    fd = open(P("io"), O_WRONLY | O_APPEND);
    lseek(fd, 0, SEEK_SET);
    check("O_APPEND writes at the end", write(fd, "ab", 2) == 2 && lseek(fd, 0, SEEK_CUR) == 10);
    close(fd);
    fd = open(P("io"), O_RDWR | O_TRUNC);
    struct stat st;
    check("O_TRUNC", fstat(fd, &st) == 0 && st.st_size == 0);
    close(fd);
    check("fsync", (fd = open(P("io"), O_RDONLY)) >= 0 && fsync(fd) == 0);
    close(fd);
    unlink(P("io"));
}

static void behaviour_dirs(void)
{
    char cwd[256];
    check("chdir /etc", chdir("/etc") == 0);
    check("getcwd /etc", getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/etc"));
    int fd = open("motd", O_RDONLY);
    check("relative open", fd >= 0);
    close(fd);
    check("chdir ../boot/etc", chdir("../boot/etc") == 0);
    check("getcwd across a mount", getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/boot/etc"));
    check("ERANGE getcwd", getcwd(cwd, 3) == NULL && errno == ERANGE);
    check("chdir ..", chdir("../..") == 0 && getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/"));
    mkdir(P("ls"), 0755);
    for (int i = 0; i < 50; i++) {
        char p[64];
        snprintf(p, sizeof(p), "%s/ls/n%02d", scratch, i);
        close(open(p, O_CREAT | O_WRONLY, 0644));
    }
    DIR *d = opendir(P("ls"));
    int n = 0, dots = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            dots++;
        else
            n += e->d_type == DT_REG;
    }
    closedir(d);
    check("readdir lists 50 files and . and ..", n == 50 && dots == 2);
    check("unlink an open file", (n = open(P("ls/n00"), O_RDWR)) >= 0 && unlink(P("ls/n00")) == 0 &&
                                     write(n, "kept", 4) == 4 && pread(n, cwd, 4, 0) == 4 &&
                                     !memcmp(cwd, "kept", 4));
    close(n);
    for (int i = 1; i < 50; i++) {
        char p[64];
        snprintf(p, sizeof(p), "%s/ls/n%02d", scratch, i);
        unlink(p);
    }
    check("rmdir emptied dir", rmdir(P("ls")) == 0);
}

static void cmd_errno(const char *dir)
{
    scratch = dir;
    elsewhere = strncmp(dir, "/tmp", 4) ? "/tmp/f" : "/home/f";
    failures = 0;
    errno_files();
    errno_names();
    errno_rename();
    behaviour_io();
    behaviour_dirs();
    unlink(P("e"));
    printf("errno: done, %d failed\n", failures);
}

/* ---- sum ---- */

static uint64_t sum_limit = UINT64_MAX;

static int sum_file(const char *path, const struct stat *st)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("sum: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint32_t crc = 0;
    uint64_t total = 0;
    ssize_t n = 0;
    while (total < sum_limit &&
           (n = read(fd, big, sum_limit - total < sizeof(big) ? sum_limit - total : sizeof(big))) >
               0) {
        crc = crc32(crc, big, (size_t)n);
        total += (uint64_t)n;
    }
    close(fd);
    uint64_t want = (uint64_t)st->st_size < sum_limit ? (uint64_t)st->st_size : sum_limit;
    if (n < 0 || total != want) {
        printf("sum: reading %s: %s (%llu of %lld bytes)\n", path,
               n < 0 ? strerror(errno) : "short", (unsigned long long)total,
               (long long)st->st_size);
        return -1;
    }
    printf("F %08lx %llu %s\n", (unsigned long)crc, (unsigned long long)total, path);
    return 0;
}

static int sum_tree(const char *path, int *files)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        printf("sum: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (S_ISLNK(st.st_mode)) {
        printf("L %s\n", path);
        return 0;
    }
    if (S_ISREG(st.st_mode)) {
        (*files)++;
        return sum_file(path, &st);
    }
    printf("D %s\n", path);
    DIR *d = opendir(path);
    struct dirent *e;
    int err = d ? 0 : -1;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "lost+found"))
            continue;
        char *child = malloc(strlen(path) + strlen(e->d_name) + 2);
        sprintf(child, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
        err |= sum_tree(child, files);
        free(child);
    }
    if (d)
        closedir(d);
    return err;
}

/* ---- gen and check: the tree tests/test_vfs.py also makes on the host ---- */

struct gen_file {
    const char *name;
    uint64_t size;
};

/* The files of a generated tree, with their sizes; contents come from
 * fill_bytes(SEED * 100 + index). */
static const struct gen_file gen_files[] = {
    { "empty", 0 },      { "one", 1 },         { "small", 4095 },     { "block", 4096 },
    { "direct", 49152 }, { "single", 300000 }, { "double", 4500000 }, { "sub/deep/f", 7777 },
};
#define GEN_FILES (sizeof(gen_files) / sizeof(gen_files[0]))
#define GEN_MANY  2000

static int gen_write(const char *path, uint64_t seed, uint64_t size)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    uint64_t s = stream(seed);
    for (uint64_t done = 0; done < size;) {
        size_t n = size - done < sizeof(big) ? size - done : sizeof(big);
        more_bytes(&s, big, n);
        if (write_all(fd, big, n) < 0)
            return -1;
        done += n;
    }
    int r = fsync(fd);
    close(fd);
    return r;
}

static void path_in(char *out, size_t n, const char *dir, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

static int gen_tree(uint64_t seed, const char *dir)
{
    char p[512];
    mkdir(dir, 0755);
    path_in(p, sizeof(p), dir, "sub");
    mkdir(p, 0755);
    path_in(p, sizeof(p), dir, "sub/deep");
    mkdir(p, 0755);
    for (unsigned i = 0; i < GEN_FILES; i++) {
        path_in(p, sizeof(p), dir, gen_files[i].name);
        if (gen_write(p, seed * 100 + i, gen_files[i].size) < 0)
            return -1;
    }
    /* A sparse file: 4 KiB at 0, 10 MiB and 5 GiB (triple indirect with 4 KiB blocks). */
    path_in(p, sizeof(p), dir, "sparse");
    int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    static const uint64_t at[] = { 0, 10ULL * MIB, 5ULL << 30 };
    for (unsigned i = 0; i < 3; i++) {
        fill_bytes(seed * 100 + 50 + i, big, 4096);
        if (fd < 0 || pwrite(fd, big, 4096, (off_t)at[i]) != 4096)
            return -1;
    }
    close(fd);
    /* Thousands of entries, a third of them removed again. */
    path_in(p, sizeof(p), dir, "many");
    mkdir(p, 0755);
    for (unsigned i = 0; i < GEN_MANY; i++) {
        char f[600];
        snprintf(f, sizeof(f), "%s/many/file-with-a-long-name-%04u", dir, i);
        if ((fd = open(f, O_CREAT | O_WRONLY, 0644)) < 0 || write(fd, f, strlen(f)) < 0)
            return -1;
        close(fd);
    }
    for (unsigned i = 0; i < GEN_MANY; i += 3) {
        char f[600];
        snprintf(f, sizeof(f), "%s/many/file-with-a-long-name-%04u", dir, i);
        if (unlink(f) < 0)
            return -1;
    }
    /* A rename that replaces, and a directory made and removed. */
    char q[512];
    path_in(p, sizeof(p), dir, "renamed");
    gen_write(p, 1, 100);
    path_in(q, sizeof(q), dir, "temp");
    gen_write(q, seed * 100 + 60, 12345);
    if (rename(q, p) < 0)
        return -1;
    path_in(p, sizeof(p), dir, "gone");
    mkdir(p, 0755);
    if (rmdir(p) < 0)
        return -1;
    sync();
    return 0;
}

static int check_file(const char *path, uint64_t seed, uint64_t size)
{
    static uint8_t want[1 << 20];
    struct stat st;
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) < 0 || (uint64_t)st.st_size != size) {
        printf("check: %s: %s\n", path, fd < 0 ? strerror(errno) : "wrong size");
        return -1;
    }
    uint64_t s = stream(seed);
    for (uint64_t done = 0; done < size;) {
        size_t n = size - done < sizeof(want) ? size - done : sizeof(want);
        more_bytes(&s, want, n);
        if (read(fd, big, n) != (ssize_t)n || memcmp(big, want, n)) {
            printf("check: %s differs at %llu\n", path, (unsigned long long)done);
            close(fd);
            return -1;
        }
        done += n;
    }
    close(fd);
    return 0;
}

static void cmd_check(uint64_t seed, const char *dir)
{
    char p[600];
    int bad = 0, n = 0;
    for (unsigned i = 0; i < GEN_FILES; i++, n++) {
        path_in(p, sizeof(p), dir, gen_files[i].name);
        bad += check_file(p, seed * 100 + i, gen_files[i].size) < 0;
    }
    path_in(p, sizeof(p), dir, "renamed");
    bad += check_file(p, seed * 100 + 60, 12345) < 0;
    n++;
    for (unsigned i = 0; i < GEN_MANY; i++, n++) {
        snprintf(p, sizeof(p), "%s/many/file-with-a-long-name-%04u", dir, i);
        struct stat st;
        bool there = stat(p, &st) == 0;
        if (there != (i % 3 != 0) || (there && (size_t)st.st_size != strlen(p))) {
            printf("check: %s: %s\n", p, there ? "should be gone" : "missing");
            bad++;
        }
    }
    if (bad)
        printf("check: %d bad of %d\n", bad, n);
    else
        printf("check: ok %d files\n", n);
}

/* ---- filling the disk ---- */

static void cmd_fill(const char *path)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    uint64_t total = 0;
    ssize_t n = 0;
    memset(big, 0xA5, sizeof(big));
    while (fd >= 0 && (n = write(fd, big, sizeof(big))) > 0)
        total += (uint64_t)n;
    int e = errno;
    printf("fill: %s after %llu bytes\n", n < 0 && e == ENOSPC ? "ENOSPC" : strerror(e),
           (unsigned long long)total);
    close(fd);
    printf("fill: removed: %s\n", unlink(path) == 0 ? "yes" : strerror(errno));
}

/* ---- writing through VFS restarts ---- */

/* A worker thread asks the main thread (by ASKED) to restart or crash the
 * VFS at points of its choosing, and waits for RESTARTED when it wants the
 * VFS gone while it holds a file open between two calls. */
struct restarts {
    unsigned count;              /* restarts to ask for */
    volatile unsigned asked;     /* restarts the worker asked for */
    volatile unsigned restarted; /* restarts done */
    volatile unsigned long at;   /* the worker's progress, for the messages */
    volatile int finished;
};

struct writer {
    const char *path;
    unsigned mib;
    volatile unsigned synced; /* MiB that fsync has acknowledged */
    struct restarts r;
};

static void say(const char *fmt, unsigned long a, unsigned long b)
{
    char line[128];
    int n = snprintf(line, sizeof(line), fmt, a, b);
    write(1, line, (size_t)n); /* one write: lines of two threads never mix */
}

/* Bytes [FROM, TO) of MiB I of the file, whose bytes come from seed 1000 + I. */
static int write_part(int fd, unsigned i, size_t from, size_t to)
{
    static uint8_t chunk[MIB];
    fill_bytes(1000 + i, chunk, MIB);
    return pwrite(fd, chunk + from, to - from, (off_t)i * MIB + (off_t)from) == (ssize_t)(to - from)
               ? 0
               : -1;
}

/* Restart K of R, at step I of N: at step N * K / (count + 1). */
static bool restart_here(const struct restarts *r, uint64_t i, uint64_t n, unsigned *k)
{
    *k = r->asked + 1;
    return *k <= r->count && i == n * *k / (r->count + 1);
}

/* Ask for restart K; for an odd K, wait until it is done. */
static void ask_restart(struct restarts *r, unsigned k)
{
    r->asked = k;
    while (k % 2 && r->restarted < k)
        clk_sleep_ns(1000000);
}

static void writer_main(void *arg, void *ipcbuf)
{
    (void)ipcbuf;
    struct writer *w = arg;
    int fd = open(w->path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    unsigned lost = 0, k;
    for (unsigned i = 0; fd >= 0 && i < w->mib;) {
        bool pause = restart_here(&w->r, i, w->mib, &k);
        if (write_part(fd, i, 0, MIB / 2) < 0)
            break;
        if (pause)
            ask_restart(&w->r, k); /* odd K: what it wrote before is surely not fsynced */
        if (write_part(fd, i, MIB / 2, MIB) < 0)
            break;
        if (fsync(fd) < 0) { /* lost with the VFS: write it again from the last good one */
            lost++;
            i = w->synced;
            continue;
        }
        w->synced = ++i;
        w->r.at = i;
    }
    say("crashwrite: wrote %lu MiB; fsync reported a loss %lu times\n", w->synced, lost);
    close(fd);
    w->r.finished = 1;
    clk_thread_exit();
}

static long restart(const char *name)
{
    struct sup_name q = { 0 };
    snprintf(q.name, sizeof(q.name), "%s", name);
    return actor_call(ACTOR_NAMES_SLOT, SUP_RESTART, &q, sizeof(q), NULL, NULL);
}

/* The VFS ends: killed and started again by request (K odd), or crashed
 * by an injected fault and restarted by its policy (K even). */
static long restart_vfs(unsigned k)
{
    if (k % 2)
        return restart("vfs");
    struct sup_inject q = { .fault = SUP_FAULT_CRASH };
    snprintf(q.name, sizeof(q.name), "vfs");
    return actor_call(ACTOR_NAMES_SLOT, SUP_INJECT, &q, sizeof(q), NULL, NULL);
}

/* Run FN(ARG) on a thread while doing the restarts it asks for in R:
 * restarts by request for odd ones, injected crashes for even ones, each
 * reported as "WHO: restarted|crashed the vfs at UNIT N: ERR". */
static int with_restarts(void (*fn)(void *, void *), void *arg, struct restarts *r, const char *who,
                         const char *unit)
{
    if (clk_thread_start(fn, arg, NULL, 0) < 0) {
        printf("%s: no thread\n", who);
        return -1;
    }
    while (!r->finished) {
        if (r->asked > r->restarted) {
            char line[128];
            long err = restart_vfs(r->asked);
            snprintf(line, sizeof(line), "%s: %s the vfs at %s %%lu: %%lu\n", who,
                     r->asked % 2 ? "restarted" : "crashed", unit);
            say(line, r->at, (unsigned long)-err);
            r->restarted = r->asked;
        }
        clk_sleep_ns(1000000);
    }
    return 0;
}

static void cmd_crashwrite(const char *path, unsigned mib, unsigned restarts)
{
    static struct writer w;
    w = (struct writer){ .path = path, .mib = mib, .r = { .count = restarts } };
    if (with_restarts(writer_main, &w, &w.r, "crashwrite", "MiB") < 0)
        return;
    int fd = open(path, O_RDONLY), bad = 0;
    static uint8_t want[MIB];
    for (unsigned i = 0; fd >= 0 && i < mib; i++) {
        fill_bytes(1000 + i, want, MIB);
        bad += pread(fd, big, MIB, (off_t)i * MIB) != MIB || memcmp(big, want, MIB);
    }
    close(fd);
    printf("crashwrite: verified %u MiB, %d bad\n", mib, fd < 0 ? -1 : bad);
}

/* ---- reading through VFS restarts ---- */

struct reader {
    const char *path;
    struct restarts r;
    uint64_t total;
    uint32_t crc;
    int err;    /* errno of the call that failed, or 0 */
    off_t left; /* where lseek says the descriptor is at the end */
};

/* Read the file with read() of 64 KiB from one descriptor, asking for a
 * restart at each of R's points: the odd ones while the file is open
 * between two reads, the even ones (crashes) while it goes on reading. */
static void reader_main(void *arg, void *ipcbuf)
{
    (void)ipcbuf;
    static uint8_t chunk[64 * 1024];
    struct reader *rd = arg;
    struct stat st;
    int fd = open(rd->path, O_RDONLY);
    uint64_t steps = 0;
    unsigned k;
    if (fd < 0 || fstat(fd, &st) < 0)
        rd->err = errno;
    else
        steps = ((uint64_t)st.st_size + sizeof(chunk) - 1) / sizeof(chunk);
    for (uint64_t i = 0; !rd->err; i++) {
        if (restart_here(&rd->r, i, steps, &k))
            ask_restart(&rd->r, k);
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0)
            rd->err = errno;
        if (n <= 0)
            break;
        rd->crc = crc32(rd->crc, chunk, (size_t)n);
        rd->total += (uint64_t)n;
        rd->r.at = rd->total / MIB;
    }
    rd->left = fd < 0 ? -1 : lseek(fd, 0, SEEK_CUR);
    close(fd);
    rd->r.finished = 1;
    clk_thread_exit();
}

static void cmd_crashread(const char *path, unsigned restarts)
{
    static struct reader rd;
    rd = (struct reader){ .path = path, .r = { .count = restarts } };
    if (with_restarts(reader_main, &rd, &rd.r, "crashread", "MiB") < 0)
        return;
    printf("crashread: %llu bytes, crc %08lx, offset %lld, %u restarts, error: %s\n",
           (unsigned long long)rd.total, (unsigned long)rd.crc, (long long)rd.left, rd.r.restarted,
           rd.err ? strerror(rd.err) : "none");
}

/* ---- sessions ---- */

/* VFS_CONNECT through SERVER with a buffer of PAGES pages that claims to
 * be CLAIM bytes: the reply's status (the session's capability is kept). */
static long raw_connect(long server, unsigned pages, uint64_t claim)
{
    long mem = clk_memory_create(pages);
    if (mem < 0)
        return mem;
    struct clk_msg m = { CLK_TAG_WITH_CAP(CLK_TAG(VFS_CONNECT, 8), mem), { claim } };
    long err = clk_call(server, &m);
    clk_cap_delete(mem);
    return err ? err : (long)(int)CLK_TAG_LABEL(m.tag);
}

static void cmd_sessions(unsigned n, const char *path)
{
    char back[16] = { 0 };
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    long server = actor_lookup(VFS_NAME, 0);
    if (fd < 0 || server < 0 || write(fd, "before ", 7) != 7) {
        printf("sessions: cannot start: %s\n", strerror(errno));
        return;
    }
    long small = raw_connect(server, 4, 1 << 20), big = raw_connect(server, 300, 16384);
    printf("sessions: a buffer smaller than it says: %ld; larger than the most: %ld\n", small, big);
    unsigned ok = 0;
    for (unsigned i = 0; i < n; i++)
        ok += raw_connect(server, 4, 16384) == 0;
    bool good = write(fd, "after", 5) == 5 && pread(fd, back, 12, 0) == 12;
    printf("sessions: %u of %u connected; then the file says \"%s\" (%s)\n", ok, n, back,
           good ? "ok" : strerror(errno));
    close(fd);
}

/* Write N of a stream, into MiB I: 4 KiB blocks of 64-bit words that say
 * what they are, (N << 40) | (block << 20) | word, so that the host can
 * tell from the bytes alone which write each block holds, and a torn
 * block from a whole one. */
static void stream_mib(uint64_t n, unsigned i)
{
    uint64_t *w = (uint64_t *)big;
    for (size_t k = 0; k < MIB / 8; k++)
        w[k] = n << 40 | (uint64_t)(i * 256 + k / 512) << 20 | k % 512;
}

static void cmd_stream(const char *path, unsigned mib)
{
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    for (uint64_t n = 0; fd >= 0; n++) { /* each round rewrites every byte */
        unsigned i = (unsigned)(n % mib);
        stream_mib(n, i);
        if (pwrite(fd, big, MIB, (off_t)i * MIB) != MIB || fsync(fd) < 0)
            break;
        printf("stream: round %u MiB %u fsynced\n", (unsigned)(n / mib), i + 1);
    }
    printf("stream: stopped: %s\n", strerror(errno));
}

/* ---- reading fast ---- */

static void read_once(const char *path, const char *what)
{
    int fd = open(path, O_RDONLY);
    uint64_t total = 0, t0 = rdtsc(), c0 = clk_clock_ns();
    ssize_t n;
    while (fd >= 0 && (n = read(fd, big, 128 * 1024)) > 0)
        total += (uint64_t)n;
    uint64_t insns = rdtsc() - t0, ns = clk_clock_ns() - c0;
    close(fd);
    printf("readbench: %s %llu bytes, %llu instructions, %llu per KiB, %llu us, %llu MB/s\n", what,
           (unsigned long long)total, (unsigned long long)insns,
           (unsigned long long)(total ? insns / (total / 1024) : 0),
           (unsigned long long)(ns / 1000), (unsigned long long)(ns ? total * 1000 / ns : 0));
}

/* ---- small commands ---- */

static void cmd_cat(const char *path)
{
    int fd = open(path, O_RDONLY);
    ssize_t n;
    if (fd < 0) {
        printf("cat: %s: %s\n", path, strerror(errno));
        return;
    }
    while ((n = read(fd, big, sizeof(big))) > 0)
        fwrite(big, 1, (size_t)n, stdout);
    close(fd);
}

static void cmd_ls(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    if (!d) {
        printf("ls: %s: %s\n", path, strerror(errno));
        return;
    }
    while ((e = readdir(d)))
        printf("%s%s\n", e->d_name, e->d_type == DT_DIR ? "/" : "");
    closedir(d);
}

static void result(const char *what, int r)
{
    printf("%s: %s\n", what, r == 0 ? "ok" : strerror(errno));
}

static void run(char *line)
{
    char *cmd = strtok(line, " \n"), *a = strtok(NULL, " \n"), *b = strtok(NULL, " \n"),
         *c = strtok(NULL, " \n");
    char cwd[512];
    int files = 0;
    if (!cmd)
        return;
    if (!strcmp(cmd, "errno"))
        cmd_errno(a ? a : "/tmp");
    else if (!strcmp(cmd, "sum") && a) {
        sum_limit = b ? strtoull(b, NULL, 10) : UINT64_MAX;
        int err = sum_tree(a, &files);
        printf("sum: done %d files%s\n", files, err ? ", with errors" : "");
    } else if (!strcmp(cmd, "gen") && b)
        printf("gen: %s\n", gen_tree(strtoull(a, NULL, 10), b) ? strerror(errno) : "done");
    else if (!strcmp(cmd, "check") && b)
        cmd_check(strtoull(a, NULL, 10), b);
    else if (!strcmp(cmd, "fill") && a)
        cmd_fill(a);
    else if (!strcmp(cmd, "crashwrite") && c)
        cmd_crashwrite(a, (unsigned)atoi(b), (unsigned)atoi(c));
    else if (!strcmp(cmd, "crashread") && b)
        cmd_crashread(a, (unsigned)atoi(b));
    else if (!strcmp(cmd, "stream") && b)
        cmd_stream(a, (unsigned)atoi(b));
    else if (!strcmp(cmd, "readbench") && a) {
        read_once(a, "cold");
        read_once(a, "warm");
    } else if (!strcmp(cmd, "cat") && a)
        cmd_cat(a);
    else if (!strcmp(cmd, "ls") && a)
        cmd_ls(a);
    else if (!strcmp(cmd, "rm") && a)
        result("rm", unlink(a));
    else if (!strcmp(cmd, "mkdir") && a)
        result("mkdir", mkdir(a, 0755));
    else if (!strcmp(cmd, "cd") && a)
        result("cd", chdir(a));
    else if (!strcmp(cmd, "pwd"))
        printf("pwd: %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : strerror(errno));
    else if (!strcmp(cmd, "sync")) {
        sync();
        printf("sync: ok\n");
    } else if (!strcmp(cmd, "sessions") && b)
        cmd_sessions((unsigned)atoi(a), b);
    else if (!strcmp(cmd, "restart") && a)
        printf("restart: %ld\n", restart(a));
    else if (!strcmp(cmd, "exit"))
        exit(0);
    else
        printf("fstest: what is \"%s\"?\n", cmd);
}

int main(void)
{
    char line[512];
    printf("fstest: ready\n");
    for (;;) {
        printf("fstest> ");
        fflush(stdout);
        if (!fgets(line, sizeof(line), stdin))
            return 0;
        run(line);
    }
}
