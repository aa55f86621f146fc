"""Console input for actors: the raw CONSOLE_READ call (tests/actors/
conread.c) and read(0) in the C library, whose line discipline echoes and
edits lines (tests/sdk/readline.c). Each actor says when it waits, and the
test types only then. Drivers add input with CONSOLE_INPUT
(tests/actors/coninput.c; the keyboard's driver: tests/test_keyboard.py)."""
import re

from conftest import boot_runner, wait_for_exits


def test_console_read_errors_waits_queue_and_forgets_the_dead(boot):
    """Errors (CLK_ETIMEDOUT with nothing typed, CLK_EFAULT, CLK_EINVAL);
    input typed while the reading actor sleeps waits for it (the idle loop
    leaves it alone); readers are served first come, first served; and a
    reader whose actor exits while it waits is forgotten, after which, with
    no reading actor left, the idle loop answers input again."""
    m = boot_runner(boot, "conread")
    m.expect(r"conread: waits for abc", timeout=30)
    m.send_raw(b"abc")
    m.expect(r"conread: read got \[abc\]")
    m.expect(r"conread: A, B and main wait")
    for who, key in [("A", "1"), ("B", "2"), ("main", "3")]:
        m.send_raw(key.encode())
        m.expect(rf"conread: {who} got 1 \[{key}\]")
    m.expect(r"conread: C waits; exiting with 0 failures")
    assert "kernel: got" not in m.text
    m.expect(r"actor 2 \(conread\) exited with status 0")
    assert "actor 1 (runner) exited with status 0" in m.text
    checks = re.findall(r"conread: (ok|FAIL) (.*)", m.text)
    assert len(checks) == 12 and all(ok == "ok" for ok, _ in checks), checks
    # C's wait died with its actor; typed input now goes to the idle loop.
    m.send("after")
    m.expect(r'kernel: got "after" \(5 bytes\); nobody reads the console')


def test_stdin_reads_edited_lines_until_ctrl_d(boot):
    """read(0) in small pieces keeps the rest of a line for the next read;
    fgets after a prompt (flushed because stdin is read) gets whole lines:
    edited with Backspace, DEL and Ctrl-U, typed ahead two at once, and
    parsed with sscanf; Ctrl-D on an empty line is end of file."""
    m = boot_runner(boot, "readline")
    # The first idle comes once the runner has gone and readline waits for
    # input: from then on nothing else prints between the lines checked.
    m.expect(r"idle: boot complete", timeout=30)
    assert "readline: ready for pieces\n" in m.text
    m.send("hello world")
    m.expect(r"^hello world$")  # the echo
    m.expect(r"^readline: pieces \[hell\] \[o wo\] \[rld\\n\]$")
    m.expect(r"readline> ", partial=True)
    m.send_raw(b"helo\x7f\x7flp mi\be\r")
    m.expect(r"readline: got 8 bytes \[help me\\n\]")
    m.expect(r"readline> ", partial=True)
    m.send_raw(b"garbage\x15add 2 40\r")
    m.expect(r"readline: 2 \+ 40 = 42")
    m.expect(r"readline> ", partial=True)
    m.send_raw(b"one\rtwo\n")
    m.expect(r"readline: got 4 bytes \[one\\n\]")
    m.expect(r"readline: got 4 bytes \[two\\n\]")
    m.expect(r"readline> ", partial=True)
    m.send_raw(b"\x04")
    m.expect(r"readline: end of file after 4 lines, feof 1")
    m.expect(r"actor \d+ \(readline\) exited with status 44")
    # What the user saw: the echo, and each erasure drawn as "\b \b".
    assert "readline> helo\b \b\b \blp mi\b \be\n" in m.text
    assert "readline> garbage" + "\b \b" * 7 + "add 2 40\n" in m.text


def test_console_input_errors_limits_and_readers(boot):
    """CONSOLE_INPUT (tests/actors/coninput.c): it needs the device
    authority (CLK_EBADF, -9, without), checks lengths (CLK_EINVAL) and
    buffers (CLK_EFAULT) before adding anything; what it adds comes back
    from CONSOLE_READ byte for byte; a call that does not fit in the
    255-byte ring adds nothing (0); it wakes a waiting reader; CONSOLE_INTR
    turns ^C into a signal until it is given back; and a line left when its
    actor exits is answered by the idle loop, as typed input."""
    m = boot_runner(boot, "coninput:8:D coninput")
    m.expect(r"coninput: exiting with 0 failures")
    m.expect(r'kernel: got "typed by a driver" \(17 bytes\); nobody reads the console')
    wait_for_exits(m, ["runner", "coninput", "coninput"])
    assert "coninput: no device authority: CONSOLE_INPUT -> -9" in m.text
    checks = re.findall(r"coninput: (ok|FAIL) (.*)", m.text)
    assert len(checks) == 44 and all(ok == "ok" for ok, _ in checks), checks
