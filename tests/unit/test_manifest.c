/*
 * test_manifest.c: the supervisor's boot manifest parser
 * (servers/supervisor/manifest.c): keys and defaults, the capability list,
 * dependency order, groups, and malformed lines reported by number while
 * the rest stands.
 */
#include "manifest.h"
#include <unit.h>

static char errors[32][96];
static unsigned nerrors;

static void collect(void *ctx, unsigned line, const char *what)
{
    (void)ctx;
    if (nerrors < 32)
        snprintf(errors[nerrors++], sizeof(errors[0]), "%u: %s", line, what);
}

static struct manifest m;

static unsigned parse(const char *text)
{
    nerrors = 0;
    memset(&m, 0xA5, sizeof(m));
    return manifest_parse(text, strlen(text), &m, collect, NULL);
}

static const char *ordered(void)
{
    static char out[256];
    out[0] = '\0';
    for (unsigned i = 0; i < m.norder; i++) {
        strcat(out, i ? " " : "");
        strcat(out, m.svc[m.order[i]].name);
    }
    return out;
}

static void test_typical(void)
{
    CHECK_EQ(parse("# the boot manifest\n"
                   "service shell after=vfs,net prio=10 args=-q,--color\n"
                   "\n"
                   "service vfs after=block restart=permanent heartbeat=500 stall=2000 memory=96\n"
                   "service net caps=device restart=transient limit=3/60   # a comment\n"
                   "service block\tcaps=device bin=sbin/virtio-blk inject=yes control=yes\n"
                   "service demo restart=temporary args=\n"),
             0);
    CHECK_EQ(m.nsvc, 5);
    CHECK_STR(ordered(), "net block vfs shell demo");
    const struct svc_spec *shell = &m.svc[manifest_find(&m, "shell")];
    CHECK_STR(shell->bin, "sbin/shell");
    CHECK_EQ(shell->prio, 10);
    CHECK_EQ(shell->nargs, 2);
    CHECK_EQ(shell->args_len, 11);
    CHECK(memcmp(shell->args, "-q\0--color\0", 11) == 0);
    CHECK_EQ(shell->ndeps, 2);
    CHECK_EQ(shell->restart, RESTART_PERMANENT);
    CHECK_EQ(shell->limit, 5);
    CHECK_EQ(shell->period_s, 10);
    CHECK_EQ(shell->line, 2);
    CHECK_EQ(shell->group, -1);
    const struct svc_spec *vfs = &m.svc[manifest_find(&m, "vfs")];
    CHECK_EQ(vfs->heartbeat_ms, 500);
    CHECK_EQ(vfs->memory_mib, 96);
    CHECK_EQ(shell->memory_mib, 32);
    CHECK_EQ(vfs->stall_ms, 2000);
    const struct svc_spec *net = &m.svc[manifest_find(&m, "net")];
    CHECK_EQ(net->caps, SVC_CAP_DEVICE);
    CHECK_EQ(net->restart, RESTART_TRANSIENT);
    CHECK_EQ(net->limit, 3);
    CHECK_EQ(net->period_s, 60);
    const struct svc_spec *block = &m.svc[manifest_find(&m, "block")];
    CHECK_STR(block->bin, "sbin/virtio-blk");
    CHECK(block->inject && block->control);
    CHECK(!vfs->inject && !vfs->control);
    const struct svc_spec *demo = &m.svc[manifest_find(&m, "demo")];
    CHECK_EQ(demo->restart, RESTART_TEMPORARY);
    CHECK_EQ(demo->nargs, 0);
    CHECK_EQ(manifest_find(&m, "nope"), -1);
}

