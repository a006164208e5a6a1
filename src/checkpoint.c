/* Checkpoints DIR/checkpoint-NNNNNN.h5 (NNNNNN = step):
     /f            the whole state, natural order (PETSc HDF5 viewer, collective MPI-IO)
     /limit        the (V,W) state of the limit companion
     /centre       the relaxation centre of each point (where the next centre search starts)
     attributes    time, step, dt, limit_time, limit_dt, diag_samples, checkpoint_format,
                   and every model/grid parameter (as in diagnostics.h5)
   Written under a temporary name, flushed and closed, then renamed: the rename is atomic, so a
   crash or kill -9 at any moment leaves the previous checkpoint whole. Checkpoints are taken at
   step boundaries and never alter the step sequence, so a continuation is bitwise identical. */
#include "checkpoint.h"
#include "io.h"
#include "timestep.h"
#include <petscviewerhdf5.h>
#include <signal.h>
#include <dirent.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>

#define FHNK_CHECKPOINT_FORMAT 2

/* The only file-scope state of the program: a signal handler cannot reach the context. */
static volatile sig_atomic_t fhnk_signal_received = 0;
static void                  OnSignal(int sig) { fhnk_signal_received = sig; }

PetscErrorCode FhnkSignalInstall(Fhnk fk)
{
  struct sigaction sa;
  PetscFunctionBeginUser;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkSignalPoll(Fhnk fk, TS ts)
{
  PetscReal t;
  PetscInt  step;
  int       flags[2];
  PetscFunctionBeginUser;
  PetscCall(TSGetTime(ts, &t));
  PetscCall(TSGetStepNumber(ts, &step));
  if (step == fk->step0 && t == fk->t0) PetscFunctionReturn(0); /* the monitor's call before the first step */
  if (fk->stop_signal) PetscFunctionReturn(0);
  flags[0] = (int)fhnk_signal_received;
  flags[1] = (fk->checkpoint_dt > 0 && t >= fk->next_checkpoint_t - 1e-12 * PetscAbsReal(t)) || (fk->checkpoint_walltime > 0 && MPI_Wtime() >= fk->next_checkpoint_wall);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, flags, 2, MPI_INT, MPI_MAX, fk->comm));
  if (flags[0] || flags[1]) {
    PetscCall(FhnkCheckpointWrite(fk, t, step));
    while (fk->checkpoint_dt > 0 && fk->next_checkpoint_t <= t + 1e-12 * PetscAbsReal(t)) fk->next_checkpoint_t += fk->checkpoint_dt;
    if (fk->checkpoint_walltime > 0) fk->next_checkpoint_wall = MPI_Wtime() + fk->checkpoint_walltime;
  }
  if (flags[0]) {
    fk->stop_signal      = 1;
    fhnk_signal_received = 0;
    PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: signal received: checkpoint written at t = %g (step %" PetscInt_FMT "), stopping with exit status %d\n", (double)t, step, FHNK_EXIT_SIGNAL));
    PetscCall(TSSetConvergedReason(ts, TS_CONVERGED_USER));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckpointName(Fhnk fk, PetscInt step, PetscBool tmp, char *buf, size_t n)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(buf, n, "%s/%scheckpoint-%06" PetscInt_FMT ".h5%s", fk->outdir, tmp ? "." : "", step, tmp ? ".tmp" : ""));
  PetscFunctionReturn(0);
}

