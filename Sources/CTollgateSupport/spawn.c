#define _GNU_SOURCE
#include "spawn_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

extern char **environ;

static void child_fail(int pipe_fd, int step) {
    int payload[2] = { step, errno };
    ssize_t ignored = write(pipe_fd, payload, sizeof payload);
    (void)ignored;
    _exit(127);
}

/// Closes every descriptor from 3 up but those in `keep` (`count` of them, each 3 or above).
static void close_other_fds(int *keep, int count) {
    for (int i = 1; i < count; i++) {  /* sorted in place: no qsort between fork and exec */
        for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) { int t = keep[j]; keep[j] = keep[j - 1]; keep[j - 1] = t; }
    }
#ifdef SYS_close_range
    int from = 3, ok = 1;
    for (int i = 0; i < count && ok; i++) {
        if (keep[i] > from) ok = syscall(SYS_close_range, from, keep[i] - 1, 0) == 0;
        if (keep[i] >= from) from = keep[i] + 1;
    }
    if (ok && syscall(SYS_close_range, from, ~0U, 0) == 0) return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (int fd = 3; fd < max; fd++) {
        int kept = 0;
        for (int i = 0; i < count; i++) kept |= keep[i] == fd;
        if (!kept) close(fd);
    }
}

/// Moves `fd` to 3 or above (close-on-exec) if it is a standard descriptor; -1 on failure.
static int above_standard(int fd) {
    return fd > 2 ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/// Receives the descriptor the child sent over `channel` (already there), or -1.
static int receive_fd(int channel) {
    char byte;
    struct iovec vector = { &byte, 1 };
    union { struct cmsghdr header; char space[CMSG_SPACE(sizeof(int))]; } control;
    struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1, .msg_control = control.space, .msg_controllen = sizeof control.space };
    ssize_t count;
    do { count = recvmsg(channel, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC); } while (count < 0 && errno == EINTR);
    struct cmsghdr *header = count == 1 ? CMSG_FIRSTHDR(&message) : NULL;
    if (!header || header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS || header->cmsg_len != CMSG_LEN(sizeof(int))) return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(header), sizeof fd);
    return fd;
}

static int set_limit(int resource, int64_t value, int64_t hard_extra) {
    if (value < 0) return 0;
    struct rlimit rl = { (rlim_t)value, (rlim_t)(value + hard_extra) };
    return setrlimit(resource, &rl);
}

/// Searches PATH like execvp, but with an explicit environment and only async-signal-safe calls.
static void exec_search(const char *file, char *const argv[], char *const envp[]) {
    if (strchr(file, '/')) { execve(file, argv, envp); return; }
    const char *path = NULL;
    for (char *const *e = envp; e && *e; e++) if (strncmp(*e, "PATH=", 5) == 0) { path = *e + 5; break; }
    if (!path) path = "/usr/local/bin:/usr/bin:/bin";
    size_t flen = strlen(file);
    char buf[4096];
    int saw_eacces = 0;
    const char *p = path;
    while (1) {
        const char *colon = strchr(p, ':');
        size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
        if (dlen + flen + 2 < sizeof buf) {
            if (dlen == 0) { buf[0] = '.'; dlen = 1; } else memcpy(buf, p, dlen);
            buf[dlen] = '/';
            memcpy(buf + dlen + 1, file, flen + 1);
            execve(buf, argv, envp);
            if (errno == EACCES) saw_eacces = 1;
        }
        if (!colon) break;
        p = colon + 1;
    }
    errno = saw_eacces ? EACCES : ENOENT;
}

