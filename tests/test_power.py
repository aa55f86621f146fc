"""Power-off and reset. The kernel reads the FADT and the DSDT's \\_S5 and
tells the root actor (clk_bootinfo.acpi_*); the supervisor, asked by a
control=yes service (SUP_SHUTDOWN, SUP_REBOOT), stops every service,
dependents first, says so on the console and writes the sleep type to
PM1a's control port, or the reset register. QEMU must then exit by
itself, with status 0 (isa-debug-exit, which the kernel's tests use,
would give an odd status); tools/qemu runs it with -no-reboot, so a reset
ends it too. The test manifests are tests/manifests/shutdown and reboot."""
import re

EVENT = r"supervisor: \[(\d+\.\d+)\] "


def supervise(boot, manifest, **kw):
    m = boot(cmdline=f"init=sbin/supervisor -- manifest=test/manifests/{manifest}", **kw)
    m.expect(rf"supervisor: test/manifests/{manifest}: 4 service\(s\), 0 problem\(s\)")
    return m


def check_stopped_in_order(m, what):
    """The outsider was refused; asker, top and base (started in the other
    order) were stopped, dependents first, before the final line."""
    assert f"supctl: {what} -> -6\n" in m.text  # the outsider: no control=yes
    killed = re.findall(r"actor \d+ \((\w+)\) killed by actor 1", m.text)
    assert killed == ["asker", "top", "base"]
    for name in killed:
        assert re.search(EVENT + rf"{name} exit: actor \d+ stopped for the {what}", m.text)
    final = m.text.index("supervisor: powering off" if what == "shutdown" else
                         "supervisor: rebooting")
    assert m.text.rindex("killed by actor 1") < final
    assert "did not happen" not in m.text and "PANIC" not in m.text


def test_shutdown_powers_the_machine_off_through_acpi(boot):
    """QEMU's q35 FADT gives PM1a control at 0x604 and \\_S5 sleep type 0;
    writing SLP_TYP 0 with SLP_EN makes QEMU power off and exit."""
    m = supervise(boot, "shutdown")
    m.expect(r"supervisor: powering off", timeout=60)
    assert m.wait_exit(timeout=30) == 0
    assert re.search(r"acpi: FADT: power-off through PM1a control port 0x604 \(PM1b 0\), "
                     r"\\_S5 sleep types 0/0", m.text)
    assert re.search(EVENT + r"supervisor power: shutdown requested by asker: ACPI S5, SLP_TYP 0 "
                     r"to port 0x604\n", m.text)
    check_stopped_in_order(m, "shutdown")


def test_reboot_resets_the_machine_through_the_acpi_reset_register(boot):
    """The FADT's reset register is I/O port 0xCF9 (q35's reset control);
    the reset makes QEMU, run with -no-reboot, exit."""
    m = supervise(boot, "reboot")
    m.expect(r"supervisor: rebooting", timeout=60)
    assert m.wait_exit(timeout=30) == 0
    assert re.search(r"acpi: FADT: reset register I/O port 0xcf9 <- 0x[0-9a-f]+\n", m.text)
    assert re.search(EVENT + r"supervisor power: reboot requested by asker: ACPI reset, "
                     r"0x[0-9a-f]+ to port 0xcf9, then 8042\n", m.text)
    check_stopped_in_order(m, "reboot")


def test_without_acpi_s5_a_shutdown_is_refused_and_a_reboot_uses_the_8042(boot):
    """With -machine acpi=off the firmware's own tables have no \\_S5 and
    no reset register. A shutdown is CLK_ENOSYS (-7) before anything
    stops: the services run on and QEMU too. A reboot falls back on the
    keyboard controller's reset line, which ends QEMU all the same."""
    m = supervise(boot, "shutdown", qemu_args=["-machine", "acpi=off"])
    m.expect_all([r"supctl: shutdown -> -7", r"idle: boot complete"], timeout=60)
    assert "warning: acpi: no ACPI power-off: the DSDT has no \\_S5\n" in m.text
    assert "acpi: FADT: no reset register\n" in m.text
    assert re.search(EVENT + r"supervisor power: shutdown requested by asker: the firmware tells "
                     r"no way\n", m.text)
    assert "killed by actor 1" not in m.text and "powering off" not in m.text
    m.send("still there?")  # the kernel's idle loop answers: the machine runs on
    m.expect(r'kernel: got "still there\?"')
    assert m.proc.poll() is None

    m = supervise(boot, "reboot", qemu_args=["-machine", "acpi=off"])
    m.expect(r"supervisor: rebooting", timeout=60)
    assert m.wait_exit(timeout=30) == 0
    assert re.search(EVENT + r"supervisor power: reboot requested by asker: 8042 reset, 0xfe to "
                     r"port 0x64\n", m.text)
    check_stopped_in_order(m, "reboot")