static void test_bad_lines_are_named_and_the_rest_stands(void)
{
    CHECK_EQ(parse("service good\n"
                   "servce typo\n"
                   "service\n"
                   "service Bad\n"
                   "service good\n"
                   "service p prio=0\n"
                   "service q prio=99999999999999999999\n"
                   "service r restart=sometimes\n"
                   "service s limit=5\n"
                   "service t colour=blue\n"
                   "service u justaword\n"
                   "service v caps=disk\n"
                   "service w after=a,,b\n"
                   "service x heartbeat=-1\n"
                   "service also_good after=good\n"
                   "service y memory=0\n"
                   "service z memory=65537\n"),
             15);
    CHECK_EQ(nerrors, 15);
    CHECK_STR(errors[0], "2: expected service or group");
    CHECK_STR(errors[1], "3: service: expected a name (a-z, 0-9, _ and -, at most 31)");
    CHECK_STR(errors[2], "4: service: expected a name (a-z, 0-9, _ and -, at most 31)");
    CHECK_STR(errors[3], "5: service: a service of that name exists already");
    CHECK_STR(errors[4], "6: prio: not 1..15 (the supervisor runs at 16)");
    CHECK_STR(errors[5], "7: prio: not 1..15 (the supervisor runs at 16)");
    CHECK_STR(errors[6], "8: restart: not permanent, transient or temporary");
    CHECK_STR(errors[7], "9: limit: not N/SECONDS (1..16 in 1..3600 s)");
    CHECK_STR(errors[8], "10: unknown key");
    CHECK_STR(errors[9], "11: expected KEY=VALUE");
    CHECK_STR(errors[10], "12: caps: not a list of device, initrd and monitor");
    CHECK_STR(errors[11], "13: after: bad names, or more than 8");
    CHECK_STR(errors[12], "14: heartbeat: not 0..600000 ms");
    CHECK_STR(errors[13], "16: memory: not 1..65536 MiB");
    CHECK_STR(errors[14], "17: memory: not 1..65536 MiB");
    CHECK_STR(ordered(), "good also_good");
}

static void test_caps(void)
{
    CHECK_EQ(parse("service a caps=device,initrd\n"
                   "service b caps=initrd\n"
                   "service c caps=initrd,device\n"
                   "service d caps=\n"
                   "service e\n"
                   "service f caps=device,initrd,device\n"
                   "service g caps=device caps=initrd\n"
                   "service h caps=initrd,\n"
                   "service i caps=,initrd\n"
                   "service j caps=device,,initrd\n"
                   "service k caps=initrd,disk\n"
                   "service l caps=Initrd\n"
                   "service m caps=initrds\n"
                   "service n caps=init\n"
                   "service o caps=device\tinitrd\n"
                   "service p caps=monitor\n"
                   "service q caps=initrd,monitor,device\n"
                   "service r caps=monitors\n"
                   "service s caps=monitor,\n"),
             10);
    CHECK_EQ(m.nsvc, 9);
    CHECK_EQ(m.svc[manifest_find(&m, "p")].caps, SVC_CAP_MONITOR);
    CHECK_EQ(m.svc[manifest_find(&m, "q")].caps, SVC_CAP_DEVICE | SVC_CAP_INITRD | SVC_CAP_MONITOR);
    CHECK_STR(errors[8], "18: caps: not a list of device, initrd and monitor");
    CHECK_STR(errors[9], "19: caps: not a list of device, initrd and monitor");
    CHECK_EQ(manifest_find(&m, "r"), -1);
    CHECK_EQ(manifest_find(&m, "s"), -1);
    CHECK_EQ(m.svc[manifest_find(&m, "a")].caps, SVC_CAP_DEVICE | SVC_CAP_INITRD);
    CHECK_EQ(m.svc[manifest_find(&m, "b")].caps, SVC_CAP_INITRD);
    CHECK_EQ(m.svc[manifest_find(&m, "c")].caps, SVC_CAP_DEVICE | SVC_CAP_INITRD);
    CHECK_EQ(m.svc[manifest_find(&m, "d")].caps, 0);
    CHECK_EQ(m.svc[manifest_find(&m, "e")].caps, 0);
    CHECK_EQ(m.svc[manifest_find(&m, "f")].caps, SVC_CAP_DEVICE | SVC_CAP_INITRD);
    CHECK_EQ(m.svc[manifest_find(&m, "g")].caps, SVC_CAP_DEVICE | SVC_CAP_INITRD);
    for (unsigned i = 0; i < 7; i++) {
        char want[64];
        snprintf(want, sizeof(want), "%u: caps: not a list of device, initrd and monitor", i + 8);
        CHECK_STR(errors[i], want);
    }
    CHECK_STR(errors[7], "15: expected KEY=VALUE");
    CHECK_EQ(manifest_find(&m, "h"), -1);
    CHECK_EQ(manifest_find(&m, "o"), -1);
}

