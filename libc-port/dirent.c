/*
 * dirent.c: directory reading. The VFS server will answer it; until then
 * there are no directories to open.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>

DIR *opendir(const char *path)
{
    (void)path;
    errno = ENOSYS;
    return NULL;
}

struct dirent *readdir(DIR *dir)
{
    (void)dir;
    errno = EBADF;
    return NULL;
}

int closedir(DIR *dir)
{
    (void)dir;
    errno = EBADF;
    return -1;
}

void rewinddir(DIR *dir)
{
    (void)dir;
}
