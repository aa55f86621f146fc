"""The virtio-net driver (servers/nic/, protocol libactor/include/actor/nic.h).
The supervisor starts it from tests/manifests/nic with the device authority,
and the client tests/sdk/nictest.c uses its rings directly, without any
TCP/IP: it asks QEMU's user-network gateway (10.0.2.2) for its MAC address
with ARP. tools/qemu --net '' attaches the card with no forwards."""
import re
import socket

from conftest import free_ports

EVENT = r"supervisor: \[(\d+\.\d+)\] "
MAC = r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}"


def boot_nic(boot, manifest="nic", net=True):
    return boot(cmdline=f"init=sbin/supervisor -- manifest=test/manifests/{manifest}",
                options=["--net", ""] if net else [])


def test_arp_through_the_rings_bad_messages_and_attaching_again(boot):
    """nictest attaches with its doorbell and gets the gateway's ARP reply
    (QEMU's is 52:55:0a:00:02:02); then it sends 3 malformed messages on
    NIC_RXFREE and 6 on NIC_TX (buffers out of range, of the wrong kind or
    not its own, lengths out of range) with a second ARP request, which the
    nic counts and drops while it still answers; then it attaches again, as
    a restarted network stack does, and ARP works on the fresh rings."""
    m = boot_nic(boot)
    m.expect(r"nic: virtio-net at 00:[0-9a-f]{2}\.0 \(device 0x1000\)")
    mac = m.expect(rf"nic: MAC ({MAC}), link up; RX queue 256, TX queue 256; 256\+256 buffers "
                   r"of 2048 bytes").group(1)
    m.expect(rf"nictest: nic instance (\d+): MAC {mac}, MTU 1500, link up")
    m.expect(r"nictest: NIC_ATTACH without a doorbell -> -1\b")
    m.expect(r"nictest: NIC_DOORBELL -> 0")
    m.expect(r"nictest: NIC_ATTACH -> 0, MAP -> 0; instance \d+")
    m.expect(r"nictest: arp 10\.0\.2\.2 is at 52:55:0a:00:02:02")
    m.expect(r"nictest: counters: rx [1-9]\d* packets")
    m.expect(r"nictest: after malformed messages, arp 10\.0\.2\.2 is at 52:55:0a:00:02:02")
    m.expect(r"nictest: malformed messages counted: 6 tx errors, 3 rx errors")
    m.expect(r"nictest: NIC_ATTACH -> 0, MAP -> 0; instance \d+")
    m.expect(r"nictest: after attaching again, arp 10\.0\.2\.2 is at 52:55:0a:00:02:02")
    counters = m.expect(r"nictest: counters: rx (\d+) packets \d+ bytes, \d+ dropped, (\d+) "
                        r"errors; tx (\d+) packets \d+ bytes, \d+ dropped, (\d+) errors; "
                        r"(\d+) interrupts, (\d+) doorbells")
    rx, rx_errors, tx, tx_errors, interrupts, doorbells = map(int, counters.groups())
    assert rx >= 3 and tx >= 3 and interrupts >= 3 and doorbells >= 3
    assert (rx_errors, tx_errors) == (3, 6)
    m.expect(r"nictest: done, 0 failures")
    m.expect(r"actor \d+ \(nictest\) exited with status 0")
    assert "FAIL" not in m.text


def test_without_a_card_the_driver_says_so_and_the_system_comes_up(boot):
    """With no virtio-net device the driver says so and exits with
    SUP_EXIT_IGNORE (78): the supervisor does not restart it; the client's
    request gets CLK_EDEAD (-13). The default manifest (the shell's) still
    comes up without a card."""
    m = boot_nic(boot, net=False)
    m.expect_all([r"nic: no virtio-net device on PCI; nothing to serve",
                  EVENT + r"nic exit: actor \d+ exited with status 78: nothing to do here, "
                  r"not restarted",
                  r"nictest: no nic: NIC_INFO -> -13",
                  r"actor \d+ \(nictest\) exited with status 1"])
    assert len(re.findall(r"actor \d+ \(nic\) started", m.text)) == 1
    assert not re.search(EVENT + r"nic (restart|failed)", m.text)


def test_the_default_manifest_starts_the_nic_with_or_without_a_card(boot):
    """The boot manifest (/etc/services) starts the nic: without a card it
    stays down, with one (and a forward, as make run has) it describes the
    card; either way the shell's prompt comes (the two print in any order)."""
    m = boot(cmdline="")
    m.expect_all([r"nic: no virtio-net device on PCI; nothing to serve", r"clk> "])
    port, = free_ports(socket.SOCK_STREAM)
    m = boot(cmdline="", options=["--net", f"tcp:{port}:80"])
    m.expect_all([rf"nic: MAC {MAC}, link up; RX queue 256, TX queue 256", r"clk> "])
