/* Checkpoint/restart with parallel HDF5 (SPEC 5, issue 4): atomic files, any rank count,
   bitwise continuation, SIGTERM/SIGUSR1 -> checkpoint and exit FHNK_EXIT_SIGNAL. */
#ifndef FHNK_CHECKPOINT_H
#define FHNK_CHECKPOINT_H
#include "fhnk.h"

PetscErrorCode FhnkSignalInstall(Fhnk);
/* every step: agree across ranks on a pending signal or a due checkpoint, act on it */
PetscErrorCode FhnkSignalPoll(Fhnk, TS ts);
PetscErrorCode FhnkCheckpointWrite(Fhnk, PetscReal t, PetscInt step);
PetscErrorCode FhnkCheckpointFinal(Fhnk, PetscReal t);
PetscErrorCode FhnkRestartResolve(Fhnk);           /* -restart latest -> a file name      */
PetscErrorCode FhnkRestartCheckFile(Fhnk, PetscBool *ok); /* before anything is written */
PetscErrorCode FhnkRestartLoad(Fhnk);
#endif
