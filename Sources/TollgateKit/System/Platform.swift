// Tollgate builds and runs on Linux only: it relies on signalfd (the relays' main loops), inotify
// (the audit log's watch), prctl(PR_SET_PDEATHSIG) (servers die with Tollgate), process-shared
// robust mutexes (the audit log's lock) and cgroup v2 (servers' memory and CPU). x86_64 is the
// architecture it is tested on. Elsewhere the build stops here, saying so.
#if !os(Linux)
#error("Tollgate runs on Linux only: it uses signalfd, inotify, prctl, robust process-shared mutexes and cgroups")
#endif
