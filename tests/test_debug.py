"""`make debug`: gdb starts QEMU halted and stops in kmain with symbols."""
import subprocess

from conftest import ROOT


def test_make_debug_stops_in_kmain():
    out = subprocess.run(
        ["make", "-s", "debug", "GDBFLAGS=-batch -ex 'bt 2' -ex 'hbreak idle_loop' -ex continue -ex kill"],
        cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert "Breakpoint 1, kmain (magic=920085129" in out.stdout, out.stdout + out.stderr
    assert "in higher_half_entry ()" in out.stdout
    log = (ROOT / "build" / "debug-serial.log").read_text()
    assert log.startswith("CLKernel ")
