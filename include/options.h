/* Options: one ProcessOptions with every default set before reading (so -help shows it),
   and checks that name the option and its valid range. */
#ifndef FHNK_OPTIONS_H
#define FHNK_OPTIONS_H
#include "fhnk.h"

PetscErrorCode FhnkCreate(MPI_Comm, Fhnk *);
PetscErrorCode FhnkDestroy(Fhnk *);
PetscErrorCode FhnkProcessOptions(Fhnk);
PetscErrorCode FhnkCheckUnusedOptions(Fhnk);
PetscErrorCode FhnkCheckOutputDir(Fhnk);
/* report bad input: one line "fhnk: error: ..." on stderr (rank 0), and main exits 1 */
PetscErrorCode FhnkBad(Fhnk, const char *fmt, ...) PETSC_ATTRIBUTE_FORMAT(2, 3);
#endif
