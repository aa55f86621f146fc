/*
 * monitor.h: what the kernel tells about actors, for ps, mem and the
 * supervisor. Reading it needs the monitor authority (CAP_MONITOR), a
 * capability with no object that the kernel gives the root actor at boot,
 * as it gives the device authority; copies go to whoever may watch (the
 * shell).
 */
#ifndef CLK_MONITOR_H
#define CLK_MONITOR_H

#include <cap.h>
#include <clk/abi.h>

struct actor;

/* The monitor authority, which the kernel puts in the root actor's table
 * at boot. */
extern const struct cap monitor_authority;

/* Fill *OUT with what the kernel knows of A. Changes nothing. */
void actor_info(const struct actor *a, struct clk_actor_info *out);

#endif
