#define _GNU_SOURCE
#include "spawn_internal.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/capability.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

// Landlock's ABI, spelled out here: the installed kernel headers may predate the rights used.
struct tg_landlock_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; /* ABI 4 */
    uint64_t scoped;             /* ABI 6 */
};
struct tg_landlock_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

enum { TG_LANDLOCK_CREATE_RULESET_VERSION = 1, TG_LANDLOCK_RULE_PATH_BENEATH = 1 };
enum { TG_SCOPE_ABSTRACT_UNIX_SOCKET = 1, TG_SCOPE_SIGNAL = 2 };

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/// Every filesystem right a ruleset of `abi` handles.
static uint64_t handled_rights(int abi) {
    uint64_t rights = (TG_FS_MAKE_SYM << 1) - 1; /* ABI 1: EXECUTE ... MAKE_SYM */
    if (abi >= 2) rights |= TG_FS_REFER;
    if (abi >= 3) rights |= TG_FS_TRUNCATE;
    if (abi >= 5) rights |= TG_FS_IOCTL_DEV;
    return rights;
}

/// The rights that make sense on a path that is not a directory.
static const uint64_t file_rights = TG_FS_EXECUTE | TG_FS_WRITE_FILE | TG_FS_READ_FILE | TG_FS_TRUNCATE | TG_FS_IOCTL_DEV;

int tg_landlock_abi(void) {
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, TG_LANDLOCK_CREATE_RULESET_VERSION);
    return abi < 0 ? 0 : (int)abi;
}

int tg_landlock_ruleset(int abi) {
    struct tg_landlock_ruleset_attr attr = { .handled_access_fs = handled_rights(abi) };
    // The kernel reads as much of the structure as it is given: only what this ABI knows.
    size_t size = offsetof(struct tg_landlock_ruleset_attr, handled_access_net);
    if (abi >= 6) {
        attr.scoped = TG_SCOPE_ABSTRACT_UNIX_SOCKET | TG_SCOPE_SIGNAL;
        size = sizeof attr;
    }
    long fd = syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    return (int)fd;
}

int tg_landlock_allow(int ruleset, int abi, const char *path, uint64_t access) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return errno;
    struct stat status;
    if (fstat(fd, &status) != 0) { int err = errno; close(fd); return err; }
    access &= handled_rights(abi);
    if (!S_ISDIR(status.st_mode)) access &= file_rights;
    struct tg_landlock_path_beneath_attr rule = { .allowed_access = access, .parent_fd = fd };
    int result = access == 0 ? 0 : (syscall(SYS_landlock_add_rule, ruleset, TG_LANDLOCK_RULE_PATH_BENEATH, &rule, 0) == 0 ? 0 : errno);
    close(fd);
    return result;
}

int tg_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int tg_accept(int listener) { return accept4(listener, NULL, NULL, SOCK_CLOEXEC); }

int tg_has_capability(int capability) {
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &header, data) != 0 || capability < 0 || capability > 63) return -1;
    return (data[capability / 32].effective >> (capability % 32)) & 1;
}

/// Writes all of `text` to `path`; 0 or -1.
static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t length = strlen(text);
    ssize_t written = write(fd, text, length);
    int err = errno;
    close(fd);
    errno = err;
    return written == (ssize_t)length ? 0 : -1;
}

/// "ID ID 1\n" into `buffer` (at least 32 bytes), without stdio.
static void identity_map(char *buffer, unsigned id) {
    char digits[12];
    int count = 0;
    do { digits[count++] = (char)('0' + id % 10); id /= 10; } while (id);
    char *out = buffer;
    for (int copy = 0; copy < 2; copy++) {
        for (int i = count - 1; i >= 0; i--) *out++ = digits[i];
        *out++ = ' ';
    }
    *out++ = '1';
    *out++ = '\n';
    *out = 0;
}

static int enter_user_namespace(void) {
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER) != 0) return -1;
    char map[32];
    identity_map(map, uid);
    if (write_file("/proc/self/uid_map", map) != 0) return -1;
    // A process without CAP_SETGID in its parent namespace may map its gid only once setgroups is denied.
    if (write_file("/proc/self/setgroups", "deny") != 0 && errno != ENOENT) return -1;
    identity_map(map, gid);
    return write_file("/proc/self/gid_map", map);
}

static int bring_loopback_up(void) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct ifreq request;
    memset(&request, 0, sizeof request);
    memcpy(request.ifr_name, "lo", 3);
    int result = ioctl(fd, SIOCGIFFLAGS, &request);
    if (result == 0) {
        request.ifr_flags |= IFF_UP | IFF_RUNNING;
        result = ioctl(fd, SIOCSIFFLAGS, &request);
    }
    int err = errno;
    close(fd);
    errno = err;
    return result;
}

