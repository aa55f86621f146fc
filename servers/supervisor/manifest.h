/*
 * manifest.h: the supervisor's boot manifest (/etc/services), parsed.
 *
 * One entry a line; '#' starts a comment. A service:
 *   service NAME [KEY=VALUE ...]
 *     bin=PATH       the binary in the initrd (default sbin/NAME)
 *     args=A,B,...   its arguments after argv[0]
 *     after=A,B,...  services it needs: they start first, and it is told
 *                    when one of them fails for good
 *     caps=A,B,...   capabilities beyond the registry and its endpoint:
 *                    device (the device authority), initrd (the initrd's
 *                    pages, read-only) and monitor (the monitor authority:
 *                    every actor's info, for ps), in any order
 *     prio=N         its priority, 1..15 (default 8; the supervisor runs at 16)
 *     memory=MIB     its page quota, 1..65536 MiB (default 32)
 *     restart=P      permanent (always restart it), transient (only after a
 *                    fault or a nonzero exit) or temporary (never)
 *     limit=N/S      at most N restarts (1..16) in S seconds, then it has
 *                    failed (default 5/10)
 *     heartbeat=MS   ping it every MS ms; a ping left unanswered for a
 *                    period means it hangs, so a hang is found within two
 *                    (default 0: no pings)
 *     stall=MS       a request that waited MS ms to be received means it
 *                    hangs, whether it answers pings or not (default 0: off)
 *     inject=yes     it obeys fault-injection commands (test services)
 *     control=yes    it may restart, update and inject faults into services
 *                    (the shell; test drivers)
 * and a group of services restarted together:
 *   group NAME one_for_all|rest_for_one MEMBER...
 * (one_for_all: a member's restart restarts them all; rest_for_one: it
 * restarts the members listed after it.)
 *
 * A malformed line is reported (with its number) and left out; so is a
 * service whose dependencies are missing or circular. The rest stands.
 */
#ifndef SUPERVISOR_MANIFEST_H
#define SUPERVISOR_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#define SVC_MAX       32
#define SVC_NAME_MAX  32 /* with the NUL; as ACTOR_NAME_MAX */
#define SVC_PATH_MAX  64
#define SVC_ARGS_MAX  256 /* the arguments, each NUL-terminated */
#define SVC_DEPS_MAX  8
#define GROUP_MAX     8
#define SVC_LIMIT_MAX 16 /* restarts a window can count */

enum svc_restart { RESTART_PERMANENT, RESTART_TRANSIENT, RESTART_TEMPORARY };
enum group_strategy { GROUP_ONE_FOR_ALL, GROUP_REST_FOR_ONE };

#define SVC_CAP_DEVICE  1u /* caps=device: the device authority */
#define SVC_CAP_INITRD  2u /* caps=initrd: the initrd's memory object, read-only */
#define SVC_CAP_MONITOR 4u /* caps=monitor: the monitor authority, READ right only */

struct svc_spec {
    char name[SVC_NAME_MAX];
    char bin[SVC_PATH_MAX];
    char args[SVC_ARGS_MAX];
    unsigned args_len, nargs;
    unsigned deps[SVC_DEPS_MAX]; /* indices into manifest.svc */
    unsigned ndeps;
    unsigned caps; /* SVC_CAP_* */
    unsigned prio;
    unsigned memory_mib; /* its page quota */
    enum svc_restart restart;
    unsigned limit, period_s;
    unsigned heartbeat_ms, stall_ms;
    bool inject, control;
    int group; /* index into manifest.groups, or -1 */
    unsigned line;
};

struct group_spec {
    char name[SVC_NAME_MAX];
    enum group_strategy strategy;
    unsigned members[SVC_MAX]; /* in the order listed */
    unsigned nmembers;
    unsigned line;
};

struct manifest {
    struct svc_spec svc[SVC_MAX];
    unsigned nsvc;
    struct group_spec groups[GROUP_MAX];
    unsigned ngroups;
    unsigned order[SVC_MAX]; /* the services to start, dependencies first */
    unsigned norder;
};

/* Called for each problem: LINE (1-based; 0 for none) and what is wrong. */
typedef void manifest_error_fn(void *ctx, unsigned line, const char *what);

/* Parse LEN bytes of TEXT into M. Returns the number of problems. */
unsigned manifest_parse(const char *text, size_t len, struct manifest *m, manifest_error_fn *err,
                        void *ctx);

/* The index of the service NAME, or -1. */
int manifest_find(const struct manifest *m, const char *name);

#endif
