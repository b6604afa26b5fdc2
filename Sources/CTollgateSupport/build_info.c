/* The commit Tollgate was built from, baked in by scripts/install with
   -Xcc -DTOLLGATE_COMMIT=<hash> (a plain `swift build` leaves it out). */
#include "CTollgateSupport.h"
#include <stddef.h>

#define TG_STRING(x) #x
#define TG_EXPANDED_STRING(x) TG_STRING(x)

const char *tg_build_commit(void) {
#ifdef TOLLGATE_COMMIT
    return TG_EXPANDED_STRING(TOLLGATE_COMMIT);
#else
    return NULL;
#endif
}
