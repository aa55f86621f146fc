"""The SDK in sysroot/: newlib with CLKernel's system-call layer
(libc-port/), libactor, the kernel ABI header and the compiler wrapper."""
import re
import subprocess

from conftest import ROOT, wait_for_exits


def test_the_abi_header_is_installed_and_stands_alone(tmp_path):
    subprocess.run(["make", "-s", "sdk"], cwd=ROOT, check=True)
    installed = ROOT / "sysroot" / "include" / "clk" / "abi.h"
    assert installed.read_bytes() == (ROOT / "abi" / "include" / "clk" / "abi.h").read_bytes()
    # It compiles on its own, in C and C++, with nothing else on the include path.
    src = tmp_path / "use.c"
    src.write_text("#include <clk/abi.h>\n"
                   "int nr = CLK_SYS_CALL;\n"
                   "unsigned long long tag = CLK_TAG(1, 8);\n")
    for lang, std in [("c", "-std=c11"), ("c++", "-std=c++17")]:
        subprocess.run(["gcc", "-x", lang, std, "-Wall", "-Wextra", "-Werror", "-ffreestanding",
                        "-nostdinc", "-I", str(ROOT / "sysroot" / "include"), "-c", str(src),
                        "-o", str(tmp_path / "use.o")], check=True)


def test_posix_socket_code_compiles_against_the_sysroot(tmp_path):
    """The socket headers (libc-port/include) stand alone, in C and C++,
    and tests/sdk/tcp_echo.c, a POSIX TCP echo server with getaddrinfo,
    poll, getnameinfo and select, compiles and links as strict C11 and as
    GNU C with warnings as errors."""
    subprocess.run(["make", "-s", "sdk"], cwd=ROOT, check=True)
    cc = str(ROOT / "sysroot" / "bin" / "x86_64-clk-elf-gcc")
    for header in ["sys/socket.h", "netinet/in.h", "netinet/tcp.h", "arpa/inet.h", "netdb.h",
                   "poll.h", "sys/poll.h", "sys/select.h"]:
        src = tmp_path / "alone.c"
        src.write_text(f"#include <{header}>\n")
        for lang, std in [("c", "-std=c11"), ("c++", "-std=c++17")]:
            subprocess.run([cc, "-x", lang, std, "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
                            str(src)], check=True)
    for std in ["-std=c11", "-std=gnu11"]:
        subprocess.run([cc, std, "-pedantic", "-Wall", "-Wextra", "-Werror",
                        str(ROOT / "tests" / "sdk" / "tcp_echo.c"), "-o",
                        str(tmp_path / "tcp_echo")], check=True)


def test_an_ordinary_c_program_runs_on_newlib(boot):
    """tests/sdk/libc_demo.c, built with sysroot/bin/x86_64-clk-elf-gcc:
    arguments and environment from the spawner, printf and snprintf, a heap
    of 8 MiB in 64 blocks, qsort, strtod, libm, strings, errno from failing
    calls (files have no server yet: ENOSYS), the monotonic clock and
    nanosleep; its return value is its exit status."""
    m = boot(cmdline="init=test/runner -- libc_demo|one|two")
    m.expect(r"actor \d+ \(libc_demo\) exited with status 3", timeout=30)
    for line in [
            "libc: argc 3: [libc_demo] [one] [two]",
            "libc: HOME=/ CLK_RUNNER=1 MISSING=(null)",
            "libc: PWD=(null) getcwd Function not implemented",
            'libc: snprintf -> 30 "-42| 3.14|ab  |ff|123456789012"',
            "libc: malloc 8519680 bytes in 64 blocks, intact 1, freed; then 1 MB -> ok",
            "libc: qsort -> -100 -3 0 5 7 13 42 99",
            'libc: strtod -> -12500.0, rest "xyz"',
            "libc: sqrt(2) 1.414214, sin(pi/6) 0.500000, exp(1) 2.718282, pow(2,0.5) 1.414214",
            'libc: strlen 8, strcmp -1, strstr "kernel", strtol(ff, 16) 255',
            "libc: open -> -1 errno 88 (ENOSYS 88)",
            "libc: write(7) -> -1 errno 9 (EBADF 9)",
            "libc: lseek(1) -> -1 errno 29 (ESPIPE 29)",
            "libc: opendir -> NULL errno 88",
            "libc: mkdir -> -1 errno 88; isatty(1) 1",
            "libc: malloc(1 PiB) -> NULL errno 12 (ENOMEM 12)",
            "libc: posix_memalign -> 0, aligned 1",
            "libc: nanosleep 30 ms took at least 30 ms: yes; pid 2"]:
        assert line + "\n" in m.text, line


