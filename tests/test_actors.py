"""Ring-3 actors (kernel core): loading, system calls, scheduling, faults.

Each test boots with the test runner (tests/actors/runner.c) as the root
actor; the words after "--" name the test actors it starts, in order.
"""
import re

from conftest import boot_runner as run
from conftest import wait_for_exits


def test_actor_runs_makes_syscalls_and_exits(boot):
    m = run(boot, "hello")
    wait_for_exits(m, ["runner", "hello"])
    for line in [r"actor 2 \(hello\) started: \d+ pages", r"runner: hello \(priority 8\) -> 2",
                 r"actor 1 \(runner\) exited with status 0",
                 r"hello: actor 2 says hello \(arg 0\)", r"actor 2 \(hello\) exited with status 7"]:
        assert re.search(line, m.text), line
    m.expect(r"idle: boot complete")


def test_faulting_actors_are_killed_and_others_keep_running(boot):
    m = run(boot, "fault_null fault_priv fault_div fault_stack hello")
    wait_for_exits(m, ["runner", "fault_null", "fault_priv", "fault_div", "fault_stack", "hello"])
    for pattern in [
            r"actor \d+ \(fault_null\) killed: page fault \(vector 14\) at RIP 0x40[0-9a-f]+, "
            r"address 0, error 0x6",
            r"actor \d+ \(fault_priv\) killed: general protection fault \(vector 13\)",
            r"actor \d+ \(fault_div\) killed: divide error \(vector 0\)",
            r"actor \d+ \(fault_stack\) killed: page fault \(vector 14\) at RIP 0x40[0-9a-f]+",
            r"hello: actor \d+ says hello",
            r"actor \d+ \(hello\) exited with status 7"]:
        assert re.search(pattern, m.text), pattern
    # The stack fault hit the guard page just below the 64 KiB stack.
    addr = int(re.search(r"fault_stack\) killed: .* address (0x[0-9a-f]+)", m.text).group(1), 16)
    assert 0x7FFFFFFEF000 - 4096 <= addr < 0x7FFFFFFEF000
    # The kernel itself is unharmed: console input still works.
    m.send("still alive")
    m.expect(r'kernel: got "still alive"')


def test_a_busy_loop_starves_nobody(boot):
    """forever never enters the kernel: preemption alone lets the others run."""
    m = run(boot, "forever sleeper:12 hello")
    wait_for_exits(m, ["runner", "sleeper", "hello"])
    assert re.search(r"forever: actor 2 spins", m.text)
    assert re.search(r"hello: actor \d+ says hello", m.text)
    assert re.search(r"sleeper: 10 naps of 20 ms in \d+ ms, the longest \d+ ms", m.text)
    assert "actor 3 (sleeper) exited with status 0" in m.text


def test_actors_of_one_priority_share_the_cpu(boot):
    m = run(boot, "spin spin")
    a = int(m.expect(r"spin: actor \d+ did (\d+) rounds", timeout=60).group(1))
    b = int(m.expect(r"spin: actor \d+ did (\d+) rounds", timeout=60).group(1))
    assert a > 0 and b > 0
    assert max(a, b) / min(a, b) < 2.0, (a, b)


def test_fpu_state_survives_switches(boot):
    m = run(boot, "fpu fpu forever")
    for _ in range(2):
        m.expect(r"fpu: actor \d+ (ok|MISMATCH) ", timeout=60)
    assert "MISMATCH" not in m.text
    assert len(re.findall(r"fpu: actor \d+ ok", m.text)) == 2


def test_syscalls_and_preemption_keep_registers(boot):
    """A syscall keeps all but rax, rcx and r11 (rcx and r11 come back as the
    return address and the flags, as SYSRET leaves them); a preempted loop
    keeps everything."""
    m = run(boot, "regs regs")
    wait_for_exits(m, ["runner", "regs", "regs"])
    assert len(re.findall(r"regs: actor \d+ ok", m.text)) == 2, re.findall(r"regs: .*", m.text)


def test_actors_and_ipc_on_a_cpu_without_pcid(boot):
    """The same kernel on qemu64, which has no PCID: every switch flushes."""
    m = run(boot, "ep echo_server:8:r client:8:s1 regs regs", qemu_args=["-cpu", "qemu64"])
    wait_for_exits(m, ["runner", "client", "regs", "regs"])
    assert "paging: no PCID on this CPU" in m.text
    assert re.search(r"client \d+: 1000 short and 20 long calls ok", m.text)
    assert len(re.findall(r"regs: actor \d+ ok", m.text)) == 2


