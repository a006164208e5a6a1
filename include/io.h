/* HDF5 output: DIR/diagnostics.h5 (SPEC 5) written with parallel HDF5 (MPI-IO, collective, points
   of K in natural order), its XDMF description DIR/diagnostics.xmf, and the HDF5 helpers the
   checkpoints share.

   Robustness (issue 11): the file is made with the 1.10 format (extensible-array chunk index:
   appending a sample never rewrites the addresses of earlier ones; metadata blocks carry
   checksums), flushed after every sample, so a kill -9 at any moment leaves a file that opens and
   holds every sample up to the last flush. A restart never edits it in place: the rows the
   checkpoint vouches for are copied into a fresh file that replaces it atomically. */
#ifndef FHNK_IO_H
#define FHNK_IO_H
#include "fhnk.h"
#include <hdf5.h>

typedef struct {
  hid_t    file;
  hid_t    memspace_pts; /* nloc doubles */
  hsize_t  start, stride, count, block; /* this rank's points: rows of the natural numbering */
  PetscInt nds;          /* series kept open between samples */
  char     dsname[64][64];
  hid_t    ds[64];
  double   last_flush;
  PetscReal *times;      /* sample times (rank 0 writes them into diagnostics.xmf) */
  hid_t      views;      /* rank 0: DIR/diagnostics-xdmf.h5, the per-sample views */
  PetscInt   ntcap;
} FhnkH5;

/* the series a model writes (NULL-terminated); moments come on top (kinetic) */
PetscErrorCode FhnkIOSeries(Fhnk, const char *const **fields, const char *const **scalars);
/* new run: create DIR/diagnostics.h5 (after FhnkOutputAcquire) */
PetscErrorCode FhnkIOCreate(Fhnk);
/* restart: rank 0 checks (read-only) what the series of DIR (or of the checkpoint's directory)
   can give: sets fk->diag_source ("" = a new series starts at the restart time); bad_input with a
   message when DIR holds another run's series or fewer samples than the checkpoint needs */
PetscErrorCode FhnkIOCheckContinue(Fhnk, const char *ckdir);
/* restart: rebuild DIR/diagnostics.h5 from the first fk->nt rows of fk->diag_source (or create it) */
PetscErrorCode FhnkIOContinue(Fhnk);
PetscErrorCode FhnkIOClose(Fhnk);
/* append one row (local values of every point) to a [nt x npts] dataset */
PetscErrorCode FhnkIOAppendField(Fhnk, const char *name, PetscInt row, const PetscReal *local);
/* append one value (same on every rank) to a [nt] dataset */
PetscErrorCode FhnkIOAppendScalar(Fhnk, const char *name, PetscInt row, PetscReal value);
/* before the first series of a sample: the file on disk covers what the sample may allocate */
PetscErrorCode FhnkIOReserve(Fhnk);
/* the same for any HDF5 file written by rank 0 (snapshots.h5): make it at least EOA + 2 bytes */
PetscErrorCode FhnkIOReserveFile(Fhnk, hid_t file, const char *path, double bytes);
/* after the last series of a sample: the XDMF views of the row, flush, rewrite diagnostics.xmf */
PetscErrorCode FhnkIOSampleDone(Fhnk, PetscInt row);
PetscErrorCode FhnkIOFlush(Fhnk);

/* shared HDF5 helpers */
PetscErrorCode FhnkWriteAttributes(Fhnk, hid_t obj); /* every model and grid parameter, run_id, version */
PetscErrorCode FhnkAttrReal(Fhnk, hid_t obj, const char *name, PetscInt n, const PetscReal *v);
PetscErrorCode FhnkAttrInt(Fhnk, hid_t obj, const char *name, PetscInt v);
PetscErrorCode FhnkAttrStr(Fhnk, hid_t obj, const char *name, const char *s);
/* reading (0 = ok): reals (n values at most nmax), one string */
int FhnkReadAttrReal(hid_t obj, const char *name, PetscReal *v, PetscInt nmax, PetscInt *n);
int FhnkReadAttrStr(hid_t obj, const char *name, char *buf, size_t n);
/* this rank's points as a hyperslab of the first dimension (natural numbering) */
void FhnkLocalRows(Fhnk, hsize_t *start, hsize_t *stride, hsize_t *count, hsize_t *block);
/* a file access property list: MPI-IO on the communicator (or serial), 1.10 format */
hid_t FhnkH5Fapl(Fhnk, PetscBool parallel);
/* why a write into path may have failed (no space, read-only, ...), for messages */
void FhnkIOReason(const char *path, char *buf, size_t n);
PetscErrorCode FhnkH5Check(Fhnk, herr_t status, const char *what);
#endif
