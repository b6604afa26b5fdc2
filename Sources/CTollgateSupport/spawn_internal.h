#ifndef TG_SPAWN_INTERNAL_H
#define TG_SPAWN_INTERNAL_H

#include "CTollgateSupport.h"

/// The steps of starting a child, as reported to the parent (SpawnError.Step mirrors them).
enum {
    STEP_FORK = 1, STEP_PIPE, STEP_DUP, STEP_CHDIR, STEP_RLIMIT, STEP_EXEC, STEP_PARENT_DIED, STEP_CGROUP,
    STEP_USER_NAMESPACE, STEP_NETWORK_NAMESPACE, STEP_LOOPBACK, STEP_PROXY, STEP_NO_NEW_PRIVS, STEP_LANDLOCK,
    STEP_CAPABILITIES,
};

/// Child side, between fork and exec (async-signal-safe calls only). Each returns 0, or the step
/// that failed with errno set.

/// The namespaces and the proxy listener of `sandbox`; the listener goes out over `channel`.
int tg_sandbox_enter_namespaces(const tg_sandbox *sandbox, int channel);

/// no_new_privs, the Landlock ruleset and the capabilities of `sandbox`.
int tg_sandbox_restrict(const tg_sandbox *sandbox);

#endif
