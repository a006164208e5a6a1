/* Time stepping with PETSc TS (SPEC 4).
   IMEX split for TSARKIMEX:
     IFunction   F(t,U,Udot) = Udot - G(U)   the stiff v-operator (diffusion + 1/eps relaxation)
     RHSFunction           = F_ex(U)         w-transport, v-drift B, and the Psi coupling
   The implicit stage (shift U - G(U) = shift Z) is linear once V of the stage is known, and V is
   the first moment of the stage data Z, which the stiff operator conserves. It is solved exactly
   by tridiagonal line solves in a SNESSHELL: no matrix is ever assembled.
   Explicit TS types (rk, euler, ssp) get the whole right-hand side F_ex + G (used to measure the
   asymptotic-preserving gain). */
#include "timestep.h"
#include "operators.h"
#include "grid.h"
#include "coupling.h"
#include "model.h"
#include "diagnostics.h"
#include "checkpoint.h"
#include "fused.h"
#include "stimulus.h"
#include "network.h"

/* I_ext is piecewise constant in time and every step ends at its jumps (FhnkRun, LimitAdvance):
   it is evaluated at the midpoint of the step being taken, never on a jump */
static PetscErrorCode StimTime(TS ts, PetscReal *tm)
{
  PetscReal t0, dt;
  PetscFunctionBeginUser;
  PetscCall(TSGetTime(ts, &t0));
  PetscCall(TSGetTimeStep(ts, &dt));
  *tm = t0 + 0.5 * dt;
  PetscFunctionReturn(0);
}

static PetscErrorCode RHSFunction(TS ts, PetscReal t, Vec U, Vec F, void *ctx)
{
  Fhnk      fk = (Fhnk)ctx;
  PetscReal tm = t;
  PetscFunctionBeginUser;
  PetscCall(StimTime(ts, &tm));
  PetscCall(FhnkExplicit(fk, tm, U, F, (PetscBool)!fk->imex));
  PetscFunctionReturn(0);
}

static PetscErrorCode IFunction(TS ts, PetscReal t, Vec U, Vec Udot, Vec F, void *ctx)
{
  Fhnk fk = (Fhnk)ctx;
  PetscFunctionBeginUser;
  PetscCall(FhnkImplicit(fk, U, F, NULL, NULL));
  PetscCall(VecAYPX(F, -1.0, Udot)); /* F = Udot - G(U) */
  PetscFunctionReturn(0);
}

/* TS hands us U and Udot = shift (U - Z): recover the stage data Z for the line solve. */
static PetscErrorCode IJacobian(TS ts, PetscReal t, Vec U, Vec Udot, PetscReal shift, Mat J, Mat Jp, void *ctx)
{
  Fhnk fk = (Fhnk)ctx;
  PetscFunctionBeginUser;
  fk->shift = shift;
  PetscCall(VecWAXPY(fk->Zs, -1.0 / shift, Udot, U));
  PetscFunctionReturn(0);
}

static PetscErrorCode ShellSolve(SNES snes, Vec X)
{
  Fhnk fk;
  Vec  F;
  Mat  J, Jp;
  PetscFunctionBeginUser;
  PetscCall(SNESShellGetContext(snes, &fk));
  PetscCall(SNESGetFunction(snes, &F, NULL, NULL));
  PetscCall(SNESGetJacobian(snes, &J, &Jp, NULL, NULL));
  PetscCall(SNESComputeFunction(snes, X, F)); /* lets TS form Udot for the Jacobian call */
  PetscCall(SNESComputeJacobian(snes, X, J, Jp));
  PetscCall(FhnkImplicitSolve(fk, fk->Zs, 1.0 / fk->shift, X));
  PetscCall(SNESSetConvergedReason(snes, SNES_CONVERGED_ITS));
  PetscFunctionReturn(0);
}

