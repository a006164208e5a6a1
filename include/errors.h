/* Error reporting (see src/errors.c). */
#ifndef FHNK_ERRORS_H
#define FHNK_ERRORS_H
#include "fhnk.h"

typedef struct {
  PetscInt  nopt;            /* the options as given (a value PETSc fails to parse is named) */
  char    **optname, **optvalue;
  PetscBool past_checks;     /* the checks are done: files may be open, an error aborts      */
  MPI_Comm  errcomm;         /* a communicator of its own for the exit after a set-up error  */
} FhnkErrCtx;

/* the PETSc error handler: one line "fhnk: error: ..."; ctx is the FhnkErrCtx */
PetscErrorCode FhnkConciseErrorHandler(MPI_Comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx);
/* before PetscInitialize: every -options_file readable (one line and 1 otherwise) */
int FhnkCheckOptionsFiles(int argc, char **argv);
/* after an error: did every rank fail (then all may finalize together)? waits up to 5 s */
PetscBool FhnkEveryRankFailed(const FhnkErrCtx *);
#endif
