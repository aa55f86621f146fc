"""The shell's network commands (servers/shell/net.c): ifconfig, ping and
fetch, typed and said in plain English. They boot the network stack
without a driver (tests/manifests/shellnet), so only the loopback
interface works: 127.0.0.1 reaches httpd, serving the disk's /var/www."""
import re

import pytest

from conftest import ROOT
from test_shell import PROMPT, disk, run  # noqa: F401 (disk is a fixture)

HELLO = (ROOT / "disk" / "var" / "www" / "hello.txt").read_text()


def net_shell(boot, disk):  # noqa: F811
    m = boot(cmdline="init=sbin/supervisor -- manifest=test/manifests/shellnet", mem="96M",
             options=["--disk", str(disk)])
    m.expect_all([r"shell: CLKernel's shell", r"vfs: / is ext2",
                   r"httpd: serving \S+ on port 80", r"idle: boot complete"], timeout=60)
    m.expect(PROMPT, partial=True)
    return m


def test_ifconfig_without_a_driver(boot, disk):  # noqa: F811
    m = net_shell(boot, disk)
    out = run(m, "ifconfig", r"^eth0: no address yet \(no network driver\)$")
    assert re.search(r"^      DOWN: only the loopback interface \(127\.0\.0\.1\) works$", out,
                     re.M), out
    assert re.search(r"^      tcp \d+ connected, [1-9]\d* listening$", out, re.M), out  # httpd
    run(m, "net", r"^eth0: no address yet")  # the alias
    run(m, "help ifconfig", r"^ifconfig\n    the network interface")


def test_ping_errors_and_help(boot, disk):  # noqa: F811
    m = net_shell(boot, disk)
    out = run(m, "ping nosuch.invalid", r"^ping: nosuch\.invalid: ")
    assert len(re.findall(r"^ping: ", out, re.M)) == 1 and "---" not in out, out
    run(m, "ping 10.0.2.2 1", r"^ping: 10\.0\.2\.2: network is down$")
    run(m, "ping 127.0.0.1 1000", r"^ping: 1000: not a count from 1 to 100$")
    run(m, "ping", r"^ping: usage: ping HOST \[COUNT\]$")
    run(m, "help ping", r"^ping HOST \[COUNT\]\n    send COUNT")


def test_ping_loopback(boot, disk):  # noqa: F811
    m = net_shell(boot, disk)
    out = run(m, "ping 127.0.0.1 2", r"^--- 127\.0\.0\.1: 2 sent, 2 received, 0% lost, "
              r"rtt min/avg/max [\d.]+/[\d.]+/[\d.]+ ms$")
    assert len(re.findall(r"^64 bytes from 127\.0\.0\.1: seq=[12] ttl=\d+ time=[\d.]+ ms$",
                          out, re.M)) == 2, out


def test_ctrl_c_stops_ping(boot, disk):  # noqa: F811
    m = net_shell(boot, disk)
    m.send("ping 127.0.0.1 100")
    m.expect(r"^64 bytes from 127\.0\.0\.1: seq=1 ")
    m.send_raw(b"\x03")
    m.expect(r"^ping: interrupted$")
    m.expect(r"^--- 127\.0\.0\.1: \d sent")
    m.expect(PROMPT, partial=True)


def test_fetch(boot, disk):  # noqa: F811
    m = net_shell(boot, disk)
    out = run(m, "fetch http://127.0.0.1/hello.txt",
              rf"^fetch: 200 OK, {len(HELLO)} bytes from 127\.0\.0\.1:80$")
    assert HELLO.strip() in out
    out = run(m, "fetch 127.0.0.1/nope", r"^fetch: 404 \S.*, \d+ bytes from 127\.0\.0\.1:80$")
    run(m, "fetch http://127.0.0.1:81/", r"^fetch: 127\.0\.0\.1:81: connection refused$")
    run(m, "fetch ftp://x", r"^fetch: bad URL: ftp://x")
    out = run(m, "fetch http://127.0.0.1/hello.txt > /tmp/h", r"^fetch: 200 OK")
    assert HELLO.strip() not in out
    out = run(m, "cat /tmp/h", HELLO.strip())
    run(m, "fetch http://nosuch.invalid/", r"^fetch: nosuch\.invalid: ")
    run(m, "help fetch", r"^fetch URL")


def test_plain_english(boot, disk):  # noqa: F811
    m = net_shell(boot, disk)
    run(m, "what's my ip address", r"^→ ifconfig\neth0: ")
    run(m, "ping the gateway", r"^→ ping 10\.0\.2\.2$")
    out = run(m, "download http://127.0.0.1/hello.txt", r"^→ fetch http://127\.0\.0\.1/hello\.txt$")
    assert HELLO.strip() in out and "fetch: 200 OK" in out, out
    run(m, "restart net", r"^restart: net restarted")  # net is still a service's name
