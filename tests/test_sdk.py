"""The SDK in sysroot/ (it grows with the SDK issue): today the kernel ABI
header, the one header the kernel, libactor and libc-port include."""
import subprocess

from conftest import ROOT


def test_the_abi_header_is_installed_and_stands_alone(tmp_path):
    subprocess.run(["make", "-s", "sysroot/include/clk/abi.h"], cwd=ROOT, check=True)
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
