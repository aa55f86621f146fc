"""In-kernel test cases (kernel/ktest/), run with test=NAME."""
import re

import pytest

from conftest import ROOT

# isa-debug-exit: QEMU's exit status is (value << 1) | 1.
QEMU_EXIT_PASS, QEMU_EXIT_FAIL = 1, 3


def ktest_names(fatal):
    """Names of the KTEST (or KTEST_FATAL) cases in the kernel sources."""
    macro = "KTEST_FATAL" if fatal else "KTEST"
    names = []
    for src in (ROOT / "kernel").rglob("*.c"):
        names += re.findall(rf"^{macro}\((\w+)\)", src.read_text(), re.M)
    return sorted(names)


def test_all_selftests_pass_in_32_mib(boot):
    m = boot(cmdline="test=all", mem="32M")
    done = m.expect(r"ktest: done: (\d+) passed, (\d+) failed", timeout=120)
    ran = re.findall(r"^ktest: (\w+): start$", m.text, re.M)
    passed = re.findall(r"^ktest: (\w+): PASS$", m.text, re.M)
    assert sorted(ran) == ktest_names(fatal=False)
    assert sorted(passed) == sorted(ran), re.findall(r"^ktest: .*FAIL.*$", m.text, re.M)
    assert int(done.group(2)) == 0
    assert m.wait_exit() == QEMU_EXIT_PASS


def test_all_of_4_gib_is_used(boot):
    """With 4 GiB, RAM continues above the PCI hole; all of it is allocatable."""
    m = boot(cmdline="test=frames_all_memory", mem="4G")
    usable = int(m.expect(r"mem: (\d+) KiB usable RAM").group(1))
    assert usable >= 4 * 1024 * 1024 - 2048
    got = m.expect(r"frames_all_memory: (\d+) MiB allocatable, highest address (0x[0-9a-f]+)",
                   timeout=120)
    assert int(got.group(1)) >= 4096 - 16
    assert int(got.group(2), 16) > 4 << 30
    m.expect(r"ktest: done: 1 passed, 0 failed")
    assert m.wait_exit() == QEMU_EXIT_PASS


def test_unknown_test_name_lists_the_known_ones(boot):
    m = boot(cmdline="test=no_such_test")
    listing = m.expect(r'ktest: no test called "no_such_test"\. Known tests:(.*)$').group(1)
    for name in ktest_names(fatal=False):
        assert f" {name}" in listing
    m.expect(r"ktest: done: 0 passed, 1 failed")
    assert m.wait_exit() == QEMU_EXIT_FAIL
