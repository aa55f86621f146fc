"""Boot: banner, memory, boot modules, log format, console input."""
import re

from conftest import ROOT, kernel_version


def test_banner_is_the_first_line(boot):
    m = boot()
    m.expect(r"idle: boot complete")
    first = m.text.split("\n", 1)[0]
    assert first == f"CLKernel {kernel_version()} booting"


def test_make_run_boots_to_idle_and_ctrl_a_x_quits(boot):
    """The README's first command: banner, an idle kernel, Ctrl-A X leaves."""
    m = boot(command=["make", "-s", "run"])
    m.expect(rf"^CLKernel {kernel_version()} booting$")
    m.expect(r"idle: boot complete; halting until an interrupt arrives")
    m.send_raw(b"\x01x")
    m.expect(r"QEMU: Terminated")
    assert m.wait_exit() == 0


def test_usable_memory_is_reported(boot):
    m = boot(mem="32M")
    usable = int(m.expect(r"mem: (\d+) KiB usable RAM in \d+ regions").group(1))
    free = int(m.expect(r"mem: (\d+) frames free \((\d+) KiB\)").group(1))
    # 32 MiB minus firmware areas; the kernel keeps little for itself
    # besides the boot modules (the initrd).
    initrd_kib = (ROOT / "build" / "initrd.cpio").stat().st_size // 1024
    assert 30 * 1024 <= usable <= 32 * 1024
    assert free * 4 >= usable - 2048 - initrd_kib
    m.expect(r"idle: boot complete")


def test_log_lines_carry_increasing_timestamps(boot):
    m = boot()
    m.expect(r"tsc: (\d+)\.\d+ MHz \(measured against the PIT\)")
    m.expect(r"idle: boot complete")
    stamps = [float(s) for s in re.findall(r"^\[\s*(\d+\.\d{6})\] ", m.text, re.M)]
    assert len(stamps) >= 8
    assert stamps == sorted(stamps)
    assert stamps[-1] > 0


def test_boot_modules_and_initrd_files_are_listed(boot):
    m = boot()
    size = (ROOT / "build" / "initrd.cpio").stat().st_size
    m.expect(rf'boot: module "initrd" at 0x[0-9a-f]+, {size} bytes')
    m.expect(r"idle: boot complete")
    staged = ROOT / "build" / "initrd"  # initrd/ plus the built actors
    files = sorted(p for p in staged.rglob("*") if p.is_file())
    assert any(p.name == "motd" for p in files) and any(p.name == "runner" for p in files)
    for p in files:
        name = re.escape(str(p.relative_to(staged)))
        assert re.search(rf"initrd:\s+{name}\s+{p.stat().st_size} bytes", m.text), name
    assert f"initrd: {len(files)} files" in m.text


def test_without_a_root_actor_the_kernel_idles(boot):
    m = boot(cmdline="init=no/such/file")
    m.expect(r"root: no no/such/file in the initrd; the kernel idles")
    m.expect(r"idle: boot complete")


def test_console_input_arrives_by_interrupt(boot):
    """COM1 receive goes through the IOAPIC to the kernel's input ring;
    with no root actor (so no shell) the idle loop answers it."""
    m = boot(cmdline="init=no/such/file")
    m.expect(r"idle: boot complete")
    m.send("hello kernel")
    m.expect(r'kernel: got "hello kernel" \(12 bytes\); nobody reads the console')
    m.send("again")
    m.expect(r'kernel: got "again" \(5 bytes\)')


def test_loglevel_hides_info_lines(boot):
    m = boot(cmdline="loglevel=2 bogus=1 init=no/such/file")  # no shell: the kernel answers
    m.expect(r"^CLKernel \S+ booting$")
    m.expect(r"warning: cmdline: 1 word\(s\) not understood, first \"bogus=1\"")
    m.send("ping")
    m.expect(r'kernel: got "ping"')
    assert "mem:" not in m.text and "idle: boot complete" not in m.text


def test_unknown_command_line_word_is_reported(boot):
    m = boot(cmdline="loglevel=9")
    m.expect(r'warning: cmdline: 1 word\(s\) not understood, first "loglevel=9"')
    m.expect(r"idle: boot complete")


def test_pcid_is_used_when_the_cpu_has_it(boot):
    """With -cpu max,+pcid QEMU either offers PCID or warns that it cannot
    (TCG cannot, as of QEMU 7.2): the kernel's log line must agree. qemu64
    has no PCID at all."""
    m = boot(qemu_args=["-cpu", "max,+pcid"])
    used = m.expect(r"paging: (PCID on|no PCID on this CPU)").group(1) == "PCID on"
    m.expect(r"idle: boot complete")
    offered = "doesn't support requested feature: CPUID.01H:ECX.pcid" not in m.text
    assert used == offered
    m = boot(qemu_args=["-cpu", "qemu64"])
    m.expect(r"paging: no PCID on this CPU: every address-space switch flushes the TLB")
    m.expect(r"idle: boot complete")
