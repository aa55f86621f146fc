"""The root disk: build/disk.img, an ext2 image that the build makes from
the tree's disk/ directory with mke2fs -d, and that make run attaches as a
virtio-blk disk. The host's e2fsprogs judge it; the driver reads it. The
tests make the image with the build's own rule in a directory of their
own: the user's build/disk.img holds what they wrote in it."""
import subprocess

import pytest

from conftest import ROOT

IMAGE = ROOT / "build" / "disk.img"


@pytest.fixture
def image(tmp_path):
    """build/disk.img as the build makes it, made afresh under TMP_PATH."""
    subprocess.run(["make", "-s", f"BUILD={tmp_path}", f"{tmp_path}/disk.img"], cwd=ROOT,
                   check=True)
    return tmp_path / "disk.img"


def debugfs(request, image):
    out = subprocess.run(["debugfs", "-R", request, str(image)], capture_output=True)
    return out.stdout


def test_the_build_makes_an_ext2_root_disk(image, tmp_path):
    fsck = subprocess.run(["e2fsck", "-fn", str(image)], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    for d in ["/etc", "/home", "/var/www"]:
        assert b"Type: directory" in debugfs(f"stat {d}", image), d
    dump = tmp_path / "index.html"
    debugfs(f"dump /var/www/index.html {dump}", image)
    assert dump.read_bytes() == (ROOT / "disk" / "var" / "www" / "index.html").read_bytes()


def test_make_run_attaches_the_root_disk():
    plan = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "--disk build/disk.img" in plan
    # once made, the user's disk is kept: a newer disk/ does not remake it
    subprocess.run(["make", "-s", "disk"], cwd=ROOT, check=True)
    plan = subprocess.run(["make", "-n", "-W", "disk/etc/motd", "run"], cwd=ROOT,
                          capture_output=True, text=True).stdout
    assert "--disk build/disk.img" in plan and "mke2fs" not in plan, plan
    line = subprocess.run([str(ROOT / "tools" / "qemu"), "--disk", str(IMAGE), "--print"],
                          cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "virtio-blk-pci" in line and "disk.img" in line


def test_the_driver_reads_the_root_disk(boot, image):
    """The image (tests never touch the user's), booted with the default
    manifest's driver: it finds the device, and a client reads the ext2
    superblock the build wrote."""
    m = boot(cmdline="init=sbin/supervisor -- manifest=test/manifests/rootdisk",
             options=["--disk", str(image)])
    m.expect_all([r'blockcheck: sector 2 -> 0: ext2 magic 0xef53, volume "clkernel"',
                  r"blockcheck: done, 0 failures"])
