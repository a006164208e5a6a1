static const char help[] = "fhnk: MPI-parallel solver of the kinetic FitzHugh-Nagumo equation with strong local coupling\n"
                           "(Blaustein & Bouin, eq. (1.4)), its limit reaction system (1.9) and Hopf-Cole diagnostics.\n"
                           "Usage: mpirun -n 2 bin/fhnk -options_file petsc-options/concentration.opts [-o DIR] [options]\n\n";

#include "fhnk.h"
#include "options.h"
#include "grid.h"
#include "coupling.h"
#include "stimulus.h"
#include "model.h"
#include "timestep.h"
#include "diagnostics.h"
#include "io.h"
#include "checkpoint.h"
#include "outdir.h"
#include "network.h"
#include "checks.h"
#include "errors.h"


static PetscErrorCode Summary(Fhnk fk)
{
  PetscInt  steps;
  PetscReal t;
  PetscFunctionBeginUser;
  const PetscBool kinetic = (PetscBool)(fk->kind == FHNK_MODEL_KINETIC);
  PetscCall(TSGetStepNumber(kinetic ? fk->ts : fk->tslim, &steps));
  PetscCall(TSGetTime(kinetic ? fk->ts : fk->tslim, &t));
  if (fk->kind == FHNK_MODEL_NETWORK) steps = (PetscInt)fk->net.step;
  PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: %s run %s at t = %g after %" PetscInt_FMT " steps in %.1f s on %d rank%s\n", fk->modeltype, fk->stopped_short ? "stopped" : "finished", (double)t, steps - fk->step0, MPI_Wtime() - fk->wall_start, fk->size, fk->size > 1 ? "s" : ""));
  PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: results: %s/diagnostics.h5 (%" PetscInt_FMT " samples, ParaView: diagnostics.xmf), final state in the newest checkpoint-*.h5\n", fk->outdir, fk->nt));
  PetscFunctionReturn(0);
}

/* status: 0 done, 1 bad input or error, FHNK_EXIT_SIGNAL stopped by a signal (after a checkpoint,
   or before anything was written) */
static PetscErrorCode FhnkMain(int *status, FhnkErrCtx *ectx)
{
  Fhnk      fk;
  PetscBool help, restart;
  PetscFunctionBeginUser;
  *status = 1;
  PetscCall(FhnkCreate(PETSC_COMM_WORLD, &fk));
  PetscCall(FhnkProcessOptions(fk));
  if (fk->bad_input) goto done;
  PetscCall(FhnkGridSetUp(fk));
  PetscCall(FhnkCouplingSetUp(fk));
  PetscCall(FhnkStimSetUp(fk));
  if (fk->kind == FHNK_MODEL_NETWORK) PetscCall(FhnkNetworkSetUp(fk));
  PetscCall(FhnkTSCreate(fk));
  PetscCall(FhnkTSCheckType(fk));
  if (fk->bad_input) goto cleanup;
  PetscCall(TSSetFromOptions(fk->ts));
  PetscCall(FhnkTSSetUp(fk));
  PetscCall(FhnkLimitCreate(fk));
  PetscCall(FhnkCheckRun(fk));
  PetscCall(FhnkCheckUnusedOptions(fk));
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) {
    *status = 0;
    goto cleanup;
  }
  if (fk->bad_input) goto cleanup;

  ectx->past_checks = PETSC_TRUE;

  /* every check, and the state of a restart, before the first byte is written */
  PetscCall(FhnkLimitInitial(fk, fk->ulim));
  fk->tdiag       = 0;
  fk->last_diag_t = -PETSC_MAX_REAL;
  restart         = (PetscBool)(fk->restart[0] != 0);
  if (restart) PetscCall(FhnkRestart(fk));
  else {
    PetscCall(FhnkCheckOutputDir(fk));
    PetscCall(FhnkRunIdNew(fk));
  }
  if (fk->bad_input) goto cleanup;
  if (fk->already_done) { /* said so; nothing written */
    *status = 0;
    goto cleanup;
  }
  if (!restart && fk->kind == FHNK_MODEL_KINETIC) PetscCall(FhnkInitialCondition(fk, fk->f));
  if (!restart && fk->kind == FHNK_MODEL_NETWORK) PetscCall(FhnkNetworkInitial(fk));
  {
    int sig = FhnkSignalPending(); /* every rank agrees (one may have been signalled alone) */
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &sig, 1, MPI_INT, MPI_MAX, fk->comm));
    if (sig) FhnkSignalRaise(sig);
  }
  if (FhnkSignalPending()) { /* stopped during set-up: nothing written, resubmit */
    PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: signal received during set-up: stopping before anything is written (exit status %d)\n", FHNK_EXIT_SIGNAL));
    *status = FHNK_EXIT_SIGNAL;
    goto cleanup;
  }

  /* from here on, files are written: under the lock of DIR */
  PetscCall(FhnkOutputAcquire(fk));
  if (fk->bad_input) goto cleanup;
  if (!restart) PetscCall(FhnkCheckOutputDir(fk)); /* again, under the lock: another run may have come first */
  if (fk->bad_input) goto release;
  PetscCall(FhnkOutputRemoveStale(fk));
  if (!restart && fk->overwrite) PetscCall(FhnkOutputClear(fk));
  if (restart) PetscCall(FhnkOutputSupersede(fk, fk->step0));
  fk->next_checkpoint_t    = fk->checkpoint_dt > 0 ? fk->checkpoint_dt * (PetscFloorReal(fk->t0 / fk->checkpoint_dt + 1e-9) + 1) : PETSC_MAX_REAL;
  fk->next_checkpoint_wall = MPI_Wtime() + fk->checkpoint_walltime;
  if (restart) PetscCall(FhnkIOContinue(fk));
  else PetscCall(FhnkIOCreate(fk));
  PetscCall(FhnkResolutionReport(fk));
  { /* the header names what the model level uses: phase grid (kinetic), neurons (network) */
    char what[128];
    if (fk->kind == FHNK_MODEL_KINETIC) PetscCall(PetscSNPrintf(what, sizeof(what), "eps = %g, phase grid %" PetscInt_FMT " x %" PetscInt_FMT ", ", (double)fk->model.eps, fk->ph.nv, fk->ph.nw));
    else if (fk->kind == FHNK_MODEL_NETWORK) PetscCall(PetscSNPrintf(what, sizeof(what), "eps = %g, %lld neurons, ", (double)fk->model.eps, (long long)fk->net.ntotal));
    else what[0] = 0;
    PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk %s: %s model, %sK: %" PetscInt_FMT " point%s (%dD), dt = %g, T = %g, %d rank%s -> %s\n", FHNK_VERSION, fk->modeltype, what, fk->space.npts, fk->space.npts > 1 ? "s" : "", (int)fk->space.dim, (double)fk->dt, (double)fk->T, fk->size, fk->size > 1 ? "s" : "", fk->outdir));
  }
  if (fk->kind == FHNK_MODEL_KINETIC) { /* allocate stage vectors before the timed loop */
    PetscCall(TSSetSolution(fk->ts, fk->f));
    PetscCall(TSSetUp(fk->ts));
  }
  PetscCall(FhnkRun(fk));
  PetscCall(FhnkIOClose(fk));
  if (!fk->stop_signal) PetscCall(Summary(fk));
  *status = fk->stop_signal ? FHNK_EXIT_SIGNAL : 0;

