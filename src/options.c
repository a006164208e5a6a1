/* Options of SPEC 5. Every check names the option and its valid range; a failed check sets
   fk->bad_input (all problems are reported, not only the first) and main exits 1 before
   anything is written. */
#include "options.h"
#include "model.h"
#include "grid.h"
#include "coupling.h"
#include "stimulus.h"
#include "network.h"
#include "outdir.h"
#include <unistd.h>
#include <sys/stat.h>

/* plain snprintf: PETSc's own printf would write 1 as "1." */
#define BAD(...) \
  do { \
    char msg_[2048]; \
    snprintf(msg_, sizeof(msg_), __VA_ARGS__); \
    PetscCall(FhnkPrintf(fk->comm, PETSC_STDERR, "fhnk: error: %s\n", msg_)); \
    fk->bad_input = PETSC_TRUE; \
  } while (0)

PetscErrorCode FhnkBad(Fhnk fk, const char *fmt, ...)
{
  char    msg[2048];
  va_list ap;
  PetscFunctionBeginUser;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  PetscCall(FhnkPrintf(fk->comm, PETSC_STDERR, "fhnk: error: %s\n", msg));
  fk->bad_input = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkCreate(MPI_Comm comm, Fhnk *out)
{
  Fhnk fk;
  PetscFunctionBeginUser;
  PetscCall(PetscNew(&fk));
  fk->comm = comm;
  PetscCallMPI(MPI_Comm_rank(comm, &fk->rank));
  PetscCallMPI(MPI_Comm_size(comm, &fk->size));
  PetscCall(FhnkGridRegisterAll(fk));
  PetscCall(FhnkCouplingRegisterAll(fk));
  PetscCall(FhnkStimRegisterAll(fk));
  PetscCall(FhnkModelRegisterAll(fk));
  {
    PetscClassId id;
    PetscCall(PetscClassIdRegister("fhnk", &id));
    PetscCall(PetscLogEventRegister("FhnkExplicit", id, &fk->log.explicit_op));
    PetscCall(PetscLogEventRegister("FhnkImplicitOp", id, &fk->log.implicit_op));
    PetscCall(PetscLogEventRegister("FhnkLineSolve", id, &fk->log.line_solve));
    PetscCall(PetscLogEventRegister("FhnkMoments", id, &fk->log.moments));
    PetscCall(PetscLogEventRegister("FhnkPsiConv", id, &fk->log.psi));
    PetscCall(PetscLogEventRegister("FhnkDiagnostics", id, &fk->log.diag));
    PetscCall(PetscLogEventRegister("FhnkIO", id, &fk->log.io));
    PetscCall(PetscLogEventRegister("FhnkCheckpoint", id, &fk->log.checkpoint));
    PetscCall(PetscLogEventRegister("FhnkLimit", id, &fk->log.limit));
    PetscCall(PetscLogEventRegister("FhnkFusedStage", id, &fk->log.fused));
    PetscCall(PetscLogEventRegister("FhnkNetworkStep", id, &fk->log.network));
    PetscCall(PetscLogStageRegister("fhnk time loop", &fk->log.loop));
  }
  fk->last_checkpoint_step = -1;
  fk->last_print_step      = -1;
  *out = fk;
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkDestroy(Fhnk *fk)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListDestroy(&(*fk)->rho0_list));
  PetscCall(PetscFunctionListDestroy(&(*fk)->psi_list));
  PetscCall(PetscFunctionListDestroy(&(*fk)->init_list));
  PetscCall(PetscFunctionListDestroy(&(*fk)->stim.shapes));
  PetscCall(PetscFree((*fk)->opwork));
  PetscCall(PetscFree(*fk));
  PetscFunctionReturn(0);
}