def test_a_server_on_the_libactor_runtime(boot):
    """kv.c describes its protocol as a table of message types and lets
    libactor's loop serve it; kv_client.c calls it with actor_call. Unknown
    types get CLK_ENOSYS (-7) and malformed payloads CLK_EINVAL (-1) from
    the loop, without stopping the server; a deferred reply is answered
    from a timer; a one-way PUT through the server's mailbox (actor_send)
    is served by the same table, a malformed one is dropped; a call to a
    server that has gone is CLK_EDEAD (-13)."""
    m = run_until_exit(boot, "ep kv:8:r kv_client:8:s5", "kv_client")
    for line in ["kv_client: put -> 0",
                 "kv_client: get 42 -> 0, 4242",
                 "kv_client: get 7 -> -3",
                 "kv_client: unknown type -> -7",
                 "kv_client: put of 3 bytes -> -1",
                 "kv_client: a control request from a client -> -7",
                 "kv_client: echo of 3000 bytes -> 0, 3000 bytes, same 1",
                 "kv_client: slow get 42 -> 0, 4242, after 20 ms or more: yes",
                 "kv_client: the server still serves: get 42 -> 0, 4242",
                 "kv_client: mailbox given; one-way put -> 0, a malformed one -> 0; "
                 "then get 9 -> 0, 99",
                 "kv: told to quit",
                 "kv_client: quit -> -13",
                 "kv_client: after it is gone -> -13"]:
        assert line + "\n" in m.text, line


def expect_lines(m, lines):
    for line in lines:
        assert line + "\n" in m.text, line


def run_until_exit(boot, words, actor):
    """Boot the runner with WORDS and wait until ACTOR exits with status 0."""
    m = boot(cmdline="init=test/runner -- " + words)
    m.expect(r"actor \d+ \(%s\) exited with status 0" % actor, timeout=30)
    return m


def test_the_name_registry(boot):
    """names.c serves libactor's registry (slot 1 of each actor); kv
    registers itself with badge 1, names_client (badge 2) finds it, cannot
    take its name, and checks waiting lookups, bad names and malformed
    requests: -3 CLK_ENOENT, -11 CLK_ETIMEDOUT, -1 CLK_EINVAL, -4
    CLK_EEXIST, -7 CLK_ENOSYS."""
    m = run_until_exit(boot, "ep names:8:r kv|named:8:g1 names_client:8:g2", "names_client")
    expect_lines(m, ["names_client: lookup of a missing name -> -3 (no such object or name)",
                     "names_client: waiting 50 ms for it -> -11, after 50 ms or more: yes",
                     "names_client: an empty name -> -1",
                     "names_client: a name of 40 bytes -> -1",
                     "names_client: found kv: yes; put through it -> 0",
                     "names_client: registering kv, owned by another -> -4",
                     "names_client: registering mine -> 0",
                     "names_client: registering mine again -> 0",
                     "names_client: lookup of mine -> a capability: yes",
                     "names_client: unregistering without a name -> -1",
                     "names_client: registering without a capability -> -1",
                     "names_client: unknown request -> -7",
                     "names_client: unregistering mine -> 0",
                     "names_client: lookup of mine now -> -3"])


def test_calls_by_name_survive_a_server_crash(boot):
    """retry_client calls "kv" through actor_call_service. The server
    crashes in the middle of a get; a standby that watched it registers
    the name again, and libactor looks the name up anew and sends the get
    (idempotent in kv.h) again: the client gets the standby's answer, not
    CLK_EDEAD. A request that is not idempotent (quit) reports CLK_EDEAD
    (-13), and so does a call when no instance comes back."""
    m = run_until_exit(boot, "ep names:8:r kv|named:8:g1 kv|standby:8:g1 retry_client:8:g2",
                       "retry_client")
    expect_lines(m, ["retry_client: put 42 -> 0 (registration 1)",
                     "retry_client: the standby watches: yes",
                     "kv: crashing in the middle of a request",
                     "kv: standby: the server is gone (-13); taking over",
                     "retry_client: a get the server crashes on -> -3, answered by registration 2",
                     "retry_client: get 42 from the new instance -> -3 (its state was lost)",
                     "kv: told to quit",
                     "retry_client: quit, which is not idempotent -> -13",
                     "retry_client: get with no server left -> -13"])


