"""Console input for actors: the raw CONSOLE_READ call (tests/actors/
conread.c) and read(0) in the C library, whose line discipline echoes and
edits lines (tests/sdk/readline.c). Each actor says when it waits, and the
test types only then."""
import re

from conftest import boot_runner


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
    m.expect(r'kernel: got "after" \(5 bytes\); no shell is running yet')


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