int tg_spawn(const char *const argv[], const char *const envp[], const char *cwd,
             int stdin_fd, int stdout_fd, const tg_limits *limits, const char *cgroup_procs,
             const tg_sandbox *sandbox, pid_t *pid_out, int *proxy_listener_out, int *failed_step_out) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) { *failed_step_out = STEP_PIPE; return errno; }
    // The child passes the proxy's listening socket back over this pair.
    int channel[2] = { -1, -1 };
    int wants_listener = sandbox && sandbox->proxy_port > 0;
    if (wants_listener && socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, channel) != 0) {
        int err = errno;
        close(report[0]); close(report[1]);
        *failed_step_out = STEP_PIPE;
        return err;
    }
    char *const *env = (char *const *)(envp ? envp : (const char *const *)environ);
    pid_t parent = getpid();

    // Block every signal across fork so no Swift handler runs in the child before it resets them.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        close(report[0]); close(report[1]);
        if (wants_listener) { close(channel[0]); close(channel[1]); }
        *failed_step_out = STEP_FORK;
        return err;
    }
    if (pid == 0) {
        for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setpgid(0, 0);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(report[1], STEP_PARENT_DIED);
        if (getppid() != parent) { errno = ESRCH; child_fail(report[1], STEP_PARENT_DIED); }
        // Move what the child keeps above the standard descriptors before wiring them.
        int rep = above_standard(report[1]);
        if (rep < 0) child_fail(report[1], STEP_DUP);
        int ruleset = -1, sender = -1;
        if (sandbox && sandbox->landlock_ruleset >= 0 && (ruleset = above_standard(sandbox->landlock_ruleset)) < 0) child_fail(rep, STEP_DUP);
        if (wants_listener && (sender = above_standard(channel[1])) < 0) child_fail(rep, STEP_DUP);
        if (stdin_fd != 0) { if (dup2(stdin_fd, 0) < 0) child_fail(rep, STEP_DUP); }
        else fcntl(0, F_SETFD, 0);
        if (stdout_fd != 1) { if (dup2(stdout_fd, 1) < 0) child_fail(rep, STEP_DUP); }
        else fcntl(1, F_SETFD, 0);
        int keep[3] = { rep, ruleset, sender };
        int kept = 1;
        if (ruleset >= 0) keep[kept++] = ruleset;
        if (sender >= 0) keep[kept++] = sender;
        close_other_fds(keep, kept);
        if (cwd && chdir(cwd) != 0) child_fail(rep, STEP_CHDIR);
        if (cgroup_procs) {
            // "0" moves the writing process: the child joins its cgroup before it runs anything.
            int fd = open(cgroup_procs, O_WRONLY | O_CLOEXEC);
            if (fd < 0 || write(fd, "0", 1) != 1) child_fail(rep, STEP_CGROUP);
            close(fd);
        }
        if (limits) {
            // CPU: SIGXCPU at the limit (the soft one), SIGKILL one second later if it is ignored.
            if (set_limit(RLIMIT_AS, limits->address_space_bytes, 0) != 0 ||
                set_limit(RLIMIT_CPU, limits->cpu_seconds, 1) != 0 ||
                set_limit(RLIMIT_NOFILE, limits->open_files, 0) != 0 ||
                set_limit(RLIMIT_NPROC, limits->processes, 0) != 0) child_fail(rep, STEP_RLIMIT);
        }
        if (sandbox) {
            tg_sandbox mine = *sandbox;
            mine.landlock_ruleset = ruleset;
            int step = tg_sandbox_enter_namespaces(&mine, sender);
            if (step) child_fail(rep, step);
            if (sender >= 0) close(sender);
            if ((step = tg_sandbox_restrict(&mine)) != 0) child_fail(rep, step);
            // Changed credentials may have cleared the parent-death signal: set it again.
            if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(rep, STEP_PARENT_DIED);
            if (getppid() != parent) { errno = ESRCH; child_fail(rep, STEP_PARENT_DIED); }
        }
        exec_search(argv[0], (char *const *)argv, env);
        child_fail(rep, STEP_EXEC);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(report[1]);
    if (wants_listener) close(channel[1]);
    int payload[2];
    ssize_t n;
    do { n = read(report[0], payload, sizeof payload); } while (n < 0 && errno == EINTR);
    close(report[0]);
    int listener = -1;
    if (n != (ssize_t)sizeof payload && wants_listener && (listener = receive_fd(channel[0])) < 0) {
        // Exec succeeded but no listener came: never run a server whose proxy is missing.
        kill(pid, SIGKILL);
        payload[0] = STEP_PROXY;
        payload[1] = EPROTO;
        n = sizeof payload;
    }
    if (wants_listener) close(channel[0]);
    if (n == (ssize_t)sizeof payload) {
        int code, sig;
        tg_wait(pid, 0, &code, &sig);
        *failed_step_out = payload[0];
        return payload[1] ? payload[1] : EINVAL;
    }
    *pid_out = pid;
    if (proxy_listener_out) *proxy_listener_out = listener;
    *failed_step_out = 0;
    return 0;
}

int tg_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int tg_set_nonblocking(int fd, int on) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    return fcntl(fd, F_SETFL, flags);
}

int tg_block_signals(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int tg_signalfd(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    /* Non-blocking: a signal taken by another thread between poll and read must not block. */
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int tg_read_signalfd(int fd) {
    struct signalfd_siginfo info;
    ssize_t n;
    do { n = read(fd, &info, sizeof info); } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof info ? (int)info.ssi_signo : -1;
}

void tg_ignore_write_signals(void) {
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
}

pid_t tg_wait(pid_t pid, int nohang, int *code, int *signal_out) {
    int status = 0;
    pid_t r;
    do { r = waitpid(pid, &status, nohang ? WNOHANG : 0); } while (r < 0 && errno == EINTR);
    *code = -1; *signal_out = -1;
    if (r > 0) {
        if (WIFEXITED(status)) *code = WEXITSTATUS(status);
        else if (WIFSIGNALED(status)) *signal_out = WTERMSIG(status);
    }
    return r;
}