/* steps of the checkpoints present in DIR, ascending (rank 0 only) */
static PetscErrorCode ListCheckpoints(Fhnk fk, PetscInt *n, PetscInt **steps)
{
  DIR           *d;
  struct dirent *e;
  PetscInt       cap = 16;
  PetscFunctionBeginUser;
  *n = 0;
  PetscCall(PetscMalloc1(cap, steps));
  d = opendir(fk->outdir);
  if (!d) PetscFunctionReturn(0);
  while ((e = readdir(d))) {
    long long s;
    char      tail[8];
    if (sscanf(e->d_name, "checkpoint-%lld.h%2s", &s, tail) == 2 && !strcmp(tail, "5") && strlen(e->d_name) == strlen("checkpoint-") + 6 + 3) {
      if (*n == cap) {
        PetscInt *t;
        PetscCall(PetscMalloc1(2 * cap, &t));
        PetscCall(PetscArraycpy(t, *steps, cap));
        PetscCall(PetscFree(*steps));
        *steps = t;
        cap *= 2;
      }
      (*steps)[(*n)++] = (PetscInt)s;
    }
  }
  closedir(d);
  PetscCall(PetscSortInt(*n, *steps));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkCheckpointWrite(Fhnk fk, PetscReal t, PetscInt step)
{
  char        tmp[PETSC_MAX_PATH_LEN], fin[PETSC_MAX_PATH_LEN];
  PetscViewer v;
  hid_t       fid;
  PetscReal   tl, dtl;
  int         err = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(fk->log.checkpoint, 0, 0, 0, 0));
  PetscCall(CheckpointName(fk, step, PETSC_TRUE, tmp, sizeof(tmp)));
  PetscCall(CheckpointName(fk, step, PETSC_FALSE, fin, sizeof(fin)));
  PetscCall(FhnkIOFlush(fk)); /* the diagnostics the checkpoint refers to are on disk */
  PetscCall(PetscViewerHDF5Open(fk->comm, tmp, FILE_MODE_WRITE, &v));
  PetscCall(PetscObjectSetName((PetscObject)fk->f, "f"));
  PetscCall(VecView(fk->f, v));
  PetscCall(PetscObjectSetName((PetscObject)fk->ulim, "limit"));
  PetscCall(VecView(fk->ulim, v));
  { /* the relaxation centres: the next stage starts its centre search there (bitwise restarts) */
    Vec          cv;
    PetscScalar *a;
    PetscCall(DMGetGlobalVector(fk->da1, &cv));
    PetscCall(VecGetArray(cv, &a));
    for (PetscInt p = 0; p < fk->nloc; p++) a[p] = fk->Vc[p];
    PetscCall(VecRestoreArray(cv, &a));
    PetscCall(PetscObjectSetName((PetscObject)cv, "centre"));
    PetscCall(VecView(cv, v));
    PetscCall(DMRestoreGlobalVector(fk->da1, &cv));
  }
  PetscCall(TSGetTime(fk->tslim, &tl));
  PetscCall(TSGetTimeStep(fk->tslim, &dtl));
  {
    const PetscInt fmt = FHNK_CHECKPOINT_FORMAT, nt = fk->nt;
    PetscCall(PetscViewerHDF5WriteAttribute(v, "/", "time", PETSC_REAL, &t));
    PetscCall(PetscViewerHDF5WriteAttribute(v, "/", "step", PETSC_INT, &step));
    PetscCall(PetscViewerHDF5WriteAttribute(v, "/", "limit_time", PETSC_REAL, &tl));
    PetscCall(PetscViewerHDF5WriteAttribute(v, "/", "limit_dt", PETSC_REAL, &dtl));
    PetscCall(PetscViewerHDF5WriteAttribute(v, "/", "diag_samples", PETSC_INT, &nt));
    PetscCall(PetscViewerHDF5WriteAttribute(v, "/", "next_diag_time", PETSC_REAL, &fk->tdiag));
    PetscCall(PetscViewerHDF5WriteAttribute(v, "/", "last_diag_time", PETSC_REAL, &fk->last_diag_t));
    PetscCall(PetscViewerHDF5WriteAttribute(v, "/", "checkpoint_format", PETSC_INT, &fmt));
    { /* the step the TS takes next: an adaptive run continues with it (bitwise restarts) */
      PetscReal dtn;
      PetscCall(TSGetTimeStep(fk->ts, &dtn));
      PetscCall(PetscViewerHDF5WriteAttribute(v, "/", "next_dt", PETSC_REAL, &dtn));
    }
  }
  PetscCall(PetscViewerHDF5GetFileId(v, &fid));
  PetscCall(FhnkWriteAttributes(fk, fid)); /* also "dt" (the run's step) */
  PetscCall(PetscViewerDestroy(&v));
  if (!fk->rank) {
    int fd = open(tmp, O_RDONLY);
    if (fd >= 0) {
      if (fsync(fd)) err = errno;
      close(fd);
    } else err = errno;
    if (!err && rename(tmp, fin)) err = errno;
    if (!err) { /* make the rename itself durable */
      int dfd = open(fk->outdir, O_RDONLY);
      if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
      }
    }
    if (!err && fk->checkpoint_keep > 0) {
      PetscInt n, *steps;
      PetscCall(ListCheckpoints(fk, &n, &steps));
      for (PetscInt i = 0; i < n - fk->checkpoint_keep; i++) {
        char old[PETSC_MAX_PATH_LEN];
        PetscCall(CheckpointName(fk, steps[i], PETSC_FALSE, old, sizeof(old)));
        (void)unlink(old);
      }
      PetscCall(PetscFree(steps));
    }
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, fk->comm));
  PetscCheck(!err, fk->comm, PETSC_ERR_FILE_WRITE, "could not finish checkpoint %s: %s", fin, strerror(err));
  if (!fk->quiet) PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "  checkpoint %s (t = %g)\n", fin, (double)t));
  fk->last_checkpoint_step = step;
  PetscCall(PetscLogEventEnd(fk->log.checkpoint, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkCheckpointFinal(Fhnk fk, PetscReal t)
{
  PetscInt step;
  PetscFunctionBeginUser;
  PetscCall(TSGetStepNumber(fk->ts, &step));
  if (step != fk->last_checkpoint_step) PetscCall(FhnkCheckpointWrite(fk, t, step));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkRestartResolve(Fhnk fk)
{
  PetscBool latest;
  PetscFunctionBeginUser;
  PetscCall(PetscStrcmp(fk->restart, "latest", &latest));
  if (!latest) PetscFunctionReturn(0);
  {
    PetscInt n = 0, last = -1, *steps;
    if (!fk->rank) {
      PetscCall(ListCheckpoints(fk, &n, &steps));
      if (n) last = steps[n - 1];
      PetscCall(PetscFree(steps));
    }
    PetscCallMPI(MPI_Bcast(&last, 1, MPIU_INT, 0, fk->comm));
    if (last < 0) {
      PetscCall(FhnkPrintf(fk->comm, PETSC_STDERR, "fhnk: error: -restart latest: no checkpoint-NNNNNN.h5 in -o %s\n", fk->outdir));
      fk->bad_input = PETSC_TRUE;
      PetscFunctionReturn(0);
    }
    PetscCall(CheckpointName(fk, last, PETSC_FALSE, fk->restart, sizeof(fk->restart)));
  }
  PetscFunctionReturn(0);
}

/* --- reading and validating a checkpoint (rank 0 with serial HDF5, before any output) --- */
static int ReadAttrReal(hid_t f, const char *name, PetscReal *v, PetscInt nmax, PetscInt *n)
{
  hid_t   a, s;
  hssize_t np;
  if (H5Aexists(f, name) <= 0) return -1;
  a  = H5Aopen(f, name, H5P_DEFAULT);
  s  = H5Aget_space(a);
  np = H5Sget_simple_extent_npoints(s);
  H5Sclose(s);
  if (np < 1 || np > nmax) { H5Aclose(a); return -1; }
  if (H5Aread(a, H5T_NATIVE_DOUBLE, v) < 0) { H5Aclose(a); return -1; }
  H5Aclose(a);
  if (n) *n = (PetscInt)np;
  return 0;
}
static int ReadAttrStr(hid_t f, const char *name, char *buf, size_t n)
{
  hid_t a, t, m;
  size_t sz;
  if (H5Aexists(f, name) <= 0) return -1;
  a  = H5Aopen(f, name, H5P_DEFAULT);
  t  = H5Aget_type(a);
  sz = H5Tget_size(t);
  if (H5Tget_class(t) != H5T_STRING || sz >= n) { H5Tclose(t); H5Aclose(a); return -1; }
  m = H5Tcopy(H5T_C_S1);
  H5Tset_size(m, sz);
  if (H5Aread(a, m, buf) < 0) { H5Tclose(m); H5Tclose(t); H5Aclose(a); return -1; }
  buf[sz] = 0;
  H5Tclose(m);
  H5Tclose(t);
  H5Aclose(a);
  return 0;
}

PetscErrorCode FhnkRestartCheckFile(Fhnk fk, PetscBool *ok)
{
  char      msg[4096] = "";
  size_t    len       = 0;
  PetscBool good      = PETSC_TRUE;
  PetscFunctionBeginUser;
  if (!fk->rank) {
    hid_t     f;
    PetscReal x[FHNK_MAX_POLY];
    PetscInt  n;
    char      s[256];
    herr_t (*oldfunc)(hid_t, void *);
    void *olddata;
    H5Eget_auto2(H5E_DEFAULT, &oldfunc, &olddata);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
#define FAIL(...) do { len += (size_t)snprintf(msg + len, sizeof(msg) - len, __VA_ARGS__); good = PETSC_FALSE; } while (0)
    if (access(fk->restart, R_OK)) FAIL("-restart %.1000s: no such readable file", fk->restart);
    else if ((f = H5Fopen(fk->restart, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) FAIL("-restart %.1000s: not a readable HDF5 file (truncated or corrupted?)", fk->restart);
    else {
      if (ReadAttrReal(f, "checkpoint_format", x, 1, NULL) || x[0] != FHNK_CHECKPOINT_FORMAT) FAIL("-restart %.1000s: not an fhnk checkpoint of format %d (written by another version?)", fk->restart, FHNK_CHECKPOINT_FORMAT);
      else {
        const struct { const char *name; PetscReal now; } reals[] = {
          {"eps", fk->model.eps}, {"fhn_a", fk->model.a}, {"fhn_b", fk->model.b}, {"fhn_c", fk->model.c},
          {"psi_J", fk->space.psi_J}, {"psi_sigma", fk->space.psi_sigma}, {"psi_periodic", (PetscReal)fk->space.psi_periodic},
          {"dim", (PetscReal)fk->space.dim}, {"nx", (PetscReal)fk->space.nx}, {"ny", (PetscReal)(fk->space.dim == 2 ? fk->space.ny : 1)},
          {"Lx", fk->space.Lx}, {"Ly", fk->space.Ly}, {"rho0_amp", fk->space.rho0_amp},
          {"nv", (PetscReal)fk->ph.nv}, {"nw", (PetscReal)fk->ph.nw}, {"vmin", fk->ph.vmin}, {"vmax", fk->ph.vmax}, {"wmin", fk->ph.wmin}, {"wmax", fk->ph.wmax}};
        const struct { const char *name; const char *now; } strs[] = {{"psi_type", fk->space.psi_type}, {"rho0_type", fk->space.rho0_type}, {"model", fk->modeltype}};
        char hdr[600];
        snprintf(hdr, sizeof(hdr), "-restart %.400s: the checkpoint was written with other physics or another grid:", fk->restart);
        for (size_t k = 0; k < sizeof(reals) / sizeof(reals[0]); k++) {
          if (ReadAttrReal(f, reals[k].name, x, 1, NULL)) { if (good) FAIL("%.600s", hdr); FAIL("\n    %s missing", reals[k].name); continue; }
          if (x[0] != reals[k].now) { if (good) FAIL("%.600s", hdr); FAIL("\n    -%s: checkpoint %.17g, now %.17g", reals[k].name, x[0], reals[k].now); }
        }
        if (ReadAttrReal(f, "N_coeffs", x, FHNK_MAX_POLY, &n) || n != fk->model.nN || memcmp(x, fk->model.N, (size_t)n * sizeof(PetscReal))) {
          if (good) FAIL("%.600s", hdr);
          FAIL("\n    -N_coeffs differ");
        }
        for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
          if (ReadAttrStr(f, strs[k].name, s, sizeof(s)) || strcmp(s, strs[k].now)) { if (good) FAIL("%.600s", hdr); FAIL("\n    -%s: checkpoint %s, now %s", strs[k].name, s, strs[k].now); }
        if (good) {
          hid_t d = H5Dopen2(f, "f", H5P_DEFAULT);
          if (d < 0) FAIL("-restart %.1000s: no dataset /f", fk->restart);
          else {
            hid_t    sp = H5Dget_space(d);
            hssize_t np = H5Sget_simple_extent_npoints(sp);
            if (np != (hssize_t)fk->space.npts * fk->ph.ncell) FAIL("-restart %.1000s: /f has %lld values, expected %lld", fk->restart, (long long)np, (long long)fk->space.npts * fk->ph.ncell);
            H5Sclose(sp);
            H5Dclose(d);
          }
        }
      }
      H5Fclose(f);
    }
#undef FAIL
    H5Eset_auto2(H5E_DEFAULT, oldfunc, olddata);
  }
  PetscCallMPI(MPI_Bcast(&good, 1, FHNK_MPI_BOOL, 0, fk->comm));
  if (!good) PetscCall(FhnkPrintf(fk->comm, PETSC_STDERR, "fhnk: error: %s\n", msg));
  *ok = good;
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkRestartLoad(Fhnk fk)
{
  PetscViewer v;
  PetscReal   t, tl, dtl, dt;
  PetscInt    step, nt;
  PetscBool   dtset;
  PetscFunctionBeginUser;
  PetscCall(PetscViewerHDF5Open(fk->comm, fk->restart, FILE_MODE_READ, &v));
  PetscCall(PetscObjectSetName((PetscObject)fk->f, "f"));
  PetscCall(VecLoad(fk->f, v));
  PetscCall(PetscObjectSetName((PetscObject)fk->ulim, "limit"));
  PetscCall(VecLoad(fk->ulim, v));
  {
    Vec                cv;
    const PetscScalar *a;
    PetscCall(DMGetGlobalVector(fk->da1, &cv));
    PetscCall(PetscObjectSetName((PetscObject)cv, "centre"));
    PetscCall(VecLoad(cv, v));
    PetscCall(VecGetArrayRead(cv, &a));
    for (PetscInt p = 0; p < fk->nloc; p++) fk->Vc[p] = a[p];
    PetscCall(VecRestoreArrayRead(cv, &a));
    PetscCall(DMRestoreGlobalVector(fk->da1, &cv));
  }
  PetscCall(PetscViewerHDF5ReadAttribute(v, "/", "time", PETSC_REAL, NULL, &t));
  PetscCall(PetscViewerHDF5ReadAttribute(v, "/", "step", PETSC_INT, NULL, &step));
  PetscCall(PetscViewerHDF5ReadAttribute(v, "/", "dt", PETSC_REAL, NULL, &dt));
  PetscCall(PetscViewerHDF5ReadAttribute(v, "/", "limit_time", PETSC_REAL, NULL, &tl));
  PetscCall(PetscViewerHDF5ReadAttribute(v, "/", "limit_dt", PETSC_REAL, NULL, &dtl));
  PetscCall(PetscViewerHDF5ReadAttribute(v, "/", "diag_samples", PETSC_INT, NULL, &nt));
  PetscCall(PetscViewerHDF5ReadAttribute(v, "/", "next_diag_time", PETSC_REAL, NULL, &fk->tdiag));
  PetscCall(PetscViewerHDF5ReadAttribute(v, "/", "last_diag_time", PETSC_REAL, NULL, &fk->last_diag_t));
  { /* an adaptive run goes on with the step its controller had chosen (older checkpoints: -ts_dt) */
    PetscBool has;
    PetscCall(PetscViewerHDF5HasAttribute(v, "/", "next_dt", &has));
    if (has && fk->adaptive) PetscCall(PetscViewerHDF5ReadAttribute(v, "/", "next_dt", PETSC_REAL, NULL, &fk->dt_first));
  }
  PetscCall(PetscViewerDestroy(&v));
  /* the step size of the checkpointed run, unless -ts_dt is given again */
  PetscCall(PetscOptionsHasName(NULL, NULL, "-ts_dt", &dtset));
  if (!dtset) fk->dt = dt;
  PetscCall(TSSetTime(fk->ts, t));
  PetscCall(TSSetStepNumber(fk->ts, step));
  PetscCall(TSSetTimeStep(fk->ts, fk->dt));
  PetscCall(TSSetTime(fk->tslim, tl));
  PetscCall(TSSetTimeStep(fk->tslim, dtl));
  fk->t0                   = t;
  fk->step0                = step;
  fk->nt                   = nt;
  fk->last_checkpoint_step = step;
  PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: restarting from %s at t = %g (step %" PetscInt_FMT ", %" PetscInt_FMT " diagnostic samples kept)\n", fk->restart, (double)t, step, nt));
  PetscFunctionReturn(0);
}
