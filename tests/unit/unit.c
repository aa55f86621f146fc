/*
 * unit.c: the host test framework (see unit.h) and the kpanic() that pure
 * kernel code calls when linked into a unit test or a fuzz target.
 */
#include <panic.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unit.h>

jmp_buf *volatile unit_panic_jmp;
char unit_panic_msg[512];
bool unit_abort_on_fail;

static bool panicked;
static uint64_t rng_state, rng_seed;

__noreturn void kpanic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(unit_panic_msg, sizeof(unit_panic_msg), fmt, ap);
    va_end(ap);
    panicked = true;

    jmp_buf *jb = unit_panic_jmp;
    if (jb) {
        unit_panic_jmp = NULL;
        longjmp(*jb, 1);
    }
    fprintf(stderr, "kpanic: %s\n", unit_panic_msg);
    abort();
}

__noreturn void unit_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s:%d: FAILED: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    if (unit_abort_on_fail)
        abort();
    exit(1);
}

void unit_check_panic(const char *file, int line, const char *substr)
{
    if (!panicked)
        unit_fail(file, line, "expected a panic containing \"%s\"", substr);
    panicked = false;
    if (!strstr(unit_panic_msg, substr))
        unit_fail(file, line, "panic \"%s\" does not contain \"%s\"", unit_panic_msg, substr);
}

void unit_run(const char *name, void (*fn)(void))
{
    panicked = false;
    fn();
    printf("ok %s\n", name);
    fflush(stdout);
}

void unit_run_isolated(const char *name, void (*fn)(void))
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        unit_fail(__FILE__, __LINE__, "fork failed");
    if (pid == 0) {
        panicked = false;
        fn();
        fflush(stdout);
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        unit_fail(__FILE__, __LINE__, "%s failed in its child process (status %#x)", name, status);
    printf("ok %s\n", name);
    fflush(stdout);
}

/* splitmix64: tiny, and good enough to drive randomized tests. */
uint64_t unit_rand(void)
{
    if (!rng_seed)
        unit_srand(0);
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void unit_srand(uint64_t seed)
{
    const char *env = getenv("UNIT_SEED");
    if (!seed && env)
        seed = strtoull(env, NULL, 0);
    rng_seed = seed ? seed : 0xC1C1C1C1ULL;
    rng_state = rng_seed;
}

uint64_t unit_rand_below(uint64_t n)
{
    return unit_rand() % n;
}

uint64_t unit_seed(void)
{
    if (!rng_seed)
        unit_srand(0);
    return rng_seed;
}

/* libFuzzer calls this before fuzzing (unit tests never do): in a fuzz target
 * a failed CHECK or a kpanic() must abort, so that libFuzzer reports it. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    unit_abort_on_fail = true;
    return 0;
}
