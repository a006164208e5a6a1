/* Diagnostics file DIR/diagnostics.h5 written with parallel HDF5 (MPI-IO, collective).
   Every rank writes the hyperslab of its own points of K in natural order: in 2-D a DMDA block
   is a strided rectangle of the natural numbering, selected without any gather. */
#include "io.h"
#include <sys/stat.h>
#include <errno.h>
#include <unistd.h>

#define H5CALL(call, what) PetscCall(FhnkH5Check(fk, (herr_t)(call), what))

PetscErrorCode FhnkH5Check(Fhnk fk, herr_t status, const char *what)
{
  PetscFunctionBeginUser;
  PetscCheck(status >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "HDF5 failed: %s", what);
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkMkdirP(Fhnk fk, const char *dir)
{
  char buf[PETSC_MAX_PATH_LEN];
  int  err = 0;
  PetscFunctionBeginUser;
  if (!fk->rank) {
    PetscCall(PetscStrncpy(buf, dir, sizeof(buf)));
    for (char *s = buf + 1; *s; s++)
      if (*s == '/') {
        *s = 0;
        if (mkdir(buf, 0755) && errno != EEXIST) err = errno;
        *s = '/';
      }
    if (mkdir(buf, 0755) && errno != EEXIST) err = errno;
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, fk->comm));
  PetscCheck(!err, fk->comm, PETSC_ERR_FILE_OPEN, "-o %s: cannot create the output directory (%s)", dir, strerror(err));
  PetscFunctionReturn(0);
}

