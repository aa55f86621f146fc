"""The virtio-blk driver (servers/block/, protocol libactor/include/actor/block.h).
The supervisor starts it from tests/manifests/block with the device
authority, and the client tests/sdk/blockcheck.c uses it. Each test makes a
raw disk image in pytest's tmp_path whose every 512-byte sector holds its
own number (64-bit little-endian words) and attaches it with tools/qemu
--disk, or attaches none."""
import re
import struct

SECTOR = 512
MARK = 0xB10C000000000000  # blockcheck.c's BLOCKCHECK_MARK
EVENT = r"supervisor: \[(\d+\.\d+)\] "


def sector(n, mark=0):
    return struct.pack("<Q", mark | n) * (SECTOR // 8)


def make_image(path, sectors):
    path.write_bytes(b"".join(sector(n) for n in range(sectors)))
    return path


def boot_block(boot, manifest="block", disk=None, qemu_args=()):
    options = ["--disk", str(disk)] if disk else []
    return boot(cmdline=f"init=sbin/supervisor -- manifest=test/manifests/{manifest}",
                options=options, qemu_args=qemu_args)


def test_the_driver_reads_writes_and_refuses_bad_requests(boot, tmp_path):
    """On a 64 MiB disk, blockcheck reads the capacity (the image's size),
    reads sectors at both ends and in between, up to 1 MiB in one request,
    keeps 8 threads' reads in flight at once, writes 8 sectors, the last 3
    and 1 MiB and flushes, reads them back, writes max_requests pieces in
    one WRITEV and reads them back, gets CLK_EINVAL (-1) for 5 bad WRITEVs
    that write nothing and for 13 malformed or out-of-range requests
    (CLK_ENOSYS for an unknown type), after which the driver still serves.
    It times reading the whole disk. Then, on the host, exactly the sectors
    it wrote have changed."""
    sectors = 64 * 1024 * 1024 // SECTOR
    image = make_image(tmp_path / "disk.img", sectors)
    m = boot_block(boot, disk=image)
    m.expect(r"block: virtio-blk at 00:[0-9a-f]{2}\.0 \(device 0x1001\)")
    limits = m.expect(r"block: 131072 sectors of 512 bytes \(64 MiB\), read-write, with a write "
                      r"cache \(flush\); requests of up to 1024 KiB, (\d+) in flight; a buffer of "
                      r"2048 KiB")
    max_requests = int(limits.group(1))
    m.expect(r"blockcheck: done, (\d+) failures", timeout=120)
    m.expect(r"actor \d+ \(blockcheck\) exited with status 0")
    text = m.text
    assert "FAIL" not in text
    size = image.stat().st_size
    assert f"blockcheck: capacity {sectors} sectors of 512 bytes ({size} bytes)" in text
    for line in ["read 1 sectors at 0 into offset 0: ok",
                 f"read 1 sectors at {sectors - 1} into offset 512: ok",
                 "read 2048 sectors at 1000 into offset 512: ok",
                 "8 threads, 256 reads at once: 256 right, 0 wrong",
                 "wrote 2048 sectors at 30000 -> 0", "BLOCK_FLUSH -> 0",
                 "written sectors read back: ok",
                 f"WRITEV of {max_requests} entries -> 0; read back: ok",
                 "5 of 5 bad WRITEVs refused; nothing written: ok",
                 "13 of 13 bad requests refused as they should be; the driver serves on: ok"]:
        assert "blockcheck: " + line in text, line
    speed = re.search(r"blockcheck: read the whole disk \(64 MiB\) in 1024 KiB requests: "
                      r"(\d+) ms, (\d+) MB/s; 0 sectors wrong", text)
    assert speed
    print(f"\nreading 64 MiB in 1 MiB requests: {speed.group(1)} ms, {speed.group(2)} MB/s (TCG)")

    m.close()
    data = image.read_bytes()
    assert len(data) == size
    written = set(range(100, 108)) | set(range(30000, 32048)) | set(range(sectors - 3, sectors))
    for i in range(max_requests):  # blockcheck.c's WRITEV: 1 + i % 8 sectors at 50000 + 16 i
        written |= set(range(50000 + 16 * i, 50000 + 16 * i + 1 + i % 8))
    wrong = [n for n in range(sectors)
             if data[n * SECTOR:(n + 1) * SECTOR] != sector(n, MARK if n in written else 0)]
    assert not wrong, f"{len(wrong)} sectors differ, the first {wrong[:8]}"


def test_without_a_disk_the_driver_says_so_and_stays_down(boot):
    """With no virtio-blk device the driver says so and exits with
    SUP_EXIT_IGNORE (78): the supervisor does not restart it, though its
    policy is permanent, and closes its endpoint, so the client's request
    gets CLK_EDEAD (-13) instead of waiting."""
    m = boot_block(boot)
    m.expect_all([r"block: no virtio-blk device on PCI; nothing to serve",
                  EVENT + r"block exit: actor \d+ exited with status 78: nothing to do here, "
                  r"not restarted",
                  r"blockcheck: no block device: BLOCK_INFO -> -13",
                  r"actor \d+ \(blockcheck\) exited with status 1"])
    assert len(re.findall(r"actor \d+ \(block\) started", m.text)) == 1
    assert not re.search(EVENT + r"block (restart|failed)", m.text)


def test_a_device_error_is_clk_eio_and_the_driver_serves_on(boot, tmp_path):
    """QEMU's blkdebug fails every read of sector 4096: a read that covers
    it gets CLK_EIO (-12), and the next read is served."""
    image = make_image(tmp_path / "disk.img", 8192)
    conf = tmp_path / "blkdebug.conf"
    conf.write_text('[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "4096"\n'
                    'once = "off"\n')
    m = boot_block(boot, manifest="block-eio", qemu_args=[
        "-drive", f"file=blkdebug:{conf}:{image},format=raw,if=none,id=faulty",
        "-device", "virtio-blk-pci,drive=faulty"])
    m.expect(r"blockcheck: a read that the device fails -> -12 \(input/output error\); "
             r"the next read: ok")
    m.expect(r"blockcheck: done, 0 failures")
