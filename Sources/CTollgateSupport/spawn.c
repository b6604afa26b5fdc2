#define _GNU_SOURCE
#include "CTollgateSupport.h"

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
#include <sys/syscall.h>
#include <sys/wait.h>

extern char **environ;

enum { STEP_FORK = 1, STEP_PIPE, STEP_DUP, STEP_CHDIR, STEP_RLIMIT, STEP_EXEC, STEP_PARENT_DIED, STEP_CGROUP };

static void child_fail(int pipe_fd, int step) {
    int payload[2] = { step, errno };
    ssize_t ignored = write(pipe_fd, payload, sizeof payload);
    (void)ignored;
    _exit(127);
}

static void close_other_fds(int keep) {
#ifdef SYS_close_range
    if (keep > 3) {
        if (syscall(SYS_close_range, 3, keep - 1, 0) == 0 &&
            syscall(SYS_close_range, keep + 1, ~0U, 0) == 0) return;
    } else if (keep == 3) {
        if (syscall(SYS_close_range, 4, ~0U, 0) == 0) return;
    }
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (int fd = 3; fd < max; fd++) if (fd != keep) close(fd);
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
             pid_t *pid_out, int *failed_step_out) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) { *failed_step_out = STEP_PIPE; return errno; }
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
        // Move the report pipe above the standard descriptors before wiring them.
        int rep = report[1];
        if (rep <= 2) { rep = fcntl(rep, F_DUPFD_CLOEXEC, 3); if (rep < 0) child_fail(report[1], STEP_DUP); }
        if (stdin_fd != 0) { if (dup2(stdin_fd, 0) < 0) child_fail(rep, STEP_DUP); }
        else fcntl(0, F_SETFD, 0);
        if (stdout_fd != 1) { if (dup2(stdout_fd, 1) < 0) child_fail(rep, STEP_DUP); }
        else fcntl(1, F_SETFD, 0);
        close_other_fds(rep);
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
        exec_search(argv[0], (char *const *)argv, env);
        child_fail(rep, STEP_EXEC);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(report[1]);
    int payload[2];
    ssize_t n;
    do { n = read(report[0], payload, sizeof payload); } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == (ssize_t)sizeof payload) {
        int code, sig;
        tg_wait(pid, 0, &code, &sig);
        *failed_step_out = payload[0];
        return payload[1] ? payload[1] : EINVAL;
    }
    *pid_out = pid;
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
