/*
 * actor/supervisor.h: the supervisor's protocol. The supervisor is the
 * first actor; it starts the services of the boot manifest (/etc/services),
 * restarts them, updates them live and serves the name registry. Find it
 * with actor_lookup("supervisor", ...), or, from a service it started,
 * through the first capability (ACTOR_NAMES_SLOT: the registry is the
 * supervisor), whose badge says which service calls. SUP_RESTART,
 * SUP_UPDATE, SUP_INJECT, SUP_SHUTDOWN and SUP_REBOOT are only for services
 * that the manifest marks control=yes (CLK_EPERM for any other caller).
 * Names are services' names.
 *
 *   SUP_STATUS   uint32_t index -> struct sup_status of the INDEX-th
 *                service (manifest order); CLK_ENOENT past the last
 *   SUP_RESTART  struct sup_name -> 0: stopped and started again (its
 *                memory is lost; clients recover through libactor)
 *   SUP_UPDATE   struct sup_update -> struct sup_update_result: the
 *                running instance hands its state to a new one, started
 *                from BIN (or its own binary when BIN is empty); requests
 *                that come meanwhile wait for the new instance. When the
 *                new one does not start or restore, the old binary is
 *                started again with the same state (a rollback: status
 *                CLK_EIO, and ROLLED_BACK set). With a memory object
 *                passed along (GRANT), the new binary is the ELF of
 *                ELF_LEN bytes in it, which the supervisor keeps (BIN
 *                names it, "/path" as the sender read it; the service
 *                shows "/path@N"): CLK_EINVAL for a length out of range
 *                or an object of another size, CLK_ENOMEM when
 *                SUP_IMAGES such binaries are in use already
 *   SUP_LOG      uint64_t first sequence number -> up to SUP_LOG_BATCH
 *                struct sup_event, oldest first (the log keeps the last
 *                SUP_LOG_KEPT)
 *   SUP_INJECT   struct sup_inject -> 0: make a service that allows it
 *                (manifest: inject=yes) misbehave; CLK_EPERM otherwise
 *   SUP_SHUTDOWN (nothing) -> no answer when it works: the machine powers
 *                off (ACPI S5). The caller syncs its files first; the
 *                supervisor logs the request, stops every service in
 *                reverse dependency order (the caller too), prints
 *                "supervisor: powering off" and writes the firmware's
 *                sleep type. CLK_ENOSYS at once when the firmware told no
 *                way to power off (nothing is stopped then); CLK_EAGAIN
 *                while an update runs. Should the machine still run a
 *                second later, the services start again as at boot and
 *                the event log says so.
 *   SUP_REBOOT   (nothing) -> as SUP_SHUTDOWN, but a reset ("supervisor:
 *                rebooting"): the ACPI reset register, then the keyboard
 *                controller
 *   SUP_KILL     struct sup_kill -> 0: kill the running instance of the
 *                service NAME (or, with NAME empty, the service whose
 *                instance is actor ACTOR_ID); what follows is as after a
 *                crash: its restart policy (control=yes only; CLK_ENOENT
 *                when no running service matches)
 *   SUP_REGISTRY -> a registry capability for a program that a service
 *                starts (the shell's run): lookups and registrations of
 *                new names, never control (anyone may ask)
 *   SUP_METRICS  struct sup_metrics_req -> up to SUP_METRICS_BATCH struct
 *                sup_metric, one per live actor from the FIRST-th on (in
 *                the order of the supervisor's table), each what the actor
 *                did over the last WINDOW_MS (0: 1000; the supervisor
 *                samples every 100 ms and keeps 6.4 s). Fewer than
 *                SUP_METRICS_BATCH: the last page. Only for services that
 *                the manifest gives the monitor authority (caps=monitor),
 *                which could read the counters themselves: CLK_EPERM for
 *                any other caller
 */
#ifndef ACTOR_SUPERVISOR_H
#define ACTOR_SUPERVISOR_H

#include <actor/actor.h>

enum sup_type {
    SUP_STATUS = 16, /* after the registry's types: one loop serves both */
    SUP_RESTART = 17,
    SUP_UPDATE = 18,
    SUP_LOG = 19,
    SUP_INJECT = 20,
    SUP_SHUTDOWN = 21,
    SUP_REBOOT = 22,
    SUP_KILL = 24,
    SUP_REGISTRY = 25,
    SUP_METRICS = 26,
    SUP_REPORT = 27,
    SUP_WHY = 28,
    SUP_MODEL_GET = 29,
    SUP_MODEL_PUT = 30,
};

enum sup_state {
    SUP_STOPPED,  /* not started: its dependencies are not up */
    SUP_RUNNING,  /* an instance runs */
    SUP_BACKOFF,  /* ended; it starts again after a delay */
    SUP_FAILED,   /* over its restart limit, or cannot start */
    SUP_UPDATING, /* handing its state to a new instance */
    SUP_DONE,     /* ended, and its policy says it stays so */
};

/* A service that exits with this status has nothing to do on this machine
 * (a driver that finds no device): whatever its restart policy, it stays
 * down (SUP_DONE) and its endpoint is closed, so that its clients get
 * CLK_EDEAD instead of waiting. An operator's restart tries again. (As
 * Erlang's `ignore`; 78 is EX_CONFIG in BSD's sysexits.h.) */
#define SUP_EXIT_IGNORE 78

