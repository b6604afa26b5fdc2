#define _GNU_SOURCE
#include "CTollgateSupport.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int tg_file_status(int fd, tg_file_status_t *out) {
#if defined(__linux__) && defined(STATX_BASIC_STATS)
    /* No STATX_MTIME/STATX_CTIME: asking for timestamps makes the kernel (multigrain timestamps,
       Linux 6.13+) give the next write a fine-grained time, which dirties the inode on every
       write after a stat. */
    struct statx info;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID | STATX_INO | STATX_SIZE, &info) == 0) {
        out->device = (uint64_t)makedev(info.stx_dev_major, info.stx_dev_minor); /* as st_dev */
        out->inode = info.stx_ino;
        out->size = (int64_t)info.stx_size;
        out->mode = info.stx_mode;
        out->owner = info.stx_uid;
        out->links = info.stx_nlink;
        return 0;
    }
    if (errno != ENOSYS) return -1;
#endif
    struct stat status;
    if (fstat(fd, &status) != 0) return -1;
    out->device = (uint64_t)status.st_dev;
    out->inode = (uint64_t)status.st_ino;
    out->size = (int64_t)status.st_size;
    out->mode = (uint32_t)status.st_mode;
    out->owner = (uint32_t)status.st_uid;
    out->links = (uint64_t)status.st_nlink;
    return 0;
}
