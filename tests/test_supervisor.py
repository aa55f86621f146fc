"""The supervisor (servers/supervisor/): the first actor. It starts the
services of a boot manifest in dependency order, restarts them, detects
hangs, updates them live, and serves the name registry. Each test boots it
with a manifest from tests/manifests/ (in the initrd as test/manifests/),
whose services are tests/sdk/counter.c and the client tests/sdk/supctl.c."""
import re

from conftest import ROOT

EVENT = r"supervisor: \[(\d+\.\d+)\] "


def supervise(boot, manifest, extra=""):
    m = boot(cmdline=f"init=sbin/supervisor -- manifest=test/manifests/{manifest} {extra}")
    m.expect(rf"supervisor: test/manifests/{manifest}: \d+ service\(s\), \d+ problem\(s\)")
    return m


def event_time(m, service, kind, text=""):
    """The guest time (s) of the first event of KIND about SERVICE."""
    found = re.search(EVENT + rf"{service} {kind}: {text}", m.text)
    assert found, f"{service} {kind}: {text}"
    return float(found.group(1))


def test_the_default_boot_starts_the_supervisor(boot):
    """Without init=, the kernel starts sbin/supervisor, which reads
    /etc/services and serves the name registry. Its services: the block
    driver, which finds no disk here and stays down without a restart, the
    VFS, which then says so and mounts a ramfs at /, the console driver,
    which finds QEMU's PS/2 keyboard and stays up, the network driver,
    which finds no card here and stays down, the network stack, which then
    serves the loopback interface, httpd, supstore, which finds no saved
    model on the ramfs, and the shell."""
    m = boot()
    m.expect(r"actor 1 \(supervisor\) started")
    m.expect(r"supervisor: etc/services: 8 service\(s\), 0 problem\(s\)")
    m.expect_all([EVENT + r"block exit: actor \d+ exited with status 78: nothing to do here",
                  EVENT + r"vfs start: actor \d+",
                  r"vfs: no disk: the block driver found none",
                  r"vfs: / is a ramfs", EVENT + r"console start: actor \d+",
                  r"console: PS/2 keyboard on the i8042",
                  EVENT + r"nic exit: actor \d+ exited with status 78: nothing to do here",
                  EVENT + r"net start: actor \d+",
                  r"net: no network interface \(the nic is not running\): only the loopback",
                  r"httpd: serving /var/www on port 80",
                  r"supstore: no /var/lib/supervisor/policy yet",
                  EVENT + r"shell start: actor \d+",
                  r"clk> ", r"idle: boot complete"])
    assert not re.search(r"(vfs|console|net|httpd|supstore|shell) (exit|fault|restart)", m.text)


def test_a_crash_leads_to_a_restart(boot):
    """counter crashes on command (fault injection); the supervisor, its
    fault handler, kills what is left of it and starts it again, and the
    client's next request, which waited in the service's endpoint, is
    answered by the new instance."""
    m = supervise(boot, "crash")
    answered, _ = m.expect_all([r"supctl: crash injected \(0\); counter answered again \(0\) "
                                r"within ([\d.]+) ms", EVENT + r"counter restart:"])
    fault = re.search(EVENT + r"counter fault: actor (\d+): vector 14 at address 0", m.text)
    assert fault
    restart = re.search(EVENT + r"counter restart: actor (\d+)", m.text)
    assert restart and restart.group(2) != fault.group(2)
    print(f"\ncrash to the next answer: {answered.group(1)} ms (TCG)")


def test_a_hang_is_detected_by_heartbeats(boot):
    """pinged spins forever on command. It answers no ping (every 100 ms),
    so the supervisor kills and restarts it within two periods, and the
    client's waiting request is answered by the new instance."""
    m = supervise(boot, "hang")
    m.expect_all([r"supctl: hang injected \(0\); pinged answered again \(0\)",
                  EVENT + r"pinged restart:"])
    injected = event_time(m, "pinged", "error", "fault 2 injected")
    hung = event_time(m, "pinged", "hang", r"actor \d+: no answer to a ping for 100 ms; killed")
    event_time(m, "pinged", "restart")
    print(f"\nhang detected after {(hung - injected) * 1000:.0f} ms (two periods: 200 ms)")
    assert hung - injected <= 0.2 + 0.05  # two periods, and the timer's 10 ms granularity


