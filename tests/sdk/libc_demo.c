/*
 * libc_demo.c: an ordinary C program, built against the sysroot with
 * x86_64-clk-elf-gcc. It exercises newlib on CLKernel: printf and
 * snprintf, malloc and free, strings, qsort, strtod, libm, errno from
 * failing calls, time, arguments, the environment and the working
 * directory. tests/test_sdk.py and tests/test_shell.py check what it
 * prints.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    printf("libc: argc %d:", argc);
    for (int i = 0; i < argc; i++)
        printf(" [%s]", argv[i]);
    printf("\n");
    printf("libc: HOME=%s CLK_RUNNER=%s MISSING=%s\n", getenv("HOME"), getenv("CLK_RUNNER"),
           getenv("MISSING") ? "set" : "(null)");

    /* The working directory the spawner gave (PWD), and a chdir of our own. */
    char cwd[256];
    const char *pwd = getenv("PWD");
    printf("libc: PWD=%s getcwd %s\n", pwd ? pwd : "(null)",
           getcwd(cwd, sizeof(cwd)) ? cwd : strerror(errno));
    int up = chdir("..");
    printf("libc: chdir(\"..\") -> %d, getcwd %s\n", up,
           getcwd(cwd, sizeof(cwd)) ? cwd : strerror(errno));

    char buf[64];
    int n = snprintf(buf, sizeof(buf), "%d|%5.2f|%-4s|%x|%lld", -42, 3.14159, "ab", 255,
                     123456789012LL);
    printf("libc: snprintf -> %d \"%s\"\n", n, buf);

    /* A heap big enough to need many memory objects. */
    size_t total = 0;
    char *blocks[64];
    for (int i = 0; i < 64; i++) {
        blocks[i] = malloc(4096 * (size_t)(i + 1));
        if (!blocks[i])
            break;
        memset(blocks[i], i, 4096 * (size_t)(i + 1));
        total += 4096 * (size_t)(i + 1);
    }
    int intact = 1;
    for (int i = 0; i < 64; i++)
        intact &= blocks[i] && blocks[i][4096 * i] == (char)i;
    for (int i = 0; i < 64; i++)
        free(blocks[i]);
    char *again = malloc(1000000);
    printf("libc: malloc %zu bytes in 64 blocks, intact %d, freed; then 1 MB -> %s\n", total,
           intact, again ? "ok" : "NULL");
    free(again);

    int v[] = { 5, -3, 99, 0, 42, 7, -100, 13 };
    qsort(v, 8, sizeof(v[0]), cmp);
    printf("libc: qsort ->");
    for (int i = 0; i < 8; i++)
        printf(" %d", v[i]);
    printf("\n");

    char *end;
    double d = strtod("  -12.5e3xyz", &end);
    printf("libc: strtod -> %.1f, rest \"%s\"\n", d, end);
    printf("libc: sqrt(2) %.6f, sin(pi/6) %.6f, exp(1) %.6f, pow(2,0.5) %.6f\n", sqrt(2.0),
           sin(M_PI / 6), exp(1.0), pow(2.0, 0.5));
    printf("libc: strlen %zu, strcmp %d, strstr \"%s\", strtol(ff, 16) %ld\n", strlen("clkernel"),
           strcmp("abc", "abd") < 0 ? -1 : 1, strstr("microkernel", "kern"),
           strtol("ff", NULL, 16));

    /* Each call first, then its errno: argument order is unspecified. */
    int r, e;
    errno = 0, r = open("/etc/motd", O_RDONLY), e = errno;
    printf("libc: open -> %d errno %d (ENOSYS %d)\n", r, e, ENOSYS);
    errno = 0, r = (int)write(7, "x", 1), e = errno;
    printf("libc: write(7) -> %d errno %d (EBADF %d)\n", r, e, EBADF);
    errno = 0, r = (int)lseek(1, 0, SEEK_SET), e = errno;
    printf("libc: lseek(1) -> %d errno %d (ESPIPE %d)\n", r, e, ESPIPE);
    errno = 0;
    DIR *dir = opendir("/");
    e = errno;
    printf("libc: opendir -> %s errno %d\n", dir ? "a DIR" : "NULL", e);
    errno = 0, r = mkdir("/tmp", 0755), e = errno;
    printf("libc: mkdir -> %d errno %d; isatty(1) %d\n", r, e, isatty(1));
    errno = 0;
    void *huge = malloc((size_t)1 << 50), *p = NULL;
    e = errno;
    printf("libc: malloc(1 PiB) -> %s errno %d (ENOMEM %d)\n", huge ? "memory" : "NULL", e, ENOMEM);
    r = posix_memalign(&p, 4096, 100);
    printf("libc: posix_memalign -> %d, aligned %d\n", r, ((unsigned long)p & 4095) == 0);
    free(p);

    struct timespec t0, t1, nap = { 0, 30000000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    printf("libc: nanosleep 30 ms took at least 30 ms: %s; pid %d\n", ms >= 30 ? "yes" : "no",
           getpid());
    fflush(stdout);
    return 3;
}
