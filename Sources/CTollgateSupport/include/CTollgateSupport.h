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

/// What the child does to confine itself between fork and exec (see `tg_spawn`), in this order.
typedef struct {
    /// 1: a user namespace of its own, its uid and gid mapped to themselves (what lets a process
    /// without CAP_SYS_ADMIN have a network namespace).
    int new_user_namespace;
    /// 1: a network namespace of its own, with only the loopback interface, brought up.
    int new_network_namespace;
    /// Above 0: listen on 127.0.0.1 at this port in that namespace and pass the listening socket
    /// back to the parent (`proxy_listener_out`), closing the child's own copy.
    int proxy_port;
    /// A Landlock ruleset (`tg_landlock_ruleset`) the child restricts itself to, or -1.
    int landlock_ruleset;
    /// 1: the child first adds read access to its own `/proc/PID` (what `/proc/self` names for it).
    int landlock_proc_self;
    /// 1: every capability set and the bounding set emptied, the root-related securebits set and
    /// locked, so neither the server nor anything it executes holds a capability.
    int drop_capabilities;
} tg_sandbox;

/// Spawns `argv[0]` (searched in PATH when it has no slash) with stdin and stdout connected to
/// `stdin_fd` and `stdout_fd` and stderr inherited.
///
/// In the child, before exec: every signal disposition and the signal mask are reset, the child
/// gets its own process group, `PR_SET_PDEATHSIG(SIGKILL)` ties its life to the calling thread,
/// every descriptor other than 0, 1 and 2 is closed, `cwd` is entered when not NULL, the child
/// joins the cgroup whose `cgroup.procs` file is `cgroup_procs` (when not NULL), enters the
/// namespaces `sandbox` asks for, the limits are applied, then (with a sandbox)
/// `PR_SET_NO_NEW_PRIVS` is set, the Landlock ruleset enforced and capabilities dropped.
/// `envp` NULL inherits the environment.
///
/// Returns 0 and stores the pid (and, with a proxy port, the listening socket, close-on-exec, in
/// `proxy_listener_out`), or returns the errno of the step that failed, reported through a
/// close-on-exec pipe, with nothing left running.
int tg_spawn(const char *const argv[], const char *const envp[], const char *cwd,
             int stdin_fd, int stdout_fd, const tg_limits *limits, const char *cgroup_procs,
             const tg_sandbox *sandbox, pid_t *pid_out, int *proxy_listener_out, int *failed_step_out);

/// Landlock filesystem access rights (the kernel's `LANDLOCK_ACCESS_FS_*` bits; ABI in brackets).
enum {
    TG_FS_EXECUTE = 1 << 0, TG_FS_WRITE_FILE = 1 << 1, TG_FS_READ_FILE = 1 << 2, TG_FS_READ_DIR = 1 << 3,
    TG_FS_REMOVE_DIR = 1 << 4, TG_FS_REMOVE_FILE = 1 << 5, TG_FS_MAKE_CHAR = 1 << 6, TG_FS_MAKE_DIR = 1 << 7,
    TG_FS_MAKE_REG = 1 << 8, TG_FS_MAKE_SOCK = 1 << 9, TG_FS_MAKE_FIFO = 1 << 10, TG_FS_MAKE_BLOCK = 1 << 11,
    TG_FS_MAKE_SYM = 1 << 12,
    TG_FS_REFER = 1 << 13,     /* [2] link or rename into another directory */
    TG_FS_TRUNCATE = 1 << 14,  /* [3] */
    TG_FS_IOCTL_DEV = 1 << 15, /* [5] ioctl on a device file */
};

/// The Landlock ABI version the kernel offers, or 0 (errno: ENOSYS not built in, EOPNOTSUPP
/// disabled at boot).
int tg_landlock_abi(void);

/// A new Landlock ruleset handling every filesystem right of `abi` (so each one not granted by a
/// rule is refused) and, from ABI 6, scoping abstract Unix sockets and signals to the domain.
/// Returns a close-on-exec descriptor, or -1 with errno set.
int tg_landlock_ruleset(int abi);

/// Grants `access` (TG_FS_* bits; those `abi` lacks are left out, and only the file rights on a
/// path that is not a directory) beneath `path`, symbolic links followed. Returns 0 or an errno
/// (ENOENT: no such path).
int tg_landlock_allow(int ruleset, int abi, const char *path, uint64_t access);

/// Whether a child can enter new namespaces and bring its loopback up: forks one that tries
/// (`user`: a user namespace first, as a process without CAP_SYS_ADMIN needs) and waits for it.
/// Returns 0, or the errno of the step that failed, stored in `failed_step_out` (the steps of `tg_spawn`).
int tg_probe_namespaces(int user, int *failed_step_out);

/// A pidfd for `pid` (readable once the process ended), close-on-exec, or -1 with errno set.
int tg_pidfd_open(pid_t pid);

/// `accept4` with close-on-exec: a connected socket, or -1 with errno set.
int tg_accept(int listener);

/// Whether the calling process has `capability` in its effective set (1), not (0), or -1.
int tg_has_capability(int capability);

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

/// Ignores SIGPIPE and SIGXFSZ, so a write to a closed pipe returns EPIPE and one past the
/// file-size limit (RLIMIT_FSIZE) returns EFBIG: an audit log or ledger at its limit then
/// fails closed (the call is refused) instead of killing Tollgate. Children get the default
/// dispositions back before exec.
void tg_ignore_write_signals(void);

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

/// Where a budget ledger stands: kept in its lock file (`PATH.lock`), which every writer maps, so
/// a writer learns what others appended without looking at the file.
typedef struct {
    uint64_t device;  /* the ledger's data file, as st_dev */
    uint64_t inode;
    int64_t size;     /* its size after the last record written under the lock */
    uint32_t valid;   /* 0: unknown (a new lock file, a failed write, a writer died holding the lock) */
    uint32_t reserved;
} tg_ledger_position_t;

/// Maps (creating and initializing it if needed, with permissions `mode`) the lock file of a
/// ledger: a robust, process-shared mutex and the position. Returns an opaque region, or NULL with
/// errno set (EPROTO: the file is not a ledger lock file of this layout).
void *tg_ledger_lock_open(const char *path, mode_t mode);

/// Takes the lock and copies the position out. Returns 0, 1 when the previous holder died holding
/// it (the lock is taken and the position is unknown), or -1 with errno set.
int tg_ledger_lock_acquire(void *region, tg_ledger_position_t *position);

/// Stores `position` (NULL: marks it unknown) and releases the lock.
void tg_ledger_lock_release(void *region, const tg_ledger_position_t *position);

/// Unmaps the region.
void tg_ledger_lock_close(void *region);

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