static PetscErrorCode ProgressMonitor(TS ts, PetscInt step, PetscReal t, Vec U, void *ctx)
{
  Fhnk      fk  = (Fhnk)ctx;
  double    now = MPI_Wtime();
  PetscReal dt;
  PetscFunctionBeginUser;
  if (fk->quiet || fk->progress_interval <= 0) PetscFunctionReturn(0);
  if (now - fk->wall_last_print < fk->progress_interval && t < fk->T - 1e-12 * fk->T) PetscFunctionReturn(0);
  if (step == fk->last_print_step) PetscFunctionReturn(0);
  fk->wall_last_print = now;
  fk->last_print_step = step;
  PetscCall(TSGetTimeStep(ts, &dt));
  {
    const double el = now - fk->wall_start, frac = (t - fk->t0) / (fk->T - fk->t0);
    const double eta = frac > 0 ? el * (1 - frac) / frac : 0;
    PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "  t = %-10.5g %5.1f%%  step %-8" PetscInt_FMT " dt %-9.3g wall %7.1fs  ETA %7.1fs\n", (double)t, 100.0 * t / fk->T, step, (double)dt, el, eta));
  }
  PetscFunctionReturn(0);
}

/* After every step (TSPostStep: a reason set here ends TSSolve, one set in a monitor would be
   overwritten by the next TSStep): pending signal or due checkpoint. */
