/* TSFHNKIMEX: our fused IMEX Runge-Kutta stepper (issue 5), registered with TSRegister. */
#ifndef FHNK_FUSED_H
#define FHNK_FUSED_H
#include "fhnk.h"
#define TSFHNKIMEX "fhnkimex"
PetscErrorCode FhnkRegisterFusedTS(void);
PetscErrorCode FhnkFusedSetType(TS, const char *name);
/* whether the current tableau has an embedded pair (adaptive steps) */
PetscErrorCode FhnkFusedHasEmbedded(TS, PetscBool *embedded);
#endif