def test_a_request_left_waiting_is_a_hang_without_heartbeats(boot):
    """stalled has no heartbeat; after it hangs, a request that waits 200 ms
    in its endpoint (ENDPOINT_INFO) is enough to kill and restart it."""
    m = supervise(boot, "stall")
    m.expect_all([r"supctl: hang injected \(0\); stalled answered again \(0\)",
                  EVENT + r"stalled restart:"])
    assert re.search(EVENT + r"stalled hang: actor \d+: a request waited 2\d\d ms to be taken; "
                     r"killed", m.text)
    event_time(m, "stalled", "restart")


def test_the_restart_limit_marks_a_service_failed(boot):
    """flaky may restart 3 times in 10 s. The fourth crash marks it failed,
    its dependent is told (ACTOR_CTL_DEPENDENCY_FAILED), and its endpoint is
    closed: the client's request gets CLK_EDEAD (-13) instead of waiting."""
    m = supervise(boot, "limit")
    m.expect_all([r"supctl: crash 4 of flaky: get -> -13", r"dependent: told that flaky failed"])
    for i in (1, 2, 3):
        assert f"supctl: crash {i} of flaky: get -> 0\n" in m.text
    assert len(re.findall(EVENT + r"flaky restart:", m.text)) == 3
    event_time(m, "flaky", "failed", "3 restarts in 10 s: given up")
    event_time(m, "dependent", "failed", "told that flaky failed")
    assert "dependent: told that flaky failed\n" in m.text
    # the backoff: at once, then 10 ms, then 20 ms
    restarts = [float(t) for t in re.findall(EVENT + r"flaky restart:", m.text)]
    faults = [float(t) for t in re.findall(EVENT + r"flaky fault:", m.text)]
    assert restarts[1] - faults[1] >= 0.010 and restarts[2] - faults[2] >= 0.020


def test_dependency_order_groups_and_manifest_errors(boot):
    """top needs mid, which needs base (declared the other way round): they
    start base, mid, top. p1 and p2 form a one_for_all group: p1's crash
    restarts both. c1, c2, c3 are rest_for_one: c2's crash restarts c2 and
    c3, not c1. Malformed lines are reported with their numbers, and the
    rest of the manifest boots."""
    m = supervise(boot, "order")
    m.expect_all([r"supctl: inject c2 1 -> 0", EVENT + r"c3 restart:", EVENT + r"p2 restart:"])
    for line, what in [(12, "prio: not 1..15 (the supervisor runs at 16)"),
                       (13, "expected service or group"),
                       (14, "after: no such service")]:
        assert f"manifest error: test/manifests/order line {line}: {what}\n" in m.text
    assert "test/manifests/order: 12 service(s), 3 problem(s)" in m.text
    starts = [s for s in re.findall(EVENT + r"(\w+) start:", m.text)]
    names = [n for _, n in starts]
    assert names.index("base") < names.index("mid") < names.index("top")
    assert "orphan" not in names
    event_time(m, "ghost", "failed", "cannot start test/no-such-binary")
    event_time(m, "p2", "exit", "stopped with its group pair")
    event_time(m, "p2", "restart")
    event_time(m, "c3", "exit", "stopped with its group chain")
    assert not re.search(EVENT + r"c1 (exit|restart)", m.text)


def test_live_update_under_load_loses_nothing(boot):
    """While a client adds 1 at a time (ADD is not idempotent), counter is
    updated to counter2: the old instance saves its total and stops, the new
    one restores it, and the requests sent meanwhile wait in the endpoint.
    Every request is answered exactly once: the totals the client sees run
    on without a gap or a repeat, and the final total is the number of
    answers."""
    m = supervise(boot, "update")
    load, final, _, took, _ = m.expect_all([
        r"supctl: load: (\d+) answers, (\d+) errors, totals consecutive from 1: (\w+), "
        r"version 2 answered (\d+) of them",
        r"supctl: load: final total (\d+) \(0\), version 2",
        r"supctl: update counter to test/counter2 -> 0: 8 bytes of state, rolled back 0",
        r"supctl: the update took ([\d.]+) ms, of which clients waited ([\d.]+) ms",
        r"supctl: after the update: get -> 0, version 2"], timeout=60)
    answers, errors, consecutive, after = load.groups()
    assert errors == "0" and consecutive == "yes" and after == "200"
    assert final.group(1) == answers  # every ADD done once: the total is the count of answers
    took, waited = took.groups()
    restored = int(re.search(r"counter: version 2 restored the total (\d+)", m.text).group(1))
    assert 0 < restored < int(answers)
    event_time(m, "counter", "update", r"actor \d+ runs test/counter2, 8 bytes of state")
    # another program: the supervisor forgets what it learned of the old one
    event_time(m, "counter", "decide", r"new binary test/counter2: its models start afresh")
    print(f"\nlive update under load: clients waited {waited} ms of {took} ms (TCG); "
          f"state carried: total {restored}")


