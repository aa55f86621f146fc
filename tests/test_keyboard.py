"""Keyboard input: the console driver (servers/console) reads the PS/2
keyboard through the i8042 and types each key's bytes into the kernel
console with CONSOLE_INPUT (tests/test_console.py tests the call), so
programs read them as if typed on the serial line. The tests press keys
with QEMU's monitor (sendkey), which shares the serial console as in
make run: Ctrl-A C switches to it and back (Machine.monitor)."""
import re


DRIVER_READY = (r"console: PS/2 keyboard on the i8042 \(ports 0x60, 0x64; IRQ 1 at GSI 1\), "
                r"scancode set 2 translated to set 1, US layout")


def decode(shown):
    r"""The bytes that tests/sdk/keys.c printed as SHOWN (\xHH escapes)."""
    return re.sub(r"\\x([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), shown).encode("latin-1")


def boot_keys(boot, manifest):
    """Boot the supervisor with MANIFEST (the console driver and keys),
    the monitor on the console; wait until keys has the console."""
    m = boot(cmdline=f"init=sbin/supervisor -- manifest=test/manifests/{manifest}", monitor=True)
    m.expect_all([DRIVER_READY, r"keys: ready for"], timeout=60)
    return m


def test_monitor_switching_in_the_harness(boot):
    """The harness reaches QEMU's monitor with Ctrl-A C and comes back:
    the monitor answers a command, and afterwards the serial console
    works as before (the shell answers a line)."""
    m = boot(monitor=True)
    m.expect(r"idle: boot complete", timeout=60)
    m.monitor("info version", "info status")
    assert re.search(r"QEMU [\d.]+ monitor", m.text)
    assert "VM status: running" in m.text
    m.send("echo after")
    m.expect(r"^after$")


def test_keys_arrive_as_a_serial_terminal_sends_them(boot):
    """Letters, Shift, digits, punctuation, Caps Lock (Shift inverts it),
    Ctrl (Ctrl-C is 0x03), Alt (ESC first), Enter (CR), Backspace (DEL),
    Tab, Escape, the arrows, Home, End, Delete, Page Up, a function key and
    the keypad become the bytes a VT100/xterm sends on the serial line,
    delivered raw to a program's CONSOLE_READ (tests/sdk/keys.c)."""
    m = boot_keys(boot, "keys")
    keys = [("h", b"h"), ("shift-a", b"A"), ("1", b"1"), ("shift-1", b"!"), ("ctrl-c", b"\x03"),
            ("ret", b"\r"), ("backspace", b"\x7f"), ("tab", b"\t"), ("esc", b"\x1b"),
            ("up", b"\x1b[A"), ("down", b"\x1b[B"), ("right", b"\x1b[C"), ("left", b"\x1b[D"),
            ("home", b"\x1b[H"), ("end", b"\x1b[F"), ("delete", b"\x1b[3~"),
            ("pgup", b"\x1b[5~"), ("pgdn", b"\x1b[6~"), ("f1", b"\x1bOP"), ("f5", b"\x1b[15~"),
            ("caps_lock", b""), ("a", b"A"), ("shift-a", b"a"), ("1", b"1"), ("caps_lock", b""),
            ("b", b"b"), ("minus", b"-"), ("shift-minus", b"_"), ("equal", b"="),
            ("bracket_left", b"["), ("shift-bracket_right", b"}"), ("semicolon", b";"),
            ("apostrophe", b"'"), ("shift-apostrophe", b'"'), ("grave_accent", b"`"),
            ("backslash", b"\\"), ("shift-backslash", b"|"), ("comma", b","), ("dot", b"."),
            ("slash", b"/"), ("shift-slash", b"?"), ("spc", b" "), ("ctrl-a", b"\x01"),
            ("ctrl-z", b"\x1a"), ("ctrl_r-shift-b", b"\x02"), ("alt-x", b"\x1bx"),
            ("kp_1", b"1"), ("kp_add", b"+"), ("kp_enter", b"\r"), ("kp_divide", b"/"),
            ("ctrl-d", b"\x04")]
    m.sendkeys(*(key for key, _ in keys))
    got = m.expect(r"keys: (\d+) bytes \[(.*)\]", timeout=60)
    expected = b"".join(sent for _, sent in keys)
    assert decode(got.group(2)) == expected
    assert int(got.group(1)) == len(expected)
    # Both Shifts held together, then released: nothing sticks.
    m.monitor("sendkey shift-shift_r-q", "sendkey q", "sendkey ctrl-d")
    got = m.expect(r"keys: (\d+) bytes \[(.*)\]", timeout=60)
    assert decode(got.group(2)) == b"Qq\x04"


def test_typed_lines_are_edited_as_on_the_serial_line(boot):
    """Standard input's line discipline (libc-port/tty.c) edits keyboard
    input as it edits serial input: Backspace (DEL) erases a byte, Ctrl-U
    the line, Enter (CR) ends it, Ctrl-D on an empty line is end of
    file."""
    m = boot_keys(boot, "keylines")
    m.sendkeys("h", "e", "l", "o", "backspace", "backspace", "l", "p", "spc", "m", "i",
               "backspace", "e", "ret")
    m.expect(r"keys: line \[help\\x20me\\x0a\]", timeout=60)
    m.sendkeys("g", "a", "r", "b", "ctrl-u", "shift-o", "k", "shift-1", "ret")
    m.expect(r"keys: line \[Ok!\\x0a\]", timeout=60)
    m.sendkeys("ctrl-d")
    m.expect(r"keys: end of file", timeout=60)


def test_keys_reach_the_shell_as_serial_input_does(boot):
    """The default boot starts the console driver and the shell: what is
    typed on the keyboard is edited and run by the shell as serial input
    is, and serial input still works."""
    m = boot(monitor=True)
    m.expect_all([DRIVER_READY, r"idle: boot complete"], timeout=60)
    assert re.search(r"supervisor: \[[\d.]+\] console start: actor \d+", m.text)
    m.sendkeys("e", "c", "h", "o", "spc", "h", "i", "x", "backspace", "shift-1", "ret")
    m.expect(r"^hi!$", timeout=60)
    m.send("echo serial")
    m.expect(r"^serial$")


def test_without_a_ps2_controller_the_driver_stays_down(boot):
    """On a machine without an i8042 (q35 with i8042=off) the driver says
    so and exits with SUP_EXIT_IGNORE (78): the supervisor does not
    restart it, and the serial console works as ever."""
    m = boot(qemu_args=["-machine", "i8042=off"])
    m.expect_all([r"console: no PS/2 controller \(nothing answers at port 0x64\); "
                  r"no keyboard input",
                  r"supervisor: \[[\d.]+\] console exit: actor \d+ exited with status 78: "
                  r"nothing to do here, not restarted",
                  r"idle: boot complete"], timeout=60)
    assert not re.search(r"console (restart|fault)", m.text)
    m.send("echo serial")
    m.expect(r"^serial$")  # the shell, on the serial line