release:
  PetscCall(FhnkOutputRelease(fk));
cleanup:
  PetscCall(FhnkTSDestroy(fk));
  PetscCall(FhnkCouplingDestroy(fk));
  PetscCall(FhnkStimDestroy(fk));
  if (fk->kind == FHNK_MODEL_NETWORK) PetscCall(FhnkNetworkDestroy(fk));
  PetscCall(FhnkGridDestroy(fk));
done:
  PetscCall(FhnkDestroy(&fk));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscErrorCode ierr;
  PetscBool      trace  = PETSC_FALSE;
  int            status = 1;
  FhnkErrCtx     ectx   = {0, NULL, NULL, PETSC_FALSE, MPI_COMM_NULL};

  FhnkSignalInstall(); /* before anything: a signal during set-up must not kill the ranks */
  if (FhnkCheckOptionsFiles(argc, argv)) return 1;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  FhnkSignalInstall();
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* HDF5 failures are reported by fhnk, in one line */
  PetscCall(PetscOptionsLeftGet(NULL, &ectx.nopt, &ectx.optname, &ectx.optvalue));
  PetscCallMPI(MPI_Comm_dup(PETSC_COMM_WORLD, &ectx.errcomm));
  PetscCall(PetscPushErrorHandler(FhnkConciseErrorHandler, &ectx));
  ierr = PetscOptionsGetBool(NULL, NULL, "-fhnk_traceback", &trace, NULL);
  if (!ierr && trace) PetscCall(PetscPopErrorHandler());
  if (!ierr) ierr = FhnkMain(&status, &ectx);
  if (ierr) {
    /* an error on some ranks only cannot finalize collectively: abort them all */
    PetscMPIInt size;
    MPI_Comm_size(PETSC_COMM_WORLD, &size);
    if (size > 1 && (ectx.past_checks || !FhnkEveryRankFailed(&ectx))) MPI_Abort(PETSC_COMM_WORLD, 1);
    status = 1;
  }
  if (!trace) PetscCall(PetscPopErrorHandler());
  PetscCallMPI(MPI_Comm_free(&ectx.errcomm));
  PetscCall(PetscOptionsLeftRestore(NULL, &ectx.nopt, &ectx.optname, &ectx.optvalue));
  PetscCall(PetscFinalize());
  return status;
}
