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
#include <unistd.h>
#include <errno.h>
#include <sys/stat.h>

/* Bounds against runs that never end, checked once T and dt are known (-force lifts them) */
#define FHNK_MAX_STEPS   1e9 /* time steps                                          */
#define FHNK_MAX_EVENTS  1e7 /* samples, checkpoints, switchings of the stimulus     */

static PetscBool fhnk_past_checks; /* set once the checks are done: files may be open from then on,
                                      and an abort keeps them as last flushed (no partial sample) */

/* the options as given, kept so that a value PETSc itself fails to parse (an option fhnk does not
   check beforehand) is reported with the option's name */
static PetscInt fhnk_nopt;
static char   **fhnk_optname, **fhnk_optvalue;

/* the option whose value (or one entry of whose comma-separated value) is v */
static const char *OptionOfValue(const char *v, size_t len)
{
  for (PetscInt i = 0; i < fhnk_nopt; i++) {
    const char *s = fhnk_optvalue[i];
    if (!s) continue;
    for (const char *p = s; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
      const char *c = strchr(p, ',');
      if ((size_t)(c ? c - p : (ptrdiff_t)strlen(p)) == len && !strncmp(p, v, len)) return fhnk_optname[i];
    }
  }
  return NULL;
}

/* PETSc errors reach the user as one line naming the problem, not a traceback
   (-fhnk_traceback restores PETSc's own handler). */
static PetscErrorCode ConciseErrorHandler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  if (p == PETSC_ERROR_INITIAL) {
    PetscMPIInt rank = 0;
    const char *v = NULL, *e = NULL, *opt = NULL;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (mess && !strncmp(mess, "Input string ", 13)) { /* PETSc's parse errors do not name the option */
      v = mess + 13;
      e = strstr(v, " has no ");
    } else if (mess && !strncmp(mess, "Unknown logical value: ", 23)) {
      v = mess + 23;
      e = v + strlen(v);
    }
    if (v && e) opt = OptionOfValue(v, (size_t)(e - v));
    if (opt) fprintf(stderr, "fhnk: error%s%.0d: -%s: '%.*s' is not a valid value (%s)\n", rank ? " on rank " : "", rank, opt, (int)PetscMin(e - v, 60), v, mess);
    else fprintf(stderr, "fhnk: error%s%.0d: %s (PETSc error %d in %s() at %s:%d)\n", rank ? " on rank " : "", rank, mess ? mess : "", (int)n, fun, file, line);
    fflush(stderr);
  }
  return n;
}

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

/* Bounds of the drift over the states of a run, the (v,w) box and the initial means (kick
   included): |dv/dt| <= |N(v)| + |w| + 2 |P| |v| + sum |I_k| (|N(v)| <= sum |c_k| |v|^k,
   P = Psi*rho0, Q = Psi*(rho0 V) <= |P| |v|), |dw/dt| <= |a| |v| + b |w| + |c|; pmax = max |P| */
static PetscErrorCode DriftBound(Fhnk fk, PetscReal *bv, PetscReal *bw, PetscReal *pmax)
{
  const FhnkPhase *ph = &fk->ph;
  const FhnkModel *m  = &fk->model;
  const FhnkInit  *in = &fk->init;
  PetscReal        va, wa, nb = 0, vk = 1, istim = 0;
  PetscFunctionBeginUser;
  va = PetscMax(PetscMax(PetscAbsReal(ph->vmin), PetscAbsReal(ph->vmax)), PetscAbsReal(in->V0) + PetscAbsReal(in->V0amp) + PetscAbsReal(in->kick));
  wa = PetscMax(PetscMax(PetscAbsReal(ph->wmin), PetscAbsReal(ph->wmax)), PetscAbsReal(in->W0) + PetscAbsReal(in->W0amp));
  for (PetscInt k = 0; k < m->nN; k++, vk *= va) nb += PetscAbsReal(m->N[k]) * vk;
  *pmax = 0;
  if (fk->cpl.P) PetscCall(VecNorm(fk->cpl.P, NORM_INFINITY, pmax));
  for (PetscInt k = 0; k < fk->stim.n; k++) istim += PetscAbsReal(fk->stim.amp[k]);
  *bv = nb + wa + 2 * *pmax * va + istim;
  *bw = PetscAbsReal(m->a) * va + m->b * wa + PetscAbsReal(m->c);
  PetscFunctionReturn(0);
}

