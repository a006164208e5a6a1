/* Time stepping: PETSc TS ARKIMEX (IFunction = stiff v-operator, RHSFunction = transport and
   Psi terms), the exact line solve as a SNESSHELL, explicit TS types as a fallback, and the
   limit system (1.9) integrated alongside on its own TS. */
#ifndef FHNK_TIMESTEP_H
#define FHNK_TIMESTEP_H
#include "fhnk.h"

PetscErrorCode FhnkTSCreate(Fhnk);
PetscErrorCode FhnkTSCheckType(Fhnk);
PetscErrorCode FhnkTSSetUp(Fhnk);
PetscErrorCode FhnkLimitCreate(Fhnk);
PetscErrorCode FhnkLimitInitial(Fhnk, Vec u);
PetscErrorCode FhnkLimitAdvance(Fhnk, PetscReal t);
PetscErrorCode FhnkRun(Fhnk);
PetscErrorCode FhnkTSDestroy(Fhnk);
#endif
