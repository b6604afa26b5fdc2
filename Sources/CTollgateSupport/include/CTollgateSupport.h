#ifndef CTOLLGATE_SUPPORT_H
#define CTOLLGATE_SUPPORT_H

#include <sys/types.h>
#include <stdint.h>

/// Resource limits applied in the child between fork and exec. A value below zero leaves the limit unchanged.
typedef struct {
    int64_t address_space_bytes;
    int64_t cpu_seconds;
    int64_t open_files;
    int64_t processes;
} tg_limits;

/// Spawns `argv[0]` (searched in PATH when it has no slash) with stdin and stdout connected to
/// `stdin_fd` and `stdout_fd` and stderr inherited.
///
/// In the child, before exec: every signal disposition and the signal mask are reset, the child
/// gets its own process group, `PR_SET_PDEATHSIG(SIGKILL)` ties its life to the calling thread,
/// every descriptor other than 0, 1 and 2 is closed, `cwd` is entered when not NULL, the child
/// joins the cgroup whose `cgroup.procs` file is `cgroup_procs` (when not NULL) and the limits
/// are applied. `envp` NULL inherits the environment.
///
/// Returns 0 and stores the pid, or returns the errno of the step that failed (fork, chdir,
/// cgroup, setrlimit or exec), reported through a close-on-exec pipe, with nothing left running.
int tg_spawn(const char *const argv[], const char *const envp[], const char *cwd,
             int stdin_fd, int stdout_fd, const tg_limits *limits, const char *cgroup_procs,
             pid_t *pid_out, int *failed_step_out);

/// Creates a pipe whose both ends are close-on-exec.
int tg_pipe_cloexec(int fds[2]);

/// Sets or clears O_NONBLOCK on a descriptor.
int tg_set_nonblocking(int fd, int on);

/// Blocks the given signals in the calling thread (and, if called before any thread starts, in all threads).
int tg_block_signals(const int *signals, int count);

/// Creates a signalfd for the given signals (close-on-exec). They must be blocked.
int tg_signalfd(const int *signals, int count);

/// Reads one signal number from a signalfd, or -1.
int tg_read_signalfd(int fd);

/// Runs thread `pid` (0: the calling one) on the CPUs whose bits are set in `cpus` (CPUs 0 to
/// 63; `sched_setaffinity`); returns 0, or -1 with errno set. For the benchmark's pinned runs.
int tg_set_affinity(pid_t pid, uint64_t cpus);

/// Ignores SIGPIPE so writes to a closed pipe return EPIPE.
void tg_ignore_sigpipe(void);

/// waitpid wrapper: returns pid, 0 when still running, -1 on error; stores decoded status:
/// exit code in *code, or the signal in *signal (the other set to -1).
pid_t tg_wait(pid_t pid, int nohang, int *code, int *signal);

/// What the audit writer needs to know of an open file.
typedef struct {
    uint64_t device; /* as st_dev */
    uint64_t inode;
    int64_t size;
    uint32_t mode;   /* st_mode */
    uint32_t owner;  /* st_uid */
    uint64_t links;  /* st_nlink */
} tg_file_status_t;

/// `fstat` without the timestamps: `statx` asking only for type, mode, links, owner, inode and
/// size where Linux has it (a stat that asks for timestamps makes the next write to the file
/// dearer on Linux 6.13+), else `fstat`. Returns 0, or -1 with errno set.
int tg_file_status(int fd, tg_file_status_t *out);

/// Where an audit log's hash chain stands: kept in the lock file that every writer of the log
/// maps, so a writer learns it without reading the log.
typedef struct {
    uint64_t device;  /* the file the chain continues in, as st_dev */
    uint64_t inode;
    int64_t size;     /* its size after the last record */
    int64_t seq;      /* the last record's seq (its position in the chain, from 1) */
    char hash[64];    /* the last record's hash, lowercase hex */
    uint32_t valid;   /* 0: unknown (a new lock file, or a writer died holding the lock) */
    uint32_t reserved;
} tg_audit_chain_t;

/// Maps (creating and initializing it if needed) the lock file of an audit log: a robust,
/// process-shared mutex and the chain state. `mode` is the new file's permissions; `device` and
/// `inode` receive the file's identity. Returns an opaque region, or NULL with errno set
/// (EPROTO: the file is not a lock file of this layout).
void *tg_audit_lock_open(const char *path, mode_t mode, uint64_t *device, uint64_t *inode);

/// Takes the lock and copies the chain out. Returns 0, 1 when the previous holder died holding
/// it (the lock is taken; `chain` is where the last writer that finished left it, and the shared
/// copy is marked unknown), or -1 with errno set.
int tg_audit_lock_acquire(void *region, tg_audit_chain_t *chain);

/// Stores `chain` (when not NULL) and releases the lock.
void tg_audit_lock_release(void *region, const tg_audit_chain_t *chain);

/// Unmaps the region.
void tg_audit_lock_close(void *region);

/// Makes the process non-dumpable (`PR_SET_DUMPABLE` 0): no core dump, and processes of the same
/// user (root excepted) can no longer `ptrace` it or read its `/proc/<pid>/mem` and `environ`; its
/// `/proc/<pid>` files belong to root. Children get the flag back at `execve`. Returns 0, or -1
/// with errno set. Does nothing (0) outside Linux.
int tg_disable_dumping(void);

/// 1 when the process is dumpable, 0 when not, -1 where that cannot be asked.
int tg_is_dumpable(void);

/// Whether this CPU has the SHA extensions (x86-64 SHA-NI with SSE4.1 and SSSE3).
int tg_sha256_hardware_available(void);

/// SHA-256's compression function over `count` consecutive 64-byte blocks with the SHA
/// extensions; `state` is the eight working words H0...H7. Only call it when
/// `tg_sha256_hardware_available()` returned nonzero.
void tg_sha256_compress_hardware(uint32_t state[8], const uint8_t *blocks, size_t count);

/// The commit Tollgate was built from (scripts/install defines TOLLGATE_COMMIT), or NULL.
const char *tg_build_commit(void);

#endif
