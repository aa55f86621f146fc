"""Asynchronous IPC (kernel core): bounded mailboxes, notifications, and
WAIT on everything a thread has bound."""
import re

from conftest import boot_runner, wait_for_exits


def test_mailbox_and_notification_semantics(boot):
    """tests/actors/async.c checks, within one actor: a full mailbox gives
    CLK_EFULL, a blocking send and WAIT time out, messages keep their order,
    payloads and badges, signals merge, WAIT goes round its sources, and
    rights and types are enforced."""
    m = boot_runner(boot, "async")
    m.expect(r"async: (\d+) failures", timeout=30)
    assert "async: ok send to a full mailbox" in m.text
    assert not re.search(r"async: FAIL", m.text), m.text
    assert len(re.findall(r"async: ok ", m.text)) == 28
    assert "async: 0 failures" in m.text


def test_a_sender_waits_for_room_while_the_receiver_is_behind(boot):
    """The consumer runs below the producer, so the 8-slot mailbox fills and
    the producer waits for room each time; nothing is lost or reordered."""
    m = boot_runner(boot, "mb consumer:7:r producer:8:s3")
    wait_for_exits(m, ["runner", "consumer", "producer"])
    full = int(re.search(r"producer: sent 1000 messages, found the mailbox full (\d+) times, "
                         r"status 0", m.text).group(1))
    assert full > 900
    assert "consumer: 1000 of 1000 messages in order, badge 3, status 0" in m.text


def test_a_faster_receiver_keeps_the_mailbox_empty(boot):
    m = boot_runner(boot, "mb consumer:9:r producer:8:s4")
    wait_for_exits(m, ["runner", "consumer", "producer"])
    assert "producer: sent 1000 messages, found the mailbox full 0 times, status 0" in m.text
    assert "consumer: 1000 of 1000 messages in order, badge 4, status 0" in m.text


def test_a_mailbox_with_no_receiver_is_dead(boot):
    """The runner holds the only receive right and exits: the producer's
    sends (or its wait for room) end with CLK_EDEAD (-13)."""
    m = boot_runner(boot, "mb producer:8:s1")
    wait_for_exits(m, ["runner", "producer"])
    assert re.search(r"producer: sent \d+ messages, found the mailbox full \d+ times, status -13",
                     m.text)
