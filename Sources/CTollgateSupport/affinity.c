#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include "CTollgateSupport.h"

int tg_set_affinity(pid_t pid, uint64_t cpus) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu = 0; cpu < 64; cpu++) {
        if (cpus & ((uint64_t)1 << cpu)) CPU_SET(cpu, &set);
    }
    return sched_setaffinity(pid, sizeof set, &set);
}