def test_a_failed_update_rolls_back(boot):
    """counter_bad cannot restore the state and exits; the supervisor starts
    the old binary again with the same state, and the update reports
    CLK_EIO (-12) and a rollback."""
    m = supervise(boot, "rollback")
    m.expect(r"supctl: after the update: get -> 0, version 1", timeout=30)
    assert "counter: version 3 cannot restore\n" in m.text
    assert "supctl: update counter to test/counter_bad -> -12: 8 bytes of state, rolled back 1\n" \
        in m.text
    event_time(m, "counter", "rollback", "the new instance ended; back to test/counter: running")
    assert "counter: version 1 restored the total 0\n" in m.text


def test_updates_that_go_wrong(boot):
    """A new binary that crashes as it starts: the update stops before any
    state moved and the old instance serves on. An old instance that
    crashes while it saves: the update stops and the service restarts as
    after any crash. A new binary that hangs as it restores the state: it
    is killed after 2 s and the old binary takes the state back. A new
    binary that never gets past its start: it is killed after 5 s and the
    old instance, never stopped, serves on. Binaries passed in memory
    objects that lie about their size, are empty or too big, are named
    without a path, or are no ELF: refused, or rolled back. None leaves the
    service or the update hanging."""
    m = supervise(boot, "badupdates")
    m.expect_all([r"supctl: update counter to test/counter_crashinit -> -12: 0 bytes of state, "
                  r"rolled back 1", r"supctl: after the update: get -> 0, version 1"])
    event_time(m, "counter", "fault", r"new instance: vector 14")
    event_time(m, "counter", "rollback", "the update stops: .*; the old instance serves on")
    m = supervise(boot, "crashsave")
    m.expect_all([r"counter: crashing while it saves",
                  r"supctl: update counter to test/counter2 -> -13: 0 bytes of state, rolled back 1",
                  r"supctl: after the update: get -> 0, version 1"])
    event_time(m, "counter", "rollback",
               "the update stops: the old instance died; the service restarts as after a crash")
    event_time(m, "counter", "restart")
    m = supervise(boot, "hangrestore")
    m.expect_all([r"counter: version 1 hangs as it restores",
                  r"supctl: update counter to test/counter_hangrestore -> -12: 8 bytes of state, "
                  r"rolled back 1", r"supctl: after the update: get -> 0, version 1"])
    hung = event_time(m, "counter", "hang", "new instance: not serving 2000 ms after the state "
                      "was handed over; killed")
    assert event_time(m, "counter", "rollback", "the new instance ended; back to test/counter: "
                      "running") >= hung
    assert "counter: version 1 restored the total 0\n" in m.text
    m = supervise(boot, "badelves")
    m.expect_all([r"supctl: an object smaller than it says -> -1, rolled back 0; then get -> 0",
                  r"supctl: an empty binary -> -1, rolled back 0; then get -> 0",
                  r"supctl: over the largest -> -1, rolled back 0; then get -> 0",
                  r"supctl: a binary named without a path -> -1, rolled back 0; then get -> 0",
                  r"supctl: no ELF -> -12, rolled back 1; then get -> 0"])
    event_time(m, "counter", "rollback", "the update stops: .*; the old instance serves on")
    assert not re.search(EVENT + r"counter (restart|fault|exit)", m.text)
    assert not re.search(r"actor 1 \(supervisor\) (stopped|faulted|killed)", m.text)
    m = supervise(boot, "hanginit")
    m.expect_all([r"supctl: update counter to test/counter_hanginit -> -12: 0 bytes of state, "
                  r"rolled back 1", r"supctl: after the update: get -> 0, version 1"], timeout=60)
    event_time(m, "counter", "hang", "new instance: no answer 5000 ms after it started; killed")
    event_time(m, "counter", "rollback", "the update stops: .*; the old instance serves on")
    assert not re.search(EVENT + r"counter (restart|fault|exit)", m.text)


