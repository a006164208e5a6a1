/* Checkpoints DIR/checkpoint-NNNNNN.h5 (NNNNNN = step), format 3:
     /f [npts x nw x nv]   the phase-space state (kinetic), natural order of the points of K
     /centre [npts]        the relaxation centre of each point (kinetic: bitwise continuation)
     /limit [npts x 2]     the (V,W) state of the limit system (every model)
     attributes            time, step, dt, limit_time, limit_dt, diag_samples, next_diag_time,
                           last_diag_time, next_dt, checkpoint_format, run_id, and every model and
                           grid parameter (as in diagnostics.h5)
   Every dataset is chunked with the Fletcher32 checksum filter, and the file uses the 1.10 format,
   whose metadata blocks carry checksums: a flipped bit anywhere in the data or the metadata is
   found when the file is read. Written in parallel (collective MPI-IO) under a temporary name
   unique to the run and process, fsync'ed, renamed (atomic): a crash or kill -9 at any moment
   leaves the previous checkpoints whole. Checkpoints are taken at step boundaries and never alter
   the step sequence, so a continuation is bitwise identical on the same ranks. */
#include "checkpoint.h"
#include "io.h"
#include "outdir.h"
#include "options.h"
#include "timestep.h"
#include "network.h"
#include <signal.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#define FHNK_CHECKPOINT_FORMAT 3

/* The only file-scope state of the program: a signal handler cannot reach the context. */
static volatile sig_atomic_t fhnk_signal_received = 0;
static void                  OnSignal(int sig) { fhnk_signal_received = sig; }

void FhnkSignalInstall(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGINT, &sa, NULL); /* Ctrl-C on a workstation: the same as SIGTERM */
}

int  FhnkSignalPending(void) { return (int)fhnk_signal_received; }
void FhnkSignalRaise(int sig) { fhnk_signal_received = sig; }

PetscErrorCode FhnkSignalPoll(Fhnk fk, PetscReal t, PetscInt step)
{
  int flags[2];
  PetscFunctionBeginUser;
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
    fk->stop_signal      = flags[0];
    fhnk_signal_received = 0;
    PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: signal received: checkpoint written at t = %g (step %" PetscInt_FMT "), stopping with exit status %d\n", (double)t, step, FHNK_EXIT_SIGNAL));
  }
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------
   Writing */
#define CKCALL(call, what) \
  do { \
    if ((herr_t)(call) < 0) { \
      char why_[256]; \
      FhnkIOReason(tmp, why_, sizeof(why_)); \
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "writing the checkpoint %s (%s) failed: %s", fin, what, why_); \
    } \
  } while (0)

