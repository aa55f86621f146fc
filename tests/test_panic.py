"""Panic reports: test=NAME breaks the kernel on purpose (kernel/ktest/faults.c);
the report must say what happened and name the function at the faulting RIP."""
import re

import pytest

HEX = r"0x[0-9a-f]{16}"

CASES = {
    "panic": [r"PANIC: page fault in kernel mode \(vector 14, error code 0x2\)",
              r"cause: null pointer dereference",
              rf"RIP {HEX} <panic_test_null_deref\+0x[0-9a-f]+>",
              r"CR2 0x0000000000000000"],
    "divide": [r"PANIC: divide error in kernel mode \(vector 0,",
               rf"RIP {HEX} <panic_test_divide\+"],
    "invalid_opcode": [r"PANIC: invalid opcode in kernel mode \(vector 6,",
                       rf"RIP {HEX} <panic_test_invalid_opcode\+"],
    "write_text": [r"PANIC: page fault in kernel mode \(vector 14, error code 0x3\)",
                   r"cause: write to a read-only page",
                   rf"RIP {HEX} <panic_test_write_text\+"],
    "exec_data": [r"PANIC: page fault in kernel mode \(vector 14, error code 0x11\)",
                  r"cause: instruction fetch from a non-executable page \(NX\)",
                  rf"RIP {HEX} <\?>"],
    "stack_overflow": [r"PANIC: double fault in kernel mode \(vector 8,",
                       r"cause: kernel stack overflow \(hit the guard page\)",
                       rf"RIP {HEX} <panic_test_recurse\+"],
    "kstack_guard": [r"PANIC: page fault in kernel mode \(vector 14, error code 0x2\)",
                     r"cause: kernel stack overflow \(hit the guard page\)",
                     rf"RIP {HEX} <panic_test_kstack_guard\+"],
    "double_free": [r"PANIC: buddy: double free of frame 0x[0-9a-f]+ \(already free"],
    "foreign_free": [r"PANIC: buddy: free of foreign frame 0x[0-9a-f]+ \(not managed"],
    "kfree_double": [r"PANIC: kfree: double free of 128-byte object 0x[0-9a-f]+"],
    "assert": [r"PANIC: assertion failed: launder\(1\) == 2 \(kernel/ktest/faults\.c:\d+, ktest_assert\)"],
}

# Functions the backtrace must show, innermost first, before ktest_run and kmain.
BACKTRACE = {
    "panic": ["panic_test_null_deref"],
    "stack_overflow": ["panic_test_recurse", "ktest_stack_overflow"],
    "double_free": ["buddy_free", "frame_free", "ktest_double_free"],
    "kfree_double": ["kfree", "ktest_kfree_double"],
}

EXCEPTION_CASES = {"panic", "divide", "invalid_opcode", "write_text", "exec_data",
                   "stack_overflow", "kstack_guard"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_panic_report(boot, name):
    m = boot(cmdline=f"test={name}")
    m.expect(rf"^ktest: {name}: start$")
    for pattern in CASES[name]:
        m.expect(pattern)
    m.expect(r"^Backtrace:$")
    for fn in BACKTRACE.get(name, []):
        m.expect(rf"^  #\d+ +0x[0-9a-f]{{16}} <{fn}\+0x[0-9a-f]+>$")
    m.expect(r"<ktest_run\+0x[0-9a-f]+>")
    m.expect(r"<kmain\+0x[0-9a-f]+>")
    m.expect(r"^\*\*\* System halted\.$")
    if name in EXCEPTION_CASES:
        for reg in ("RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP", "R8 ", "R9 ",
                    "R10", "R11", "R12", "R13", "R14", "R15", "RFLAGS", "CR0", "CR2", "CR3"):
            assert re.search(rf"\b{reg} +0x[0-9a-f]+", m.text), reg
    # Halted for good, interrupts off: typed input gets no echo, QEMU stays up.
    m.assert_silent()
