/* The locks of the files several Tollgate processes append to (an audit log, a budget ledger): a
   robust, process-shared mutex in a small lock file that every writer maps, next to the state it
   guards (where the file stands). Taking and releasing it costs no system call when no other
   writer holds it (flock, by contrast, is two). A writer that dies holding it leaves it to the
   next one, which is told so (EOWNERDEAD) and looks at the file itself. */
#define _GNU_SOURCE
#include "CTollgateSupport.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The start of every lock file's region; the guarded state follows it. */
typedef struct {
    uint64_t magic;   /* set last, once the mutex is initialized */
    uint64_t layout;  /* the region's size: a build with another layout refuses the file */
    char boot[40];    /* the boot it was initialized in (Linux's boot_id) */
    pthread_mutex_t mutex;
} tg_lock_header_t;

#define TG_AUDIT_LOCK_MAGIC 0x31434f4c44554754ULL  /* "TGAUDLC1" */
#define TG_LEDGER_LOCK_MAGIC 0x31434c44454c4754ULL /* "TGLEDLC1" */

typedef struct {
    tg_lock_header_t header;
    tg_audit_chain_t chain;
} tg_audit_region_t;

typedef struct {
    tg_lock_header_t header;
    tg_ledger_position_t position;
} tg_ledger_region_t;

/* This boot's id, or zeros where there is none. A mutex held when the machine went down stays
   held in the file forever (no thread is left to be found dead), so a lock file from an earlier
   boot is initialized again. */
static void tg_boot_id(char out[40]) {
    memset(out, 0, 40);
    int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t count = read(fd, out, 39);
    close(fd);
    if (count < 0) memset(out, 0, 40);
}

/* Maps the lock file at `path` (a region of `size` bytes, `magic`), creating and initializing it
   if needed; NULL with errno set (EPROTO: not a lock file of this kind and layout). */
static void *tg_lock_open(const char *path, mode_t mode, uint64_t magic, size_t size, uint64_t *device, uint64_t *inode) {
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) return NULL;
    /* Initialization is rare and races only with other openers: flock serializes them. */
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) { int code = errno; close(fd); errno = code; return NULL; }
    }
    tg_lock_header_t *region = NULL;
    struct stat info;
    int code = 0;
    if (fstat(fd, &info) != 0) { code = errno; goto done; }
    if (!S_ISREG(info.st_mode)) { code = EPROTO; goto done; }
    *device = (uint64_t)info.st_dev;
    *inode = (uint64_t)info.st_ino;
    /* A new file gets the given permissions whatever the umask: whoever may write the file may lock it. */
    if (info.st_size == 0 && fchmod(fd, mode) != 0) { code = errno; goto done; }
    if (info.st_size < (off_t)size && ftruncate(fd, (off_t)size) != 0) { code = errno; goto done; }
    void *mapped = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mapped == MAP_FAILED) { code = errno; goto done; }
    region = mapped;
    char boot[40];
    tg_boot_id(boot);
    static const char unknown[40];
    if (region->magic == magic && region->layout == size
        && memcmp(boot, unknown, 40) != 0 && memcmp(region->boot, unknown, 40) != 0 && memcmp(region->boot, boot, 40) != 0) {
        /* From an earlier boot: nobody can hold it now, but it may say somebody does. */
        region->magic = 0;
    }
    if (region->magic == 0) {
        pthread_mutexattr_t attributes;
        pthread_mutexattr_init(&attributes);
        pthread_mutexattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED);
#if defined(__linux__)
        pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
#endif
        memset(region, 0, size);
        int failed = pthread_mutex_init(&region->mutex, &attributes);
        pthread_mutexattr_destroy(&attributes);
        if (failed) { code = failed; munmap(region, size); region = NULL; goto done; }
        region->layout = size;
        memcpy(region->boot, boot, 40);
        __atomic_store_n(&region->magic, magic, __ATOMIC_RELEASE);
    } else if (region->magic != magic || region->layout != size) {
        code = EPROTO;
        munmap(region, size);
        region = NULL;
    }
done:
    flock(fd, LOCK_UN);
    close(fd); /* the mapping stays */
    if (!region) errno = code;
    return region;
}

/* Takes the lock: 0, 1 when the previous holder died holding it (the lock is taken and made
   consistent; the caller marks the state unknown before it does), or -1 with errno set. */
static int tg_lock_take(tg_lock_header_t *header) {
    int result = pthread_mutex_lock(&header->mutex);
#if defined(__linux__)
    if (result == EOWNERDEAD) {
        pthread_mutex_consistent(&header->mutex);
        return 1;
    }
#endif
    if (result != 0) { errno = result; return -1; }
    return 0;
}

void *tg_audit_lock_open(const char *path, mode_t mode, uint64_t *device, uint64_t *inode) {
    return tg_lock_open(path, mode, TG_AUDIT_LOCK_MAGIC, sizeof(tg_audit_region_t), device, inode);
}

int tg_audit_lock_acquire(void *opaque, tg_audit_chain_t *chain) {
    tg_audit_region_t *region = opaque;
    int result = tg_lock_take(&region->header);
    /* After a holder died (perhaps inside a write): the chain state is where the last writer
       that finished left it, and the file may hold more (what the dead one wrote, whole or torn). */
    if (result >= 0) *chain = region->chain;
    if (result == 1) region->chain.valid = 0;
    return result;
}

void tg_audit_lock_release(void *opaque, const tg_audit_chain_t *chain) {
    tg_audit_region_t *region = opaque;
    if (chain) region->chain = *chain;
    pthread_mutex_unlock(&region->header.mutex);
}

void tg_audit_lock_close(void *opaque) {
    munmap(opaque, sizeof(tg_audit_region_t));
}

void *tg_ledger_lock_open(const char *path, mode_t mode) {
    uint64_t device, inode;
    return tg_lock_open(path, mode, TG_LEDGER_LOCK_MAGIC, sizeof(tg_ledger_region_t), &device, &inode);
}

int tg_ledger_lock_acquire(void *opaque, tg_ledger_position_t *position) {
    tg_ledger_region_t *region = opaque;
    int result = tg_lock_take(&region->header);
    if (result == 1) region->position.valid = 0;
    if (result >= 0) *position = region->position;
    return result;
}

void tg_ledger_lock_release(void *opaque, const tg_ledger_position_t *position) {
    tg_ledger_region_t *region = opaque;
    if (position) region->position = *position; else region->position.valid = 0;
    pthread_mutex_unlock(&region->header.mutex);
}

void tg_ledger_lock_close(void *opaque) {
    munmap(opaque, sizeof(tg_ledger_region_t));
}
