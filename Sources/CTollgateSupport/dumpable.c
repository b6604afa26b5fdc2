/* Whether other processes of the same user may look into this one (Swift cannot call the
   variadic prctl). */
#define _GNU_SOURCE
#include "CTollgateSupport.h"
#if defined(__linux__)
#include <sys/prctl.h>
#endif

int tg_disable_dumping(void) {
#if defined(__linux__)
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#else
    return 0;
#endif
}

int tg_is_dumpable(void) {
#if defined(__linux__)
    return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
#else
    return -1;
#endif
}
