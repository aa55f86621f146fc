"""The VFS: ext2 on the virtio-blk disk at /, the initrd at /boot, a ramfs
at /tmp, POSIX files through libc (tests/sdk/fstest.c, which reads
commands from the console), restarts of the VFS under a writing client,
and unclean stops. The host's e2fsprogs are the judges of what reaches the
disk: e2fsck -fn must find nothing wrong, and debugfs must read back what
the guest wrote."""
import os
import random
import re
import shutil
import subprocess
import zlib

import pytest

from conftest import ROOT

MANIFEST = "init=sbin/supervisor -- manifest=test/manifests/vfs"


def mke2fs(image, tree=None, size="64M", block=4096):
    cmd = ["mke2fs", "-q", "-F", "-t", "ext2", "-b", str(block), "-L", "clktest"]
    if tree:
        cmd += ["-d", str(tree)]
    subprocess.run(cmd + [str(image), size], check=True, capture_output=True)
    return image


def e2fsck(image):
    r = subprocess.run(["e2fsck", "-fn", str(image)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def debugfs(image, request):
    return subprocess.run(["debugfs", "-R", request, str(image)], capture_output=True).stdout


def dump(image, path, out):
    subprocess.run(["debugfs", "-R", f"dump {path} {out}", str(image)], check=True,
                   capture_output=True)
    return out.read_bytes()


def fstest(boot, image=None, mem="32M"):
    """Boot the VFS test manifest (with IMAGE as the disk) and wait for
    fstest's first prompt."""
    options = ["--disk", str(image)] if image else []
    m = boot(cmdline=MANIFEST, mem=mem, options=options)
    m.expect(r"fstest: ready", timeout=60)
    m.expect(r"fstest> ", partial=True)
    return m


def run(m, line, until, timeout=60):
    """Type LINE at fstest's prompt; wait for UNTIL; return the match and
    the text printed before it."""
    start = len(m.text)
    m.send(line)
    match = m.expect(until, timeout=timeout)
    out = m.text[start:]
    m.expect(r"fstest> ", partial=True, timeout=timeout)
    return match, out


def sums(text):
    """fstest's "F crc size path" lines: {path: (crc, size)}."""
    return {p: (int(c, 16), int(s)) for c, s, p in re.findall(r"^F ([0-9a-f]{8}) (\d+) (\S+)$",
                                                               text, re.M)}


# ---- a tree made on the host reads back byte-exact ----

def host_tree(root):
    rnd = random.Random(5)
    (root / "etc").mkdir()
    (root / "etc" / "motd").write_text("welcome\n")
    (root / "empty").write_bytes(b"")
    (root / "home" / "user" / "deep" / "er").mkdir(parents=True)
    (root / "home" / "user" / "deep" / "er" / "f").write_bytes(b"deep\n")
    (root / "one-mib").write_bytes(rnd.randbytes(1 << 20))
    (root / "five-mib").write_bytes(rnd.randbytes(5 * (1 << 20) + 77))
    with open(root / "sparse", "wb") as f:  # triple indirect with 1 KiB blocks
        for at in (0, 1 << 20, 70 * (1 << 20) + 123):
            f.seek(at)
            f.write(rnd.randbytes(5000))
    many = root / "many"
    many.mkdir()
    for i in range(3000):
        (many / f"entry-{i:04d}").write_text(f"entry {i}\n")
    os.symlink("etc/motd", root / "link")
    return {"/" + str(p.relative_to(root)): (zlib.crc32(p.read_bytes()), p.stat().st_size)
            for p in root.rglob("*") if p.is_file() and not p.is_symlink()}


@pytest.mark.parametrize("block", [1024, 4096])
def test_a_host_made_tree_reads_back_byte_exact(boot, tmp_path, block):
    tree = tmp_path / "tree"
    tree.mkdir()
    want = host_tree(tree)
    image = mke2fs(tmp_path / "disk.img", tree, block=block)
    m = fstest(boot, image)
    m.expect(rf"vfs: / is ext2 on virtio-blk: \d+ KiB in {block}-byte blocks")
    _, out = run(m, "sum /", r"sum: done (\d+) files", timeout=120)
    got = {p: v for p, v in sums(out).items() if not p.startswith(("/boot/", "/tmp/"))}
    assert got == want
    assert re.search(r"^L /link$", out, re.M)
    assert "with errors" not in out


def test_the_initrd_is_at_boot_and_a_ramfs_at_tmp(boot, tmp_path):
    image = mke2fs(tmp_path / "disk.img")
    m = fstest(boot, image)
    _, out = run(m, "sum /boot/etc", r"sum: done (\d+) files")
    got = sums(out)
    for name in ["services", "motd"]:
        data = (ROOT / "build" / "initrd" / "etc" / name).read_bytes()
        assert got[f"/boot/etc/{name}"] == (zlib.crc32(data), len(data))
    # mount points were made on the empty disk, and /tmp is not on it
    run(m, "mkdir /tmp/x", r"mkdir: ok")
    run(m, "sync", r"sync: ok")
    m.close()
    e2fsck(image)
    listing = debugfs(image, "ls /").decode()
    assert "boot" in listing and "tmp" in listing
    assert b"File not found" in debugfs(image, "stat /tmp/x") or not debugfs(image, "stat /tmp/x")


# ---- POSIX behaviour and every errno case ----

def test_posix_calls_and_errno_values(boot, tmp_path):
    tree = tmp_path / "tree"
    (tree / "etc").mkdir(parents=True)
    (tree / "etc" / "motd").write_text("hello\n")
    (tree / "home").mkdir()
    image = mke2fs(tmp_path / "disk.img", tree)
    m = fstest(boot, image)
    run(m, "mkdir /home/scratch", r"mkdir: ok")
    for where in ["", " /home/scratch"]:  # the ramfs at /tmp, then a directory on ext2
        _, out = run(m, "errno" + where, r"errno: done, (\d+) failed")
        fails = re.findall(r"^errno: FAIL .*$", out, re.M)
        assert not fails, where + "\n" + "\n".join(fails)
        for name in ["ENOENT open", "EEXIST O_EXCL", "ENOTDIR open under a file",
                     "EISDIR unlink a dir", "ENOTEMPTY rmdir", "EBADF read", "EINVAL lseek before 0",
                     "EROFS mkdir in /boot", "ENAMETOOLONG path", "EXDEV rename across mounts",
                     "unlink an open file", "dup shares the offset", "O_APPEND writes at the end",
                     "O_TRUNC", "ftruncate up", "odd name unlink", "getcwd across a mount"]:
            assert f"errno: ok {name}\n" in out, where + ": " + name
    run(m, "sync", r"sync: ok")
    m.close()
    e2fsck(image)


def test_a_full_disk_says_enospc_and_recovers(boot, tmp_path):
    image = mke2fs(tmp_path / "disk.img", size="8M")
    m = fstest(boot, image)
    match, _ = run(m, "fill /big", r"fill: (\S+) after (\d+) bytes\nfill: removed: yes",
                   timeout=120)
    assert match.group(1) == "ENOSPC"
    assert 6 << 20 < int(match.group(2)) < 8 << 20
    match, _ = run(m, "fill /tmp/big", r"fill: (\S+) after (\d+) bytes\nfill: removed: yes",
                   timeout=120)
    assert match.group(1) == "ENOSPC"  # /tmp holds 8 MiB
    assert 7 << 20 < int(match.group(2)) <= 8 << 20
    run(m, "fill /again", r"fill: ENOSPC after [6-7]\d{6} bytes\nfill: removed: yes", timeout=120)
    run(m, "sync", r"sync: ok")
    m.close()
    e2fsck(image)


# ---- what the guest writes, judged on the host ----

def test_guest_writes_pass_e2fsck_and_read_back_in_debugfs(boot, tmp_path):
    image = mke2fs(tmp_path / "disk.img", size="64M")
    m = fstest(boot, image)
    run(m, "gen 7 /gen", r"gen: done", timeout=180)
    run(m, "check 7 /gen", r"check: ok \d+ files", timeout=120)
    _, out = run(m, "sum /gen/sub", r"sum: done")
    guest = sums(out)
    _, out = run(m, "sum /gen/renamed", r"sum: done")
    guest.update(sums(out))
    m.close()
    e2fsck(image)
    for path, (crc, size) in guest.items():
        data = dump(image, path, tmp_path / "out")
        assert (zlib.crc32(data), len(data)) == (crc, size), path
    listing = debugfs(image, "ls /gen/many").decode()
    # an entry removed from the start of a block stays with inode 0, as in Linux's ext2
    names = [n for ino, n in re.findall(r"(\d+)\s+\(\d+\)\s+file-with-a-long-name-(\d{4})",
                                        listing) if ino != "0"]
    assert sorted(int(n) for n in names) == [i for i in range(2000) if i % 3]
    stat = debugfs(image, "stat /gen/sparse").decode()
    assert "Size: 5368713216" in stat and "(TIND)" in stat
    assert b"File not found" in debugfs(image, "stat /gen/gone") or \
        not debugfs(image, "stat /gen/gone")


def test_data_persists_across_a_reboot(boot, tmp_path):
    image = mke2fs(tmp_path / "disk.img", size="32M", block=1024)
    m = fstest(boot, image)
    run(m, "gen 3 /keep", r"gen: done", timeout=180)
    m.close()
    m = fstest(boot, image)
    run(m, "check 3 /keep", r"check: ok \d+ files", timeout=120)


# ---- without a disk, and with a bad one ----

def test_without_a_disk_the_root_is_a_ramfs(boot):
    m = fstest(boot)
    m.expect_all([r"vfs: no disk: the block driver found none",
                  r"vfs: / is a ramfs: nothing written there outlives this boot"])
    run(m, "mkdir /work", r"mkdir: ok")
    run(m, "cd /work", r"cd: ok")
    run(m, "pwd", r"pwd: /work")
    run(m, "gen 1 /work/g", r"gen: done", timeout=120)
    run(m, "check 1 /work/g", r"check: ok \d+ files", timeout=120)


def test_a_disk_without_ext2_is_refused_clearly(boot, tmp_path):
    image = tmp_path / "zero.img"
    image.write_bytes(bytes(4 << 20))
    m = fstest(boot, image)
    m.expect_all([r"vfs: the disk cannot be the root: it holds no ext2 file system",
                  r"vfs: / is a ramfs"])
    run(m, "ls /boot", r"etc/")


def corrupt(image, rnd, region, count):
    """Flip COUNT random bytes of IMAGE within REGION (start, end)."""
    with open(image, "r+b") as f:
        for _ in range(count):
            at = rnd.randrange(*region)
            f.seek(at)
            b = f.read(1)
            f.seek(at)
            f.write(bytes([b[0] ^ (1 << rnd.randrange(8))]))


def test_corrupt_images_give_errors_not_crashes(boot, tmp_path):
    """Metadata with flipped bits (group descriptors, bitmaps, inode tables
    and directories of a 1 KiB-block image): every walk of the tree ends,
    with errors where the damage is; writing until the disk is full,
    removing files and making a directory allocate and free against the
    damaged bitmaps; and the VFS keeps answering."""
    tree = tmp_path / "tree"
    tree.mkdir()
    host_tree(tree)
    clean = mke2fs(tmp_path / "clean.img", tree, size="16M", block=1024)
    mounted = 0
    for seed in range(3):
        image = tmp_path / f"bad{seed}.img"
        shutil.copy(clean, image)
        corrupt(image, random.Random(seed), (1024, 600 * 1024), 400)
        m = fstest(boot, image)
        match = m.expect(r"vfs: (/ is ext2|the disk cannot be the root)")
        mounted += match.group(1) == "/ is ext2"
        # a bit flipped in a size makes a file of terabytes: read 64 KiB of each
        run(m, "sum / 65536", r"sum: done \d+ files", timeout=120)
        run(m, "fill /filler", r"fill: removed: .*", timeout=120)
        for name in ["/one-mib", "/five-mib", "/many/entry-0007", "/sparse"]:
            run(m, f"rm {name}", r"rm: .*")
        run(m, "mkdir /made", r"mkdir: .*")
        run(m, "ls /", r"\.\./|ls: /: ")
        run(m, "pwd", r"pwd: /")
        assert "PANIC" not in m.text
        assert not re.search(r"actor \d+ \(vfs\) (faulted|killed)", m.text)
        m.close()
    assert mounted, "no damaged image was mounted: ext2's error paths went untried"


# ---- restarts and unclean stops ----

def test_clients_write_through_vfs_restarts(boot, tmp_path):
    """A thread writes 12 MiB with an fsync per MiB while the VFS is killed
    (restart) twice and crashes (an injected fault) twice under it: twice
    while the writer waits between a write and its fsync, twice wherever it
    happens to be. The descriptor keeps working, each loss is reported by
    fsync (and the writer writes that part again), every byte reads back,
    and the disk is clean as the last instance left it, without a sync."""
    image = mke2fs(tmp_path / "disk.img")
    m = fstest(boot, image)
    match, out = run(m, "crashwrite /data 12 4", r"crashwrite: verified 12 MiB, (-?\d+) bad",
                     timeout=180)
    assert match.group(1) == "0"
    assert len(re.findall(r"crashwrite: restarted the vfs at MiB \d+: 0$", out, re.M)) == 2
    assert len(re.findall(r"crashwrite: crashed the vfs at MiB \d+: 0$", out, re.M)) == 2
    assert len(re.findall(r"vfs fault: actor \d+: vector 14", m.text)) == 2
    assert len(re.findall(r"actor \d+ \(vfs\) started", m.text)) == 5
    losses = int(re.search(r"fsync reported a loss (\d+) times", out).group(1))
    assert losses >= 2
    run(m, "sum /etc", r"sum: done")
    m.close()
    e2fsck(image)


def test_a_client_reads_a_large_file_through_vfs_restarts(boot, tmp_path):
    """A thread reads a 24 MiB file (made on the host) with read() from one
    descriptor while the VFS is killed (restart) twice with the file open
    between two reads and crashes (an injected fault) twice while the
    reading goes on: every read succeeds, the offset is where it should be,
    and the bytes are the host's."""
    tree = tmp_path / "tree"
    tree.mkdir()
    data = random.Random(24).randbytes(24 << 20)
    (tree / "large").write_bytes(data)
    image = mke2fs(tmp_path / "disk.img", tree, size="96M")
    m = fstest(boot, image)
    match, out = run(m, "crashread /large 4",
                     r"crashread: (\d+) bytes, crc ([0-9a-f]{8}), offset (-?\d+), (\d+) restarts, "
                     r"error: (.*)$", timeout=180)
    assert match.groups() == (str(len(data)), f"{zlib.crc32(data):08x}", str(len(data)), "4",
                              "none")
    assert len(re.findall(r"crashread: restarted the vfs at MiB \d+: 0$", out, re.M)) == 2
    assert len(re.findall(r"crashread: crashed the vfs at MiB \d+: 0$", out, re.M)) == 2
    assert len(re.findall(r"vfs fault: actor \d+: vector 14", m.text)) == 2
    assert len(re.findall(r"actor \d+ \(vfs\) started", m.text)) == 5
    m.close()
    e2fsck(image)


def test_the_block_driver_restarts_under_the_vfs(boot, tmp_path):
    """The block driver restarted (its buffer is a new one): the VFS maps
    the new buffer and goes on, for reads and for writes."""
    image = mke2fs(tmp_path / "disk.img")
    m = fstest(boot, image)
    run(m, "gen 4 /a", r"gen: done", timeout=180)
    run(m, "restart block", r"restart: 0")
    run(m, "check 4 /a", r"check: ok \d+ files", timeout=120)
    run(m, "gen 5 /b", r"gen: done", timeout=180)
    run(m, "restart block", r"restart: 0")
    run(m, "check 5 /b", r"check: ok \d+ files", timeout=120)
    assert len(re.findall(r"actor \d+ \(block\) started", m.text)) == 3
    assert not re.search(r"\(vfs\) (exited|killed|faulted)", m.text)
    m.close()
    e2fsck(image)


def test_sessions_are_dropped_when_full_and_clients_come_back(boot, tmp_path):
    """Buffers that lie about their size are refused (EINVAL) without
    harm; when all 64 sessions are taken, the one idle longest (ours) is
    dropped, and libc connects again and reopens the file it had open."""
    image = mke2fs(tmp_path / "disk.img")
    m = fstest(boot, image)
    match, _ = run(m, "sessions 70 /s", r"sessions: (\d+) of 70 connected; then the file says "
                   r"\"(.*)\" \((\w+)\)")
    assert match.groups() == ("70", "before after", "ok")
    assert "sessions: a buffer smaller than it says: 22; larger than the most: 22" in m.text
    run(m, "sum /etc", r"sum: done")


def test_an_unclean_stop_leaves_a_clean_image(boot, tmp_path):
    """QEMU killed while a file is being rewritten (every round with new
    bytes) and fsynced: e2fsck -fn finds nothing, and every 4 KiB block
    holds one whole write, the one fsync acknowledged last for it or a
    later one: nothing torn, nothing stale."""
    image = mke2fs(tmp_path / "disk.img")
    m = fstest(boot, image)
    m.send("stream /s 3")
    m.expect(r"stream: round 0 MiB 3 fsynced", timeout=120)
    m.expect(r"stream: round 1 MiB 2 fsynced", timeout=120)  # the second round is under way
    m.close()
    e2fsck(image)
    acked = [0, 0, 0]  # per MiB, the last write fsync acknowledged
    for r, k in re.findall(r"stream: round (\d+) MiB (\d) fsynced", m.text):
        acked[int(k) - 1] = max(acked[int(k) - 1], int(r) * 3 + int(k) - 1)
    data = dump(image, "/s", tmp_path / "s")
    assert len(data) == 3 << 20
    for block in range(len(data) // 4096):
        got = data[block * 4096:(block + 1) * 4096]
        n = int.from_bytes(got[:8], "little") >> 40
        want = b"".join(((n << 40) | (block << 20) | k).to_bytes(8, "little") for k in range(512))
        assert got == want, f"block {block} is not one whole write"
        assert n % 3 == block // 256 and n >= acked[block // 256], \
            f"block {block} holds write {n}; fsync acknowledged {acked[block // 256]}"
