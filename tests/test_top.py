"""The supervisor's metrics (servers/supervisor/metrics.c, SUP_METRICS)
and the shell's top (servers/shell/top.c). The manifest tests/manifests/top
runs busy (tests/sdk/busy.c), which spins at the lowest priority, chat
(the same program with "chat"), which sends itself thousands of
messages a second and keeps 8 waiting, the shell with the monitor authority, and
supctl without it. The rates come from the supervisor's samples, taken
every 100 ms; the unit test tests/unit/test_metrics.c checks the math."""
import re

from test_shell import PROMPT, run

HEADER = ("  ID NAME              CPU%  MEM KiB  MSG/s IN MSG/s OUT SYSCALL/s  MBOX FAULTS")
ROW = re.compile(r"^ *(\d+) (\S+) +(\d+\.\d) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$", re.M)


def boot_top(boot):
    m = boot(cmdline="init=sbin/supervisor -- manifest=test/manifests/top")
    m.expect(r"shell: CLKernel's shell", timeout=60)
    m.expect(PROMPT, partial=True)
    return m


def frames(out):
    """Each screen of top's output: its rows as a dict by name, and the
    CPU column in the order printed."""
    screens = []
    for part in re.split(r"^top: \d+ actors, CPU \d+\.\d% busy over the last second$", out,
                         flags=re.M)[1:]:
        # (other actors' lines may come between, as the boot goes on)
        assert "\n" + HEADER + "\n" in part, part
        rows = {}
        for f in ROW.findall(part):
            rows[f[1]] = dict(id=int(f[0]), cpu=float(f[2]), kib=int(f[3]), msg_in=int(f[4]),
                              msg_out=int(f[5]), sys=int(f[6]), mbox=int(f[7]), faults=int(f[8]))
        screens.append((rows, [float(f[2]) for f in ROW.findall(part)]))
    return screens


def test_top_shows_the_spinner_the_chatter_and_the_shell(boot):
    """top 2: two screens a second apart (the second over a full second of
    samples); busy takes most of the CPU, chat thousands of messages a
    second each way with 8 waiting, and every actor is there, the busiest
    first. supctl, without caps=monitor, is refused (CLK_EPERM = -6)."""
    m = boot_top(boot)
    out = run(m, "top 2", timeout=30)
    screens = frames(out)
    assert len(screens) == 2, out
    rows, order = screens[-1]
    for name in ["supervisor", "busy", "chat", "shell", "vfs"]:
        assert name in rows, (name, out)
    assert rows["busy"]["cpu"] > 50, out
    assert rows["chat"]["msg_in"] > 1000 and rows["chat"]["msg_out"] > 1000, out
    assert rows["chat"]["mbox"] >= 8, out
    assert rows["shell"]["kib"] > 0 and rows["supervisor"]["kib"] > 0, out
    assert all(r["faults"] == 0 for r in rows.values()), out
    assert order == sorted(order, reverse=True), out
    assert m.text.endswith(PROMPT)
    # (it ran at boot, perhaps printing after the first prompt on its line)
    assert re.search(r"supctl: metrics -> -6, 0 actors$", m.text, re.M)


def test_top_follows_actors_that_die_and_start(boot):
    """Killed, busy comes back as a new actor: the old id drops out of the
    metrics, the new one appears."""
    m = boot_top(boot)
    old = frames(run(m, "top 2"))[-1][0]["busy"]["id"]
    out = run(m, "kill busy", r"busy restart: actor (\d+)")
    new = int(re.search(r"busy restart: actor (\d+)", out).group(1))
    assert new != old
    ids = [r["id"] for r in frames(run(m, "top 2"))[-1][0].values()]
    assert new in ids and old not in ids


def test_top_until_interrupted_and_its_errors(boot):
    """top alone refreshes every second until ^C; a bad count is refused;
    help says what it does."""
    m = boot_top(boot)
    m.send("top")
    m.expect(r"^top: \d+ actors")
    m.expect(r"^top: \d+ actors", timeout=10)  # the second screen, a second later
    m.send_raw(b"\x03")
    m.expect(PROMPT, partial=True)
    run(m, "top 0", r"^top: 0: not a number of seconds \(1 to 86400\)$")
    run(m, "top soon", r"^top: soon: not a number of seconds")
    run(m, "help top", r"^top \[SECONDS\]\n    every actor's CPU %")
    run(m, "pwd", r"^/$")
