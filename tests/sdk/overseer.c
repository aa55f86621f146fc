/*
 * overseer.c: a tiny supervisor on libactor's own main(). Slot 1 is a
 * memory object holding an actor's ELF image of SIZE bytes (argv[1]; the
 * runner's file: word makes it). It starts that actor twice with its fault
 * mailbox, badged 1 and 2; the loop hands each fault to the fault handler,
 * which reports it and kills the actor.
 */
#include <actor/actor.h>
#include <stdio.h>
#include <stdlib.h>

#define IMAGE_VA 0x500000000000UL

static long children[2];
static int faults;

static void fault(const struct actor_fault *f)
{
    unsigned long i = f->badge - 1;
    printf("overseer: child %lu faulted: vector %lu, address %#lx\n", (unsigned long)f->badge,
           (unsigned long)f->vector, (unsigned long)f->address);
    printf("overseer: kill it -> %ld\n", i < 2 ? clk_actor_kill(children[i]) : CLK_EINVAL);
    if (++faults == 2) {
        fflush(stdout);
        exit(0);
    }
}

static long init(int argc, char **argv)
{
    if (argc != 2 || clk_ncaps != 1)
        return CLK_EINVAL;
    unsigned long size = strtoul(argv[1], NULL, 10);
    long err = clk_map(1, IMAGE_VA, 0), mailbox = actor_fault_mailbox();
    if (err || mailbox < 0)
        return err ? err : mailbox;
    for (int i = 0; i < 2; i++) {
        static const char args[] = "child";
        struct clk_spawn sp = {
            .elf = IMAGE_VA,
            .len = size,
            .name = (uint64_t) "child",
            .prio = CLK_PRIO_DEFAULT,
            .fault = (uint64_t)clk_cap_mint(mailbox, CLK_RIGHT_SEND, (uint64_t)i + 1),
            .args = (uint64_t)args,
            .args_len = sizeof(args),
        };
        children[i] = clk_spawn(&sp);
        printf("overseer: started child %d: %s\n", i + 1, children[i] > 0 ? "yes" : "no");
    }
    return 0;
}

const struct actor_def actor = { .init = init, .fault = fault };
