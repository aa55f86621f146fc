"""The initrd as a memory object: the root actor finds, in
clk_bootinfo.initrd_cap, a read-only capability to the initrd's pages that
it can pass on. tests/actors/initrd_cap.c boots as the root actor and
checks it (one "initrd_cap: ok NAME" line per check)."""
import re

CHECKS = ["started with one capability", "device authority in slot 1", "an initrd capability",
          "offset inside the first page", "map read-only", "the bytes are the archive's",
          "it starts with the newc magic", "map writable", "memory_phys",
          "memory_phys past the end", "mint with write", "mint read-only", "map the copy",
          "the copy shows the same pages", "a copy without read cannot map",
          "delete the capability", "the mapping outlives it", "unmap", "unmap the copy",
          "delete the copy", "delete the copy without read", "no frame freed",
          "the slot is empty", "memory ran out", "the archive is intact"]


def assert_all_passed(text, runs=1):
    assert "initrd_cap: FAIL" not in text, re.findall(r"initrd_cap: FAIL .*", text)
    for name in CHECKS:
        assert text.count(f"initrd_cap: ok {name}\n") == runs, name
    assert text.count("initrd_cap: done, 0 failures\n") == runs


def test_the_root_gets_the_initrd_as_a_read_only_memory_object(boot):
    """The object maps read-only and holds the archive byte for byte;
    mapping it writable is CLK_EPERM (-6), MEMORY_PHYS on it CLK_EBADF (-9);
    deleting every capability and mapping frees no frame, and the archive
    survives the rest of memory being allocated and zeroed."""
    m = boot(cmdline="init=test/initrd_cap")
    m.expect(r"initrd_cap: done, \d+ failures", timeout=60)
    m.expect(r"actor 1 \(initrd_cap\) exited with status 0")
    assert_all_passed(m.text)
    found = re.search(r"initrd_cap: actor 1, 1 capability, device authority in slot 1, "
                      r"initrd of (\d+) bytes in slot (\d+) at offset (\d+) \((\d+) pages\)",
                      m.text)
    assert found
    size, slot, offset, pages = map(int, found.groups())
    assert slot == 2 and offset < 4096 and pages == (offset + size + 4095) // 4096
    before, after = map(int, re.search(r"initrd_cap: free frames (\d+) before the last "
                                       r"capability and mapping went, (\d+) after", m.text).groups())
    assert before == after


def test_a_restarted_root_gets_the_initrd_again(boot):
    """The root exits with status 1 each time (the word "die"): the kernel
    restarts user space three times, and each new root gets a capability
    of its own, while the old one's deletion frees none of the pages."""
    m = boot(cmdline="init=test/initrd_cap -- die")
    m.expect(r"root: test/initrd_cap died 4 times; user space stays down", timeout=120)
    for i in (1, 2, 3):
        assert f"root: test/initrd_cap died; restarting user space ({i} of 3)" in m.text
    assert_all_passed(m.text, runs=4)
