/*
 * supstore: the supervisor's memory on disk. The supervisor learns which
 * recovery works for each service and fault (docs/supervisor.md, "Recovery
 * that learns"), and keeps that model across boots in
 * /var/lib/supervisor/policy. It never touches a file itself: a
 * supervisor waiting on the VFS could hang with it, and everything else
 * with them. This small service does it instead:
 *
 *   - at its start, it reads the file and hands the text to the
 *     supervisor (SUP_MODEL_PUT), which merges it into what it knows;
 *   - then it asks for the model (SUP_MODEL_GET with the version it has
 *     written last); the answer comes when the model has changed, and it
 *     writes it to a new file, syncs it and renames it over the old one,
 *     so that a crash at any point leaves the old model or the new one.
 *
 * The supervisor answers these two requests only to the service named
 * supstore. Should supstore or the VFS fail, learning goes on in memory.
 */
#include <actor/actor.h>
#include <actor/supervisor.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIR_PATH  "/var/lib/supervisor"
#define FILE_PATH DIR_PATH "/policy"
#define TEMP_PATH DIR_PATH "/policy.new"

static char text[SUP_MODEL_MAX + 8];

/* Read the saved model, if any, and give it to the supervisor. */
static void load(void)
{
    int fd = open(FILE_PATH, O_RDONLY);
    if (fd < 0) {
        printf("supstore: no %s yet: the supervisor starts from its defaults\n", FILE_PATH);
        return;
    }
    ssize_t n = read(fd, text, SUP_MODEL_MAX);
    close(fd);
    if (n < 0) {
        printf("supstore: cannot read %s: %s\n", FILE_PATH, strerror(errno));
        return;
    }
    long r = actor_call(ACTOR_NAMES_SLOT, SUP_MODEL_PUT, text, (size_t)n, NULL, NULL);
    printf("supstore: model of %zd bytes read from %s: %s\n", n, FILE_PATH,
           r < 0 ? actor_strerror(r) : "given to the supervisor");
}

/* mkdir -p DIR_PATH */
static int make_dirs(void)
{
    static const char *const dirs[] = { "/var", "/var/lib", DIR_PATH };
    for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        if (mkdir(dirs[i], 0755) < 0 && errno != EEXIST)
            return -1;
    return 0;
}

/* Write LEN bytes of the model: to a new file, synced, then renamed over
 * the old one. */
static int save(const char *data, size_t len)
{
    if (make_dirs() < 0)
        return -1;
    int fd = open(TEMP_PATH, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, data, len);
    if (n != (ssize_t)len || fsync(fd) < 0) {
        int e = n < 0 ? errno : EIO;
        close(fd);
        errno = e;
        return -1;
    }
    close(fd);
    return rename(TEMP_PATH, FILE_PATH);
}

int main(void)
{
    long err = actor_serve_control(); /* pings, updates, injected faults */
    if (err < 0)
        printf("supstore: no thread for the supervisor's requests: %s\n", actor_strerror(err));
    load();
    uint64_t version = 0;
    unsigned saved = 0;
    for (;;) {
        size_t len = sizeof(text);
        long r = actor_call(ACTOR_NAMES_SLOT, SUP_MODEL_GET, &version, sizeof(version), text, &len);
        if (r < 0 || len < 8) {
            printf("supstore: the supervisor says: %s\n", actor_strerror(r < 0 ? r : CLK_EIO));
            return 1;
        }
        memcpy(&version, text, sizeof(version));
        if (save(text + 8, len - 8) < 0)
            printf("supstore: cannot write %s: %s\n", FILE_PATH, strerror(errno));
        else if (!saved++) /* once: the model changes with every fault */
            printf("supstore: the model is kept in %s\n", FILE_PATH);
    }
}
