/* Pins the calling thread to one CPU, for benchmarks (Swift's Glibc module does not expose
   sched_setaffinity, which needs _GNU_SOURCE). */
#define _GNU_SOURCE
#include "CTollgateSupport.h"
#if defined(__linux__)
#include <sched.h>
#endif

int tg_pin_to_cpu(int cpu) {
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (cpu >= 0) {
        CPU_SET(cpu, &set);
    } else {
        for (int each = 0; each < CPU_SETSIZE; each++) CPU_SET(each, &set);
    }
    return sched_setaffinity(0, sizeof(set), &set);
#else
    (void)cpu;
    return -1;
#endif
}