/* Once T and dt are known: the run must end. Refused unless -force: more than 1e9 time steps
   (T/dt, or T over the largest adaptive step, unless -ts_max_steps stops the run sooner), more
   than 1e7 diagnostic samples, checkpoints or switchings of the stimulus (each one ends a step).
   Also the TS options whose effect fhnk does not support. */
static PetscErrorCode CheckRun(Fhnk fk)
{
  PetscBool             force = PETSC_FALSE;
  PetscInt              maxsteps;
  PetscReal             t0;
  TSExactFinalTimeOption eft;
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-force", &force, NULL));
  if (!(fk->T > 0 && fk->T < PETSC_INFINITY)) PetscCall(FhnkBad(fk, "-ts_max_time (final time T) must be a finite number > 0 (got %g)", (double)fk->T));
  if (!(fk->dt > 0 && fk->dt < PETSC_INFINITY)) PetscCall(FhnkBad(fk, "-ts_dt must be a finite number > 0 (got %g)", (double)fk->dt));
  PetscCall(TSGetMaxSteps(fk->ts, &maxsteps));
  if (maxsteps < 0) PetscCall(FhnkBad(fk, "-ts_max_steps must be >= 0 (got %" PetscInt_FMT ")", maxsteps));
  PetscCall(TSGetExactFinalTime(fk->ts, &eft));
  if (eft != TS_EXACTFINALTIME_MATCHSTEP) PetscCall(FhnkBad(fk, "-ts_exact_final_time %s is not supported: fhnk ends its steps exactly on every sample time (matchstep)", TSExactFinalTimeOptions[eft]));
  PetscCall(TSGetTime(fk->ts, &t0));
  if (t0 != 0) PetscCall(FhnkBad(fk, "-ts_init_time %g is not supported: a run starts at t = 0 (continue one with -restart)", (double)t0));
  if (fk->tslim) { /* the limit companion (-limit_ts_*) must reach every sample time from t = 0 */
    TSType    type;
    PetscBool ok;
    PetscInt  lmax;
    PetscCall(TSGetType(fk->tslim, &type));
    PetscCall(PetscStrInList(type, TSRK "," TSEULER "," TSSSP, ',', &ok));
    if (!ok) PetscCall(FhnkBad(fk, "-limit_ts_type %s is not supported: the limit companion is integrated by an explicit type (rk, euler, ssp)", type));
    PetscCall(TSGetMaxSteps(fk->tslim, &lmax));
    if (lmax != PETSC_MAX_INT) PetscCall(FhnkBad(fk, "-limit_ts_max_steps is not supported: the limit companion must reach every sample time"));
    PetscCall(TSGetExactFinalTime(fk->tslim, &eft));
    if (eft != TS_EXACTFINALTIME_MATCHSTEP) PetscCall(FhnkBad(fk, "-limit_ts_exact_final_time %s is not supported: the limit companion ends its steps on every sample time (matchstep)", TSExactFinalTimeOptions[eft]));
    PetscCall(TSGetTime(fk->tslim, &t0));
    if (t0 != 0) PetscCall(FhnkBad(fk, "-limit_ts_init_time %g is not supported: the limit companion starts at t = 0", (double)t0));
  }
  if (fk->bad_input) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < fk->nsnap; i++)
    if (fk->snap_t[i] > fk->T * (1 + 1e-12)) {
      PetscCall(FhnkBad(fk, "-snapshot_times: %g is after the final time T = %g (-ts_max_time)", (double)fk->snap_t[i], (double)fk->T));
      break;
    }
  if (fk->cpl.P) { /* P = Psi*rho0, computed once: a kernel far narrower than the cells of K overflows it */
    PetscReal pmax;
    PetscCall(VecNorm(fk->cpl.P, NORM_INFINITY, &pmax));
    if (!(pmax < PETSC_INFINITY)) PetscCall(FhnkBad(fk, "-psi_J %g, -psi_sigma %g: the coupling Psi*rho0 is not finite on this grid of K (cells of %g): raise -psi_sigma or lower -psi_J", (double)fk->space.psi_J, (double)fk->space.psi_sigma, (double)(fk->space.Lx / fk->space.nx)));
  }
  if (fk->kind != FHNK_MODEL_KINETIC && !fk->bad_input) {
    /* network and limit runs: their drift is integrated explicitly (the network's with steps of
       -ts_dt, the limit system's by an adaptive RK starting at 1e-3); refused when one such step
       would carry a state across the (v,w) box a hundred times or more, bounding the drift on the
       box and at the initial means */
    const FhnkPhase *ph = &fk->ph;
    const PetscReal  h  = fk->kind == FHNK_MODEL_NETWORK ? fk->dt : 1e-3;
    PetscReal        bv, bw, pmax, cv, cw;
    PetscCall(DriftBound(fk, &bv, &bw, &pmax));
    cv = bv * h / (ph->vmax - ph->vmin);
    cw = bw * h / (ph->wmax - ph->wmin);
    if (!(cv <= 100 && cw <= 100))
      PetscCall(FhnkBad(fk, "a step of %g carries v across the box [-vmin, -vmax] up to %.3g times (|dv/dt| up to %.3g from -N_coeffs, w, -psi_J x Psi*rho0 = %.3g, -stim_amp, -init_V0) and w across [-wmin, -wmax] up to %.3g times (|dw/dt| up to %.3g from -fhn_a, -fhn_b, -fhn_c, -init_W0): the explicit drift cannot be stable; %scheck these options", (double)h, (double)cv, (double)bv, (double)pmax, (double)cw, (double)bw, fk->kind == FHNK_MODEL_NETWORK ? "lower -ts_dt or " : ""));
  }
  if (fk->kind == FHNK_MODEL_KINETIC && !fk->bad_input) {
    /* The kinetic initial data must sit in the (v,w) box, and no step of -ts_dt can be stable when
       the explicit transport's Courant number over the box is huge (legitimate runs stay below
       ~100): a bound from the coefficients, |N(v)| <= sum |c_k| |v|^k, P = Psi*rho0, Q <= |P| |v| */
    const FhnkPhase *ph = &fk->ph;
    const FhnkInit  *in = &fk->init;
    const PetscReal  vlo = in->V0 - PetscAbsReal(in->V0amp) - PetscMax(0, -in->kick), vhi = in->V0 + PetscAbsReal(in->V0amp) + PetscMax(0, in->kick);
    const PetscReal  wlo = in->W0 - PetscAbsReal(in->W0amp), whi = in->W0 + PetscAbsReal(in->W0amp);
    PetscReal        pmax, bv, bw, cflv, cflw;
    if (!(vlo >= ph->vmin && vhi <= ph->vmax)) PetscCall(FhnkBad(fk, "-init_V0 %g, -init_V0_amp %g, -init_kick %g: the initial mean voltage spans [%g, %g], not inside the v box [%g, %g] (-vmin, -vmax)", (double)in->V0, (double)in->V0amp, (double)in->kick, (double)vlo, (double)vhi, (double)ph->vmin, (double)ph->vmax));
    if (!(wlo >= ph->wmin && whi <= ph->wmax)) PetscCall(FhnkBad(fk, "-init_W0 %g, -init_W0_amp %g: the initial mean of w spans [%g, %g], not inside the w box [%g, %g] (-wmin, -wmax)", (double)in->W0, (double)in->W0amp, (double)wlo, (double)whi, (double)ph->wmin, (double)ph->wmax));
    PetscCall(DriftBound(fk, &bv, &bw, &pmax));
    cflv = bv * fk->dt / ph->dv;
    cflw = bw * fk->dt / ph->dw;
    if (!(cflv <= 1e4 && cflw <= 1e4))
      PetscCall(FhnkBad(fk, "the explicit transport's Courant number on the (v,w) box may reach %.3g in v (|dv/dt| up to %.3g from -N_coeffs, w, -psi_J x Psi*rho0 = %.3g, -stim_amp) and %.3g in w (|dw/dt| up to %.3g from -fhn_a, -fhn_b, -fhn_c): no step of -ts_dt %g can be stable; lower -ts_dt, narrow the box or check these options", (double)cflv, (double)bv, (double)pmax, (double)cflw, (double)bw, (double)fk->dt));
  }
  if (!force) {
    PetscReal steps = fk->T / fk->dt, hmin, hmax;
    if (fk->adaptive) { /* the controller may grow the step up to -ts_adapt_dt_max */
      TSAdapt adapt;
      PetscCall(TSGetAdapt(fk->ts, &adapt));
      PetscCall(TSAdaptGetStepLimits(adapt, &hmin, &hmax));
      steps = hmax > 0 ? fk->T / hmax : PETSC_INFINITY;
    }
    /* -ts_max_steps ends a kinetic or network run there */
    if (steps > FHNK_MAX_STEPS && (fk->kind == FHNK_MODEL_LIMIT || maxsteps > FHNK_MAX_STEPS)) {
      if (fk->adaptive) PetscCall(FhnkBad(fk, "-ts_max_time %g with -ts_adapt_dt_max %g needs at least %.3g time steps (more than %.0e: a run that would not end): raise -ts_adapt_dt_max, lower -ts_max_time, bound the run with -ts_max_steps, or pass -force", (double)fk->T, (double)hmax, (double)steps, FHNK_MAX_STEPS));
      else PetscCall(FhnkBad(fk, "-ts_max_time %g with -ts_dt %g is %.3g time steps (more than %.0e: a run that would not end): raise -ts_dt, lower -ts_max_time, bound the run with -ts_max_steps, or pass -force", (double)fk->T, (double)fk->dt, (double)steps, FHNK_MAX_STEPS));
    }
    if (fk->tslim) { /* the limit companion's steps: at least T over its largest (adaptive) or its fixed step */
      TSAdapt   adapt;
      PetscBool none;
      PetscReal hl, lmin, lmax;
      PetscCall(TSGetAdapt(fk->tslim, &adapt));
      PetscCall(PetscObjectTypeCompare((PetscObject)adapt, TSADAPTNONE, &none));
      if (none) PetscCall(TSGetTimeStep(fk->tslim, &hl));
      else {
        PetscCall(TSAdaptGetStepLimits(adapt, &lmin, &lmax));
        hl = lmax;
      }
      if (!(hl > 0) || fk->T / hl > FHNK_MAX_STEPS) PetscCall(FhnkBad(fk, "the limit companion would take at least %.3g steps to T = %g (its %s %g, -limit_ts_%s; more than %.0e: a run that would not end): raise it, or pass -force", (double)(fk->T / hl), (double)fk->T, none ? "step" : "largest step", (double)hl, none ? "dt" : "adapt_dt_max", FHNK_MAX_STEPS));
    }
    if (fk->diag_dt > 0 && fk->diag_dt < 1e-6 * fk->dt) PetscCall(FhnkBad(fk, "-diag_dt %g is below 1e-6 x -ts_dt (%g): the sample clock cannot resolve it (a run that would not end); raise -diag_dt or lower -ts_dt", (double)fk->diag_dt, (double)fk->dt));
    else if (fk->diag_dt > 0 && fk->T / fk->diag_dt > FHNK_MAX_EVENTS) PetscCall(FhnkBad(fk, "-diag_dt %g gives %.3g diagnostic samples over T = %g (more than %.0e): raise -diag_dt (0: start and end only), or pass -force", (double)fk->diag_dt, (double)(fk->T / fk->diag_dt), (double)fk->T, FHNK_MAX_EVENTS));
    if (fk->checkpoint_dt > 0 && fk->T / fk->checkpoint_dt > FHNK_MAX_EVENTS) PetscCall(FhnkBad(fk, "-checkpoint_dt %g gives %.3g checkpoints over T = %g (more than %.0e): raise -checkpoint_dt (0: only at the end), or pass -force", (double)fk->checkpoint_dt, (double)(fk->T / fk->checkpoint_dt), (double)fk->T, FHNK_MAX_EVENTS));
    {
      const FhnkStim *s     = &fk->stim;
      PetscReal       edges = 0;
      for (PetscInt k = 0; k < s->n; k++) {
        PetscReal np = s->onset[k] <= fk->T ? 1 : 0;
        if (np && s->count[k] > 1 && s->period[k] > 0) np = PetscMin((PetscReal)s->count[k], PetscFloorReal((fk->T - s->onset[k]) / s->period[k]) + 1);
        edges += 2 * np;
      }
      if (edges > FHNK_MAX_EVENTS) PetscCall(FhnkBad(fk, "-stim_period/-stim_count switch the stimulus %.3g times before T = %g (each switch ends a time step; more than %.0e): raise -stim_period, lower -stim_count, or pass -force", (double)edges, (double)fk->T, FHNK_MAX_EVENTS));
    }
  }
  PetscFunctionReturn(0);
}