/* [npts x comp] (comp = the trailing dims) of the local rows: chunks of whole points, Fletcher32 */
static PetscErrorCode WritePoints(Fhnk fk, hid_t file, const char *name, PetscInt nextra, const hsize_t *extra, const PetscReal *local, const char *tmp, const char *fin)
{
  hsize_t dims[3], chunk[3], mdims[3], start[3] = {0, 0, 0}, stride[3] = {1, 1, 1}, count[3] = {1, 1, 1}, block[3];
  hsize_t ncomp = 1;
  hid_t   dcpl, fs, ms, ds, xp;
  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < nextra; k++) ncomp *= extra[k];
  dims[0]  = (hsize_t)fk->space.npts;
  mdims[0] = (hsize_t)fk->nloc;
  /* whole points per chunk, about 1 MiB (one point when a point is larger) */
  chunk[0] = PetscMax(1, PetscMin((hsize_t)fk->space.npts, (hsize_t)(1 << 20) / (8 * ncomp)));
  FhnkLocalRows(fk, &start[0], &stride[0], &count[0], &block[0]);
  for (PetscInt k = 0; k < nextra; k++) dims[k + 1] = chunk[k + 1] = mdims[k + 1] = block[k + 1] = extra[k];
  dcpl = H5Pcreate(H5P_DATASET_CREATE);
  CKCALL(H5Pset_chunk(dcpl, (int)nextra + 1, chunk), name);
  CKCALL(H5Pset_fletcher32(dcpl), name);
  fs = H5Screate_simple((int)nextra + 1, dims, NULL);
  ds = H5Dcreate2(file, name, H5T_NATIVE_DOUBLE, fs, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  CKCALL(ds, name);
  CKCALL(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, stride, count, block), name);
  ms = H5Screate_simple((int)nextra + 1, mdims, NULL);
  xp = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(xp, H5FD_MPIO_COLLECTIVE); /* filters in parallel need collective writes */
  CKCALL(H5Dwrite(ds, H5T_NATIVE_DOUBLE, ms, fs, xp, local), name);
  H5Pclose(xp);
  H5Sclose(ms);
  H5Sclose(fs);
  H5Dclose(ds);
  H5Pclose(dcpl);
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkCheckpointWrite(Fhnk fk, PetscReal t, PetscInt step)
{
  char      tmp[PETSC_MAX_PATH_LEN], fin[PETSC_MAX_PATH_LEN], name[64];
  hid_t     file, fapl;
  PetscReal tl, dtl;
  int       err = 0;
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(fk->log.checkpoint, 0, 0, 0, 0));
  PetscCall(PetscSNPrintf(name, sizeof(name), "checkpoint-%06" PetscInt_FMT ".h5", step));
  PetscCall(FhnkOutTmpPath(fk, name, tmp, sizeof(tmp)));
  PetscCall(FhnkOutPath(fk, name, fin, sizeof(fin)));
  PetscCall(FhnkIOFlush(fk)); /* the samples the checkpoint vouches for are on disk first */
  fapl = FhnkH5Fapl(fk, PETSC_TRUE);
  file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  H5Pclose(fapl);
  CKCALL(file, "create");
  if (fk->kind == FHNK_MODEL_KINETIC) {
    const PetscScalar *u;
    const hsize_t      ph[2] = {(hsize_t)fk->ph.nw, (hsize_t)fk->ph.nv};
    PetscCall(VecGetArrayRead(fk->f, &u));
    PetscCall(WritePoints(fk, file, "f", 2, ph, u, tmp, fin));
    PetscCall(VecRestoreArrayRead(fk->f, &u));
    PetscCall(WritePoints(fk, file, "centre", 0, NULL, fk->Vc, tmp, fin));
  }
  if (fk->kind == FHNK_MODEL_NETWORK) {
    int bad;
    PetscCall(FhnkNetworkWrite(fk, file, &bad));
    CKCALL(bad ? -1 : 0, "network");
    PetscCall(WritePoints(fk, file, "network_Vprev", 0, NULL, fk->net.Vprev, tmp, fin));
  }
  {
    const PetscScalar *ul;
    const hsize_t      two = 2;
    PetscCall(VecGetArrayRead(fk->ulim, &ul));
    PetscCall(WritePoints(fk, file, "limit", 1, &two, ul, tmp, fin));
    PetscCall(VecRestoreArrayRead(fk->ulim, &ul));
  }
  PetscCall(TSGetTime(fk->tslim, &tl));
  PetscCall(TSGetTimeStep(fk->tslim, &dtl));
  PetscCall(FhnkWriteAttributes(fk, file)); /* also "dt" (the run's step) and run_id */
  PetscCall(FhnkAttrReal(fk, file, "time", 1, &t));
  PetscCall(FhnkAttrInt(fk, file, "step", step));
  PetscCall(FhnkAttrReal(fk, file, "limit_time", 1, &tl));
  PetscCall(FhnkAttrReal(fk, file, "limit_dt", 1, &dtl));
  PetscCall(FhnkAttrInt(fk, file, "diag_samples", fk->nt));
  PetscCall(FhnkAttrReal(fk, file, "next_diag_time", 1, &fk->tdiag));
  PetscCall(FhnkAttrReal(fk, file, "last_diag_time", 1, &fk->last_diag_t));
  PetscCall(FhnkAttrInt(fk, file, "checkpoint_format", FHNK_CHECKPOINT_FORMAT));
  if (fk->kind == FHNK_MODEL_NETWORK) PetscCall(FhnkAttrInt(fk, file, "network_neurons", (PetscInt)fk->net.ntotal));
  { /* the step the TS takes next: an adaptive run continues with it (bitwise restarts) */
    PetscReal dtn = fk->dt;
    if (fk->kind == FHNK_MODEL_KINETIC) PetscCall(TSGetTimeStep(fk->ts, &dtn));
    PetscCall(FhnkAttrReal(fk, file, "next_dt", 1, &dtn));
  }
  CKCALL(H5Fclose(file), "close");
  if (!fk->rank) {
    PetscCall(FhnkFsyncPath(tmp, PETSC_FALSE, &err));
    if (!err && rename(tmp, fin)) err = errno;
    if (!err) PetscCall(FhnkFsyncPath(fk->outdir, PETSC_TRUE, NULL)); /* the rename itself durable */
    if (!err && fk->checkpoint_keep > 0) { /* keep the newest K of THIS run; never touch another run's */
      PetscInt    n, mine = 0;
      FhnkCkInfo *ck;
      PetscCall(FhnkCheckpointInventory(fk->outdir, &n, &ck));
      for (PetscInt i = 0; i < n; i++) mine += !strcmp(ck[i].run_id, fk->out.run_id);
      for (PetscInt i = 0; i < n && mine > fk->checkpoint_keep; i++) {
        char old[PETSC_MAX_PATH_LEN];
        if (strcmp(ck[i].run_id, fk->out.run_id) || ck[i].step == step) continue;
        PetscCall(PetscSNPrintf(old, sizeof(old), "%s/checkpoint-%06" PetscInt_FMT ".h5", fk->outdir, ck[i].step));
        (void)unlink(old);
        mine--;
      }
      PetscCall(PetscFree(ck));
    }
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, fk->comm));
  PetscCheck(!err, fk->comm, PETSC_ERR_FILE_WRITE, "could not finish the checkpoint %s: %s", fin, strerror(err));
  if (!fk->quiet) PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "  checkpoint %s (t = %g)\n", fin, (double)t));
  fk->last_checkpoint_step = step;
  PetscCall(PetscLogEventEnd(fk->log.checkpoint, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkCheckpointFinal(Fhnk fk, PetscReal t, PetscInt step)
{
  PetscFunctionBeginUser;
  if (step != fk->last_checkpoint_step) PetscCall(FhnkCheckpointWrite(fk, t, step));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------
   Reading */

/* rank 0, read-only: does the checkpoint fit the options? Fills msg (empty: yes), and the run id,
   time and sample count the restart takes from it */
static PetscErrorCode CheckFile(Fhnk fk, const char *path, char *msg, size_t nmsg, PetscReal *tck, PetscInt *ntck)
{
  size_t    len  = 0;
  PetscBool good = PETSC_TRUE;
  hid_t     f;
  PetscReal x[FHNK_MAX_POLY];
  PetscInt  n;
  char      s[FHNK_MAX_STIM * 17 + 8];
  struct stat st;
  PetscFunctionBeginUser;
  msg[0] = 0;
#define FAIL(...) \
  do { \
    if (len < nmsg) len += (size_t)snprintf(msg + len, nmsg - len, __VA_ARGS__); \
    good = PETSC_FALSE; \
  } while (0)
  if (stat(path, &st)) FAIL("-restart %.1000s: no such file", path);
  else if (S_ISDIR(st.st_mode)) FAIL("-restart %.800s is a directory: name a checkpoint-NNNNNN.h5 file in it, or use -restart latest with -o %.800s", path, path);
  else if (access(path, R_OK)) FAIL("-restart %.1000s: cannot be read (%s)", path, strerror(errno));
  else if ((f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) FAIL("-restart %.1000s: not a readable HDF5 file (truncated or damaged)", path);
  else {
    if (FhnkReadAttrReal(f, "checkpoint_format", x, 1, NULL) || x[0] != FHNK_CHECKPOINT_FORMAT) FAIL("-restart %.1000s: not an fhnk checkpoint of format %d (written by another version?)", path, FHNK_CHECKPOINT_FORMAT);
    else {
      const FhnkStim *stm = &fk->stim;
      const struct {
        const char *name;
        PetscReal   now;
      } reals[] = {
        {"eps", fk->model.eps}, {"fhn_a", fk->model.a}, {"fhn_b", fk->model.b}, {"fhn_c", fk->model.c},
        {"psi_J", fk->space.psi_J}, {"psi_sigma", fk->space.psi_sigma}, {"psi_periodic", (PetscReal)fk->space.psi_periodic}, {"psi_grade", fk->space.psi_grade},
        {"dim", (PetscReal)fk->space.dim}, {"nx", (PetscReal)fk->space.nx}, {"ny", (PetscReal)(fk->space.dim == 2 ? fk->space.ny : 1)},
        {"Lx", fk->space.Lx}, {"Ly", fk->space.Ly}, {"rho0_amp", fk->space.rho0_amp},
        {"nv", (PetscReal)fk->ph.nv}, {"nw", (PetscReal)fk->ph.nw}, {"vmin", fk->ph.vmin}, {"vmax", fk->ph.vmax}, {"wmin", fk->ph.wmin}, {"wmax", fk->ph.wmax},
        {"stim_n", (PetscReal)stm->n}, {"network_m", fk->kind == FHNK_MODEL_NETWORK ? (PetscReal)fk->net.m : -1}, {"network_seed", fk->kind == FHNK_MODEL_NETWORK ? (PetscReal)fk->net.seed : -1}};
      const struct {
        const char *name;
        const char *now;
      } strs[] = {{"psi_type", fk->space.psi_type}, {"rho0_type", fk->space.rho0_type}, {"model", fk->modeltype}};
      const struct {
        const char      *name;
        const PetscReal *now;
      } arrs[] = {{"stim_amp", stm->amp}, {"stim_x", stm->x}, {"stim_y", stm->y}, {"stim_radius", stm->r}, {"stim_radius_y", stm->ry}, {"stim_onset", stm->onset}, {"stim_duration", stm->duration}, {"stim_period", stm->period}};
      char hdr[600];
      snprintf(hdr, sizeof(hdr), "-restart %.400s: the checkpoint was written with other physics or another grid:", path);
      for (size_t k = 0; k < sizeof(reals) / sizeof(reals[0]); k++) {
        if (reals[k].now == -1 && !strncmp(reals[k].name, "network_", 8)) continue; /* not a network run */
        if (FhnkReadAttrReal(f, reals[k].name, x, 1, NULL)) {
          if (good) FAIL("%.600s", hdr);
          FAIL(" %s missing;", reals[k].name);
          continue;
        }
        if (x[0] != reals[k].now) {
          if (good) FAIL("%.600s", hdr);
          FAIL(" -%s: checkpoint %.17g, now %.17g;", reals[k].name, x[0], reals[k].now);
        }
      }
      if (FhnkReadAttrReal(f, "N_coeffs", x, FHNK_MAX_POLY, &n) || n != fk->model.nN || memcmp(x, fk->model.N, (size_t)n * sizeof(PetscReal))) {
        if (good) FAIL("%.600s", hdr);
        FAIL(" -N_coeffs differ;");
      }
      for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
        if (FhnkReadAttrStr(f, strs[k].name, s, sizeof(s)) || strcmp(s, strs[k].now)) {
          if (good) FAIL("%.600s", hdr);
          FAIL(" -%s: checkpoint %s, now %s;", strs[k].name, s, strs[k].now);
        }
      if (stm->n && good) {
        PetscReal v[FHNK_MAX_STIM];
        for (size_t k = 0; k < sizeof(arrs) / sizeof(arrs[0]); k++)
          if (FhnkReadAttrReal(f, arrs[k].name, v, FHNK_MAX_STIM, &n) || n != stm->n || memcmp(v, arrs[k].now, (size_t)n * sizeof(PetscReal))) {
            if (good) FAIL("%.600s", hdr);
            FAIL(" -%s differ;", arrs[k].name);
          }
      }
      if (good) {
        char id[FHNK_RUNID_LEN];
        if (FhnkReadAttrStr(f, "run_id", id, sizeof(id)) || FhnkReadAttrReal(f, "time", tck, 1, NULL) || FhnkReadAttrReal(f, "diag_samples", x, 1, NULL)) FAIL("-restart %.1000s: the checkpoint's attributes cannot be read (damaged)", path);
        else {
          PetscCall(PetscStrncpy(fk->out.run_id, id, sizeof(fk->out.run_id)));
          *ntck = (PetscInt)x[0];
        }
      }
    }
    H5Fclose(f);
  }
#undef FAIL
  PetscFunctionReturn(0);
}

/* [npts x comp] rows of the local points; independent reads (a rank that meets a damaged chunk
   fails alone, no collective left waiting); returns 0, or -1 */
static int ReadPoints(Fhnk fk, hid_t file, const char *name, hsize_t ncomp, PetscReal *local)
{
  hsize_t dims[3] = {0, 1, 1}, start[3] = {0, 0, 0}, stride[3] = {1, 1, 1}, count[3] = {1, 1, 1}, block[3] = {0, 1, 1}, mdims[3];
  hid_t   ds, fs, ms;
  int     rank, ok = 0;
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0 || (ds = H5Dopen2(file, name, H5P_DEFAULT)) < 0) return -1;
  fs   = H5Dget_space(ds);
  rank = H5Sget_simple_extent_ndims(fs);
  if (rank < 1 || rank > 3) ok = -1;
  else {
    hsize_t c = 1;
    H5Sget_simple_extent_dims(fs, dims, NULL);
    for (int k = 1; k < rank; k++) c *= dims[k];
    if (dims[0] != (hsize_t)fk->space.npts || c != ncomp) ok = -1;
  }
  if (!ok) {
    FhnkLocalRows(fk, &start[0], &stride[0], &count[0], &block[0]);
    mdims[0] = (hsize_t)fk->nloc;
    for (int k = 1; k < rank; k++) block[k] = mdims[k] = dims[k];
    ms = H5Screate_simple(rank, mdims, NULL);
    if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, stride, count, block) < 0 || H5Dread(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, local) < 0) ok = -1;
    H5Sclose(ms);
  }
  H5Sclose(fs);
  H5Dclose(ds);
  return ok;
}

/* collective: the whole state of a checkpoint into the solver (f, centres, limit, times); every
   byte passes its checksum. *ok false (and why) when something cannot be read. Nothing of the
   solver's state is changed unless everything was read. */
static PetscErrorCode Load(Fhnk fk, const char *path, PetscBool *ok, char *why, size_t nwhy)
{
  hid_t       fapl, f;
  int         bad = 0;
  PetscReal   a[12];
  PetscScalar *u = NULL, *ul;
  PetscReal   *centre = NULL;
  Vec          ftmp = NULL, ultmp;
  PetscFunctionBeginUser;
  why[0] = 0;
  fapl   = FhnkH5Fapl(fk, PETSC_TRUE);
  f      = H5Fopen(path, H5F_ACC_RDONLY, fapl);
  H5Pclose(fapl);
  if (f < 0) bad = 1;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, fk->comm));
  if (bad) {
    if (f >= 0) H5Fclose(f);
    snprintf(why, nwhy, "the file cannot be opened (truncated, or its metadata fails its checksum)");
    *ok = PETSC_FALSE;
    PetscFunctionReturn(0);
  }
  /* read into scratch: the solver's own state is replaced only when all of it is good */
  PetscCall(VecDuplicate(fk->ulim, &ultmp));
  PetscCall(VecGetArray(ultmp, &ul));
  if (fk->kind == FHNK_MODEL_KINETIC) {
    PetscCall(VecDuplicate(fk->f, &ftmp));
    PetscCall(VecGetArray(ftmp, &u));
    PetscCall(PetscMalloc1(fk->nloc, &centre));
    if (ReadPoints(fk, f, "f", (hsize_t)fk->ph.ncell, u)) {
      bad = 2;
      snprintf(why, nwhy, "/f cannot be read: a checksum mismatch (damaged data) or a wrong size");
    } else if (ReadPoints(fk, f, "centre", 1, centre)) {
      bad = 3;
      snprintf(why, nwhy, "/centre cannot be read (damaged)");
    }
  }
  if (!bad && ReadPoints(fk, f, "limit", 2, ul)) {
    bad = 4;
    snprintf(why, nwhy, "/limit cannot be read (damaged)");
  }
  if (!bad && fk->kind == FHNK_MODEL_NETWORK) {
    PetscReal *vp;
    int        nbad;
    PetscCall(PetscMalloc1(fk->nloc, &vp));
    if (ReadPoints(fk, f, "network_Vprev", 1, vp)) {
      bad = 6;
      snprintf(why, nwhy, "/network_Vprev cannot be read (damaged)");
    }
    if (!bad) {
      /* the neurons go straight into the solver's state: a failure below stops the restart anyway */
      PetscCall(FhnkNetworkRead(fk, f, &nbad));
      if (nbad) {
        bad = 7;
        snprintf(why, nwhy, "/network/v or /network/w cannot be read: a checksum mismatch (damaged data) or another network size");
      } else PetscCall(PetscArraycpy(fk->net.Vprev, vp, fk->nloc));
    }
    PetscCall(PetscFree(vp));
  }
  {
    const char *names[] = {"time", "step", "dt", "limit_time", "limit_dt", "diag_samples", "next_diag_time", "last_diag_time", "next_dt"};
    for (int k = 0; k < 9 && !bad; k++)
      if (FhnkReadAttrReal(f, names[k], &a[k], 1, NULL)) {
        bad = 5;
        snprintf(why, nwhy, "the attribute %s cannot be read (damaged)", names[k]);
      }
  }
  H5Fclose(f);
  {
    int gbad = bad;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &gbad, 1, MPI_INT, MPI_MAX, fk->comm));
    if (gbad && !bad) snprintf(why, nwhy, "a part read by another rank fails its checksum (damaged data)");
    bad = gbad;
  }
  /* the reason as rank 0 saw it (or the first rank that saw one) */
  {
    struct {
      int v, r;
    } in = {why[0] ? 0 : 1, fk->rank}, out;
    PetscCallMPI(MPI_Allreduce(&in, &out, 1, MPI_2INT, MPI_MINLOC, fk->comm));
    PetscCallMPI(MPI_Bcast(why, (PetscMPIInt)nwhy, MPI_CHAR, out.r, fk->comm));
  }
  if (!bad) {
    PetscBool dtset;
    if (ftmp) {
      PetscCall(VecRestoreArray(ftmp, &u));
      PetscCall(VecCopy(ftmp, fk->f));
      for (PetscInt p = 0; p < fk->nloc; p++) fk->Vc[p] = centre[p];
    }
    PetscCall(VecRestoreArray(ultmp, &ul));
    PetscCall(VecCopy(ultmp, fk->ulim));
    fk->tdiag       = a[6];
    fk->last_diag_t = a[7];
    if (fk->adaptive) fk->dt_first = a[8];
    /* the step size of the checkpointed run, unless -ts_dt is given again */
    PetscCall(PetscOptionsHasName(NULL, NULL, "-ts_dt", &dtset));
    if (!dtset) fk->dt = a[2];
    PetscCall(TSSetTime(fk->ts, a[0]));
    PetscCall(TSSetStepNumber(fk->ts, (PetscInt)a[1]));
    PetscCall(TSSetTimeStep(fk->ts, fk->dt));
    PetscCall(TSSetTime(fk->tslim, a[3]));
    PetscCall(TSSetTimeStep(fk->tslim, a[4]));
    if (fk->kind == FHNK_MODEL_LIMIT) PetscCall(TSSetStepNumber(fk->tslim, (PetscInt)a[1]));
    if (fk->kind == FHNK_MODEL_NETWORK) {
      fk->net.step = (PetscInt64)a[1];
      PetscCall(FhnkNetworkMeans(fk));
    }
    fk->t0                   = a[0];
    fk->step0                = (PetscInt)a[1];
    fk->nt                   = (PetscInt)a[5];
    fk->last_checkpoint_step = fk->step0;
  } else if (ftmp) PetscCall(VecRestoreArray(ftmp, &u));
  if (bad) PetscCall(VecRestoreArray(ultmp, &ul));
  PetscCall(VecDestroy(&ftmp));
  PetscCall(VecDestroy(&ultmp));
  PetscCall(PetscFree(centre));
  *ok = (PetscBool)!bad;
  PetscFunctionReturn(0);
}

