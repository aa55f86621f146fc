"""The learning supervisor (docs/supervisor.md, issue 9): each injected
fault kind is detected and recovered; a leak is predicted and the service
rejuvenated before it runs out of memory; the learned recovery shifts
after one action keeps failing; and what was learned persists across a
reboot on the disk, through supstore."""
import re

from test_shell import PROMPT, disk, run  # noqa: F401 (disk is a fixture)
from test_supervisor import EVENT, supervise


def events(text, service, kind):
    """(time, text) of every KIND event about SERVICE, in order."""
    return [(float(t), what) for t, what in
            re.findall(EVENT + rf"{service} {kind}: (.*)", text)]


def test_each_fault_kind_is_detected_and_recovered(boot):
    """Under a steady load of gets, counter crashes, hangs, leaks, answers
    malformed once (the client reports it) and is flooded. The crash is a
    fault event and the hang a hang event (heartbeats); the leak is
    predicted from the memory trend, and the service rejuvenated with its
    state before the leak reaches the quota; the report and the flood are
    anomalies. Each gets a decision and a judged outcome, and the service
    keeps answering: its total survives the rejuvenation."""
    m = supervise(boot, "learn")
    m.expect(r"supctl: learn: done; (\d+) gets failed between the faults", timeout=120)
    text = m.text
    assert "supctl: learn: normal load, 0 failed\n" in text
    assert re.search(r"supctl: learn: crash \(0\); get -> 0", text)
    assert re.search(r"supctl: learn: hang \(0\); get -> 0", text)
    leak = re.search(r"supctl: learn: leak \(0\); a new instance after (\d+) ms; the leaking one "
                     r"peaked at (\d+) of (\d+) pages; total kept: (\w+)", text)
    assert leak, "the leak was not rejuvenated"
    peak, quota = int(leak.group(2)), int(leak.group(3))
    assert 0 < peak < quota and leak.group(4) == "yes"
    assert re.search(r"supctl: learn: bad reply \(0\): status 0x7eadbeef, 3 bytes; reported -> 0",
                     text)
    assert re.search(r"supctl: learn: flood \(0\); get -> 0", text)

    assert events(text, "counter", "fault"), "no fault event for the crash"
    assert events(text, "counter", "hang"), "no hang event"
    predicted = events(text, "counter", "predict")
    assert predicted and re.search(r"quota in [\d.]+ s", predicted[0][1]), predicted
    anomalies = [what for _, what in events(text, "counter", "anomaly")]
    assert any("malformed reply" in a for a in anomalies), anomalies
    assert any(a.startswith(("msgs in", "mailbox")) for a in anomalies), anomalies
    decided = [what for _, what in events(text, "counter", "decide")]
    for kind in ("crash", "hang", "leak", "badreply", "anomaly"):
        assert any(d.startswith(kind + ":") for d in decided), (kind, decided)
    outcomes = [what for _, what in events(text, "counter", "outcome")]
    for kind in ("crash", "hang", "leak", "badreply", "anomaly"):
        assert any(f"after {kind}: healthy" in o for o in outcomes), (kind, outcomes)
    assert "panic" not in text.lower()


def learn_the_lease(m, rounds):
    """Kill fragile ROUNDS times from the shell; after each, wait for the
    judged outcome of the recovery that worked. The first decision of each
    round, in order."""
    first = []
    for _ in range(rounds):
        start = len(m.text)
        run(m, "kill fragile")
        m.expect(EVENT + r"fragile outcome: \S+ after crash: healthy", timeout=30)
        decided = re.findall(EVENT + r"fragile decide: crash: (\S+)", m.text[start:])
        first.append(decided[0][1].rstrip(":"))
    return first


def test_the_learned_choice_shifts_and_persists_across_a_reboot(boot, disk):  # noqa: F811
    """fragile will not start while its predecessor's lease is held, so a
    restart at once fails (it crashes again) and a backoff works. The first
    decision is restart, the conventional one; after it fails, the
    supervisor backs off, and from then on its first choice is backoff.
    supstore writes the model to /var/lib/supervisor/policy; after a
    shutdown, the next boot reads it back, and why says so, and the first
    decision is backoff again at once."""
    cmdline = "init=sbin/supervisor -- manifest=test/manifests/lease"
    m = boot(cmdline=cmdline, mem="64M", options=["--disk", str(disk)])
    m.expect_all([r"vfs: / is ext2", r"fragile: running; lease taken",
                  r"supstore: no /var/lib/supervisor/policy yet"], timeout=60)
    m.expect(PROMPT, partial=True)
    first = learn_the_lease(m, 3)
    assert first[0] == "restart" and first[-1] == "backoff", first
    assert re.search(EVENT + r"fragile outcome: restart after crash: failed again", m.text)
    out = run(m, "why fragile")
    assert re.search(r"crash.*backoff", out), out
    # the evidence of the last detection: the last round's kill
    assert re.search(r"^last seen at [\d.]+ s: actor \d+: killed by request$", out, re.M), out
    asked = run(m, "why did fragile crash?")  # said as a question: the same
    assert asked.split("\n", 1)[1] == out.split("\n", 1)[1], (asked, out)
    for _ in range(50):  # supstore writes each change soon after it
        saved = re.search(r"^fragile crash (\d+)/\S+ \d+/\S+ \d+/\S+ (\d+)/",
                          run(m, "cat /var/lib/supervisor/policy"), re.M)
        backoffs = len(re.findall(EVENT + r"fragile outcome: backoff after", m.text))
        if saved and int(saved.group(2)) == backoffs:
            break
    assert saved and int(saved.group(1)) >= 1, saved
    assert "supstore: the model is kept in /var/lib/supervisor/policy\n" in m.text
    m.send("shutdown")
    m.expect(r"supervisor: powering off", timeout=60)
    m.wait_exit(timeout=60)

    m = boot(cmdline=cmdline, mem="64M", options=["--disk", str(disk)])
    m.expect_all([r"supstore: model of \d+ bytes read from /var/lib/supervisor/policy",
                  r"learned model read back: \d+ bytes, 0 bad line\(s\)"], timeout=60)
    m.expect(PROMPT, partial=True)
    again = run(m, "why fragile")
    assert re.search(r"restart \d+ tries mean 0.00; backoff \d+ tries", again), again
    assert learn_the_lease(m, 1) == ["backoff"]
