"""Synchronous IPC and capabilities (kernel core).

Every test runs twice: on the normal kernel, whose short calls take the
register-only fast path, and on one built with IPC_FASTPATH=0, where all
IPC takes the slow path. Both must behave the same; the kernel's counters
show which path ran.
"""
import re

import pytest

from conftest import boot_runner, wait_for_exits


@pytest.fixture(params=["fastpath", "slowpath"])
def kernel(request, slowpath_iso):
    return {"fastpath": None, "slowpath": slowpath_iso}[request.param], request.param


def run(boot, kernel, words):
    return boot_runner(boot, words, iso=kernel[0])


def test_calls_carry_payloads_badges_and_long_messages(boot, kernel):
    m = run(boot, kernel, "ep echo_server:8:r client:8:s11 client:8:s22 quitter:7:s33")
    wait_for_exits(m, ["runner", "echo_server", "client", "client", "quitter"])
    got = re.findall(r"client \d+: 1000 short and 20 long calls ok, badge (\d+), too long -> (-?\d+)",
                     m.text)
    assert sorted(got) == [("11", "-1"), ("22", "-1")]  # badges as minted; EINVAL when too long
    served = int(re.search(r"quitter: count -> 0 \((\d+) served\), quit -> 0", m.text).group(1))
    assert served == 2 * 1020 + 1  # every call arrived exactly once
    assert re.search(r"echo_server: served 2042 calls, last status 0", m.text)


def expect_path_counts(m, kernel):
    """bench_ipc's 10,000 round trips: all on the fast path (a call and a
    reply each), or all on the slow path (call, reply and receive or take)."""
    fast, slow = map(int, m.expect(
        r"bench_ipc: 10000 round trips: (\d+) fast-path and (\d+) slow-path IPC operations",
        timeout=60).groups())
    assert (fast, slow) == ((20000, 0) if kernel[1] == "fastpath" else (0, 30000))


def test_the_path_taken_shows_in_the_counters(boot, kernel):
    m = run(boot, kernel, "ep echo_server:9:r bench_ipc:9:s1")
    expect_path_counts(m, kernel)


def test_capabilities_are_enforced(boot, kernel):
    """No capability: CLK_EBADF (-9). Receive-only capability: CLK_EPERM (-6)."""
    m = run(boot, kernel, "ep echo_server:8:r client:8 client:8:r")
    wait_for_exits(m, ["runner", "client", "client"])
    assert re.search(r"client \d+: no capability: call -> -9", m.text)
    assert re.search(r"client \d+: call failed at 0: -6", m.text)


def test_a_server_that_dies_mid_call(boot, kernel):
    """The caller gets CLK_EDEAD (-13); once nothing can receive, so does the next call."""
    m = run(boot, kernel, "ep echo_server:8:r caller:8:s5")
    m.expect(r"echo_server: told to die by 5")
    m.expect(r"actor \d+ \(echo_server\) exited with status 3")
    m.expect(r"caller: call to a dying server -> -13, then -> -13")


def test_capabilities_travel_in_messages(boot, kernel):
    """A publisher passes its own endpoint to a registry in a call (through
    a capability with the grant right); a finder gets a copy in the reply to
    a lookup and calls it. Passing a slot that holds nothing is CLK_EBADF
    (-9), passing without the grant right CLK_EPERM (-6), and a receiver
    with no free slot gets the message with CLK_TAG_CAP_LOST."""
    m = run(boot, kernel, "ep registry:8:r finder:8:s2:/2 finder:8:s1 publisher:8:g3")
    wait_for_exits(m, ["runner", "registry", "finder", "finder", "publisher"])
    assert "publisher: passing slot 99 -> -9, registering -> 0, 0" in m.text
    assert "publisher: answered a call, status 0" in m.text
    assert ("finder: passing without grant -> -6; the capability was lost: no free slot"
            in m.text)
    assert re.search(r"finder: passing without grant -> -6; got slot \d+, its call -> 0, "
                     r"answer 42", m.text)
    assert re.search(r"registry: served \d+ calls, status 0", m.text)


def test_a_server_in_wait_takes_the_fast_path_too(boot, kernel):
    """wait_server binds its endpoint and loops on REPLY_WAIT, as libactor's
    loop will: the call into WAIT and REPLY_WAIT with nothing else pending
    both take the fast path (on the slow-path kernel: call, take, reply)."""
    m = run(boot, kernel, "ep wait_server:9:r bench_ipc:9:s1 quitter:7:s4")
    expect_path_counts(m, kernel)
    wait_for_exits(m, ["runner", "bench_ipc", "quitter", "wait_server"])
    assert re.search(r"quitter: count -> 0 \(\d+ served\), quit -> 0", m.text)
    assert "wait_server: served 10002 calls, status 0" in m.text


def test_replies_can_be_deferred(boot, kernel):
    """deferrer takes four calls without answering (REPLY_DEFER makes each
    owed reply a capability), answers three in reverse order through
    REPLY_TO, and deletes the fourth, whose caller gets CLK_EDEAD (-13).
    REPLY_DEFER with nothing owed is CLK_ENOENT (-3); a used-up reply
    capability is gone (CLK_EBADF, -9)."""
    m = run(boot, kernel, "ep deferrer:7:r asker:8:s1 asker:8:s2 asker:8:s3 asker:8:s4")
    wait_for_exits(m, ["runner", "deferrer", "asker", "asker", "asker", "asker"])
    assert "deferrer: nothing owed -> -3; answered 0 0 0; used-up capability -> -9" in m.text
    callers = re.search(r"deferrer: calls from actors (\d+) (\d+) (\d+) (\d+)", m.text).groups()
    answers = dict((a[0], a[1:]) for a in
                   re.findall(r"asker (\d+): call -> (-?\d+), answer (\d+)", m.text))
    # the first three callers get 10, 20, 30 (answered in the reverse order), the fourth nothing
    assert [answers[c] for c in callers] == [("0", "10"), ("0", "20"), ("0", "30"), ("-13", "0")]
    replied = [a[0] for a in re.findall(r"asker (\d+): call -> 0", m.text)]
    assert replied == [callers[2], callers[1], callers[0]]