/// Listens on 127.0.0.1:`port` and sends the socket over `channel`.
static int pass_listener(int port, int channel) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) return -1;
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int result = bind(listener, (struct sockaddr *)&address, sizeof address);
    if (result == 0) result = listen(listener, 128);
    if (result == 0) {
        char byte = 'L';
        struct iovec vector = { &byte, 1 };
        union { struct cmsghdr header; char space[CMSG_SPACE(sizeof(int))]; } control;
        memset(&control, 0, sizeof control);
        struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1, .msg_control = control.space, .msg_controllen = sizeof control.space };
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(header), &listener, sizeof(int));
        result = sendmsg(channel, &message, MSG_NOSIGNAL) == 1 ? 0 : -1;
    }
    int err = errno;
    close(listener);
    errno = err;
    return result;
}

int tg_sandbox_enter_namespaces(const tg_sandbox *sandbox, int channel) {
    if (sandbox->new_user_namespace && enter_user_namespace() != 0) return STEP_USER_NAMESPACE;
    if (sandbox->new_network_namespace) {
        if (unshare(CLONE_NEWNET) != 0) return STEP_NETWORK_NAMESPACE;
        if (bring_loopback_up() != 0) return STEP_LOOPBACK;
    }
    if (sandbox->proxy_port > 0 && pass_listener(sandbox->proxy_port, channel) != 0) return STEP_PROXY;
    return 0;
}

/// Empties the capability sets for good. Without any capability (an ordinary user outside a user
/// namespace) there is nothing to drop, and no_new_privs keeps exec from granting any.
static int drop_capabilities(void) {
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &header, data) != 0) return -1;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return -1;
    if ((data[0].permitted | data[1].permitted | data[0].inheritable | data[1].inheritable) == 0) return 0;
    for (int capability = 0; capability < 64; capability++) {
        if (prctl(PR_CAPBSET_READ, capability, 0, 0, 0) < 0) break; /* past the last one */
        if (prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0) return -1;
    }
    // Root (uid 0) gains no capability at exec, and none of this can be undone.
    unsigned long bits = (1UL << 0) | (1UL << 1) | (1UL << 2) | (1UL << 3) | (1UL << 5) | (1UL << 6) | (1UL << 7);
    if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) != 0) return -1;
    memset(data, 0, sizeof data);
    return syscall(SYS_capset, &header, data) == 0 ? 0 : -1;
}

int tg_sandbox_restrict(const tg_sandbox *sandbox) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return STEP_NO_NEW_PRIVS;
    if (sandbox->landlock_ruleset >= 0) {
        if (sandbox->landlock_proc_self) {
            int fd = open("/proc/self", O_PATH | O_CLOEXEC);
            if (fd < 0) return STEP_LANDLOCK;
            struct tg_landlock_path_beneath_attr rule = { .allowed_access = TG_FS_READ_FILE | TG_FS_READ_DIR, .parent_fd = fd };
            long added = syscall(SYS_landlock_add_rule, sandbox->landlock_ruleset, TG_LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
            int err = errno;
            close(fd);
            errno = err;
            if (added != 0) return STEP_LANDLOCK;
        }
        if (syscall(SYS_landlock_restrict_self, sandbox->landlock_ruleset, 0) != 0) return STEP_LANDLOCK;
        close(sandbox->landlock_ruleset);
    }
    if (sandbox->drop_capabilities && drop_capabilities() != 0) return STEP_CAPABILITIES;
    return 0;
}

int tg_probe_namespaces(int user, int *failed_step_out) {
    int report[2];
    *failed_step_out = STEP_PIPE;
    if (pipe2(report, O_CLOEXEC) != 0) return errno;
    pid_t pid = fork();
    if (pid < 0) { int err = errno; close(report[0]); close(report[1]); *failed_step_out = STEP_FORK; return err; }
    if (pid == 0) {
        tg_sandbox sandbox = { .new_user_namespace = user, .new_network_namespace = 1, .landlock_ruleset = -1 };
        int payload[2] = { tg_sandbox_enter_namespaces(&sandbox, -1), errno };
        ssize_t ignored = write(report[1], payload, sizeof payload);
        (void)ignored;
        _exit(0);
    }
    close(report[1]);
    int payload[2] = { 0, 0 };
    ssize_t count;
    do { count = read(report[0], payload, sizeof payload); } while (count < 0 && errno == EINTR);
    close(report[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (count != (ssize_t)sizeof payload) { *failed_step_out = STEP_FORK; return EIO; }
    *failed_step_out = payload[0];
    return payload[0] ? (payload[1] ? payload[1] : EINVAL) : 0;
}