static PetscErrorCode PostStep(TS ts)
{
  Fhnk      fk;
  PetscReal t;
  PetscInt  step;
  PetscFunctionBeginUser;
  PetscCall(TSGetApplicationContext(ts, &fk));
  PetscCall(TSGetTime(ts, &t));
  PetscCall(TSGetStepNumber(ts, &step));
  PetscCall(FhnkSignalPoll(fk, t, step));
  if (fk->stop_signal) PetscCall(TSSetConvergedReason(ts, TS_CONVERGED_USER));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkTSCreate(Fhnk fk)
{
  SNES     snes;
  PetscInt nl, ng;
  PetscFunctionBeginUser;
  PetscCall(FhnkRegisterFusedTS());
  PetscCall(TSCreate(fk->comm, &fk->ts));
  PetscCall(TSSetDM(fk->ts, fk->da));
  PetscCall(TSSetApplicationContext(fk->ts, fk));
  PetscCall(TSSetType(fk->ts, TSFHNKIMEX)); /* default: the fused stepper (l2) */
  PetscCall(TSSetRHSFunction(fk->ts, NULL, RHSFunction, fk));
  PetscCall(DMCreateGlobalVector(fk->da, &fk->f));
  PetscCall(VecGetLocalSize(fk->f, &nl));
  PetscCall(VecGetSize(fk->f, &ng));
  PetscCall(MatCreateShell(fk->comm, nl, nl, ng, ng, fk, &fk->Jshell));
  PetscCall(TSSetTimeStep(fk->ts, 0.005));
  PetscCall(TSSetMaxTime(fk->ts, 1.0));
  PetscCall(TSSetMaxSteps(fk->ts, PETSC_MAX_INT));
  PetscCall(TSSetExactFinalTime(fk->ts, TS_EXACTFINALTIME_MATCHSTEP));
  { /* fixed step by default: the step is chosen by accuracy, never by eps (-ts_adapt_type basic to adapt) */
    TSAdapt adapt;
    PetscCall(TSGetAdapt(fk->ts, &adapt));
    PetscCall(TSAdaptSetType(adapt, TSADAPTNONE));
  }
  PetscCall(TSGetSNES(fk->ts, &snes));
  PetscCall(SNESSetType(snes, SNESSHELL));
  PetscCall(SNESShellSetContext(snes, fk));
  PetscCall(SNESShellSetSolve(snes, ShellSolve));
  PetscCall(TSMonitorSet(fk->ts, ProgressMonitor, fk, NULL));
  PetscCall(TSSetPostStep(fk->ts, PostStep));
  PetscFunctionReturn(0);
}

/* the explicit TS types fhnk drives (they get the whole right-hand side) */
#define EXPLICIT_TYPES TSEULER "," TSRK "," TSSSP

/* Before TSSetFromOptions: -ts_type must name a stepper fhnk can drive (PETSc would only say
   "Unknown TS type", or accept an implicit type this problem does not set up). */
PetscErrorCode FhnkTSCheckType(Fhnk fk)
{
  char      type[64];
  PetscBool set, ok;
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-ts_type", type, sizeof(type), &set));
  if (!set) PetscFunctionReturn(0);
  PetscCall(PetscStrInList(type, TSFHNKIMEX "," TSARKIMEX "," EXPLICIT_TYPES, ',', &ok));
  if (!ok) {
    PetscCall(FhnkPrintf(fk->comm, PETSC_STDERR, "fhnk: error: -ts_type %s is not supported: use fhnkimex (default), arkimex, or an explicit type (euler, rk, ssp)\n", type));
    fk->bad_input = PETSC_TRUE;
  }
  PetscFunctionReturn(0);
}

/* After TSSetFromOptions: decide the split, check T and dt. */
PetscErrorCode FhnkTSSetUp(Fhnk fk)
{
  TSType    type;
  PetscBool arkimex, fused, expl;
  PetscFunctionBeginUser;
  PetscCall(TSGetType(fk->ts, &type));
  PetscCall(PetscStrcmp(type, TSARKIMEX, &arkimex));
  PetscCall(PetscStrcmp(type, TSFHNKIMEX, &fused));
  PetscCall(PetscStrInList(type, EXPLICIT_TYPES, ',', &expl));
  PetscCheck(arkimex || fused || expl, fk->comm, PETSC_ERR_ARG_WRONG, "TS type %s slipped past FhnkTSCheckType", type);
  fk->imex = (PetscBool)(arkimex || fused);
  {
    TSAdapt   adapt;
    PetscBool none;
    PetscCall(TSGetAdapt(fk->ts, &adapt));
    PetscCall(PetscObjectTypeCompare((PetscObject)adapt, TSADAPTNONE, &none));
    fk->adaptive = (PetscBool)!none;
  }
  if (fused) { /* second order where the v-grid resolves sqrt(eps/rho0); IMEX Euler (positive for any
                  eps) where it does not, since no second-order IMEX RK keeps f >= 0 there */
    PetscBool set;
    PetscReal rmax;
    PetscCall(PetscOptionsHasName(NULL, NULL, "-ts_fhnkimex_type", &set));
    PetscCall(VecMax(fk->rho0, NULL, &rmax));
    if (!set && PetscSqrtReal(fk->model.eps / rmax) < fk->v_muscl_min_cells * fk->ph.dv) {
      PetscCall(FhnkFusedSetType(fk->ts, "euler"));
      if (fk->kind == FHNK_MODEL_KINETIC) PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: note: the v-grid does not resolve sqrt(eps/rho0): time stepping with IMEX Euler (first order, keeps f >= 0 for any eps); pass -ts_fhnkimex_type l2 to force second order\n"));
    }
    if (fk->adaptive) {
      PetscBool embedded;
      PetscCall(FhnkFusedHasEmbedded(fk->ts, &embedded));
      if (!embedded) {
        PetscCall(FhnkPrintf(fk->comm, PETSC_STDERR, "fhnk: error: adaptive steps (-ts_adapt_type) need a tableau with an embedded pair: -ts_fhnkimex_type l2, 2e or 3 (IMEX Euler has none)\n"));
        fk->bad_input = PETSC_TRUE;
      }
    }
  }
  if (arkimex) { /* stock ARKIMEX: the same default tableau as the fused stepper */
    PetscBool set;
    PetscCall(PetscOptionsHasName(NULL, NULL, "-ts_arkimex_type", &set));
    if (!set) PetscCall(TSARKIMEXSetType(fk->ts, TSARKIMEXL2));
  }
  if (arkimex) { /* the stiff part for PETSc's ARKIMEX; explicit types get it in the RHS */
    PetscCall(TSSetIFunction(fk->ts, NULL, IFunction, fk));
    PetscCall(TSSetIJacobian(fk->ts, fk->Jshell, fk->Jshell, IJacobian, fk));
  }
  PetscCall(TSGetMaxTime(fk->ts, &fk->T));
  PetscCall(TSGetTimeStep(fk->ts, &fk->dt));
  if (arkimex) PetscCall(VecDuplicate(fk->f, &fk->Zs)); /* stage data of the stock path */
  PetscFunctionReturn(0);
}

/* The limit system (1.9) on the points of K:
     V' = N(V) - W + I_ext(t) - V Psi*rho0 + Psi*(rho0 V),   W' = a V - b W + c
   integrated by an adaptive RK (default Verner 7vr, rtol = atol = 1e-10: errors ~1e-12 at the
   samples; -limit_ts_* changes it) with the same Psi machinery. */
static PetscErrorCode LimitRHS(TS ts, PetscReal t, Vec U, Vec F, void *ctx)
{
  Fhnk               fk = (Fhnk)ctx;
  const PetscScalar *u, *P;
  PetscScalar       *f;
  PetscReal         *V, *Q;
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(fk->log.limit, 0, 0, 0, 0));
  PetscCall(PetscMalloc2(fk->nloc, &V, fk->nloc, &Q));
  PetscCall(VecGetArrayRead(U, &u));
  for (PetscInt p = 0; p < fk->nloc; p++) V[p] = u[2 * p];
  PetscCall(FhnkConvolve(fk, V, Q));
  if (fk->stim.n) {
    PetscReal tm = t;
    PetscCall(StimTime(ts, &tm));
    FhnkStimAdd(fk, tm, Q);
  }
  PetscCall(VecGetArray(F, &f));
  PetscCall(VecGetArrayRead(fk->cpl.P, &P));
  for (PetscInt p = 0; p < fk->nloc; p++) {
    const PetscReal v = u[2 * p], w = u[2 * p + 1];
    f[2 * p]     = FhnkN(&fk->model, v) - w - v * P[p] + Q[p];
    f[2 * p + 1] = FhnkA(&fk->model, v, w);
  }
  PetscCall(VecRestoreArrayRead(fk->cpl.P, &P));
  PetscCall(VecRestoreArray(F, &f));
  PetscCall(VecRestoreArrayRead(U, &u));
  PetscCall(PetscFree2(V, Q));
  PetscCall(PetscLogEventEnd(fk->log.limit, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkLimitCreate(Fhnk fk)
{
  PetscFunctionBeginUser;
  PetscCall(TSCreate(fk->comm, &fk->tslim));
  PetscCall(TSSetOptionsPrefix(fk->tslim, "limit_"));
  PetscCall(TSSetDM(fk->tslim, fk->da2));
  PetscCall(TSSetType(fk->tslim, TSRK));
  PetscCall(TSRKSetType(fk->tslim, TSRK7VR)); /* Verner 7(6): the fewest Psi applies at this tolerance (5dp: 1.9x more) */
  PetscCall(TSSetRHSFunction(fk->tslim, NULL, LimitRHS, fk));
  PetscCall(TSSetTolerances(fk->tslim, 1e-10, NULL, 1e-10, NULL));
  PetscCall(TSSetTimeStep(fk->tslim, 1e-3));
  if (fk->kind == FHNK_MODEL_NETWORK) { /* fixed steps: no norm reduced over ranks decides a step, so
                                           the companion has the same bits on any number of ranks */
    TSAdapt adapt;
    PetscCall(TSGetAdapt(fk->tslim, &adapt));
    PetscCall(TSAdaptSetType(adapt, TSADAPTNONE));
    PetscCall(TSSetTimeStep(fk->tslim, PetscMin(fk->dt, 1e-3)));
  }
  PetscCall(TSSetMaxSteps(fk->tslim, PETSC_MAX_INT));
  PetscCall(TSSetExactFinalTime(fk->tslim, TS_EXACTFINALTIME_MATCHSTEP));
  PetscCall(DMCreateGlobalVector(fk->da2, &fk->ulim));
  PetscCall(TSSetFromOptions(fk->tslim));
  PetscFunctionReturn(0);
}

/* (V0, W0)(x) of the initial data, as in SPEC 5 */
PetscErrorCode FhnkLimitInitial(Fhnk fk, Vec u)
{
  PetscScalar *a;
  PetscFunctionBeginUser;
  PetscCall(VecGetArray(u, &a));
  for (PetscInt p = 0; p < fk->nloc; p++) PetscCall(FhnkInitialMeans(fk, fk->xloc + p * fk->space.dim, &a[2 * p], &a[2 * p + 1]));
  PetscCall(VecRestoreArray(u, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkLimitAdvance(Fhnk fk, PetscReal t)
{
  PetscReal tl;
  PetscFunctionBeginUser;
  PetscCall(TSGetTime(fk->tslim, &tl));
  if (t <= tl) PetscFunctionReturn(0);
  for (;;) { /* pieces between the jumps of I_ext, on which it is constant */
    const PetscReal te = FhnkStimNextEdge(fk, tl, 1e-12 * PetscMax(1, PetscAbsReal(tl)));
    /* Every piece starts afresh: no first-same-as-last reuse of the previous step's last stage.
       Where I_ext jumps that reuse is wrong (an O(dt) error at every pulse edge); and a run
       continued from a checkpoint starts afresh anyway, so an uninterrupted run must too for the
       two to agree bit for bit (the reused stage and a recomputed one differ in the last bits:
       this was the intermittent kill -9 mismatch of limit/W, issue 11). */
    PetscCall(TSRestartStep(fk->tslim));
    PetscCall(TSSetMaxTime(fk->tslim, PetscMin(t, te)));
    PetscCall(TSSolve(fk->tslim, fk->ulim));
    PetscCall(TSGetTime(fk->tslim, &tl));
    if (te >= t) break;
  }
  PetscFunctionReturn(0);
}

/* Main loop: segments between sample times (diagnostics every -diag_dt, the end, snapshots, the
   jumps of I_ext), each one TSSolve ending exactly there (MATCHSTEP), so every sample is taken at
   its nominal time. The next sample time travels in checkpoints: a continuation neither loses nor
   repeats one. The run ends at T, on a signal (after a checkpoint), at -ts_max_steps (after a
   checkpoint, one line saying so), or on a failed step (one line, exit 1). */
PetscErrorCode FhnkRun(Fhnk fk)
{
  PetscReal t = fk->t0, tol;
  PetscBool kinetic = (PetscBool)(fk->kind == FHNK_MODEL_KINETIC);
  PetscInt  isnap = 0, step = fk->step0, maxsteps;
  PetscFunctionBeginUser;
  /* times closer than this are one: below every spacing of the run (step, samples, T) */
  tol                 = 1e-9 * PetscMax(PetscMin(PetscMin(fk->dt, fk->T), fk->diag_dt > 0 ? fk->diag_dt : fk->dt), 1e-300);
  fk->wall_start      = MPI_Wtime();
  fk->wall_last_print = fk->wall_start;
  fk->stopped_short   = PETSC_FALSE;
  PetscCall(TSGetMaxSteps(fk->ts, &maxsteps));
  while (isnap < fk->nsnap && fk->snap_t[isnap] < t - tol) isnap++;
  PetscCall(PetscLogStagePush(fk->log.loop));
  for (PetscBool started = PETSC_FALSE;;) {
    PetscReal tnext;
    /* a sample on the -diag_dt grid, at the end, and at the start of a new series; the limit
       companion is advanced only to sample times (also after a restart that lands on one) */
    if ((PetscAbsReal(t - fk->tdiag) < tol || PetscAbsReal(t - fk->T) < tol || fk->nt == 0) && fk->last_diag_t != t) {
      PetscCall(FhnkLimitAdvance(fk, t));
      PetscCall(FhnkDiagnosticsWrite(fk, t));
      fk->last_diag_t = t;
    }
    /* the next sample: a multiple k diag_dt (not a running sum, whose rounding would drift), or T
       itself when within round-off of it */
    if (fk->tdiag < t + tol) {
      if (fk->diag_dt > 0) {
        const PetscReal k = PetscFloorReal((t + tol) / fk->diag_dt) + 1;
        fk->tdiag         = k * fk->diag_dt;
        if (PetscAbsReal(fk->tdiag - fk->T) < tol) fk->tdiag = fk->T;
      } else fk->tdiag = PETSC_MAX_REAL;
    }
    if (isnap < fk->nsnap && PetscAbsReal(t - fk->snap_t[isnap]) < tol) {
      if (kinetic || (fk->kind == FHNK_MODEL_NETWORK && fk->net.hist)) PetscCall(FhnkSnapshotWrite(fk, isnap, t));
      isnap++;
    }
    if (fk->kind == FHNK_MODEL_LIMIT && t > fk->t0) { /* no steps of its own: signals and checkpoints between samples */
      PetscCall(TSGetStepNumber(fk->tslim, &step));
      PetscCall(FhnkSignalPoll(fk, t, step));
    }
    if (t >= fk->T - tol || fk->stop_signal) break;
    tnext = PetscMin(fk->T, fk->tdiag);
    if (PetscAbsReal(tnext - fk->T) < tol) tnext = fk->T;
    if (isnap < fk->nsnap) tnext = PetscMin(tnext, fk->snap_t[isnap]);
    tnext = PetscMin(tnext, FhnkStimNextEdge(fk, t, tol)); /* steps end on the jumps of I_ext */
    if (kinetic) {
      TSConvergedReason reason;
      PetscCall(TSSetMaxTime(fk->ts, tnext));
      /* fixed steps start every segment with -ts_dt (the last step of a segment may have been cut
         to land on a sample time); adaptive ones keep the step their controller chose, and after
         a restart start with the one it had chosen when the checkpoint was written */
      if (!fk->adaptive || !started) PetscCall(TSSetTimeStep(fk->ts, !started && fk->adaptive && fk->dt_first > 0 ? fk->dt_first : fk->dt));
      started = PETSC_TRUE;
      PetscCall(TSSolve(fk->ts, fk->f));
      PetscCall(TSGetConvergedReason(fk->ts, &reason));
      PetscCall(TSGetTime(fk->ts, &t));
      PetscCall(TSGetStepNumber(fk->ts, &step));
      if (reason < 0) {
        PetscCall(PetscLogStagePop());
        SETERRQ(fk->comm, PETSC_ERR_NOT_CONVERGED, "time stepping failed at t = %g (step %" PetscInt_FMT "): %s; the newest checkpoint in %s (if any) holds the last saved state: continue from it with a smaller -ts_dt (or -ts_adapt_type basic)", (double)t, step, reason == TS_DIVERGED_STEP_REJECTED ? "the adaptive step was rejected -ts_max_reject times" : TSConvergedReasons[reason], fk->outdir);
      }
      if (reason == TS_CONVERGED_ITS && !fk->stop_signal && t < tnext - tol) { /* -ts_max_steps */
        fk->stopped_short = PETSC_TRUE;
        break;
      }
    } else if (fk->kind == FHNK_MODEL_NETWORK) { /* steps of -ts_dt, the last one cut to land on tnext */
      while (t < tnext - tol && !fk->stop_signal) {
        const PetscReal h = tnext - t < fk->dt * (1 + 1e-9) ? tnext - t : fk->dt;
        PetscCall(FhnkNetworkStep(fk, t, h));
        t    = h == tnext - t ? tnext : t + h;
        step = (PetscInt)fk->net.step;
        PetscCall(ProgressMonitor(fk->ts, step, t, fk->f, fk));
        PetscCall(FhnkSignalPoll(fk, t, step));
        if (step >= maxsteps && t < fk->T - tol) {
          fk->stopped_short = PETSC_TRUE;
          break;
        }
      }
      if (fk->stopped_short) break;
    } else {
      PetscCall(FhnkLimitAdvance(fk, tnext));
      t = tnext;
    }
  }
  PetscCall(PetscLogStagePop());
  if (!fk->stop_signal) {
    if (fk->kind == FHNK_MODEL_LIMIT) PetscCall(TSGetStepNumber(fk->tslim, &step));
    PetscCall(FhnkCheckpointFinal(fk, t, step));
    PetscCall(ProgressMonitor(fk->ts, step, t, fk->f, fk));
  }
  if (fk->stopped_short) PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: stopped at -ts_max_steps %" PetscInt_FMT " (t = %g, before -ts_max_time %g): continue with -restart latest and a larger -ts_max_steps\n", maxsteps, (double)t, (double)fk->T));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkTSDestroy(Fhnk fk)
{
  PetscFunctionBeginUser;
  PetscCall(TSDestroy(&fk->ts));
  PetscCall(TSDestroy(&fk->tslim));
  PetscCall(VecDestroy(&fk->f));
  PetscCall(VecDestroy(&fk->ulim));
  PetscCall(VecDestroy(&fk->Zs));
  PetscCall(MatDestroy(&fk->Jshell));
  PetscFunctionReturn(0);
}