/* status: 0 done, 1 bad input or error, FHNK_EXIT_SIGNAL stopped by a signal (after a checkpoint,
   or before anything was written) */
static PetscErrorCode FhnkMain(int *status)
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
  PetscCall(CheckRun(fk));
  PetscCall(FhnkCheckUnusedOptions(fk));
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) {
    *status = 0;
    goto cleanup;
  }
  if (fk->bad_input) goto cleanup;

  fhnk_past_checks = PETSC_TRUE;

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
  PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk %s: %s model, eps = %g, K: %" PetscInt_FMT " point%s (%dD), phase grid %" PetscInt_FMT " x %" PetscInt_FMT ", dt = %g, T = %g, %d rank%s -> %s\n", FHNK_VERSION, fk->modeltype, (double)fk->model.eps, fk->space.npts, fk->space.npts > 1 ? "s" : "", (int)fk->space.dim, fk->ph.nv, fk->ph.nw, (double)fk->dt, (double)fk->T, fk->size, fk->size > 1 ? "s" : "", fk->outdir));
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

/* An -options_file PETSc cannot read makes PetscInitialize print a whole error report and abort
   (status 83). Checked before it, on the command line, in PETSC_OPTIONS and (nested) in the files
   themselves: one line naming the file, status 1. Returns 0 when all can be read. */
