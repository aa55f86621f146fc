"""Asynchronous IPC (kernel core): bounded mailboxes, notifications, and
WAIT on everything a thread has bound."""
import re

from conftest import boot_runner, wait_for_exits


def test_mailbox_and_notification_semantics(boot):
    """tests/actors/async.c checks, within one actor: a full mailbox gives
    CLK_EFULL, a blocking send and WAIT time out, messages keep their order,
    payloads and badges, signals merge, WAIT goes round its sources, timers
    signal notifications (and can be replaced or cancelled), and rights and
    types are enforced."""
    m = boot_runner(boot, "async")
    m.expect(r"async: (\d+) failures", timeout=30)
    assert "async: ok send to a full mailbox" in m.text
    assert not re.search(r"async: FAIL", m.text), m.text
    assert len(re.findall(r"async: ok ", m.text)) == 34
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


def test_one_wait_serves_an_endpoint_a_mailbox_and_a_notification(boot):
    """multi binds all three and serves them from one WAIT loop while a
    client calls, a producer sends and two signallers signal (badges 2 and
    4) at the same priority."""
    m = boot_runner(boot, "ep mb nt multi:8:r@1,r@2,r@3 client:8:s5@1 producer:8:s6@2 "
                          "signaller:8:s2@3 signaller:8:s4@3")
    wait_for_exits(m, ["runner", "multi", "client", "producer", "signaller", "signaller"])
    assert "client 3: 1000 short and 20 long calls ok, badge 5, too long -> -1" in m.text
    assert re.search(r"producer: sent 1000 messages, found the mailbox full \d+ times, status 0",
                     m.text)
    wakes = int(re.search(r"multi: 1020 calls, 1000 of 1000 messages in order, (\d+) notification "
                          r"wakes, bits 0x6, status 0", m.text).group(1))
    assert 2 <= wakes <= 200  # signals merge while multi is busy


def test_memory_objects_share_pages(boot):
    """tests/actors/shm.c, within one actor with a quota of 64 pages: bad
    arguments, two mappings of one object, read-only copies, mappings that
    outlive their capabilities, unmapping, the page quota, and every frame
    back at the end."""
    m = boot_runner(boot, "shm:7::64")
    m.expect(r"shm: (\d+) failures", timeout=30)
    assert not re.search(r"shm: FAIL", m.text), m.text
    assert len(re.findall(r"shm: ok ", m.text)) == 28
    assert "shm: 0 failures" in m.text


def test_a_read_only_grant_cannot_be_written(boot):
    """The runner makes a memory object and grants it read-only: the actor
    can map and read it, cannot map it writable (CLK_EPERM, -6), and is
    killed when it writes."""
    m = boot_runner(boot, "mem:2 shm_ro:8:R")
    wait_for_exits(m, ["runner", "shm_ro"])
    assert "shm_ro: map -> 0, write mapping -> -6, reads 0" in m.text
    assert re.search(r"actor \d+ \(shm_ro\) killed: page fault \(vector 14\) at RIP 0x40[0-9a-f]+, "
                     r"address 0x30000000, error 0x7", m.text)
    assert "the write went through" not in m.text


def test_a_ring_channel_between_two_actors(boot):
    """100,000 messages through a 256-slot ring in shared memory, with a
    notification to wake the consumer once per batch: every message
    arrives intact and in order, with a few hundred sleeps, not 100,000."""
    m = boot_runner(boot, "mem:4 nt ring_consumer:9:W@1,r@2 ring_producer:9:W@1,s@2")
    wait_for_exits(m, ["runner", "ring_consumer", "ring_producer"])
    assert "ring_producer: 100000 messages through 256 slots" in m.text
    sleeps = int(re.search(r"ring_consumer: 100000 of 100000 messages intact and in order, "
                           r"slept (\d+) times", m.text).group(1))
    assert sleeps < 1000