def test_a_service_without_state_hooks_is_updated_statelessly(boot):
    """counter_nohooks has no save_state: the update still swaps the
    binaries under load, handing over no state (0 bytes), and no request
    fails; the total starts again from 0 in version 2."""
    m = supervise(boot, "nohooks")
    load, final, _ = m.expect_all([
        r"supctl: load: (\d+) answers, (\d+) errors, totals consecutive from 1: (\w+), "
        r"version 2 answered (\d+) of them",
        r"supctl: load: final total (\d+) \(0\), version 2",
        r"supctl: update counter to test/counter2 -> 0: 0 bytes of state, rolled back 0"], timeout=60)
    answers, errors, _, after = load.groups()
    assert errors == "0" and after == "200"
    assert 200 <= int(final.group(1)) < int(answers)


def test_a_client_reading_while_the_server_dies_sees_no_error(boot):
    """supctl reads a 256 KiB file in 64 requests through
    actor_call_service; in the middle the server is restarted by request,
    and later crashes. Requests wait in the endpoint or are sent again (READ
    is idempotent): the client gets every byte right and no error."""
    m = supervise(boot, "reader")
    m.expect_all([r"supctl: read 64 chunks of counter: 0 errors, 0 wrong bytes",
                  EVENT + r"counter fault:"])
    assert "supctl: restart counter in the middle -> 0\n" in m.text
    assert "supctl: crash counter in the middle -> 0\n" in m.text
    event_time(m, "counter", "restart", r"actor \d+, by request")
    event_time(m, "counter", "fault")


def test_the_other_injected_faults(boot):
    """A leak takes memory that the kernel's free-frame count shows going;
    a malformed reply arrives once (a status no protocol uses, 3 bytes)
    and the next answer is sound; a flood of requests for a second is answered
    while the service still serves. Services without inject=yes, and the
    supervisor run without "inject", refuse (CLK_EPERM, -6)."""
    m = supervise(boot, "faults")
    m.expect_all([r"supctl: crash the supervisor, which runs without inject -> -6",
                  EVENT + r"counter error: the flood is over: (\d+) of \2 requests answered"])
    assert "supctl: leak injected (0): more than 128 frames gone after 300 ms: yes\n" in m.text
    assert "supctl: bad reply injected (0): status 0x7eadbeef, 3 bytes; the next get -> 0\n" \
        in m.text
    assert "supctl: flood injected (0); counter still answers: 0\n" in m.text
    assert "supctl: crash plain, which does not allow it -> -6\n" in m.text
    # a service without control=yes may not restart others, nor report
    # them (a report can end in a restart)
    m.expect_all([r"supctl: restart counter -> -6",
                  r"supctl: report a malformed reply from counter -> -6"])


def test_status_and_the_event_log_can_be_read(boot):
    """SUP_STATUS and SUP_LOG give what the shell shows: each service's
    binary, state and restarts, and the events with their texts."""
    m = supervise(boot, "report")
    m.expect(r"supctl: log \d+ counter: actor \d+ \(\d+ us\)", timeout=30)
    m.expect(r"supctl: log \d+ reporter: actor \d+ \(\d+ us\)")
    m.expect(r"supctl: log \d+ counter: actor \d+: vector 14 at address 0")
    assert "supctl: service counter: test/counter, running, restarts 1\n" in m.text
    assert "supctl: service reporter: test/supctl, running, restarts 0\n" in m.text


def test_when_the_supervisor_dies_user_space_restarts(boot):
    """The supervisor crashes itself each time it starts (a test manifest
    asks it to). The kernel stops every actor and starts the supervisor
    again, three times; after the fourth death user space stays down and
    the console says so, and the kernel itself carries on."""
    m = supervise(boot, "death", extra="inject")
    m.expect(r"root: sbin/supervisor died 4 times; user space stays down", timeout=60)
    for i in (1, 2, 3):
        assert f"root: sbin/supervisor died; restarting user space ({i} of 3)" in m.text
    assert m.text.count("supervisor: crashing, as asked\n") == 4
    assert m.text.count("supervisor: test/manifests/death: 2 service(s)") == 4
    assert "actor 2 (counter) stopped: user space restarts" in m.text
    m.send("hello")
    m.expect(r'kernel: got "hello" \(5 bytes\); nobody reads the console')