/* (re)write one attribute of type ty and dataspace sp on obj; takes ownership of sp */
static PetscErrorCode WriteAttr(Fhnk fk, hid_t obj, const char *name, hid_t ty, hid_t sp, const void *data)
{
  hid_t at;
  PetscFunctionBeginUser;
  if (H5Aexists(obj, name) > 0) H5CALL(H5Adelete(obj, name), name);
  at = H5Acreate2(obj, name, ty, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5CALL(at, name);
  H5CALL(H5Awrite(at, ty, data), name);
  H5Aclose(at);
  H5Sclose(sp);
  PetscFunctionReturn(0);
}
static PetscErrorCode AttrReal(Fhnk fk, hid_t obj, const char *name, PetscInt n, const PetscReal *v)
{
  hsize_t dims = (hsize_t)n;
  PetscFunctionBeginUser;
  PetscCall(WriteAttr(fk, obj, name, H5T_NATIVE_DOUBLE, H5Screate_simple(1, &dims, NULL), v));
  PetscFunctionReturn(0);
}
static PetscErrorCode AttrInt(Fhnk fk, hid_t obj, const char *name, PetscInt v)
{
  hsize_t   dims = 1;
  long long x    = v;
  PetscFunctionBeginUser;
  PetscCall(WriteAttr(fk, obj, name, H5T_NATIVE_LLONG, H5Screate_simple(1, &dims, NULL), &x));
  PetscFunctionReturn(0);
}
static PetscErrorCode AttrStr(Fhnk fk, hid_t obj, const char *name, const char *s)
{
  hid_t ty = H5Tcopy(H5T_C_S1);
  PetscFunctionBeginUser;
  H5Tset_size(ty, strlen(s) + 1);
  PetscCall(WriteAttr(fk, obj, name, ty, H5Screate(H5S_SCALAR), s));
  H5Tclose(ty);
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkWriteAttributes(Fhnk fk, hid_t o)
{
  const FhnkSpace *sp = &fk->space;
  const FhnkPhase *ph = &fk->ph;
  PetscFunctionBeginUser;
  PetscCall(AttrReal(fk, o, "eps", 1, &fk->model.eps));
  PetscCall(AttrReal(fk, o, "N_coeffs", fk->model.nN, fk->model.N));
  PetscCall(AttrReal(fk, o, "fhn_a", 1, &fk->model.a));
  PetscCall(AttrReal(fk, o, "fhn_b", 1, &fk->model.b));
  PetscCall(AttrReal(fk, o, "fhn_c", 1, &fk->model.c));
  PetscCall(AttrStr(fk, o, "psi_type", sp->psi_type));
  PetscCall(AttrReal(fk, o, "psi_J", 1, &sp->psi_J));
  PetscCall(AttrReal(fk, o, "psi_sigma", 1, &sp->psi_sigma));
  PetscCall(AttrInt(fk, o, "psi_periodic", sp->psi_periodic));
  PetscCall(AttrReal(fk, o, "psi_grade", 1, &sp->psi_grade));
  PetscCall(AttrStr(fk, o, "psi_method", fk->cpl.used[0] ? fk->cpl.used : fk->cpl.method));
  {
    const FhnkStim *st = &fk->stim;
    PetscCall(AttrInt(fk, o, "stim_n", st->n));
    if (st->n) {
      char      shapes[FHNK_MAX_STIM * 17] = "";
      PetscReal cnt[FHNK_MAX_STIM];
      for (PetscInt k = 0; k < st->n; k++) {
        if (k) PetscCall(PetscStrlcat(shapes, ",", sizeof(shapes)));
        PetscCall(PetscStrlcat(shapes, st->shape[k], sizeof(shapes)));
        cnt[k] = (PetscReal)st->count[k];
      }
      PetscCall(AttrStr(fk, o, "stim_shape", shapes));
      PetscCall(AttrReal(fk, o, "stim_amp", st->n, st->amp));
      PetscCall(AttrReal(fk, o, "stim_x", st->n, st->x));
      PetscCall(AttrReal(fk, o, "stim_y", st->n, st->y));
      PetscCall(AttrReal(fk, o, "stim_radius", st->n, st->r));
      PetscCall(AttrReal(fk, o, "stim_radius_y", st->n, st->ry));
      PetscCall(AttrReal(fk, o, "stim_onset", st->n, st->onset));
      PetscCall(AttrReal(fk, o, "stim_duration", st->n, st->duration));
      PetscCall(AttrReal(fk, o, "stim_period", st->n, st->period));
      PetscCall(AttrReal(fk, o, "stim_count", st->n, cnt));
    }
  }
  PetscCall(AttrInt(fk, o, "dim", sp->dim));
  PetscCall(AttrInt(fk, o, "nx", sp->nx));
  PetscCall(AttrInt(fk, o, "ny", sp->dim == 2 ? sp->ny : 1));
  PetscCall(AttrReal(fk, o, "Lx", 1, &sp->Lx));
  PetscCall(AttrReal(fk, o, "Ly", 1, &sp->Ly));
  PetscCall(AttrStr(fk, o, "rho0_type", sp->rho0_type));
  PetscCall(AttrReal(fk, o, "rho0_amp", 1, &sp->rho0_amp));
  PetscCall(AttrInt(fk, o, "nv", ph->nv));
  PetscCall(AttrInt(fk, o, "nw", ph->nw));
  PetscCall(AttrReal(fk, o, "vmin", 1, &ph->vmin));
  PetscCall(AttrReal(fk, o, "vmax", 1, &ph->vmax));
  PetscCall(AttrReal(fk, o, "wmin", 1, &ph->wmin));
  PetscCall(AttrReal(fk, o, "wmax", 1, &ph->wmax));
  PetscCall(AttrStr(fk, o, "init", fk->init.type));
  PetscCall(AttrReal(fk, o, "init_V0", 1, &fk->init.V0));
  PetscCall(AttrReal(fk, o, "init_V0_amp", 1, &fk->init.V0amp));
  PetscCall(AttrReal(fk, o, "init_W0", 1, &fk->init.W0));
  PetscCall(AttrReal(fk, o, "init_W0_amp", 1, &fk->init.W0amp));
  PetscCall(AttrReal(fk, o, "init_kick", 1, &fk->init.kick));
  PetscCall(AttrReal(fk, o, "init_kick_x", 1, &fk->init.kick_x));
  PetscCall(AttrReal(fk, o, "init_kick_width", 1, &fk->init.kick_width));
  PetscCall(AttrReal(fk, o, "init_var_v", 1, &fk->init.var_v));
  PetscCall(AttrReal(fk, o, "init_var_w", 1, &fk->init.var_w));
  PetscCall(AttrStr(fk, o, "model", fk->modeltype));
  PetscCall(AttrReal(fk, o, "hopfcole_R", 1, &fk->hopfcole_R));
  PetscCall(AttrReal(fk, o, "hopfcole_floor", 1, &fk->hopfcole_floor));
  PetscCall(AttrReal(fk, o, "dt", 1, &fk->dt));
  PetscCall(AttrReal(fk, o, "T", 1, &fk->T));
  {
    TSType type;
    PetscCall(TSGetType(fk->ts, &type));
    PetscCall(AttrStr(fk, o, "ts_type", type));
  }
  PetscCall(AttrStr(fk, o, "version", FHNK_VERSION " (" FHNK_GIT_VERSION ")"));
  PetscFunctionReturn(0);
}

static PetscErrorCode CreateSeries(Fhnk fk, const char *name, PetscBool field)
{
  FhnkH5 *h = (FhnkH5 *)fk->h5;
  hsize_t dims[2] = {0, (hsize_t)fk->space.npts}, maxd[2] = {H5S_UNLIMITED, (hsize_t)fk->space.npts};
  hsize_t chunk[2] = {1, (hsize_t)fk->space.npts};
  hid_t   sp, pl, ds, lcpl;
  PetscFunctionBeginUser;
  sp = H5Screate_simple(field ? 2 : 1, dims, maxd);
  pl = H5Pcreate(H5P_DATASET_CREATE);
  if (!field) chunk[0] = 256;
  H5CALL(H5Pset_chunk(pl, field ? 2 : 1, chunk), name);
  lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  ds = H5Dcreate2(h->file, name, H5T_NATIVE_DOUBLE, sp, lcpl, pl, H5P_DEFAULT);
  H5CALL(ds, name);
  H5Dclose(ds);
  H5Pclose(lcpl);
  H5Pclose(pl);
  H5Sclose(sp);
  PetscFunctionReturn(0);
}

/* write a fixed [npts x ncol] dataset of local rows */
static PetscErrorCode WriteStatic(Fhnk fk, const char *name, PetscInt ncol, PetscBool matrix, const PetscReal *local)
{
  FhnkH5 *h = (FhnkH5 *)fk->h5;
  hsize_t dims[2] = {(hsize_t)fk->space.npts, (hsize_t)ncol}, mdims[2] = {(hsize_t)fk->nloc, (hsize_t)ncol};
  hsize_t start[2], count[2], stride[2], block[2];
  hid_t   fs, ms, ds, xp;
  int     rank = matrix ? 2 : 1;
  PetscFunctionBeginUser;
  fs = H5Screate_simple(rank, dims, NULL);
  {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    ds = H5Dcreate2(h->file, name, H5T_NATIVE_DOUBLE, fs, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Pclose(lcpl);
  }
  H5CALL(ds, name);
  /* rows of the local points: (start,stride,count,block) of the natural numbering */
  start[0]  = h->start[1];
  stride[0] = h->stride[1];
  count[0]  = h->count[1];
  block[0]  = h->block[1];
  start[1] = 0; stride[1] = 1; count[1] = 1; block[1] = (hsize_t)ncol;
  H5CALL(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, stride, count, block), name);
  ms = H5Screate_simple(rank, mdims, NULL);
  xp = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(xp, H5FD_MPIO_COLLECTIVE);
  H5CALL(H5Dwrite(ds, H5T_NATIVE_DOUBLE, ms, fs, xp, local), name);
  H5Pclose(xp);
  H5Sclose(ms);
  H5Sclose(fs);
  H5Dclose(ds);
  PetscFunctionReturn(0);
}

/* Resize an existing series to keep only its first `keep` samples (continuing after restart). */
static PetscErrorCode TruncateSeries(Fhnk fk, const char *name, PetscInt keep)
{
  FhnkH5 *h = (FhnkH5 *)fk->h5;
  hid_t   ds, sp;
  hsize_t dims[2];
  PetscFunctionBeginUser;
  if (H5Lexists(h->file, name, H5P_DEFAULT) <= 0) PetscFunctionReturn(0);
  ds = H5Dopen2(h->file, name, H5P_DEFAULT);
  H5CALL(ds, name);
  sp = H5Dget_space(ds);
  H5Sget_simple_extent_dims(sp, dims, NULL);
  H5Sclose(sp);
  if (dims[0] > (hsize_t)keep) {
    dims[0] = (hsize_t)keep;
    H5CALL(H5Dset_extent(ds, dims), name);
  }
  H5Dclose(ds);
  PetscFunctionReturn(0);
}

static const char *const fields_kinetic[] = {"V", "W", "D2", "Svw", "Sww", "E", "limit/V", "limit/W", "coupling/Q", NULL};
static const char *const scalars_kinetic[] = {"time", "mass", "fmin", "hopfcole/H", "hopfcole/excluded", NULL};
static const char *const fields_limit[]    = {"V", "W", "limit/V", "limit/W", "coupling/Q", NULL};
static const char *const scalars_limit[]   = {"time", NULL};

PetscErrorCode FhnkIOOpen(Fhnk fk, PetscBool append, PetscInt keep)
{
  FhnkH5    *h;
  char       path[PETSC_MAX_PATH_LEN];
  hid_t      fapl;
  PetscInt   xs, ys, xm, ym;
  PetscBool  kinetic;
  const char *const *fl, *const *sl;

  PetscFunctionBeginUser;
  PetscCall(PetscStrcmp(fk->modeltype, "kinetic", &kinetic));
  fl = kinetic ? fields_kinetic : fields_limit;
  sl = kinetic ? scalars_kinetic : scalars_limit;
  PetscCall(PetscNew(&h));
  fk->h5 = h;
  PetscCall(DMDAGetCorners(fk->da, &xs, &ys, NULL, &xm, &ym, NULL));
  if (fk->space.dim == 1) { ys = 0; ym = 1; }
  /* natural index ix + nx iy: ym runs of xm consecutive points, nx apart */
  h->start[0] = 0; h->count[0] = 1; h->stride[0] = 1; h->block[0] = 1;
  h->start[1]  = (hsize_t)(ys * fk->space.nx + xs);
  h->stride[1] = (hsize_t)fk->space.nx;
  h->count[1]  = (hsize_t)ym;
  h->block[1]  = (hsize_t)xm;
  {
    hsize_t n = (hsize_t)fk->nloc;
    h->memspace_pts = H5Screate_simple(1, &n, NULL);
  }
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/diagnostics.h5", fk->outdir));
  fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_mpio(fapl, fk->comm, MPI_INFO_NULL);
  H5Pset_coll_metadata_write(fapl, 1);
  if (append) { /* restarting into a directory without diagnostics: continue the series of the
                   checkpoint's directory (copied), or start a new one at the restart time */
    int exists = 0, copied = 0;
    if (!fk->rank) {
      exists = access(path, F_OK) == 0;
      if (!exists) {
        char  src[PETSC_MAX_PATH_LEN], *slash;
        FILE *in, *out;
        PetscCall(PetscStrncpy(src, fk->restart, sizeof(src)));
        slash = strrchr(src, '/');
        if (slash) slash[1] = 0;
        else src[0] = 0;
        PetscCall(PetscStrlcat(src, "diagnostics.h5", sizeof(src)));
        if ((in = fopen(src, "rb"))) {
          if ((out = fopen(path, "wb"))) {
            char   buf[1 << 16];
            size_t n;
            copied = 1;
            while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
              if (fwrite(buf, 1, n, out) != n) copied = 0;
            if (fclose(out)) copied = 0;
            if (!copied) (void)unlink(path);
          }
          fclose(in);
        }
      }
    }
    PetscCallMPI(MPI_Bcast(&exists, 1, MPI_INT, 0, fk->comm));
    PetscCallMPI(MPI_Bcast(&copied, 1, MPI_INT, 0, fk->comm));
    if (copied) PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: the diagnostics series continues from the checkpoint's directory (copied into %s)\n", fk->outdir));
    else if (!exists) {
      append = PETSC_FALSE;
      PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: %s has no diagnostics.h5: a new series starts there at the restart time\n", fk->outdir));
    }
  }
  if (append) {
    h->file = H5Fopen(path, H5F_ACC_RDWR, fapl);
    PetscCheck(h->file >= 0, fk->comm, PETSC_ERR_FILE_OPEN, "cannot open %s to continue the diagnostics", path);
    for (const char *const *s = fl; *s; s++) PetscCall(TruncateSeries(fk, *s, keep));
    for (const char *const *s = sl; *s; s++) PetscCall(TruncateSeries(fk, *s, keep));
    for (PetscInt iq = 0; iq < fk->nq; iq++) {
      char name[64];
      snprintf(name, sizeof(name), "moments/D%g", (double)fk->q[iq]);
      PetscCheck(H5Lexists(h->file, "moments", H5P_DEFAULT) > 0 && H5Lexists(h->file, name, H5P_DEFAULT) > 0, fk->comm, PETSC_ERR_ARG_INCOMP, "-moments_q %g was not part of the run being continued", (double)fk->q[iq]);
      PetscCall(TruncateSeries(fk, name, keep));
      snprintf(name, sizeof(name), "moments/M%g", (double)fk->q[iq]);
      PetscCall(TruncateSeries(fk, name, keep));
    }
    fk->nt = keep;
  } else {
    h->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    PetscCheck(h->file >= 0, fk->comm, PETSC_ERR_FILE_OPEN, "cannot create %s", path);
    PetscCall(FhnkWriteAttributes(fk, h->file));
    {
      const PetscScalar *r;
      PetscCall(WriteStatic(fk, "x", fk->space.dim, PETSC_TRUE, fk->xloc)); /* [npts x dim] */
      PetscCall(VecGetArrayRead(fk->rho0, &r));
      PetscCall(WriteStatic(fk, "rho0", 1, PETSC_FALSE, r));
      PetscCall(VecRestoreArrayRead(fk->rho0, &r));
      PetscCall(VecGetArrayRead(fk->cpl.P, &r));
      PetscCall(WriteStatic(fk, "coupling/P", 1, PETSC_FALSE, r));
      PetscCall(VecRestoreArrayRead(fk->cpl.P, &r));
    }
    for (const char *const *s = fl; *s; s++) PetscCall(CreateSeries(fk, *s, PETSC_TRUE));
    for (const char *const *s = sl; *s; s++) PetscCall(CreateSeries(fk, *s, PETSC_FALSE));
    if (kinetic)
      for (PetscInt iq = 0; iq < fk->nq; iq++) {
        char name[64];
        snprintf(name, sizeof(name), "moments/D%g", (double)fk->q[iq]);
        PetscCall(CreateSeries(fk, name, PETSC_TRUE));
        snprintf(name, sizeof(name), "moments/M%g", (double)fk->q[iq]);
        PetscCall(CreateSeries(fk, name, PETSC_TRUE));
      }
    fk->nt = 0;
  }
  H5Pclose(fapl);
  PetscFunctionReturn(0);
}

/* the open dataset of a series (opened once, kept until FhnkIOClose) */
static PetscErrorCode SeriesHandle(Fhnk fk, const char *name, hid_t *ds)
{
  FhnkH5 *h = (FhnkH5 *)fk->h5;
  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < h->nds; k++)
    if (!strcmp(h->dsname[k], name)) {
      *ds = h->ds[k];
      PetscFunctionReturn(0);
    }
  PetscCheck(h->nds < 48, PETSC_COMM_SELF, PETSC_ERR_SUP, "too many diagnostic series");
  *ds = H5Dopen2(h->file, name, H5P_DEFAULT);
  H5CALL(*ds, name);
  PetscCall(PetscStrncpy(h->dsname[h->nds], name, sizeof(h->dsname[0])));
  h->ds[h->nds++] = *ds;
  PetscFunctionReturn(0);
}

static PetscErrorCode Append(Fhnk fk, const char *name, PetscInt row, const PetscReal *buf, PetscBool field)
{
  FhnkH5 *h = (FhnkH5 *)fk->h5;
  hid_t   ds, fs, xp, ms;
  hsize_t dims[2];
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(fk->log.io, 0, 0, 0, 0));
  PetscCall(SeriesHandle(fk, name, &ds));
  fs = H5Dget_space(ds);
  H5Sget_simple_extent_dims(fs, dims, NULL);
  H5Sclose(fs);
  if (dims[0] < (hsize_t)row + 1) {
    dims[0] = (hsize_t)row + 1;
    H5CALL(H5Dset_extent(ds, dims), name);
  }
  fs = H5Dget_space(ds);
  if (field) {
    hsize_t start[2] = {(hsize_t)row, h->start[1]}, count[2] = {1, h->count[1]}, stride[2] = {1, h->stride[1]}, block[2] = {1, h->block[1]};
    H5CALL(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, stride, count, block), name);
    ms = H5Scopy(h->memspace_pts);
  } else {
    hsize_t start = (hsize_t)row, one = 1;
    ms = H5Screate_simple(1, &one, NULL);
    if (fk->rank == 0) H5CALL(H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &one, NULL), name);
    else {
      H5Sselect_none(fs);
      H5Sselect_none(ms);
    }
  }
  xp = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(xp, H5FD_MPIO_COLLECTIVE);
  H5CALL(H5Dwrite(ds, H5T_NATIVE_DOUBLE, ms, fs, xp, buf), name);
  H5Pclose(xp);
  H5Sclose(ms);
  H5Sclose(fs);
  PetscCall(PetscLogEventEnd(fk->log.io, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkIOAppendField(Fhnk fk, const char *name, PetscInt row, const PetscReal *local)
{
  PetscFunctionBeginUser;
  PetscCall(Append(fk, name, row, local, PETSC_TRUE));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkIOAppendScalar(Fhnk fk, const char *name, PetscInt row, PetscReal value)
{
  PetscFunctionBeginUser;
  PetscCall(Append(fk, name, row, &value, PETSC_FALSE));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkIOFlush(Fhnk fk)
{
  FhnkH5 *h = (FhnkH5 *)fk->h5;
  PetscFunctionBeginUser;
  if (h) H5CALL(H5Fflush(h->file, H5F_SCOPE_GLOBAL), "flush diagnostics");
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkIOClose(Fhnk fk)
{
  FhnkH5 *h = (FhnkH5 *)fk->h5;
  PetscFunctionBeginUser;
  if (!h) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < h->nds; k++) H5Dclose(h->ds[k]);
  H5Sclose(h->memspace_pts);
  H5Fclose(h->file);
  PetscCall(PetscFree(h));
  fk->h5 = NULL;
  PetscFunctionReturn(0);
}