static void test_dependencies(void)
{
    CHECK_EQ(parse("service a after=b\n"
                   "service b after=a\n"
                   "service c after=missing\n"
                   "service d after=c\n"
                   "service e after=e\n"
                   "service f\n"
                   "service g after=f,f\n"),
             5);
    CHECK_STR(errors[0], "3: after: no such service");
    CHECK_STR(errors[1], "5: after: itself");
    CHECK_STR(errors[2], "1: after: a dependency cycle, or a dependency left out");
    CHECK_STR(errors[3], "2: after: a dependency cycle, or a dependency left out");
    CHECK_STR(errors[4], "4: after: a dependency cycle, or a dependency left out");
    CHECK_STR(ordered(), "f g");
}

static void test_groups(void)
{
    CHECK_EQ(parse("service block\n"
                   "service vfs after=block\n"
                   "service net\n"
                   "group storage rest_for_one block vfs\n"
                   "group all one_for_all net\n"
                   "group twice one_for_all net\n"
                   "group bad sideways net\n"
                   "group lonely one_for_all\n"
                   "group ghost one_for_all nobody\n"),
             4);
    CHECK_STR(errors[0], "7: group: the strategy is one_for_all or rest_for_one");
    CHECK_STR(errors[1], "8: group: expected NAME STRATEGY MEMBER...");
    CHECK_STR(errors[2], "6: group: a service in two groups");
    CHECK_STR(errors[3], "9: group: no such service");
    CHECK_EQ(m.ngroups, 4);
    CHECK_STR(m.groups[0].name, "storage");
    CHECK_EQ(m.groups[0].strategy, GROUP_REST_FOR_ONE);
    CHECK_EQ(m.groups[0].nmembers, 2);
    CHECK_EQ(m.groups[0].members[1], (unsigned)manifest_find(&m, "vfs"));
    CHECK_EQ(m.svc[manifest_find(&m, "vfs")].group, 0);
    CHECK_EQ(m.svc[manifest_find(&m, "net")].group, 1);
    CHECK_EQ(m.groups[2].nmembers, 0);
    CHECK_STR(ordered(), "block vfs net");
}

static void test_limits(void)
{
    char text[64 * 40], *p = text;
    for (int i = 0; i < SVC_MAX + 2; i++)
        p += sprintf(p, "service s%d\n", i);
    CHECK_EQ(parse(text), 2);
    CHECK_EQ(m.nsvc, SVC_MAX);
    CHECK_STR(errors[0], "33: service: too many services (at most 32)");

    char line[700];
    memset(line, 'x', sizeof(line));
    memcpy(line, "service a args=", 15);
    line[sizeof(line) - 1] = '\0';
    CHECK_EQ(parse(line), 1);
    CHECK_STR(errors[0], "1: the line is too long (at most 511 bytes)");

    CHECK_EQ(manifest_parse("service a\0 b\nservice c\n", 22, &m, collect, NULL), 1);
    CHECK_EQ(m.nsvc, 1);
    CHECK_STR(m.svc[0].name, "c");
    CHECK_EQ(parse(""), 0);
    CHECK_EQ(m.nsvc, 0);
    CHECK_EQ(m.norder, 0);
}

int main(void)
{
    test_typical();
    test_bad_lines_are_named_and_the_rest_stands();
    test_caps();
    test_dependencies();
    test_groups();
    test_limits();
    puts("test_manifest: ok");
    return 0;
}