static int OptionsFileProblem(const char *file, int depth, char *msg, size_t n);

static int OptionsFileTokens(char *text, int depth, char *msg, size_t n, PetscBool comments)
{
  char *save = NULL, *tok;
  if (comments) /* options files: '#' starts a comment */
    for (char *c = text, *hash; (hash = strchr(c, '#'));) {
      char *eol = strchr(hash, '\n');
      memset(hash, ' ', eol ? (size_t)(eol - hash) : strlen(hash));
      if (!eol) break;
      c = eol;
    }
  for (tok = strtok_r(text, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save))
    if (!strcmp(tok, "-options_file") || !strcmp(tok, "-options_file_yaml")) {
      char *file = strtok_r(NULL, " \t\r\n", &save);
      if (!file || file[0] == '-') {
        snprintf(msg, n, "%s needs a file name", tok);
        return 1;
      }
      if (OptionsFileProblem(file, depth + 1, msg, n)) return 1;
    }
  return 0;
}

static int OptionsFileProblem(const char *file, int depth, char *msg, size_t n)
{
  struct stat st;
  FILE       *fp;
  char       *text;
  long        len;
  int         bad;
  if (strlen(file) >= PETSC_MAX_PATH_LEN) {
    snprintf(msg, n, "-options_file %.60s...: the path is longer than %d characters", file, PETSC_MAX_PATH_LEN - 1);
    return 1;
  }
  if (stat(file, &st)) {
    snprintf(msg, n, "-options_file %.900s: %s", file, strerror(errno));
    return 1;
  }
  if (S_ISDIR(st.st_mode)) {
    snprintf(msg, n, "-options_file %.900s is a directory, not a file of options", file);
    return 1;
  }
  if (!(fp = fopen(file, "r"))) {
    snprintf(msg, n, "-options_file %.900s: cannot be read (%s)", file, strerror(errno));
    return 1;
  }
  if (depth > 8) { /* a file that includes itself: PETSc's problem to report */
    fclose(fp);
    return 0;
  }
  fseek(fp, 0, SEEK_END);
  len = ftell(fp);
  rewind(fp);
  if (len < 0 || len > (1L << 26) || !(text = (char *)calloc((size_t)len + 1, 1))) {
    fclose(fp);
    return 0;
  }
  len       = (long)fread(text, 1, (size_t)len, fp);
  text[len] = 0;
  fclose(fp);
  bad = OptionsFileTokens(text, depth, msg, n, PETSC_TRUE);
  free(text);
  return bad;
}