/* checked (rank 0, read-only) and loaded (collective); ok false with the reason otherwise */
static PetscErrorCode TryCheckpoint(Fhnk fk, const char *path, PetscBool *ok, PetscBool *damaged, char *why, size_t nwhy)
{
  PetscReal tck = 0;
  PetscInt  nt  = 0;
  PetscFunctionBeginUser;
  *damaged = PETSC_FALSE;
  if (!fk->rank) PetscCall(CheckFile(fk, path, why, nwhy, &tck, &nt));
  PetscCallMPI(MPI_Bcast(why, (PetscMPIInt)nwhy, MPI_CHAR, 0, fk->comm));
  PetscCallMPI(MPI_Bcast(fk->out.run_id, FHNK_RUNID_LEN, MPI_CHAR, 0, fk->comm));
  PetscCallMPI(MPI_Bcast(&tck, 1, MPIU_REAL, 0, fk->comm));
  PetscCallMPI(MPI_Bcast(&nt, 1, MPIU_INT, 0, fk->comm));
  if (why[0]) {
    *ok      = PETSC_FALSE;
    *damaged = (PetscBool)(strstr(why, "damaged") != NULL);
    PetscFunctionReturn(0);
  }
  if (!(fk->T > tck * (1 + 1e-14))) {
    /* the checkpoint at T itself is the end of a finished run (e.g. a job killed between its
       final checkpoint and its exit, resubmitted): nothing to do, exit 0, nothing written */
    if (PetscAbsReal(fk->T - tck) <= 1e-14 * PetscAbsReal(tck)) {
      snprintf(why, nwhy, "the run already reached -ts_max_time %g: %s is its final checkpoint; nothing to do (a larger -ts_max_time extends it)", (double)fk->T, path);
      fk->already_done = PETSC_TRUE;
    } else snprintf(why, nwhy, "-ts_max_time %g is not after the time of the checkpoint %s (t = %.17g): there is nothing to continue; give a larger -ts_max_time", (double)fk->T, path, (double)tck);
    *ok = PETSC_FALSE;
    PetscFunctionReturn(0);
  }
  PetscCall(Load(fk, path, ok, why, nwhy));
  if (!*ok) {
    char m[600];
    snprintf(m, sizeof(m), "-restart %.300s: the checkpoint is damaged: %.250s", path, why);
    snprintf(why, nwhy, "%s", m);
    *damaged = PETSC_TRUE;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkRestart(Fhnk fk)
{
  PetscBool   latest, valid, ok = PETSC_FALSE, damaged;
  char        why[2048], ckdir[PETSC_MAX_PATH_LEN];
  PetscInt    n = 0;
  FhnkCkInfo *ck = NULL;
  PetscFunctionBeginUser;
  PetscCall(PetscStrcmp(fk->restart, "latest", &latest));
  PetscCall(PetscStrcmp(fk->restart, "latest_valid", &valid));
  if (latest || valid) {
    /* the checkpoints of the run of -o DIR (the run of its diagnostics.h5, else of its newest
       readable checkpoint), and damaged files whose run cannot be told */
    char msg[1024] = "", dirid[FHNK_RUNID_LEN] = "";
    if (!fk->rank) {
      char      dpath[PETSC_MAX_PATH_LEN];
      PetscBool exists, readable;
      PetscInt  m = 0, nsamples = -1;
      PetscCall(FhnkCheckpointInventory(fk->outdir, &n, &ck));
      PetscCall(FhnkOutPath(fk, "diagnostics.h5", dpath, sizeof(dpath)));
      PetscCall(FhnkFileRunId(dpath, &exists, &readable, dirid, NULL, 0));
      if (exists && readable) {
        hid_t f = H5Fopen(dpath, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (f >= 0) {
          hid_t d = H5Lexists(f, "time", H5P_DEFAULT) > 0 ? H5Dopen2(f, "time", H5P_DEFAULT) : -1;
          if (d >= 0) {
            hid_t   sp = H5Dget_space(d);
            hsize_t dims[1];
            H5Sget_simple_extent_dims(sp, dims, NULL);
            nsamples = (PetscInt)dims[0];
            H5Sclose(sp);
            H5Dclose(d);
          }
          H5Fclose(f);
        }
      }
      if (!dirid[0])
        for (PetscInt i = n - 1; i >= 0 && !dirid[0]; i--) PetscCall(PetscStrncpy(dirid, ck[i].run_id, sizeof(dirid)));
      for (PetscInt i = 0; i < n; i++)
        if (!ck[i].run_id[0] || !strcmp(ck[i].run_id, dirid)) ck[m++] = ck[i];
      n = m;
      if (!n) {
        if (nsamples >= 0) snprintf(msg, sizeof(msg), "-restart %.12s: -o %.800s holds no checkpoint of its run: the run stopped before its first checkpoint (its %d samples are kept in diagnostics.h5); start it again with -overwrite (or another -o)", fk->restart, fk->outdir, (int)nsamples);
        else snprintf(msg, sizeof(msg), "-restart %.12s: no checkpoint-NNNNNN.h5 in -o %.900s", fk->restart, fk->outdir);
      }
    }
    PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, fk->comm));
    PetscCallMPI(MPI_Bcast(&n, 1, MPIU_INT, 0, fk->comm));
    if (fk->rank) PetscCall(PetscCalloc1(PetscMax(n, 1), &ck));
    PetscCallMPI(MPI_Bcast(ck, (PetscMPIInt)(n * sizeof(FhnkCkInfo)), MPI_BYTE, 0, fk->comm));
    if (msg[0]) {
      PetscCall(FhnkBad(fk, "%s", msg));
      PetscCall(PetscFree(ck));
      PetscFunctionReturn(0);
    }
    PetscCall(PetscStrncpy(ckdir, fk->outdir, sizeof(ckdir)));
    for (PetscInt i = n - 1; i >= 0; i--) {
      char path[PETSC_MAX_PATH_LEN];
      PetscCall(PetscSNPrintf(path, sizeof(path), "%s/checkpoint-%06" PetscInt_FMT ".h5", fk->outdir, ck[i].step));
      PetscCall(TryCheckpoint(fk, path, &ok, &damaged, why, sizeof(why)));
      if (ok) {
        PetscCall(PetscStrncpy(fk->restart, path, sizeof(fk->restart)));
        if (i < n - 1) PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: continuing from %s, the newest intact checkpoint of the run\n", path));
        break;
      }
      if (!damaged) break; /* it fits no longer (other options): an older one would not either */
      if (latest) { /* say which older one is intact, use it only when asked */
        PetscBool ok2 = PETSC_FALSE, dmg2;
        char      why2[2048], found[PETSC_MAX_PATH_LEN] = "";
        for (PetscInt j = i - 1; j >= 0 && !ok2; j--) {
          PetscCall(PetscSNPrintf(found, sizeof(found), "%s/checkpoint-%06" PetscInt_FMT ".h5", fk->outdir, ck[j].step));
          PetscCall(TryCheckpoint(fk, found, &ok2, &dmg2, why2, sizeof(why2)));
        }
        if (ok2) PetscCall(FhnkBad(fk, "%s. The newest intact checkpoint of this run is %s: -restart latest_valid continues from it", why, found));
        else PetscCall(FhnkBad(fk, "%s. No older checkpoint of this run in -o %s is intact", why, fk->outdir));
        PetscCall(PetscFree(ck));
        PetscFunctionReturn(0);
      }
      PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: %s: trying the next older checkpoint\n", why));
    }
    PetscCall(PetscFree(ck));
  } else {
    char *slash;
    PetscCall(TryCheckpoint(fk, fk->restart, &ok, &damaged, why, sizeof(why)));
    PetscCall(PetscStrncpy(ckdir, fk->restart, sizeof(ckdir)));
    slash = strrchr(ckdir, '/');
    if (slash) *slash = 0;
    else PetscCall(PetscStrncpy(ckdir, ".", sizeof(ckdir)));
  }
  if (!ok) { /* the final checkpoint of a finished run is said, not refused */
    if (fk->already_done) PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: %s\n", why));
    else PetscCall(FhnkBad(fk, "%s", why));
    PetscFunctionReturn(0);
  }
  PetscCall(FhnkIOCheckContinue(fk, ckdir));
  if (!fk->bad_input) PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: restarting from %s at t = %g (step %" PetscInt_FMT ", %" PetscInt_FMT " diagnostic samples kept)\n", fk->restart, (double)fk->t0, fk->step0, fk->nt));
  PetscFunctionReturn(0);
}

/* -restart with -psi_method auto: the coupling method of the checkpoint the restart will use,
   when it was written on as many ranks (then a restart continues bit for bit); "" otherwise.
   Read-only, rank 0, before anything else: a checkpoint that turns out unusable is reported by
   FhnkRestart later. */
PetscErrorCode FhnkRestartCouplingMethod(Fhnk fk, char *method, size_t n)
{
  char buf[FHNK_NAME_LEN] = "";
  PetscFunctionBeginUser;
  method[0] = 0;
  if (!fk->restart[0]) PetscFunctionReturn(0);
  if (!fk->rank) {
    char      path[PETSC_MAX_PATH_LEN] = "";
    PetscBool latest, valid;
    PetscCall(PetscStrcmp(fk->restart, "latest", &latest));
    PetscCall(PetscStrcmp(fk->restart, "latest_valid", &valid));
    if (latest || valid) {
      PetscInt    nck;
      FhnkCkInfo *ck;
      PetscCall(FhnkCheckpointInventory(fk->outdir, &nck, &ck));
      for (PetscInt i = nck - 1; i >= 0 && !path[0]; i--)
        if (ck[i].run_id[0]) PetscCall(PetscSNPrintf(path, sizeof(path), "%s/checkpoint-%06" PetscInt_FMT ".h5", fk->outdir, ck[i].step));
      PetscCall(PetscFree(ck));
    } else PetscCall(PetscStrncpy(path, fk->restart, sizeof(path)));
    if (path[0] && access(path, R_OK) == 0) {
      hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
      if (f >= 0) {
        PetscReal ranks = -1;
        char      m[FHNK_NAME_LEN];
        if (!FhnkReadAttrReal(f, "ranks", &ranks, 1, NULL) && (PetscMPIInt)ranks == fk->size && !FhnkReadAttrStr(f, "psi_method", m, sizeof(m))) {
          PetscBool ok;
          PetscCall(PetscStrInList(m, "fft,matrix,replicated", ',', &ok));
          if (ok) PetscCall(PetscStrncpy(buf, m, sizeof(buf)));
        }
        H5Fclose(f);
      }
    }
  }
  PetscCallMPI(MPI_Bcast(buf, sizeof(buf), MPI_CHAR, 0, fk->comm));
  PetscCall(PetscStrncpy(method, buf, n));
  PetscFunctionReturn(0);
}
