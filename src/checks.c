/* Checks of a whole run, once the grid, the coupling and the time steppers exist and T and dt are
   known (issue 12): the run must end, its explicit parts must be able to be stable, and the TS
   options fhnk does not support are refused. Each problem: one line naming the option (FhnkBad). */
#include "checks.h"
#include "options.h"

/* Bounds against runs that never end, checked once T and dt are known (-force lifts them) */
#define FHNK_MAX_STEPS   1e9 /* time steps                                          */
#define FHNK_MAX_EVENTS  1e7 /* samples, checkpoints, switchings of the stimulus     */

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
PetscErrorCode FhnkCheckRun(Fhnk fk)
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

