/*
 * start_actor.c: actor_main, how libactor's main() (main.c) and any other
 * main start an actor: its init, the state it was handed, then serving;
 * and actor_serve_control, for an actor whose first thread does something
 * else. The environment says what the supervisor gave (actor/actor.h).
 */
#include <actor/actor.h>
#include <stdlib.h>

#define REG_BYTES (8 * CLK_MSG_REGS)

long actor_main(const struct actor_def *def, int argc, char **argv)
{
    if (getenv("ACTOR_INJECT"))
        actor_allow_injection();
    long err = def->init ? def->init(argc, argv) : 0;
    if (err)
        return err;
    const char *state = getenv("ACTOR_STATE"), *ep = getenv("ACTOR_ENDPOINT");
    if (state) { /* SLOT,LENGTH */
        char *comma;
        long slot = strtol(state, &comma, 10);
        uint64_t len = *comma == ',' ? strtoull(comma + 1, NULL, 10) : 0;
        if ((err = actor_restore(def, slot, len)) < 0)
            return err;
    }
    const char *handover = getenv("ACTOR_HANDOVER");
    if (ep && handover)
        return actor_serve_handover(strtol(handover, NULL, 10), strtol(ep, NULL, 10), def);
    if (ep)
        return actor_serve(strtol(ep, NULL, 10), def);
    if (def->name)
        return actor_serve_named(def->name, def);
    long own = clk_endpoint_create();
    return own < 0 ? own : actor_serve(own, def);
}

/* ---- the supervisor's control requests, on a thread of their own ---- */

static struct {
    long ep, handover;
    bool may_inject;
} ctl;

/* Answer the call owed with STATUS and LEN (at most 64) bytes of DATA. */
static void answer(long status, const void *data, size_t len)
{
    struct clk_msg m = { CLK_TAG((unsigned)status, len), { 0 } };
    __builtin_memcpy(m.w, data, len);
    clk_reply(&m);
}

/* One control request in M (badge 0): answered; true when the instance
 * must serve EP from now on (RESTORE on the handover endpoint). */
static bool control(const struct clk_msg *m)
{
    unsigned type = CLK_TAG_LABEL(m->tag), len = CLK_TAG_LEN(m->tag);
    long cap = CLK_TAG_CAP(m->tag);
    if (cap)
        clk_cap_delete(cap); /* no state is taken */
    switch (type) {
    case ACTOR_CTL_PING: answer(0, NULL, 0); return false;
    case ACTOR_CTL_SAVE: { /* nothing to hand over; this instance ends */
        uint64_t none = 0;
        answer(0, &none, sizeof(none));
        clk_exit(0);
    }
    case ACTOR_CTL_RESTORE:
        answer(len == 8 && !cap && m->w[0] == 0 ? 0 : CLK_ENOSYS, NULL, 0);
        return len == 8 && !cap && m->w[0] == 0;
    case ACTOR_CTL_DEPENDENCY_FAILED: answer(0, NULL, 0); return false;
    case ACTOR_CTL_INJECT: {
        uint32_t kind = len == 4 ? (uint32_t)m->w[0] : 0;
        if (!ctl.may_inject || (kind != 1 && kind != 2)) {
            answer(ctl.may_inject ? CLK_EINVAL : CLK_EPERM, NULL, 0);
            return false;
        }
        answer(0, NULL, 0);
        if (kind == 1) /* SUP_FAULT_CRASH */
            *(volatile int *)0 = 1;
        for (;;) /* SUP_FAULT_HANG: pings go unanswered */
            __asm__ volatile("pause");
    }
    default: answer(CLK_ENOSYS, NULL, 0); return false;
    }
}

static void control_thread(void *arg, void *ipcbuf)
{
    (void)arg, (void)ipcbuf;
    long from = ctl.handover ? ctl.handover : ctl.ep;
    for (;;) {
        struct clk_msg m;
        uint64_t badge;
        if (clk_recv(from, &m, &badge) < 0)
            clk_thread_exit();
        if (badge != 0) { /* not the supervisor's: this actor serves nobody here */
            answer(CLK_ENOSYS, NULL, 0);
            continue;
        }
        if (control(&m) && from == ctl.handover)
            from = ctl.ep; /* handed over: the service's own endpoint now */
    }
}

long actor_serve_control(void)
{
    const char *ep = getenv("ACTOR_ENDPOINT"), *handover = getenv("ACTOR_HANDOVER");
    if (!ep)
        return 0; /* not started by a supervisor */
    ctl.ep = strtol(ep, NULL, 10);
    ctl.handover = handover ? strtol(handover, NULL, 10) : 0;
    ctl.may_inject = getenv("ACTOR_INJECT") != NULL;
    long t = clk_thread_start(control_thread, NULL, NULL, 0);
    return t < 0 ? t : 0;
}
