"""The SDK in sysroot/: newlib with CLKernel's system-call layer
(libc-port/), libactor, the kernel ABI header and the compiler wrapper."""
import subprocess

from conftest import ROOT


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
    from a timer; a call to a server that has gone is CLK_EDEAD (-13)."""
    m = boot(cmdline="init=test/runner -- ep kv:8:r kv_client:8:s5")
    m.expect(r"actor \d+ \(kv_client\) exited with status 0", timeout=30)
    for line in ["kv_client: put -> 0",
                 "kv_client: get 42 -> 0, 4242",
                 "kv_client: get 7 -> -3",
                 "kv_client: unknown type -> -7",
                 "kv_client: put of 3 bytes -> -1",
                 "kv_client: echo of 3000 bytes -> 0, 3000 bytes, same 1",
                 "kv_client: slow get 42 -> 0, 4242, after 20 ms or more: yes",
                 "kv_client: the server still serves: get 42 -> 0, 4242",
                 "kv: told to quit",
                 "kv_client: quit -> -13",
                 "kv_client: after it is gone -> -13"]:
        assert line + "\n" in m.text, line


def test_a_scaffolded_actor_builds_outside_the_tree_and_answers(tmp_path):
    """tools/new-actor makes an actor in a directory outside the tree; its
    Makefile builds it against the sysroot, and its test boots CLKernel with
    it in the initrd (make ACTORS=DIR) and checks that it answers."""
    bad = subprocess.run([str(ROOT / "tools" / "new-actor"), "Bad Name", str(tmp_path)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "usage" in bad.stderr
    subprocess.run([str(ROOT / "tools" / "new-actor"), "greeter", str(tmp_path)], check=True)
    actor = tmp_path / "greeter"
    assert sorted(p.name for p in actor.iterdir()) == ["Makefile", "main.c", "test.sh"]
    subprocess.run(["make", "-s", "-C", str(actor)], check=True)
    assert (actor / "out" / "greeter").exists()
    check = subprocess.run(["make", "-s", "-C", str(actor), "check"], capture_output=True,
                           text=True, timeout=600)
    assert check.returncode == 0, check.stdout + check.stderr
    assert 'greeter: asked, got 0 "hello, world"' in check.stdout
    assert "test: ok" in check.stdout
