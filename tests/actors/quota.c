/*
 * quota.c: spawned with a quota of 8 capability slots and 16 mailbox
 * slots (runner word "quota:8::/8/16"), it runs into both and reports.
 */
#include <actor/sys.h>

int main(void)
{
    long made = 0, last, first = 0;
    while ((last = clk_endpoint_create()) > 0)
        first = first ? first : last, made++;
    clk_printf("quota: %ld endpoints, then %ld\n", made, last);
    for (long i = 0; i < 3; i++)
        clk_cap_delete(first + i);
    long mb = clk_mailbox_create(16);
    long over = clk_mailbox_create(1);
    clk_printf("quota: mailbox of 16 -> %s, one more slot -> %ld\n", mb > 0 ? "ok" : "failed",
               over);
    clk_cap_delete(mb);
    mb = clk_mailbox_create(16);
    clk_printf("quota: after deleting it, a mailbox of 16 -> %s\n", mb > 0 ? "ok" : "failed");
    return 0;
}
