/*
 * main.c: the VFS, the service "vfs" (protocol: actor/vfs.h). It mounts
 *   /      ext2 on the virtio-blk disk (the block driver's), or a ramfs
 *          when there is no disk or no ext2 on it, which it says;
 *   /boot  the initrd, read-only (the supervisor gives it with caps=initrd);
 *   /tmp   a ramfs;
 * then libactor's loop serves the protocol, and a timer commits what the
 * file systems cache every VFS_SYNC_MS. Its one argument, cache=MIB, sizes
 * the block cache (default: an eighth of the free memory, up to 16 MiB).
 */
#include "initrdfs.h"
#include "ramfs.h"
#include "vfs.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VFS_SYNC_MS 1000
#define SYNC_BIT    0x1
#define INITRD_VA   0x0000580000000000UL
#define TMP_BYTES   (8u << 20) /* bytes of /tmp at most */
#define CACHE_MIN   64         /* blocks of cache at least: 256 KiB */
#define CACHE_MAX   4096       /* and at most: 16 MiB */

/* ramfs mounts, for vfs_mount. */
static int mount_ramfs(struct fs *fs, void *arg)
{
    return ramfs_mount(fs, *(uint64_t *)arg);
}

/* The cache: cache=MIB among the arguments (the manifest's memory= must
 * leave room for it), or else an eighth of the memory that is free now,
 * up to CACHE_MAX. */
static uint32_t cache_blocks(int argc, char **argv)
{
    long frames = clk_stats(CLK_STAT_FREE_FRAMES);
    uint64_t n = frames > 0 ? (uint64_t)frames / 8 : 0;
    n = n > CACHE_MAX ? CACHE_MAX : n;
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "cache=", 6))
            n = strtoull(argv[i] + 6, NULL, 10) * 256;
    return n < CACHE_MIN ? CACHE_MIN : n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

struct disk {
    struct bcache_dev dev;
    uint32_t cache;
};

static int mount_ext2(struct fs *fs, void *arg)
{
    struct disk *d = arg;
    int err = ext2fs_mount(fs, &d->dev, d->cache);
    if (!err && blkdev_read_only())
        fs->read_only = true;
    return err;
}

static const char *why(int err)
{
    switch (err) {
    case -EINVAL: return "it holds no ext2 file system";
    case -ENOTSUP: return "its ext2 uses features this VFS cannot read";
    case -EIO: return "its ext2 file system is corrupt";
    default: return strerror(-err);
    }
}

/* The root: ext2 on the disk, or else a ramfs, said clearly either way. */
static int mount_root(int argc, char **argv)
{
    struct disk d;
    long r = blkdev_open(&d.dev);
    if (r == 0) {
        d.cache = cache_blocks(argc, argv);
        int err = vfs_mount("/", "virtio-blk", mount_ext2, &d);
        if (err == 0) {
            struct fs_statfs st;
            struct mount *m = vfs_mount_at(0);
            m->fs.ops->statfs(&m->fs, &st);
            printf("vfs: / is ext2 on virtio-blk: %llu KiB in %u-byte blocks, %llu free%s; "
                   "a cache of %u KiB\n",
                   (unsigned long long)(st.blocks * st.block_size / 1024), st.block_size,
                   (unsigned long long)st.free_blocks, m->fs.read_only ? ", read-only" : "",
                   d.cache * 4);
            return 0;
        }
        printf("vfs: the disk cannot be the root: %s\n", why(err));
    } else if (r == CLK_EDEAD) {
        printf("vfs: no disk: the block driver found none\n");
    } else {
        printf("vfs: no disk: the block driver cannot be reached (%s)\n", actor_strerror(r));
    }
    uint64_t unlimited = 0;
    printf("vfs: / is a ramfs: nothing written there outlives this boot\n");
    return vfs_mount("/", "memory", mount_ramfs, &unlimited);
}

struct initrd {
    const void *archive;
    size_t len;
};

static int mount_initrd(struct fs *fs, void *arg)
{
    struct initrd *i = arg;
    return initrdfs_mount(fs, i->archive, i->len);
}

/* /boot: the initrd, from the capability CLK_INITRD=SLOT,OFFSET,LEN names. */
static void mount_boot(void)
{
    const char *env = getenv("CLK_INITRD");
    long slot, offset, len;
    if (!env || sscanf(env, "%ld,%ld,%ld", &slot, &offset, &len) != 3 || offset < 0 || len < 0) {
        printf("vfs: no initrd given (caps=initrd): nothing at /boot\n");
        return;
    }
    long err = clk_map(slot, INITRD_VA, 0);
    struct initrd i = { (const void *)(INITRD_VA + offset), (size_t)len };
    int r = err < 0 ? -EIO : vfs_mount("/boot", "initrd", mount_initrd, &i);
    if (r)
        printf("vfs: cannot mount the initrd at /boot: %s\n", strerror(-r));
}

/* Every ramfs stamps changes with the time of the last tick. */
static void ramfs_clocks(void)
{
    struct mount *m;
    for (unsigned i = 0; (m = vfs_mount_at(i)); i++)
        if (!strcmp(m->fs.ops->type, "ramfs"))
            ramfs_set_time(&m->fs, time(NULL));
}

static long init(int argc, char **argv)
{
    int err = mount_root(argc, argv);
    if (err) {
        printf("vfs: cannot mount /: %s\n", strerror(-err));
        return CLK_EIO;
    }
    mount_boot();
    uint64_t tmp_max = TMP_BYTES;
    if ((err = vfs_mount("/tmp", "memory", mount_ramfs, &tmp_max)))
        printf("vfs: cannot mount a ramfs at /tmp: %s\n", strerror(-err));
    ramfs_clocks();
    long r = vfs_ipc_init();
    if (r < 0) {
        printf("vfs: cannot make the sessions' endpoint: %s\n", actor_strerror(r));
        return r;
    }
    return actor_timer(VFS_SYNC_MS * 1000000ULL, SYNC_BIT);
}

static void notified(uint64_t bits)
{
    if (!(bits & SYNC_BIT))
        return;
    ramfs_clocks();
    int err = vfs_sync_all();
    if (err)
        printf("vfs: writing back to the disk failed: %s; trying again\n", strerror(-err));
    actor_timer(VFS_SYNC_MS * 1000000ULL, SYNC_BIT);
}

const struct actor_def actor = {
    .name = VFS_NAME,
    .handlers = vfs_handlers,
    .notified = notified,
    .init = init,
};