def test_fibers_wait_for_replies_without_blocking_the_actor(boot):
    """proxy.c forwards a get to kv, which holds it until its gate opens.
    The proxy's handler waits on a fiber, so the proxy still answers pings
    meanwhile, and says one call waits; then the gate opens and the get
    comes back through the proxy."""
    m = boot(cmdline="init=test/runner -- ep names:8:r kv|named:8:g1 proxy:8:g3 "
                     "fiber_client|get:8:g2 fiber_client|ping:8:g2")
    wait_for_exits(m, ["runner", "fiber_client", "fiber_client"], timeout=30)
    expect_lines(m, ["fiber_client: the proxy answered a ping while 1 call(s) waited",
                     "fiber_client: open the gate -> 0",
                     "fiber_client: gated get through the proxy -> 0, 4242"])


def test_state_transfer_hooks_hand_a_server_over(boot):
    """state_client holds unbadged (control) capabilities to two kv
    instances. The first saves its table into a memory object
    (ACTOR_CTL_SAVE) and stops serving; the second restores it
    (ACTOR_CTL_RESTORE) and answers with the same data."""
    m = run_until_exit(boot, "ep kv:8:r ep kv:8:r state_client:8:g0@1,g0@2", "state_client")
    expect_lines(m, ["state_client: ping the old instance -> 0",
                     "state_client: save -> 0, 40 bytes, a memory object: yes",
                     "kv: state handed over; exiting",
                     "state_client: the old instance after handing over -> -13",
                     "state_client: restore without the object -> -1",
                     "state_client: restore of too many bytes -> -1",
                     "state_client: restore -> 0",
                     "kv: restored 2 keys",
                     "state_client: the new instance: get 42 -> 0, 4242",
                     "state_client: the new instance: get 7 -> 0, 77"])


def test_a_supervisor_on_libactor_gets_its_childrens_faults(boot):
    """overseer.c, on libactor's own main(), starts fault_null twice from a
    memory object (the runner's file: word) with its fault mailbox, badged
    per child; the loop hands both faults to its fault handler, which kills
    each child."""
    size = (ROOT / "build" / "initrd" / "test" / "fault_null").stat().st_size
    m = run_until_exit(boot, f"file:test/fault_null overseer|{size}:8:R", "overseer")
    expect_lines(m, ["overseer: started child 1: yes",
                     "overseer: started child 2: yes",
                     "overseer: child 1 faulted: vector 14, address 0",
                     "overseer: child 2 faulted: vector 14, address 0"])
    assert m.text.count("overseer: kill it -> 0\n") == 2
    assert len(re.findall(r"actor \d+ \(child\) killed", m.text)) == 2


def test_a_scaffolded_actor_builds_outside_the_tree_and_answers(tmp_path):
    """tools/new-actor makes an actor in a directory outside the tree; its
    Makefile builds it against the sysroot, and its test boots CLKernel with
    it and its manifest in the initrd (make ACTORS=DIR): the supervisor
    starts the server and a client, which checks the answer."""
    bad = subprocess.run([str(ROOT / "tools" / "new-actor"), "Bad Name", str(tmp_path)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "usage" in bad.stderr
    subprocess.run([str(ROOT / "tools" / "new-actor"), "greeter", str(tmp_path)], check=True)
    actor = tmp_path / "greeter"
    assert sorted(p.name for p in actor.iterdir()) == ["Makefile", "main.c", "services", "test.sh"]
    subprocess.run(["make", "-s", "-C", str(actor)], check=True)
    assert (actor / "out" / "greeter").exists() and (actor / "out" / "services").exists()
    check = subprocess.run(["make", "-s", "-C", str(actor), "check"], capture_output=True,
                           text=True, timeout=600)
    assert check.returncode == 0, check.stdout + check.stderr
    assert 'greeter: asked, got 0 "hello, world"' in check.stdout
    assert "test: ok" in check.stdout