static int CheckOptionsFiles(int argc, char **argv)
{
  char        msg[1200] = "";
  const char *env       = getenv("PETSC_OPTIONS");
  int         bad       = 0;
  for (int i = 1; i < argc && !bad; i++)
    if (!strcmp(argv[i], "-options_file") || !strcmp(argv[i], "-options_file_yaml")) {
      if (i + 1 >= argc || (argv[i + 1][0] == '-' && argv[i + 1][1])) {
        snprintf(msg, sizeof(msg), "%s needs a file name", argv[i]);
        bad = 1;
      } else bad = OptionsFileProblem(argv[++i], 0, msg, sizeof(msg));
    }
  if (!bad && env) {
    char *copy = strdup(env);
    if (copy) bad = OptionsFileTokens(copy, 0, msg, sizeof(msg), PETSC_FALSE);
    free(copy);
  }
  if (bad) { /* MPI is not initialized yet: only the first process of the job reports */
    const char *vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", NULL}, *r = NULL;
    for (const char **v = vars; *v && !r; v++) r = getenv(*v);
    if (!r || !strcmp(r, "0")) fprintf(stderr, "fhnk: error: %s\n", msg);
  }
  return bad;
}

/* After an error during the set-up and the checks (bad input PETSc itself refuses, on every rank
   at once: the usual case), the ranks finalize together and exit 1 with their one-line message,
   without Open MPI's abort report (which may add "ORTE_ERROR_LOG" noise); a rank alone with its
   error (the others busy or waiting elsewhere) aborts the job after a grace period of 5 s. The
   barrier has a communicator of its own, so it never meets the run's collectives. Errors once
   files may be open (a failed step, a full disk) abort as before: the files stay as last flushed. */
