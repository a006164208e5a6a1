/* Parallel HDF5 output of the diagnostics (SPEC 5): collective writes, natural order. */
#ifndef FHNK_IO_H
#define FHNK_IO_H
#include "fhnk.h"
#include <hdf5.h>

typedef struct {
  hid_t file;
  hid_t memspace_pts;   /* nloc doubles                        */
  hsize_t start[2], count[2], stride[2], block[2]; /* this rank's points in natural order */
  PetscInt nds;         /* series kept open between samples */
  char     dsname[48][64];
  hid_t    ds[48];
} FhnkH5;

PetscErrorCode FhnkIOOpen(Fhnk, PetscBool append, PetscInt keep_samples);
PetscErrorCode FhnkIOClose(Fhnk);
/* append one row (local values of every point) to a [nt x npts] dataset */
PetscErrorCode FhnkIOAppendField(Fhnk, const char *name, PetscInt row, const PetscReal *local);
/* append one value (same on every rank) to a [nt] dataset */
PetscErrorCode FhnkIOAppendScalar(Fhnk, const char *name, PetscInt row, PetscReal value);
PetscErrorCode FhnkIOFlush(Fhnk);
/* root attributes of every model and grid parameter, on any open HDF5 object */
PetscErrorCode FhnkWriteAttributes(Fhnk, hid_t obj);
PetscErrorCode FhnkH5Check(Fhnk, herr_t status, const char *what);
PetscErrorCode FhnkMkdirP(Fhnk, const char *dir);
#endif
