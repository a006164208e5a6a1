/* Checks of a whole run before anything is written (see src/checks.c). */
#ifndef FHNK_CHECKS_H
#define FHNK_CHECKS_H
#include "fhnk.h"

/* after FhnkTSSetUp and FhnkLimitCreate: T, dt, steps and samples bounded (-force lifts the
   bounds), explicit parts stable, unsupported TS options refused; sets bad_input */
PetscErrorCode FhnkCheckRun(Fhnk);
#endif
