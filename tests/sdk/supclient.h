/*
 * supclient.h: what the supervisor's test clients (supctl.c, campaign.c)
 * both ask it.
 */
#ifndef SUPCLIENT_H
#define SUPCLIENT_H

#include <actor/supervisor.h>
#include <stdio.h>
#include <string.h>

/* The running instance of service NAME (SUP_STATUS), or 0. */
static inline uint64_t sup_instance(const char *name)
{
    for (uint32_t i = 0;; i++) {
        struct sup_status st;
        size_t len = sizeof(st);
        if (actor_call(ACTOR_NAMES_SLOT, SUP_STATUS, &i, sizeof(i), &st, &len))
            return 0;
        if (!strncmp(st.name, name, sizeof(st.name)))
            return st.state == SUP_RUNNING ? st.actor_id : 0;
    }
}

/* Tell the supervisor that service NAME misbehaved towards us (KIND: enum
 * sup_report_kind). Returns its answer: CLK_EPERM without control=yes. */
static inline long sup_report(const char *name, uint32_t kind)
{
    struct sup_report q = { .kind = kind };
    snprintf(q.name, sizeof(q.name), "%s", name);
    return actor_call(ACTOR_NAMES_SLOT, SUP_REPORT, &q, sizeof(q), NULL, NULL);
}

#endif