static PetscErrorCode ListChoice(Fhnk fk, PetscFunctionList list, const char *opt, const char *value)
{
  void (*fn)(void);
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListFind(list, value, &fn));
  if (!fn) {
    char         names[512] = "";
    const char **arr;
    int          cnt;
    PetscCall(PetscFunctionListGet(list, &arr, &cnt));
    for (int i = 0; i < cnt; i++) {
      PetscCall(PetscStrlcat(names, " ", sizeof(names)));
      PetscCall(PetscStrlcat(names, arr[i], sizeof(names)));
    }
    PetscCall(PetscFree(arr));
    BAD("%s %s is not known; valid choices:%s", opt, value, names);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkProcessOptions(Fhnk fk)
{
  FhnkModel *m  = &fk->model;
  FhnkSpace *sp = &fk->space;
  FhnkPhase *ph = &fk->ph;
  FhnkInit  *in = &fk->init;
  PetscInt   n;
  PetscBool  flg;

  PetscFunctionBeginUser;
  /* defaults: the 'concentration' scenario of the paper, small enough for a workstation */
  m->eps = 1e-2;
  m->nN  = 4;
  m->N[0] = 0; m->N[1] = 1; m->N[2] = 0; m->N[3] = -1;
  m->a = 0.1; m->b = 0.08; m->c = 0;
  sp->dim = 1; sp->nx = 32; sp->ny = 32; sp->Lx = 1; sp->Ly = 1;
  PetscCall(PetscStrncpy(sp->rho0_type, "uniform", FHNK_NAME_LEN));
  sp->rho0_amp = 0.5;
  PetscCall(PetscStrncpy(sp->psi_type, "gaussian", FHNK_NAME_LEN));
  sp->psi_J = 1; sp->psi_sigma = 0.1; sp->psi_periodic = PETSC_FALSE; sp->psi_grade = 0.5;
  PetscCall(PetscStrncpy(fk->cpl.method, "auto", FHNK_NAME_LEN));
  ph->nv = 128; ph->nw = 48; ph->vmin = -1.6; ph->vmax = 1.6; ph->wmin = -4.5; ph->wmax = 4.5;
  PetscCall(PetscStrncpy(in->type, "concentrated", FHNK_NAME_LEN));
  in->V0 = 0.5; in->V0amp = 0.5; in->W0 = 0; in->W0amp = 0; in->var_v = 0.1; in->var_w = 0.5;
  in->kick = 0; in->kick_x = 0; in->kick_width = 0.05;
  PetscCall(PetscStrncpy(fk->modeltype, "kinetic", FHNK_NAME_LEN));
  PetscCall(PetscStrncpy(fk->outdir, "out", sizeof(fk->outdir)));
  fk->restart[0] = 0;
  fk->diag_dt = 0.1; fk->checkpoint_dt = 0; fk->checkpoint_walltime = 0; fk->checkpoint_keep = 2;
  fk->progress_interval = 5; fk->hopfcole_R = 1.5; fk->hopfcole_floor = 1e-30; fk->v_muscl_min_cells = 1.5;

  PetscOptionsBegin(fk->comm, NULL, "fhnk: kinetic FitzHugh-Nagumo equation (1.4) with strong local coupling", "fhnk");
  PetscCall(PetscOptionsReal("-eps", "local coupling strength is 1/eps (> 0)", "", m->eps, &m->eps, NULL));
  n = FHNK_MAX_POLY;
  PetscCall(PetscOptionsRealArray("-N_coeffs", "drift N(v) = c0 + c1 v + c2 v^2 + ..., default 0,1,0,-1 i.e. v - v^3 (confining: odd degree, negative leading term; or linear)", "", m->N, &n, &flg));
  if (flg) m->nN = n;
  PetscCall(PetscOptionsReal("-fhn_a", "A(v,w) = a v - b w + c: a", "", m->a, &m->a, NULL));
  PetscCall(PetscOptionsReal("-fhn_b", "A(v,w): b (> 0)", "", m->b, &m->b, NULL));
  PetscCall(PetscOptionsReal("-fhn_c", "A(v,w): c", "", m->c, &m->c, NULL));
  PetscCall(PetscOptionsInt("-dim", "dimension of the spatial domain K (1 or 2)", "", sp->dim, &sp->dim, NULL));
  PetscCall(PetscOptionsInt("-nx", "cells of K in x (>= 1)", "", sp->nx, &sp->nx, NULL));
  PetscCall(PetscOptionsInt("-ny", "cells of K in y, 2-D only (>= 1)", "", sp->ny, &sp->ny, NULL));
  PetscCall(PetscOptionsReal("-Lx", "length of K in x (> 0)", "", sp->Lx, &sp->Lx, NULL));
  PetscCall(PetscOptionsReal("-Ly", "length of K in y (> 0)", "", sp->Ly, &sp->Ly, NULL));
  PetscCall(PetscOptionsString("-rho0_type", "neuron density rho0(x): uniform | cosine", "", sp->rho0_type, sp->rho0_type, FHNK_NAME_LEN, NULL));
  PetscCall(PetscOptionsReal("-rho0_amp", "cosine rho0: amplitude A in (-1, 1)", "", sp->rho0_amp, &sp->rho0_amp, NULL));
  PetscCall(PetscOptionsString("-psi_type", "long-range kernel Psi: gaussian | tophat | graded (a Gaussian whose width varies along x1: not translation invariant) | none", "", sp->psi_type, sp->psi_type, FHNK_NAME_LEN, NULL));
  PetscCall(PetscOptionsReal("-psi_J", "kernel strength J", "", sp->psi_J, &sp->psi_J, NULL));
  PetscCall(PetscOptionsReal("-psi_sigma", "kernel width s (> 0)", "", sp->psi_sigma, &sp->psi_sigma, NULL));
  PetscCall(PetscOptionsBool("-psi_periodic", "kernel on a torus (nearest periodic image)", "", sp->psi_periodic, &sp->psi_periodic, NULL));
  PetscCall(PetscOptionsReal("-psi_grade", "graded kernel: width sigma (1 + g (x1/Lx - 1/2)), g in (-2, 2)", "", sp->psi_grade, &sp->psi_grade, NULL));
  PetscCall(PetscOptionsString("-psi_method", "Psi convolution: auto (by a cost model), fft (FFTW-MPI, O(N log N)), matrix (sparse, O(N x support)), replicated (serial FFT on every rank: the same bits on any rank count)", "", fk->cpl.method, fk->cpl.method, FHNK_NAME_LEN, NULL));
  PetscCall(PetscOptionsInt("-nv", "cells in v (>= 4)", "", ph->nv, &ph->nv, NULL));
  PetscCall(PetscOptionsInt("-nw", "cells in w (>= 4)", "", ph->nw, &ph->nw, NULL));
  PetscCall(PetscOptionsReal("-vmin", "lower end of the v box", "", ph->vmin, &ph->vmin, NULL));
  PetscCall(PetscOptionsReal("-vmax", "upper end of the v box (> vmin)", "", ph->vmax, &ph->vmax, NULL));
  PetscCall(PetscOptionsReal("-wmin", "lower end of the w box", "", ph->wmin, &ph->wmin, NULL));
  PetscCall(PetscOptionsReal("-wmax", "upper end of the w box (> wmin)", "", ph->wmax, &ph->wmax, NULL));
  PetscCall(PetscOptionsReal("-v_muscl_min_cells", "v-transport is second order (MUSCL) where sqrt(eps/rho0) spans at least this many v-cells, exact-moment donor cell below", "", fk->v_muscl_min_cells, &fk->v_muscl_min_cells, NULL));
  PetscCall(PetscOptionsString("-init", "initial data: gaussian | concentrated", "", in->type, in->type, FHNK_NAME_LEN, NULL));
  PetscCall(PetscOptionsReal("-init_V0", "V0(x) = m + A sin(2 pi x/Lx): m", "", in->V0, &in->V0, NULL));
  PetscCall(PetscOptionsReal("-init_V0_amp", "V0(x): A", "", in->V0amp, &in->V0amp, NULL));
  PetscCall(PetscOptionsReal("-init_W0", "W0(x) = m + A sin(2 pi x/Lx): m", "", in->W0, &in->W0, NULL));
  PetscCall(PetscOptionsReal("-init_W0_amp", "W0(x): A", "", in->W0amp, &in->W0amp, NULL));
  PetscCall(PetscOptionsReal("-init_kick", "local kick added to V0: A exp(-(x1 - x0)^2/(2 s^2)), amplitude A", "", in->kick, &in->kick, NULL));
  PetscCall(PetscOptionsReal("-init_kick_x", "kick position x0", "", in->kick_x, &in->kick_x, NULL));
  PetscCall(PetscOptionsReal("-init_kick_width", "kick width s (> 0)", "", in->kick_width, &in->kick_width, NULL));
  PetscCall(PetscOptionsReal("-init_var_v", "gaussian data: variance in v (> 0)", "", in->var_v, &in->var_v, NULL));
  PetscCall(PetscOptionsReal("-init_var_w", "variance in w (> 0)", "", in->var_w, &in->var_w, NULL));
  PetscCall(PetscOptionsString("-model", "kinetic (1.4), limit (1.9) alone, or network (the m-neuron system, -network_*)", "", fk->modeltype, fk->modeltype, FHNK_NAME_LEN, NULL));
  PetscCall(PetscOptionsString("-o", "output directory", "", fk->outdir, fk->outdir, sizeof(fk->outdir), NULL));
  PetscCall(PetscOptionsBool("-overwrite", "allow a new run to replace results already in -o DIR", "", fk->overwrite, &fk->overwrite, NULL));
  PetscCall(PetscOptionsReal("-diag_dt", "model time between diagnostic samples (0: start and end only)", "", fk->diag_dt, &fk->diag_dt, NULL));
  PetscCall(PetscOptionsReal("-checkpoint_dt", "model time between checkpoints (0: off; one is always written at the end)", "", fk->checkpoint_dt, &fk->checkpoint_dt, NULL));
  PetscCall(PetscOptionsReal("-checkpoint_walltime", "wall seconds between checkpoints (0: off)", "", fk->checkpoint_walltime, &fk->checkpoint_walltime, NULL));
  PetscCall(PetscOptionsInt("-checkpoint_keep", "checkpoints kept in DIR (>= 1)", "", fk->checkpoint_keep, &fk->checkpoint_keep, NULL));
  PetscCall(PetscOptionsString("-restart", "continue from a checkpoint file, or 'latest' in -o DIR", "", fk->restart, fk->restart, sizeof(fk->restart), NULL));
  n = FHNK_MAX_POLY;
  PetscCall(PetscOptionsRealArray("-moments_q", "also write D_q = <|v-V|^q> and M_q = <|u|^q> (2.2) for these q > 0, as /moments/Dq, /moments/Mq", "", fk->q, &n, &flg));
  if (flg) fk->nq = n;
  n = 64;
  PetscCall(PetscOptionsRealArray("-snapshot_times", "write f and the Hopf-Cole phi on the (v,w) grid at these times to DIR/snapshots.h5", "", fk->snap_t, &n, &flg));
  if (flg) fk->nsnap = n;
  n = 64;
  PetscCall(PetscOptionsIntArray("-snapshot_points", "points of K (natural indices ix + nx iy) of the snapshots (default: first and middle)", "", fk->snap_pts, &n, &flg));
  if (flg) fk->nsnap_pts = n;
  PetscCall(PetscOptionsReal("-hopfcole_floor", "Hopf-Cole H uses cells with f above this fraction of the peak of f at that point (0, 1)", "", fk->hopfcole_floor, &fk->hopfcole_floor, NULL));
  PetscCall(PetscOptionsReal("-hopfcole_R", "Hopf-Cole H is reduced over |u| <= R (> 0)", "", fk->hopfcole_R, &fk->hopfcole_R, NULL));
  PetscCall(PetscOptionsReal("-progress_interval", "wall seconds between progress lines (0: none)", "", fk->progress_interval, &fk->progress_interval, NULL));
  PetscCall(PetscOptionsBool("-quiet", "no progress lines", "", fk->quiet, &fk->quiet, NULL));
  PetscCall(PetscOptionsBool("-strict", "unused or misspelt options are an error", "", fk->strict, &fk->strict, NULL));
  PetscOptionsEnd();
  PetscCall(FhnkStimOptions(fk));
  PetscCall(FhnkNetworkOptions(fk));

  /* checks: every one names the option and the valid range */
  if (!(m->eps > 0)) BAD("-eps must be > 0 (got %g)", (double)m->eps);
  if (!(m->b > 0)) BAD("-fhn_b must be > 0 (got %g)", (double)m->b);
  if (sp->dim != 1 && sp->dim != 2) BAD("-dim must be 1 or 2 (got %" PetscInt_FMT ")", sp->dim);
  if (sp->nx < 1) BAD("-nx must be >= 1 (got %" PetscInt_FMT ")", sp->nx);
  if (sp->dim == 2 && sp->ny < 1) BAD("-ny must be >= 1 (got %" PetscInt_FMT ")", sp->ny);
  if (sp->nx >= 1 && (sp->dim != 2 || sp->ny >= 1) && sp->nx * (sp->dim == 2 ? sp->ny : 1) < fk->size) BAD("K has %" PetscInt_FMT " points but there are %d MPI ranks: use at least as many points (-nx, -ny) as ranks", sp->nx * (sp->dim == 2 ? sp->ny : 1), fk->size);
  if (!(sp->Lx > 0)) BAD("-Lx must be > 0 (got %g)", (double)sp->Lx);
  if (sp->dim == 2 && !(sp->Ly > 0)) BAD("-Ly must be > 0 (got %g)", (double)sp->Ly);
  PetscCall(ListChoice(fk, fk->rho0_list, "-rho0_type", sp->rho0_type));
  PetscCall(ListChoice(fk, fk->psi_list, "-psi_type", sp->psi_type));
  PetscCall(ListChoice(fk, fk->init_list, "-init", in->type));
  if (!(sp->rho0_amp > -1 && sp->rho0_amp < 1)) BAD("-rho0_amp must be in (-1, 1) so that rho0 > 0 (got %g)", (double)sp->rho0_amp);
  if (!(sp->psi_sigma > 0)) BAD("-psi_sigma (kernel width) must be > 0 (got %g)", (double)sp->psi_sigma);
  if (!(sp->psi_grade > -2 && sp->psi_grade < 2)) BAD("-psi_grade must be in (-2, 2) so that the kernel width stays positive (got %g)", (double)sp->psi_grade);
  {
    PetscBool ok;
    PetscCall(PetscStrInList(fk->cpl.method, "auto,fft,matrix,replicated", ',', &ok));
    if (!ok) BAD("-psi_method %s is not known; valid choices: auto fft matrix replicated", fk->cpl.method);
    else {
      FhnkKernel k;
      PetscBool  found, fft, rep;
      PetscCall(FhnkCouplingKernelInfo(fk, sp->psi_type, &k, &found));
      PetscCall(PetscStrcmp(fk->cpl.method, "fft", &fft));
      PetscCall(PetscStrcmp(fk->cpl.method, "replicated", &rep));
      if (found && !k.invariant && (fft || rep)) BAD("-psi_method %s needs a kernel of x - x' only; -psi_type %s is not translation invariant: use -psi_method matrix (or auto)", fk->cpl.method, sp->psi_type);
    }
  }
  if (ph->nv < 4) BAD("-nv must be >= 4 (got %" PetscInt_FMT ")", ph->nv);
  if (ph->nw < 4) BAD("-nw must be >= 4 (got %" PetscInt_FMT ")", ph->nw);
  if (!(ph->vmin < ph->vmax)) BAD("-vmin must be < -vmax (got %g, %g)", (double)ph->vmin, (double)ph->vmax);
  if (!(ph->wmin < ph->wmax)) BAD("-wmin must be < -wmax (got %g, %g)", (double)ph->wmin, (double)ph->wmax);
  if (!(in->var_v > 0)) BAD("-init_var_v must be > 0 (got %g)", (double)in->var_v);
  if (!(in->kick_width > 0)) BAD("-init_kick_width must be > 0 (got %g)", (double)in->kick_width);
  if (!(in->var_w > 0)) BAD("-init_var_w must be > 0 (got %g)", (double)in->var_w);
  {
    PetscBool kin, lim, net;
    PetscCall(PetscStrcmp(fk->modeltype, "kinetic", &kin));
    PetscCall(PetscStrcmp(fk->modeltype, "limit", &lim));
    PetscCall(PetscStrcmp(fk->modeltype, "network", &net));
    if (!kin && !lim && !net) BAD("-model %s is not known; valid choices: kinetic limit network", fk->modeltype);
    fk->kind = kin ? FHNK_MODEL_KINETIC : (lim ? FHNK_MODEL_LIMIT : FHNK_MODEL_NETWORK);
  }
  {
    PetscInt deg;
    PetscCall(FhnkPolyDegree(m, &deg));
    if (deg > 1 && !(deg % 2 == 1 && m->N[deg] < 0)) BAD("-N_coeffs: N must be confining (odd degree with a negative leading coefficient) or linear; got degree %" PetscInt_FMT " with leading coefficient %g", deg, (double)m->N[deg]);
  }
  if (fk->diag_dt < 0) BAD("-diag_dt must be >= 0 (got %g)", (double)fk->diag_dt);
  if (fk->checkpoint_dt < 0) BAD("-checkpoint_dt must be >= 0 (got %g)", (double)fk->checkpoint_dt);
  if (fk->checkpoint_walltime < 0) BAD("-checkpoint_walltime must be >= 0 (got %g)", (double)fk->checkpoint_walltime);
  if (fk->checkpoint_keep < 1) BAD("-checkpoint_keep must be >= 1 (got %" PetscInt_FMT ")", fk->checkpoint_keep);
  for (PetscInt i = 0; i < fk->nq; i++)
    if (!(fk->q[i] > 0)) BAD("-moments_q: every q must be > 0 (got %g)", (double)fk->q[i]);
  for (PetscInt i = 0; i < fk->nsnap; i++)
    if (fk->snap_t[i] < 0 || (i > 0 && fk->snap_t[i] <= fk->snap_t[i - 1])) BAD("-snapshot_times must be >= 0 and increasing");
  for (PetscInt i = 0; i < fk->nsnap_pts; i++)
    if (fk->snap_pts[i] < 0 || fk->snap_pts[i] >= sp->nx * (sp->dim == 2 ? sp->ny : 1)) BAD("-snapshot_points: %" PetscInt_FMT " is not a point of K (valid 0 .. %" PetscInt_FMT ")", fk->snap_pts[i], sp->nx * (sp->dim == 2 ? sp->ny : 1) - 1);
  if (fk->nsnap && !fk->nsnap_pts) {
    const PetscInt np = sp->nx * (sp->dim == 2 ? sp->ny : 1);
    fk->snap_pts[0] = 0;
    fk->nsnap_pts   = 1;
    if (np > 1) fk->snap_pts[fk->nsnap_pts++] = sp->dim == 2 ? sp->nx / 2 + sp->nx * (sp->ny / 2) : sp->nx / 2;
  }
  if (!(fk->hopfcole_floor > 0 && fk->hopfcole_floor < 1)) BAD("-hopfcole_floor must be in (0, 1) (got %g)", (double)fk->hopfcole_floor);
  if (!(fk->hopfcole_R > 0)) BAD("-hopfcole_R must be > 0 (got %g)", (double)fk->hopfcole_R);
  if (!fk->outdir[0]) BAD("-o needs a directory name");
  if (sp->dim == 1) sp->ny = 1;
  PetscCall(PetscMalloc1(15 * ph->nv, &fk->opwork));
  PetscFunctionReturn(0);
}

/* Options PETSc reads only at finalize, or that only steer this check. */
static PetscBool FinalizeTimeOption(const char *name)
{
  const char *ok[] = {"log_view", "malloc_dump", "malloc_debug", "malloc_test", "malloc_view", "options_left", "help", "strict", "on_error_abort", "fp_trap", "info", "log_trace", "memory_view", "fhnk_traceback", "check_pointer_intensity", NULL};
  for (const char **o = ok; *o; o++)
    if (!strncmp(name, *o, strlen(*o))) return PETSC_TRUE;
  return PETSC_FALSE;
}

PetscErrorCode FhnkCheckUnusedOptions(Fhnk fk)
{
  PetscInt n;
  char   **names, **values;
  PetscFunctionBeginUser;
  if (!fk->strict) PetscFunctionReturn(0);
  PetscCall(PetscOptionsLeftGet(NULL, &n, &names, &values));
  for (PetscInt i = 0; i < n; i++)
    if (!FinalizeTimeOption(names[i])) BAD("-%s is not an option of fhnk (misspelt, or not used by the chosen solver); see bin/fhnk -help", names[i]);
  PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
  PetscFunctionReturn(0);
}

/* A new run never replaces earlier results silently: a DIR holding diagnostics, snapshots or any
   checkpoint needs -overwrite (which removes them all) */
PetscErrorCode FhnkCheckOutputDir(Fhnk fk)
{
  char msg[1200] = "";
  PetscFunctionBeginUser;
  if (!fk->rank) {
    struct stat st;
    if (!stat(fk->outdir, &st) && !S_ISDIR(st.st_mode)) snprintf(msg, sizeof(msg), "-o %.900s exists and is not a directory", fk->outdir);
    else if (!fk->overwrite) {
      char        path[PETSC_MAX_PATH_LEN];
      PetscBool   diag, snap;
      PetscInt    n;
      FhnkCkInfo *ck;
      PetscCall(PetscSNPrintf(path, sizeof(path), "%s/diagnostics.h5", fk->outdir));
      diag = (PetscBool)(access(path, F_OK) == 0);
      PetscCall(PetscSNPrintf(path, sizeof(path), "%s/snapshots.h5", fk->outdir));
      snap = (PetscBool)(access(path, F_OK) == 0);
      PetscCall(FhnkCheckpointInventory(fk->outdir, &n, &ck));
      if (n) snprintf(msg, sizeof(msg), "-o %.800s already holds results (%d checkpoint%s, newest checkpoint-%06d.h5%s): choose another -o, continue with -restart latest, or pass -overwrite to replace them", fk->outdir, (int)n, n > 1 ? "s" : "", (int)ck[n - 1].step, diag ? ", and diagnostics.h5" : "");
      else if (diag) snprintf(msg, sizeof(msg), "-o %.800s already holds results (diagnostics.h5 of a run that left no checkpoint): choose another -o, or pass -overwrite to replace them", fk->outdir);
      else if (snap) snprintf(msg, sizeof(msg), "-o %.800s already holds results (snapshots.h5): choose another -o, or pass -overwrite to replace them", fk->outdir);
      PetscCall(PetscFree(ck));
    }
  }
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, fk->comm));
  if (msg[0]) PetscCall(FhnkBad(fk, "%s", msg));
  PetscFunctionReturn(0);
}
