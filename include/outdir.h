/* The output directory -o DIR and the run that owns it (issue 11):
     run identity   a random 128-bit id made when a run starts, kept across its restarts and
                    written into diagnostics.h5, every checkpoint and snapshots.h5: a restart
                    never appends to another run's series, rotation and 'latest' see only
                    the checkpoints of the run
     lock           DIR/.fhnk.lock, flock'ed by rank 0 for the whole run: a second run in the
                    same DIR is refused (a dead process's lock is released by the kernel)
     inventory      the checkpoints in DIR with their run ids (damaged files included)
   Everything here runs before the first byte of output, or only touches files of the run. */
#ifndef FHNK_OUTDIR_H
#define FHNK_OUTDIR_H
#include "fhnk.h"

typedef struct {
  PetscInt  step;
  PetscReal time;
  char      run_id[FHNK_RUNID_LEN]; /* "" when the file cannot be read */
  char      why[160];               /* why it cannot be read */
} FhnkCkInfo;

/* a new identity (rank 0 draws, every rank gets it) */
PetscErrorCode FhnkRunIdNew(Fhnk);
/* path names: DIR/name, and a temporary name unique to this run and process */
PetscErrorCode FhnkOutPath(Fhnk, const char *name, char *buf, size_t n);
PetscErrorCode FhnkOutTmpPath(Fhnk, const char *name, char *buf, size_t n);
/* rank 0: the checkpoints of a directory, ascending by step */
PetscErrorCode FhnkCheckpointInventory(const char *dir, PetscInt *n, FhnkCkInfo **list);
/* rank 0: the run id of an HDF5 file (diagnostics.h5, a checkpoint); exists = file present */
PetscErrorCode FhnkFileRunId(const char *path, PetscBool *exists, PetscBool *readable, char *run_id, char *why, size_t nwhy);
/* create DIR (mkdir -p) and take its lock; refuses (bad_input, one line) when another run holds it */
PetscErrorCode FhnkOutputAcquire(Fhnk);
PetscErrorCode FhnkOutputRelease(Fhnk);
/* -overwrite: remove every output of an earlier run (diagnostics, xmf, snapshots, checkpoints) */
PetscErrorCode FhnkOutputClear(Fhnk);
/* remove temporary files of killed writes (only under the lock: no other writer exists) */
PetscErrorCode FhnkOutputRemoveStale(Fhnk);
/* rename the checkpoints of DIR after step (of this run, or damaged) to *.superseded */
PetscErrorCode FhnkOutputSupersede(Fhnk, PetscInt step);
/* fsync a file and its directory (rank 0) */
PetscErrorCode FhnkFsyncPath(const char *path, PetscBool dir, int *err);
#endif
