/* Checkpoint/restart with parallel HDF5 (SPEC 5, issues 4 and 11): atomic files with checksums on
   every dataset (Fletcher32) and on the metadata (1.10 format), any rank count, bitwise
   continuation; SIGTERM/SIGUSR1/SIGINT -> checkpoint and exit FHNK_EXIT_SIGNAL. */
#ifndef FHNK_CHECKPOINT_H
#define FHNK_CHECKPOINT_H
#include "fhnk.h"

/* the handlers only set a flag; install before anything else (again after PetscInitialize) */
void FhnkSignalInstall(void);
int  FhnkSignalPending(void);
void FhnkSignalRaise(int sig); /* as if sig had arrived (a signal another rank got) */
/* after a step (or a sample of a model without steps): agree across ranks on a pending signal or
   a due checkpoint, act on it */
PetscErrorCode FhnkSignalPoll(Fhnk, PetscReal t, PetscInt step);
PetscErrorCode FhnkCheckpointWrite(Fhnk, PetscReal t, PetscInt step);
PetscErrorCode FhnkCheckpointFinal(Fhnk, PetscReal t, PetscInt step);
/* -restart latest | latest_valid | FILE: find it, check it against the options (read-only),
   load it (collective, checksums verified). Sets bad_input with one line when it cannot be used. */
PetscErrorCode FhnkRestart(Fhnk);
/* -restart with -psi_method auto: the checkpoint's coupling method if it was written on as many
   ranks ("" otherwise) */
PetscErrorCode FhnkRestartCouplingMethod(Fhnk, char *method, size_t n);
#endif