def test_bad_spawns_get_error_codes(boot):
    m = run(boot, "bad-spawns")
    expected = {"null-image": -5, "kernel-image": -5, "bad-name": -5, "bad-priority": -1,
                "truncated": -1, "bad-magic": -1, "write-and-exec": -1, "unmapped-image": -5,
                "image-running-off-memory": -5, "unmapped-arguments": -5, "too-many-caps": -1,
                "bad-cap": -9, "bad-fault-mailbox": -9, "quota-above-own": -6,
                "image-over-page-quota": -2, "good": 0}
    wait_for_exits(m, ["runner", "hello"])  # only the good spawn started an actor
    got = dict((k, int(v)) for k, v in re.findall(r"runner: bad spawn (\S+) -> (-?\d+)", m.text))
    assert got == expected
    assert "runner: bad spawns done" in m.text
    assert 'cannot load "x": a segment is both writable and executable (W^X)' in m.text
    assert re.search(r"hello: actor \d+ says hello", m.text)


def test_benchmark_actors_report(boot):
    """make bench depends on these; here they only have to run and report."""
    m = run(boot, "bench_sys:9 bench_switch:7 bench_switch:7")
    wait_for_exits(m, ["runner", "bench_sys", "bench_switch", "bench_switch"])
    for label in ["null syscall \\(SELF\\)", "yield, nobody else ready", "yield \\+ address-space switch"]:
        assert re.search(rf"bench: {label} +\d+ ticks/op +\d+ ps/op", m.text), label


def test_a_million_hostile_syscalls(boot):
    """Random arguments everywhere: the kernel answers every call with a
    result, and the server and a later client keep working."""
    m = run(boot, "ep echo_server:8:r hostile:8:s7:64/32 client:8:s1 client:6:s2")
    wait_for_exits(m, ["runner", "hostile", "client", "client"], timeout=120)
    assert re.search(r"hostile: 1000000 random syscalls survived: \d+ succeeded, \d+ EFAULT", m.text)
    assert "actor 3 (hostile) exited with status 0" in m.text
    assert len(re.findall(r"client \d+: 1000 short and 20 long calls ok", m.text)) == 2
    m.send("kernel still there?")
    m.expect(r'kernel: got "kernel still there\?"')


def test_faults_go_to_the_fault_handler(boot):
    """With a fault mailbox ("watch"), a faulting actor is stopped, not
    destroyed, and its handler gets actor id, vector, address, RIP, error
    code and RSP; it then kills the actor through its actor capability.
    A second kill finds nobody (CLK_ENOENT, -3). (hello's exit message,
    if it comes before the faults, is reported and passed over.)"""
    m = run(boot, "watch:2 fault_null fault_div hello")
    wait_for_exits(m, ["runner", "fault_null", "fault_div", "hello"])
    for name, vec in [("fault_null", 14), ("fault_div", 0)]:
        aid = int(re.search(rf"actor (\d+) \({name}\) stopped: .*\(vector {vec}\) at RIP "
                            rf"0x40[0-9a-f]+, .*; its fault handler was told", m.text).group(1))
        msg = re.search(rf"runner: fault of actor {aid}: vector {vec}, address (\S+), "
                        rf"rip 0x40[0-9a-f]+, error (\S+), rsp 0x7ffffff[0-9a-f]+", m.text)
        assert msg, name
        if vec == 14:
            assert msg.groups() == ("0", "0x6")  # user-mode write to an absent page at 0
        assert f"actor {aid} ({name}) killed by actor 1" in m.text
        assert f"runner: kill {aid} -> 0, again -> -3" in m.text
    assert "hello: actor 4 says hello" in m.text


def test_a_handler_that_cannot_take_more_faults(boot):
    """The fault mailbox holds 8 messages; ten actors that fault before the
    runner (below them) reads any: two cannot be reported and are destroyed
    at once, with a warning."""
    m = run(boot, "watch:8 " + " ".join(["fault_null:20"] * 10))
    m.expect(r"actor 1 \(runner\) exited with status 0", timeout=30)
    assert len(re.findall(r"fault_null\) stopped: page fault", m.text)) == 8
    assert len(re.findall(r"its fault handler cannot be told \(error -14\)", m.text)) == 2
    assert len(re.findall(r"fault_null\) killed: page fault", m.text)) == 2
    assert len(re.findall(r"runner: kill \d+ -> 0, again -> -3", m.text)) == 8


