"""ACTOR_INFO and the monitor authority: tests/actors/actor_info.c boots as
the root actor, which the kernel gives the monitor authority
(clk_bootinfo.monitor_cap), and checks what the kernel says of itself and
of the children it starts (one "actor_info: ok NAME" line per check).
Every check of the source must have passed. The same actor runs on a
kernel without the IPC fast path, where messages must be counted alike."""
import re

from conftest import ROOT

CHECKS = re.findall(r'\bcheck\(\s*"([^"]+)"', (ROOT / "tests" / "actors" / "actor_info.c").read_text())


def run(boot, **kw):
    m = boot(cmdline="init=test/actor_info", **kw)
    m.expect(r"actor_info: done, \d+ failures", timeout=60)
    m.expect(r"actor 1 \(actor_info\) exited with status 0")
    assert "actor_info: FAIL" not in m.text, re.findall(r"actor_info: FAIL .*", m.text)
    assert len(CHECKS) > 60
    for name in CHECKS:
        assert f"actor_info: ok {name}\n" in m.text, name
    assert "actor_info: done, 0 failures\n" in m.text
    return m


def ipc_paths(m):
    found = re.search(r"actor_info: 100 calls: (\d+) fast-path and (\d+) slow-path", m.text)
    return int(found.group(1)), int(found.group(2))


def test_the_root_reads_every_actor_through_the_monitor_authority(boot):
    """Its own entry (id, name, state, priority, pages, capabilities,
    syscalls one by one, CPU time while it computes), a spinning child's
    CPU time growing, 100 calls and replies counted on both sides (here on
    the fast path), mailbox depth and messages, the states of children
    that sleep, wait, call and fault, a thread's counters outliving it,
    and CLK_EBADF, CLK_EPERM, CLK_EFAULT and CLK_ENOENT where due."""
    m = run(boot)
    assert ipc_paths(m) == (200, 0)
    assert "actor_info: actor 1, 1 capability, device authority in slot 1, initrd in slot 2, " \
           "monitor authority in slot 3\n" in m.text
    spun = [int(x) for x in re.search(r"forever used (\d+) ms, then (\d+) ms, then (\d+) ms",
                                      m.text).groups()]
    assert spun[0] < spun[1] < spun[2]
    computed = int(re.search(r"computing 30 ms took (\d+) us", m.text).group(1))
    assert 30000 <= computed < 60000
    # the child it spawned without the authority found none
    assert "actor_info child: 64 of 64 slots refused\n" in m.text


def test_messages_are_counted_on_the_slow_path_too(boot, slowpath_iso):
    """The same checks on a kernel built with IPC_FASTPATH=0: every call
    and reply takes the slow path and counts the same."""
    m = run(boot, iso=slowpath_iso)
    fast, slow = ipc_paths(m)
    assert fast == 0 and slow >= 200