def test_a_service_maps_the_initrd_read_only_without_a_copy(boot):
    """caps=initrd gives a service a read-only copy of the initrd's memory
    object, after the device authority when it has both, and says where in
    CLK_INITRD=SLOT,OFFSET,LEN. It maps the object and finds files in the
    archive in place (its own manifest line, the supervisor's ELF image);
    mapping it writable or minting WRITE is CLK_EPERM (-6), MEMORY_PHYS
    CLK_EBADF (-9), and a write to the mapping faults. A service without
    the key has no CLK_INITRD."""
    m = supervise(boot, "initrd")
    m.expect_all([r"initrd_reader reader: map writable", r"initrd_reader driver: map writable",
                  r"initrd_reader plain: no CLK_INITRD \(not set\)",
                  EVENT + r"writer fault: actor \d+: vector 14 at address 0x500000000000"]
                 + [EVENT + rf"{name} exit: " for name in ("reader", "driver", "plain")])
    archive = (ROOT / "build" / "initrd.cpio").stat().st_size
    manifest = (ROOT / "tests" / "manifests" / "initrd").stat().st_size
    slots = {"reader": (3, "not set"), "driver": (4, "3"), "writer": (3, "not set")}
    for name, (slot, device) in slots.items():
        env = re.search(rf"initrd_reader {name}: CLK_INITRD=(\d+),(\d+),(\d+), "
                        rf"CLK_DEVICE=(.+)\n", m.text)
        assert env, name
        assert (int(env.group(1)), int(env.group(3)), env.group(4)) == (slot, archive, device)
        assert int(env.group(2)) < 4096
        for line in ["map read-only -> 0",
                     f"test/manifests/initrd -> 0, {manifest} bytes, holds \"service {name} \": yes",
                     r"sbin/supervisor -> 0, \d+ bytes, holds \"\\177ELF\": yes",
                     r"no/such/file -> -3",
                     r"map writable -> -6, memory_phys -> -9, mint with write -> -6"]:
            assert re.search(rf"initrd_reader {name}: {line}", m.text), (name, line)
    assert "initrd_reader writer: writing to the initrd\n" in m.text
    assert "the write went through" not in m.text
    for name in ("reader", "driver", "plain"):
        event_time(m, name, "exit", r"actor \d+ exited with status 0")


def test_a_service_given_the_monitor_authority_lists_every_actor(boot):
    """caps=monitor gives a service a copy of the monitor authority (READ
    only) and says where in CLK_MONITOR=SLOT; with it, ACTOR_INFO lists
    every actor in id order with its state, priority and counters, as the
    shell's ps will. A service without the key has no CLK_MONITOR, and
    ACTOR_INFO refuses it (CLK_EBADF, -9)."""
    m = supervise(boot, "monitor")
    m.expect_all([r"supctl: ps: 5 actors, then -3; \d+ of \d+ frames used",
                  r"supctl: ps: 0 actors, then -9"])
    assert "supctl: CLK_MONITOR=3\n" in m.text
    assert "supctl: CLK_MONITOR=(not set)\n" in m.text
    rows = re.findall(r"supctl: ps (\d+) (\w+) (\w+) prio (\d+) threads (\d+) cpu (\d+) us "
                      r"pages (\d+)/(\d+) caps (\d+) sent \d+ received \d+ syscalls (\d+)", m.text)
    assert [(int(r[0]), r[1]) for r in rows] == [(1, "supervisor"), (2, "base"), (3, "top"),
                                                (4, "watcher"), (5, "plain")]
    info = {r[1]: (r[2], int(r[3]), int(r[7])) for r in rows}
    assert info["supervisor"] == ("wait", 16, 0xFFFFFFFF)  # the root: every page
    assert info["base"] == ("wait", 8, 32 * 256) == info["top"]  # memory=32 (MiB)
    assert info["watcher"] == ("running", 2, 32 * 256)
    assert info["plain"] == ("ready", 1, 32 * 256)  # not run yet: no CPU time, no syscalls
    for r in rows:
        ran = r[1] != "plain"
        assert (int(r[5]) > 0, int(r[9]) > 0) == (ran, ran) and int(r[6]) > 0, r
    used, total = map(int, re.search(r"supctl: ps: 5 actors, then -3; (\d+) of (\d+) frames",
                                     m.text).groups())
    assert 0 < used < total
