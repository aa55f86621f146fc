"""The fault-injection campaign (tools/faultcampaign, tests/sdk/campaign.c,
docs/faultcampaign.md): a short one, 10 faults per recovery policy, as CI
can afford. The tool boots test/manifests/campaign with the learned policy
and with policy=fixed, and writes the report; this checks that both runs
finished, every line the driver printed was understood, no kernel
panicked, both runs injected the same faults, every crash and hang was
detected and recovered from, and the learned policy also found every
leak and malformed reply and some floods, predicted the leaks in time, raised no
false alarm and lost at most one request more than the fixed one (ten
faults are too few for "fewer": see the end of check())."""
import json
import re
import shutil
import signal
import subprocess

from conftest import OUT, ROOT

COUNT = 10


def test_a_short_campaign_under_both_policies(tmp_path, request):
    signal.alarm(360)  # two boots of a minute or two each: more than conftest's usual bound
    proc = subprocess.run(["/usr/bin/python3", str(ROOT / "tools" / "faultcampaign"),
                           "--count", str(COUNT), "--seed", "1", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=330)
    try:
        check(tmp_path, proc)
    except AssertionError:
        OUT.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        for log in tmp_path.glob("*.log"):
            shutil.copy(log, OUT / f"{name}.{log.name}")
        raise
    print("\n" + proc.stdout)


def check(out, proc):
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "report.md").read_text().startswith("# Fault-injection campaign")
    assert (out / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    runs = json.loads((out / "results.json").read_text())["runs"]
    assert set(runs) == {"learned", "fixed"}
    assert "policy=fixed" in runs["fixed"]["cmdline"]
    assert "policy=" not in runs["learned"]["cmdline"]
    for name, r in runs.items():
        assert r["done"] and r["error"] is None, f"{name}: {r['error']}"
        assert r["unparsed"] == [], f"{name}: lines not understood: {r['unparsed']}"
        assert r["panics"] == 0 and r["userspace_restarts"] == 0, name
        assert [f["n"] for f in r["faults"]] == list(range(1, COUNT + 1)), name
        assert all(f["inject"] == 0 for f in r["faults"]), name
        # the schedule gives each kind twice in ten faults
        assert sorted(f["kind"] for f in r["faults"]) == sorted(
            ["crash", "hang", "leak", "flood", "bad_reply"] * 2), name
        for t in ("counter", "vfs", "net", "shell"):
            assert r["workload"][t]["requests"] > 100, f"{name}: {t} was hardly used"
        for f in r["faults"]:
            if f["kind"] in ("crash", "hang"):
                assert f["detected"] and f["event"] in ("fault", "hang", "anomaly", "predict"), \
                    f"{name}: fault {f['n']} ({f['kind']} of {f['target']}) not detected"
                assert f["recovered"] and f["restarted"], f"{name}: fault {f['n']}"
                assert 0 < f["ttd_us"] < 10_000_000 and f["ttr_us"] < 5_000_000
        # a leak never outlives its fault: detected and ended, or ended by the campaign
        assert all(f["restarted"] for f in r["faults"] if f["kind"] == "leak"), name
    # the same seed, the same faults in the same order
    schedule = {name: [(f["target"], f["kind"]) for f in r["faults"]]
                for name, r in runs.items()}
    assert schedule["learned"] == schedule["fixed"]
    # the fixed policy restarts on faults and hangs only: no false alarm
    assert runs["fixed"]["false_positives"] == []
    # The learned policy (issue 9): every fault detected and recovered
    # (floods: one at least, as one that a busy server can take may be
    # within its normal: docs/faultcampaign.md), every leak predicted
    # before its service ran out of memory, no false alarm in the run, and
    # no more requests lost than the fixed policy (whose hangs outlast a
    # client's one-second deadline). The times to detect and to recover
    # are figures for the report, not asserts.
    learned = runs["learned"]
    for f in learned["faults"]:
        if f["kind"] != "flood":
            assert f["detected"] and f["recovered"], \
                f"learned: fault {f['n']} ({f['kind']} of {f['target']}) not detected or recovered"
        if f["kind"] == "leak":
            assert f["event"] == "predict" and f["before_oom"] and not f["operator"], \
                f"learned: the leak of fault {f['n']} was not predicted in time"
    assert any(f["detected"] for f in learned["faults"] if f["kind"] == "flood")
    assert learned["false_positives"] == [], learned["false_positives"]
    # fewer lost than the fixed policy is the 50-fault campaign's target
    # (docs/faultcampaign.md). In ten faults chance weighs as much as the
    # policy: one hang more or less near the clients' one-second deadline,
    # or a UDP datagram that was inside net when the learned policy
    # rejuvenated it (the fixed one lets the leak run, and may restart net
    # at a quieter moment). So here: at most one more than the fixed policy.
    assert learned["overall"]["lost"] <= runs["fixed"]["overall"]["lost"] + 1, \
        (learned["overall"]["lost"], runs["fixed"]["overall"]["lost"])
