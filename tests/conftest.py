r"""pytest harness: boot build/clkernel.iso in QEMU with the serial console
wired to the test.

    def test_x(boot):
        m = boot(cmdline="test=all", mem="32M")
        m.expect(r"ktest: done: (\d+) passed")
        m.send("hello")

expect() waits (with a timeout, never a sleep) for a regular expression in
the serial output after the previous match. It looks at complete lines only,
so "^...$" anchors (re.MULTILINE) never match half a line; pass partial=True
to match text that ends without a newline, such as a prompt. When a test fails, its whole
serial transcript is saved as tests/out/<test name>.log.
"""
import os
import pathlib
import re
import signal
import socket
import subprocess
import threading
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "out"
TEST_TIMEOUT = int(os.environ.get("CLK_TEST_TIMEOUT", "180"))


class Machine:
    """One QEMU running CLKernel, its serial console on our pipes."""

    def __init__(self, cmdline="", mem="32M", qemu_args=(), command=None, iso=None, options=(),
                 monitor=False):
        """Boot ISO (default build/clkernel.iso) with tools/qemu, or run
        COMMAND (a list) that boots. OPTIONS are more tools/qemu options
        (["--disk", path]); QEMU_ARGS go to QEMU as they are. With MONITOR,
        QEMU's monitor shares the console, as in make run (see monitor())."""
        console = "mux" if monitor else "stdio"
        args = [str(ROOT / "tools" / "qemu"), "--console", console, "--mem", mem]
        if iso:
            args += ["--iso", str(iso)]
        if cmdline:
            args += ["--cmdline", cmdline]
        args += [*options, "--", *qemu_args]
        self.args = args = command or args
        self.started = time.monotonic()
        # A session of its own, so close() reaches QEMU even under make or gdb.
        self.proc = subprocess.Popen(args, cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self._raw = bytearray()
        self._cond = threading.Condition()
        self._eof = False
        self._pos = 0  # expect() searches the text from here
        self._monitor_pos = 0  # monitor() looks for its prompts from here
        self.first_output_at = None
        self._thread = threading.Thread(target=self._reader, daemon=True)
        self._thread.start()

    def _reader(self):
        while True:
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            with self._cond:
                if not chunk:
                    self._eof = True
                    self._cond.notify_all()
                    return
                if self.first_output_at is None:
                    self.first_output_at = time.monotonic()
                self._raw += chunk
                self._cond.notify_all()

    @property
    def text(self):
        """Everything received so far, with CR LF turned into LF."""
        return self._raw.decode("utf-8", "replace").replace("\r\n", "\n")

    def expect(self, pattern, timeout=30, partial=False):
        """Wait for PATTERN after the last match; return the match."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                text = self.text
                end = len(text) if partial else text.rfind("\n") + 1
                m = rx.search(text, self._pos, end)
                if m:
                    self._pos = m.end()
                    return m
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    why = "QEMU exited" if self._eof else f"{timeout} s passed"
                    tail = text[self._pos:][-2000:]
                    raise AssertionError(f"{why} before /{pattern}/ appeared; "
                                         f"output since the last match:\n{tail}")
                self._cond.wait(left)

    def expect_all(self, patterns, timeout=30):
        """Wait until every one of PATTERNS has appeared anywhere, in any
        order (lines that different actors print); return their matches."""
        rxs = [re.compile(p, re.M) for p in patterns]
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                text = self.text
                text = text[:text.rfind("\n") + 1]
                found = [rx.search(text) for rx in rxs]
                if all(found):
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    why = "QEMU exited" if self._eof else f"{timeout} s passed"
                    missing = [p for p, f in zip(patterns, found) if not f]
                    raise AssertionError(f"{why} before {missing} appeared; "
                                         f"the last output:\n{text[-2000:]}")
                self._cond.wait(left)

    def send(self, line):
        """Type LINE and Enter on the serial console."""
        self.send_raw(line.encode() + b"\r")

    def send_raw(self, data):
        """Type the bytes DATA as they are (control keys, escapes)."""
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def monitor(self, *commands, timeout=30):
        """Run COMMANDS in QEMU's monitor (a Machine booted with
        monitor=True): Ctrl-A C switches the console to the monitor, each
        command is sent once its "(qemu) " prompt is there, and after the
        last one's prompt Ctrl-A C switches back. expect() then goes on
        from where it was before, so nothing the guest printed meanwhile
        is skipped (but the monitor's text may have come between)."""
        start = self._pos
        self._pos = max(start, self._monitor_pos)  # past the last session's prompts
        self.send_raw(b"\x01c")
        for command in commands:
            self.expect(r"\(qemu\) ", timeout=timeout, partial=True)
            self.send_raw(command.encode() + b"\n")
        self.expect(r"\(qemu\) ", timeout=timeout, partial=True)
        self.send_raw(b"\x01c")
        self._monitor_pos, self._pos = self._pos, start

    def sendkeys(self, *keys, timeout=30):
        """Press KEYS on the guest's keyboard, one after another, with the
        monitor's sendkey (QEMU's key names: "a", "shift-a", "ctrl-c",
        "ret", "up", ...)."""
        self.monitor(*(f"sendkey {key}" for key in keys), timeout=timeout)

    def wait_exit(self, timeout=30):
        """Wait for QEMU to exit; return its exit status."""
        return self.proc.wait(timeout)

    def assert_silent(self, seconds=0.5):
        """Type a line, then check that nothing at all is printed for SECONDS
        (a halted machine stays silent; a running one echoes)."""
        self.send("are you there?")
        with self._cond:
            seen = len(self._raw)
            self._cond.wait_for(lambda: len(self._raw) > seen or self._eof, seconds)
            extra = self._raw[seen:].decode("utf-8", "replace")
        assert not extra, f"expected silence, got: {extra!r}"
        assert self.proc.poll() is None, "QEMU exited"

    def close(self):
        """Kill QEMU and whatever started it; keep all output it produced."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self._thread.join(timeout=10)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    setattr(item, "rep_" + call.when, outcome.get_result())


@pytest.fixture(scope="session", autouse=True)
def built_image():
    """Make sure build/clkernel.iso matches the sources."""
    subprocess.run(["make", "-s", "all"], cwd=ROOT, check=True)


@pytest.fixture(autouse=True)
def hard_timeout(request):
    """No test may hang: fail it after TEST_TIMEOUT seconds."""
    def expire(signum, frame):
        raise TimeoutError(f"{request.node.nodeid} ran over {TEST_TIMEOUT} s")
    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(TEST_TIMEOUT)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture
def boot(request):
    """Factory: boot(cmdline="", mem="32M", options=[...], ...) -> Machine
    (see Machine). Transcripts of failed tests are saved under tests/out/
    (of every test with CLK_KEEP_OUT=1)."""
    machines = []

    def start(**kw):
        m = Machine(**kw)
        machines.append(m)
        return m

    yield start
    failed = getattr(request.node, "rep_call", None) is None or request.node.rep_call.failed
    failed = failed or os.environ.get("CLK_KEEP_OUT") == "1"  # every transcript, to read
    for i, m in enumerate(machines):
        m.close()
        if failed:
            OUT.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            path = OUT / (name + (f".{i}" if i else "") + ".log")
            path.write_text("# " + " ".join(m.args) + "\n" + m.text)


def kernel_version():
    text = (ROOT / "kernel" / "include" / "param.h").read_text()
    return re.search(r'#define CLK_VERSION "([^"]+)"', text).group(1)


@pytest.fixture(scope="session")
def slowpath_iso():
    """A kernel built with IPC_FASTPATH=0, in build/slowpath/."""
    subprocess.run(["make", "-s", "BUILD=build/slowpath", "IPC_FASTPATH=0", "all"], cwd=ROOT,
                   check=True)
    return ROOT / "build" / "slowpath" / "clkernel.iso"


def boot_runner(boot, words, iso=None, **kw):
    """Boot with the test runner as root actor, starting the actors in WORDS."""
    m = boot(cmdline="init=test/runner -- " + words, iso=iso, **kw)
    m.expect(r"runner: actor 1, initrd of \d+ bytes")
    return m


def wait_for_exits(m, names, timeout=60):
    """Wait until the actors NAMES (with repeats) have all exited or been
    killed, in any order; no other actor may have ended."""
    exit_line = r"actor \d+ \((\w+)\) (?:exited|killed)"
    deadline = time.monotonic() + timeout
    while len(re.findall(exit_line, m.text)) < len(names) and time.monotonic() < deadline:
        try:  # anywhere in the output: some may have ended before the last match
            m.expect(exit_line, timeout=max(0.1, min(1, deadline - time.monotonic())))
        except AssertionError:
            pass
    ended = re.findall(exit_line, m.text)
    assert sorted(ended) == sorted(names)


def free_ports(*kinds):
    """Host ports on 127.0.0.1 that nothing uses now, one per socket KIND
    (socket.SOCK_STREAM or SOCK_DGRAM): all bound at once, so that no two
    are the same port (one bound and closed may be handed out again)."""
    socks = [socket.socket(socket.AF_INET, kind) for kind in kinds]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()