static MPI_Comm fhnk_errcomm = MPI_COMM_NULL;

static PetscBool EveryRankFailed(void)
{
  MPI_Request req;
  int         done = 0;
  if (fhnk_errcomm == MPI_COMM_NULL || MPI_Ibarrier(fhnk_errcomm, &req) != MPI_SUCCESS) return PETSC_FALSE;
  for (int i = 0; i < 500 && !done; i++) {
    if (MPI_Test(&req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) return PETSC_FALSE;
    if (!done) usleep(10000);
  }
  return done ? PETSC_TRUE : PETSC_FALSE;
}

int main(int argc, char **argv)
{
  PetscErrorCode ierr;
  PetscBool      trace = PETSC_FALSE;
  int            status = 1;

  FhnkSignalInstall(); /* before anything: a signal during set-up must not kill the ranks */
  if (CheckOptionsFiles(argc, argv)) return 1;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  FhnkSignalInstall();
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* HDF5 failures are reported by fhnk, in one line */
  PetscCall(PetscOptionsLeftGet(NULL, &fhnk_nopt, &fhnk_optname, &fhnk_optvalue));
  PetscCallMPI(MPI_Comm_dup(PETSC_COMM_WORLD, &fhnk_errcomm));
  PetscCall(PetscPushErrorHandler(ConciseErrorHandler, NULL));
  ierr = PetscOptionsGetBool(NULL, NULL, "-fhnk_traceback", &trace, NULL);
  if (!ierr && trace) PetscCall(PetscPopErrorHandler());
  if (!ierr) ierr = FhnkMain(&status);
  if (ierr) {
    /* an error on some ranks only cannot finalize collectively: abort them all */
    PetscMPIInt size;
    MPI_Comm_size(PETSC_COMM_WORLD, &size);
    if (size > 1 && (fhnk_past_checks || !EveryRankFailed())) MPI_Abort(PETSC_COMM_WORLD, 1);
    status = 1;
  }
  if (!trace) PetscCall(PetscPopErrorHandler());
  PetscCallMPI(MPI_Comm_free(&fhnk_errcomm));
  PetscCall(PetscOptionsLeftRestore(NULL, &fhnk_nopt, &fhnk_optname, &fhnk_optvalue));
  PetscCall(PetscFinalize());
  return status;
}
