/*
 * start.c: from the kernel's entry to main(argc, argv, envp), and exit()
 * with what main returns. The argument block (clk/abi.h) is a run of
 * NUL-terminated strings: the arguments, an empty string, the environment;
 * it is parsed within its length, so a malformed block cannot run off.
 */
#include <actor/sys.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;
int main(int argc, char **argv, char **envp);

long clk_ncaps;
const struct clk_bootinfo *clk_bootinfo;

#define MAX_STRINGS 256

__attribute__((noreturn)) void __clk_libc_start(long ncaps, char *block, unsigned long len)
{
    static char *argv[MAX_STRINGS + 2], *envp[MAX_STRINGS + 2];
    int argc = 0, envc = 0;
    char **v = argv;
    int *count = &argc;
    clk_ncaps = ncaps;
    for (unsigned long i = 0; block && i < len;) {
        unsigned long n = 0;
        while (i + n < len && block[i + n])
            n++;
        if (i + n == len)
            break; /* an unterminated string: ignore it */
        if (n == 0 && v == argv) {
            v = envp, count = &envc; /* the empty string: the environment follows */
        } else if (n && *count < MAX_STRINGS) {
            v[(*count)++] = &block[i];
        }
        i += n + 1;
    }
    argv[argc] = envp[envc] = NULL;
    environ = envp;
    for (int i = 0; i < envc; i++) /* the kernel started us: we are the first actor */
        if (!strcmp(envp[i], "CLK_ROOT=1"))
            clk_bootinfo = (const struct clk_bootinfo *)CLK_BOOTINFO_VA;
    exit(main(argc, argv, envp));
}
