"""Device access for user-space drivers (kernel core): I/O ports, MMIO,
DMA memory and interrupts, each reached only through capabilities derived
from the device authority that the root actor gets at boot."""
import datetime
import re

from conftest import boot_runner, wait_for_exits


def test_a_driver_reads_the_rtc_through_io_ports(boot):
    """tests/actors/rtc.c with a copy of the device authority reads the CMOS
    clock through ports 0x70/0x71 and takes eight periodic interrupts
    (IOAPIC input 8) through a notification; the kernel's own port (COM1)
    is refused (CLK_EPERM, -6), and a second rtc without the authority gets
    CLK_EBADF (-9)."""
    m = boot_runner(boot, "rtc:8:D rtc")
    wait_for_exits(m, ["runner", "rtc", "rtc"])
    assert "runner: actor 1, initrd of" in m.text and "device authority in slot 1" in m.text
    date = re.search(r"rtc: status B (0x[0-9a-f]+), date (\d{4})-(\d\d)-(\d\d) "
                     r"(\d\d):(\d\d):(\d\d)", m.text)
    assert date, m.text
    b = int(date.group(1), 16)
    year, month, day, hour, minute, second = [int(x) for x in date.groups()[1:]]
    assert b & 0x02  # 24-hour mode, as the BIOS leaves it
    assert abs(year - datetime.datetime.now(datetime.timezone.utc).year) <= 1
    assert 1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 60
    assert "rtc: IOPORT_CREATE(COM1) -> -6, IO_IN(COM1) through the CMOS ports -> -6" in m.text
    assert "rtc: no device authority: IOPORT_CREATE -> -9" in m.text
    assert "rtc: IRQ_CREATE(GSI 8) -> a capability, IRQ_BIND -> 0" in m.text
    assert re.search(r"rtc: 8 periodic interrupts in \d+ ms; the kernel counted 8, 0 unbound",
                     m.text)


def test_a_dead_drivers_interrupt_is_masked_and_given_back(boot):
    """rtc_quitter binds GSI 8, turns the RTC's periodic interrupt on and
    exits: its capabilities go, so the kernel masks and frees the input, and
    the next driver claims it and gets its interrupts."""
    m = boot_runner(boot, "rtc_quitter:9:D rtc:7:D")
    wait_for_exits(m, ["runner", "rtc_quitter", "rtc"])
    assert "rtc_quitter: IRQ_CREATE(GSI 8) -> a capability, IRQ_BIND -> 0; leaving it on" in m.text
    assert "rtc: IRQ_CREATE(GSI 8) -> a capability, IRQ_BIND -> 0" in m.text
    assert re.search(r"rtc: 8 periodic interrupts in \d+ ms; the kernel counted 8", m.text)


def test_a_pci_driver_with_mmio_msi_and_dma(boot):
    """tests/actors/edu.c drives QEMU's edu device: it finds it in PCI
    configuration space, maps BAR 0 (device memory the kernel refuses to
    copy from: CLK_EFAULT, -5), computes a factorial with an MSI, copies a
    DMA buffer to the device and back, and after deleting its interrupt
    capability an interrupt reaches nobody (WAIT times out, -11) and is
    counted as a stray, never a panic."""
    m = boot_runner(boot, "edu:8:D", qemu_args=["-device", "edu"])
    wait_for_exits(m, ["runner", "edu"])
    assert re.search(r"edu: at 00:[0-9a-f]{2}\.0, BAR 0 at 0x[0-9a-f]+ \(1024 KiB\): "
                     r"MMIO_CREATE -> ok, MAP -> 0", m.text), m.text
    assert "edu: identification 0x010000ed, liveness ~0x12345678 = 0xedcba987" in m.text
    assert "edu: DEBUG_WRITE from device memory -> -5" in m.text
    assert re.search(r"edu: MSI capability at 0x[0-9a-f]+, address 0xfee[0-9a-f]{5}, "
                     r"data 0x[0-9a-f]+", m.text)
    assert ("edu: an interrupt before IRQ_BIND: counted 1, unbound 1; bind -> 0, delivered at once"
            in m.text)
    assert "edu: 10! = 3628800, by interrupt" in m.text
    phys = int(re.search(r"edu: DMA buffer of 2 pages at physical (0x[0-9a-f]+), contiguous",
                         m.text).group(1), 16)
    assert phys < 1 << 28  # edu's DMA mask in QEMU 7.2; RAM is 32 MiB here
    assert "edu: DMA of 4000 bytes to the device and back: 4000 bytes intact" in m.text
    assert "edu: the kernel counted 4 interrupts, 1 unbound" in m.text
    assert "edu: IRQ capability deleted (0); an interrupt after that: WAIT -> -11" in m.text
    assert re.search(r"irq: 1 interrupt\(s\) on lines nobody holds", m.text)
    assert "edu: 0 failures" in m.text
    assert "PANIC" not in m.text


def test_device_calls_with_bad_arguments_get_their_errors(boot):
    """tests/actors/devbad.c, with the device authority and a page quota of
    64: MMIO over RAM, the local APIC, the IOAPIC and VGA memory, ports out
    of range and the kernel's own, the timer's and the console's
    interrupts, DMA of 0 pages or over the quota, MEMORY_PHYS of an
    ordinary object, wrong capability types, a syscall number past the
    table; and every frame back at the end."""
    m = boot_runner(boot, "devbad:8:D:64")
    wait_for_exits(m, ["runner", "devbad"])
    assert not re.search(r"devbad: FAIL", m.text), m.text
    for name in ["MMIO over RAM", "MMIO over the local APIC", "ports past 0xFFFF",
                 "IRQ of the PIT (GSI 2)", "IRQ of the console (GSI 4)", "DMA of no pages",
                 "MEMORY_PHYS of an ordinary memory object", "a syscall past the table",
                 "every frame is back"]:
        assert f"devbad: ok {name}\n" in m.text, name
    assert len(re.findall(r"devbad: ok ", m.text)) == 80
    assert "devbad: 0 failures" in m.text