def test_quotas_are_errors_not_failures(boot):
    """Spawned with 8 capability slots and 16 mailbox slots: the 8th slot
    (slot 0 is never used) and the 17th mailbox slot are CLK_ENOMEM (-2);
    a deleted mailbox gives its slots back."""
    m = run(boot, "quota:8::/8/16")
    wait_for_exits(m, ["runner", "quota"])
    assert "quota: 7 endpoints, then -2" in m.text
    assert "quota: mailbox of 16 -> ok, one more slot -> -2" in m.text
    assert "quota: after deleting it, a mailbox of 16 -> ok" in m.text


def test_an_actor_runs_several_threads(boot):
    """Three more threads call the echo server at once, each through its own
    IPC buffer; the quota of 4 threads refuses a fifth (CLK_ENOMEM, -2), bad
    entry points and stacks are CLK_EINVAL (-1), and ended threads make
    room for new ones."""
    m = run(boot, "ep echo_server:8:r threads:8:s9:/16/1000/4")
    wait_for_exits(m, ["runner", "threads"])
    assert "threads: started 1 2 3" in m.text
    assert "threads: a fifth thread -> -2" in m.text
    assert "threads: 900 of 900 calls answered right" in m.text
    assert "threads: misaligned stack -> -1, kernel entry -> -1" in m.text
    assert "threads: a new thread after they ended -> 1" in m.text
    # A thread blocked on an object whose last capability another thread
    # deletes wakes: CLK_EDEAD (-13) in RECV, CLK_ENOENT (-3) in WAIT.
    assert "threads: RECV on an endpoint whose capability another thread deleted -> -13" in m.text
    assert "threads: WAIT on a mailbox whose capability another thread deleted -> -3" in m.text


def test_a_fault_stops_every_thread_of_the_actor(boot):
    """The main thread faults while two others run: the actor stops as a
    whole (no worker prints after the fault report) until its handler
    kills it."""
    m = run(boot, "watch:1 threads:8 hello:7")
    wait_for_exits(m, ["runner", "threads", "hello"])
    stopped = m.text.index("(threads) stopped: page fault")
    killed = m.text.index("(threads) killed by actor 1")
    assert "worker 1 alive" in m.text[:stopped] and "worker 2 alive" in m.text[:stopped]
    assert "alive" not in m.text[stopped:killed]
    assert "alive" not in m.text[killed:]


def test_threads_get_guarded_stacks_from_the_kernel(boot):
    """Thread 1's kernel-made stack is the 64 KiB below 0x7FFFFEFFF000 (one
    guard page under the IPC buffers); a thread that recurses without end
    hits the guard page below it and the actor is killed. It is thread 1
    again (the first ended), so its guard page is the same one."""
    m = run(boot, "thread_stack")
    wait_for_exits(m, ["runner", "thread_stack"])
    buf, ipcbuf = (int(x, 16) for x in re.search(
        r"thread_stack: a thread at (0x[0-9a-f]+) with its IPC buffer at (0x[0-9a-f]+)",
        m.text).groups())
    top = 0x7FFFFEFFF000
    assert top - 64 * 1024 <= buf < top
    assert ipcbuf == 0x7FFFFF000000 + 4096
    addr = int(re.search(r"\(thread_stack\) killed: page fault \(vector 14\) at RIP 0x40[0-9a-f]+, "
                         r"address (0x[0-9a-f]+)", m.text).group(1), 16)
    assert top - 64 * 1024 - 4096 <= addr < top - 64 * 1024


def test_a_fault_handler_that_is_gone(boot):
    """The runner gives its children a fault mailbox and exits: the kernel
    holds only a send right to it, so the mailbox is dead, and a faulting
    child is destroyed at once (CLK_EDEAD, -13) instead of waiting for a
    handler that will never come."""
    m = run(boot, "watch:0 fault_null:7")
    wait_for_exits(m, ["runner", "fault_null"])
    assert re.search(r"actor \d+ \(fault_null\): its fault handler cannot be told \(error -13\)",
                     m.text)
    assert re.search(r"actor \d+ \(fault_null\) killed: page fault", m.text)