struct sup_name {
    char name[ACTOR_NAME_MAX];
};

#define SUP_PATH_MAX 64

struct sup_status {
    char name[ACTOR_NAME_MAX];
    char bin[SUP_PATH_MAX];
    uint32_t state; /* enum sup_state */
    uint32_t prio;
    uint64_t actor_id;   /* of the running instance, or 0 */
    uint64_t restarts;   /* since boot */
    uint64_t started_ns; /* when the running instance started (clk_clock_ns) */
};

struct sup_update {
    char name[ACTOR_NAME_MAX];
    char bin[SUP_PATH_MAX]; /* an initrd path, or "", or the name of a passed ELF */
    uint64_t elf_len;       /* with a memory object passed: the ELF's bytes in it */
};

#define SUP_IMAGES    8           /* binaries kept from updates (not in the initrd) */
#define SUP_IMAGE_MAX (16u << 20) /* the largest such binary, bytes */

struct sup_update_result {
    uint64_t duration_ns; /* the swap, which clients wait for: from the old
                             instance's save to the new one's first answer */
    uint64_t total_ns;    /* from the request, starting the new instance first */
    uint64_t state_bytes;
    uint64_t rolled_back;
};

enum sup_event_kind {
    SUP_EV_START,
    SUP_EV_EXIT,
    SUP_EV_FAULT,
    SUP_EV_HANG,
    SUP_EV_RESTART,
    SUP_EV_UPDATE,
    SUP_EV_ROLLBACK,
    SUP_EV_FAILED,
    SUP_EV_ERROR,
    SUP_EV_POWER,   /* a power-off or reboot asked for, or failed */
    SUP_EV_ANOMALY, /* a sustained deviation from what the service normally does */
    SUP_EV_PREDICT, /* a resource trend that ends in exhaustion: rejuvenation */
    SUP_EV_DECIDE,  /* the recovery action chosen, and why */
    SUP_EV_OUTCOME, /* how a recovery action turned out, and its reward */
};

struct sup_event {
    uint64_t seq, time_ns;
    uint32_t kind; /* enum sup_event_kind */
    char service[ACTOR_NAME_MAX];
    char text[84];
};

#define SUP_LOG_BATCH (CLK_MSG_MAX / sizeof(struct sup_event))
#define SUP_LOG_KEPT  256

/* Fault injection (test services; libactor carries it out). */
enum sup_fault {
    SUP_FAULT_CRASH = 1,     /* write to address 0 */
    SUP_FAULT_HANG = 2,      /* spin forever, answering nothing */
    SUP_FAULT_LEAK = 3,      /* take 64 KiB more memory every 10 ms */
    SUP_FAULT_FLOOD = 4,     /* the supervisor floods it with requests for 1 s */
    SUP_FAULT_BAD_REPLY = 5, /* its next answer is malformed */
};

struct sup_kill {
    char name[ACTOR_NAME_MAX]; /* a service, or "" */
    uint64_t actor_id;         /* with NAME "": its running instance's id */
};

struct sup_inject {
    char name[ACTOR_NAME_MAX];
    uint32_t fault; /* enum sup_fault */
};

struct sup_metrics_req {
    uint32_t window_ms; /* 0: 1000 */
    uint32_t first;     /* the first entry wanted (paging) */
};

/* SUP_REPORT: a client tells the supervisor that service NAME misbehaved
 * towards it. A report can end in a restart, so only services that may
 * restart others (control=yes) may report; CLK_EPERM for the rest. */
enum sup_report_kind {
    SUP_REPORT_BAD_REPLY = 1, /* an answer that does not parse */
    SUP_REPORT_ERROR = 2,     /* an error that should not happen (EIO, ...) */
};

struct sup_report {
    char name[ACTOR_NAME_MAX];
    uint32_t kind; /* enum sup_report_kind */
    uint32_t pad;
};

/* SUP_WHY: struct sup_name -> the text below (NUL-terminated lines) */
#define SUP_WHY_MAX 2048

/* SUP_MODEL_GET: uint64_t version seen -> the learned recovery model as
 * text, once its version is newer (the answer waits until it is); the
 * version is the first 8 bytes of the answer. SUP_MODEL_PUT: the text
 * read back at boot -> 0. Both only for the service named supstore. */
#define SUP_MODEL_MAX (CLK_MSG_MAX - 8)

/* What one actor did over a window (docs/supervisor.md, "Metrics"). */
struct sup_metric {
    uint64_t actor_id;
    char name[ACTOR_NAME_MAX];
    uint32_t service;        /* 1: the running instance of a manifest service */
    uint32_t cpu_permille;   /* CPU time used, per mille of one CPU */
    uint32_t msgs_in_per_s;  /* messages received per second */
    uint32_t msgs_out_per_s; /* messages sent per second */
    uint32_t syscalls_per_s; /* system calls per second */
    uint32_t faults;         /* faults taken in the window */
    uint32_t mailbox_depth;  /* messages waiting now */
    uint32_t mailbox_max;    /* the most that waited at a sample in the window */
    uint64_t pages;          /* 4 KiB pages it pays for now */
    uint64_t window_ns;      /* the time the rates are over (0: only one sample yet) */
};
_Static_assert(sizeof(struct sup_metric) == 88, "sup_metric layout is protocol");

#define SUP_METRICS_BATCH (CLK_MSG_MAX / sizeof(struct sup_metric))

#endif
