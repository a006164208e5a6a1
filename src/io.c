/* DIR/diagnostics.h5 with parallel HDF5 (MPI-IO, collective), DIR/diagnostics.xmf, and the HDF5
   helpers of the checkpoints. Every rank writes the hyperslab of its own points of K in natural
   order: a DMDA block is a strided rectangle of the natural numbering, selected without a gather.
   See io.h for what makes the file survive a kill at any moment. */
#include "io.h"
#include "outdir.h"
#include "options.h"
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <errno.h>
#include <unistd.h>

#define H5CALL(call, what) PetscCall(FhnkH5Check(fk, (herr_t)(call), what))

void FhnkIOReason(const char *path, char *buf, size_t n)
{
  char           dir[PETSC_MAX_PATH_LEN], *slash;
  struct statvfs sv;
  snprintf(dir, sizeof(dir), "%s", path);
  slash = strrchr(dir, '/');
  if (slash && slash != dir) *slash = 0;
  else if (!slash) snprintf(dir, sizeof(dir), ".");
  if (!statvfs(dir, &sv) && (double)sv.f_bavail * (double)sv.f_frsize < 4.0 * 1024 * 1024) snprintf(buf, n, "no space left on the device");
  else if (!statvfs(dir, &sv) && (sv.f_flag & ST_RDONLY)) snprintf(buf, n, "read-only file system");
  else if (access(dir, W_OK)) snprintf(buf, n, "%s", strerror(errno));
  else snprintf(buf, n, "an I/O error (is the device full or gone?)");
}

PetscErrorCode FhnkH5Check(Fhnk fk, herr_t status, const char *what)
{
  PetscFunctionBeginUser;
  if (status < 0) {
    char path[PETSC_MAX_PATH_LEN], why[256];
    PetscCall(FhnkOutPath(fk, "diagnostics.h5", path, sizeof(path)));
    FhnkIOReason(path, why, sizeof(why));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "writing %s (%s) failed: %s", path, what, why);
  }
  PetscFunctionReturn(0);
}

hid_t FhnkH5Fapl(Fhnk fk, PetscBool parallel)
{
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (parallel) {
    H5Pset_fapl_mpio(fapl, fk->comm, MPI_INFO_NULL);
    H5Pset_coll_metadata_write(fapl, 1);
  }
  /* the 1.10 format: checksummed metadata, extensible-array chunk index for appended series */
  H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
  return fapl;
}

void FhnkLocalRows(Fhnk fk, hsize_t *start, hsize_t *stride, hsize_t *count, hsize_t *block)
{
  PetscInt xs, ys, xm, ym;
  DMDAGetCorners(fk->da, &xs, &ys, NULL, &xm, &ym, NULL);
  if (fk->space.dim == 1) {
    ys = 0;
    ym = 1;
  }
  /* natural index ix + nx iy: ym runs of xm consecutive points, nx apart */
  *start  = (hsize_t)(ys * fk->space.nx + xs);
  *stride = (hsize_t)fk->space.nx;
  *count  = (hsize_t)ym;
  *block  = (hsize_t)xm;
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
PetscErrorCode FhnkAttrReal(Fhnk fk, hid_t obj, const char *name, PetscInt n, const PetscReal *v)
{
  hsize_t dims = (hsize_t)n;
  PetscFunctionBeginUser;
  PetscCall(WriteAttr(fk, obj, name, H5T_NATIVE_DOUBLE, H5Screate_simple(1, &dims, NULL), v));
  PetscFunctionReturn(0);
}
PetscErrorCode FhnkAttrInt(Fhnk fk, hid_t obj, const char *name, PetscInt v)
{
  hsize_t   dims = 1;
  long long x    = v;
  PetscFunctionBeginUser;
  PetscCall(WriteAttr(fk, obj, name, H5T_NATIVE_LLONG, H5Screate_simple(1, &dims, NULL), &x));
  PetscFunctionReturn(0);
}
PetscErrorCode FhnkAttrStr(Fhnk fk, hid_t obj, const char *name, const char *s)
{
  hid_t ty = H5Tcopy(H5T_C_S1);
  PetscFunctionBeginUser;
  H5Tset_size(ty, strlen(s) + 1);
  PetscCall(WriteAttr(fk, obj, name, ty, H5Screate(H5S_SCALAR), s));
  H5Tclose(ty);
  PetscFunctionReturn(0);
}

int FhnkReadAttrReal(hid_t f, const char *name, PetscReal *v, PetscInt nmax, PetscInt *n)
{
  hid_t    a, s;
  hssize_t np;
  if (H5Aexists(f, name) <= 0) return -1;
  a = H5Aopen(f, name, H5P_DEFAULT);
  if (a < 0) return -1;
  s  = H5Aget_space(a);
  np = H5Sget_simple_extent_npoints(s);
  H5Sclose(s);
  if (np < 1 || np > nmax || H5Aread(a, H5T_NATIVE_DOUBLE, v) < 0) {
    H5Aclose(a);
    return -1;
  }
  H5Aclose(a);
  if (n) *n = (PetscInt)np;
  return 0;
}
int FhnkReadAttrStr(hid_t f, const char *name, char *buf, size_t n)
{
  hid_t  a, t, m;
  size_t sz;
  if (H5Aexists(f, name) <= 0) return -1;
  a = H5Aopen(f, name, H5P_DEFAULT);
  if (a < 0) return -1;
  t  = H5Aget_type(a);
  sz = H5Tget_size(t);
  if (H5Tget_class(t) != H5T_STRING || sz >= n) {
    H5Tclose(t);
    H5Aclose(a);
    return -1;
  }
  m = H5Tcopy(H5T_C_S1);
  H5Tset_size(m, sz);
  if (H5Aread(a, m, buf) < 0) {
    H5Tclose(m);
    H5Tclose(t);
    H5Aclose(a);
    return -1;
  }
  buf[sz] = 0;
  H5Tclose(m);
  H5Tclose(t);
  H5Aclose(a);
  return 0;
}

PetscErrorCode FhnkWriteAttributes(Fhnk fk, hid_t o)
{
  const FhnkSpace *sp = &fk->space;
  const FhnkPhase *ph = &fk->ph;
  PetscFunctionBeginUser;
  PetscCall(FhnkAttrReal(fk, o, "eps", 1, &fk->model.eps));
  PetscCall(FhnkAttrReal(fk, o, "N_coeffs", fk->model.nN, fk->model.N));
  PetscCall(FhnkAttrReal(fk, o, "fhn_a", 1, &fk->model.a));
  PetscCall(FhnkAttrReal(fk, o, "fhn_b", 1, &fk->model.b));
  PetscCall(FhnkAttrReal(fk, o, "fhn_c", 1, &fk->model.c));
  PetscCall(FhnkAttrStr(fk, o, "psi_type", sp->psi_type));
  PetscCall(FhnkAttrReal(fk, o, "psi_J", 1, &sp->psi_J));
  PetscCall(FhnkAttrReal(fk, o, "psi_sigma", 1, &sp->psi_sigma));
  PetscCall(FhnkAttrInt(fk, o, "psi_periodic", sp->psi_periodic));
  PetscCall(FhnkAttrReal(fk, o, "psi_grade", 1, &sp->psi_grade));
  PetscCall(FhnkAttrStr(fk, o, "psi_method", fk->cpl.used[0] ? fk->cpl.used : fk->cpl.method));
  {
    const FhnkStim *st = &fk->stim;
    PetscCall(FhnkAttrInt(fk, o, "stim_n", st->n));
    if (st->n) {
      char      shapes[FHNK_MAX_STIM * 17] = "";
      PetscReal cnt[FHNK_MAX_STIM];
      for (PetscInt k = 0; k < st->n; k++) {
        if (k) PetscCall(PetscStrlcat(shapes, ",", sizeof(shapes)));
        PetscCall(PetscStrlcat(shapes, st->shape[k], sizeof(shapes)));
        cnt[k] = (PetscReal)st->count[k];
      }
      PetscCall(FhnkAttrStr(fk, o, "stim_shape", shapes));
      PetscCall(FhnkAttrReal(fk, o, "stim_amp", st->n, st->amp));
      PetscCall(FhnkAttrReal(fk, o, "stim_x", st->n, st->x));
      PetscCall(FhnkAttrReal(fk, o, "stim_y", st->n, st->y));
      PetscCall(FhnkAttrReal(fk, o, "stim_radius", st->n, st->r));
      PetscCall(FhnkAttrReal(fk, o, "stim_radius_y", st->n, st->ry));
      PetscCall(FhnkAttrReal(fk, o, "stim_onset", st->n, st->onset));
      PetscCall(FhnkAttrReal(fk, o, "stim_duration", st->n, st->duration));
      PetscCall(FhnkAttrReal(fk, o, "stim_period", st->n, st->period));
      PetscCall(FhnkAttrReal(fk, o, "stim_count", st->n, cnt));
    }
  }
  PetscCall(FhnkAttrInt(fk, o, "dim", sp->dim));
  PetscCall(FhnkAttrInt(fk, o, "nx", sp->nx));
  PetscCall(FhnkAttrInt(fk, o, "ny", sp->dim == 2 ? sp->ny : 1));
  PetscCall(FhnkAttrReal(fk, o, "Lx", 1, &sp->Lx));
  PetscCall(FhnkAttrReal(fk, o, "Ly", 1, &sp->Ly));
  PetscCall(FhnkAttrStr(fk, o, "rho0_type", sp->rho0_type));
  PetscCall(FhnkAttrReal(fk, o, "rho0_amp", 1, &sp->rho0_amp));
  PetscCall(FhnkAttrInt(fk, o, "nv", ph->nv));
  PetscCall(FhnkAttrInt(fk, o, "nw", ph->nw));
  PetscCall(FhnkAttrReal(fk, o, "vmin", 1, &ph->vmin));
  PetscCall(FhnkAttrReal(fk, o, "vmax", 1, &ph->vmax));
  PetscCall(FhnkAttrReal(fk, o, "wmin", 1, &ph->wmin));
  PetscCall(FhnkAttrReal(fk, o, "wmax", 1, &ph->wmax));
  PetscCall(FhnkAttrStr(fk, o, "init", fk->init.type));
  PetscCall(FhnkAttrReal(fk, o, "init_V0", 1, &fk->init.V0));
  PetscCall(FhnkAttrReal(fk, o, "init_V0_amp", 1, &fk->init.V0amp));
  PetscCall(FhnkAttrReal(fk, o, "init_W0", 1, &fk->init.W0));
  PetscCall(FhnkAttrReal(fk, o, "init_W0_amp", 1, &fk->init.W0amp));
  PetscCall(FhnkAttrReal(fk, o, "init_kick", 1, &fk->init.kick));
  PetscCall(FhnkAttrReal(fk, o, "init_kick_x", 1, &fk->init.kick_x));
  PetscCall(FhnkAttrReal(fk, o, "init_kick_width", 1, &fk->init.kick_width));
  PetscCall(FhnkAttrReal(fk, o, "init_var_v", 1, &fk->init.var_v));
  PetscCall(FhnkAttrReal(fk, o, "init_var_w", 1, &fk->init.var_w));
  PetscCall(FhnkAttrStr(fk, o, "model", fk->modeltype));
  PetscCall(FhnkAttrReal(fk, o, "hopfcole_R", 1, &fk->hopfcole_R));
  PetscCall(FhnkAttrReal(fk, o, "hopfcole_floor", 1, &fk->hopfcole_floor));
  PetscCall(FhnkAttrReal(fk, o, "dt", 1, &fk->dt));
  PetscCall(FhnkAttrReal(fk, o, "T", 1, &fk->T));
  {
    TSType type;
    PetscCall(TSGetType(fk->ts, &type));
    PetscCall(FhnkAttrStr(fk, o, "ts_type", type));
  }
  PetscCall(FhnkAttrStr(fk, o, "version", FHNK_VERSION " (" FHNK_GIT_VERSION ")"));
  PetscCall(FhnkAttrStr(fk, o, "run_id", fk->out.run_id));
  PetscCall(FhnkAttrInt(fk, o, "ranks", fk->size));
  if (fk->kind == FHNK_MODEL_NETWORK) {
    PetscCall(FhnkAttrInt(fk, o, "network_m", (PetscInt)fk->net.m));
    PetscCall(FhnkAttrInt(fk, o, "network_seed", (PetscInt)fk->net.seed));
    PetscCall(FhnkAttrInt(fk, o, "network_neurons", (PetscInt)fk->net.ntotal));
  }
  PetscFunctionReturn(0);
}


static PetscErrorCode Reserve(Fhnk, hid_t, const char *, double);

/* --------------------------------------------------------------------------------------------
   The series */
static const char *const fields_kinetic[]  = {"V", "W", "D2", "Svw", "Sww", "E", "limit/V", "limit/W", "coupling/Q", NULL};
static const char *const scalars_kinetic[] = {"time", "mass", "fmin", "hopfcole/H", "hopfcole/excluded", NULL};
static const char *const fields_limit[]    = {"V", "W", "limit/V", "limit/W", "coupling/Q", NULL};
static const char *const scalars_limit[]   = {"time", NULL};
static const char *const fields_network[]  = {"V", "W", "D2", "Svw", "Sww", "E", "limit/V", "limit/W", "coupling/Q", NULL};
static const char *const scalars_network[] = {"time", "mass", NULL};

PetscErrorCode FhnkIOSeries(Fhnk fk, const char *const **fields, const char *const **scalars)
{
  PetscFunctionBeginUser;
  *fields  = fk->kind == FHNK_MODEL_KINETIC ? fields_kinetic : (fk->kind == FHNK_MODEL_NETWORK ? fields_network : fields_limit);
  *scalars = fk->kind == FHNK_MODEL_KINETIC ? scalars_kinetic : (fk->kind == FHNK_MODEL_NETWORK ? scalars_network : scalars_limit);
  PetscFunctionReturn(0);
}

/* every series name of this run (fields, moments, scalars), with whether it is a field */
static PetscErrorCode AllSeries(Fhnk fk, PetscInt *n, char names[][64], PetscBool *field)
{
  const char *const *fl, *const *sl;
  PetscFunctionBeginUser;
  PetscCall(FhnkIOSeries(fk, &fl, &sl));
  *n = 0;
  for (const char *const *s = fl; *s; s++, (*n)++) {
    PetscCall(PetscStrncpy(names[*n], *s, 64));
    field[*n] = PETSC_TRUE;
  }
  if (fk->kind == FHNK_MODEL_KINETIC)
    for (PetscInt iq = 0; iq < fk->nq; iq++) {
      snprintf(names[*n], 64, "moments/D%g", (double)fk->q[iq]);
      field[(*n)++] = PETSC_TRUE;
      snprintf(names[*n], 64, "moments/M%g", (double)fk->q[iq]);
      field[(*n)++] = PETSC_TRUE;
    }
  for (const char *const *s = sl; *s; s++, (*n)++) {
    PetscCall(PetscStrncpy(names[*n], *s, 64));
    field[*n] = PETSC_FALSE;
  }
  PetscFunctionReturn(0);
}

static hid_t LinkCreateIntermediate(void)
{
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  return lcpl;
}

/* an appendable series: [0 x npts] (field) or [0] (scalar), one row per chunk (appending a row
   writes only new chunks) */
static PetscErrorCode CreateSeries(Fhnk fk, hid_t file, const char *name, PetscBool field)
{
  hsize_t dims[2] = {0, (hsize_t)fk->space.npts}, maxd[2] = {H5S_UNLIMITED, (hsize_t)fk->space.npts};
  hsize_t chunk[2] = {1, (hsize_t)fk->space.npts};
  hid_t   sp, pl, ds, lcpl;
  PetscFunctionBeginUser;
  sp   = H5Screate_simple(field ? 2 : 1, dims, maxd);
  pl   = H5Pcreate(H5P_DATASET_CREATE);
  lcpl = LinkCreateIntermediate();
  H5CALL(H5Pset_chunk(pl, field ? 2 : 1, chunk), name);
  ds = H5Dcreate2(file, name, H5T_NATIVE_DOUBLE, sp, lcpl, pl, H5P_DEFAULT);
  H5CALL(ds, name);
  H5Dclose(ds);
  H5Pclose(lcpl);
  H5Pclose(pl);
  H5Sclose(sp);
  PetscFunctionReturn(0);
}

/* a fixed [npts x ncol] (or [npts]) dataset of the local rows */
static PetscErrorCode WriteStatic(Fhnk fk, const char *name, PetscInt ncol, PetscBool matrix, const PetscReal *local)
{
  FhnkH5 *h       = (FhnkH5 *)fk->h5;
  hsize_t dims[2] = {(hsize_t)fk->space.npts, (hsize_t)ncol}, mdims[2] = {(hsize_t)fk->nloc, (hsize_t)ncol};
  hsize_t start[2] = {h->start, 0}, count[2] = {h->count, 1}, stride[2] = {h->stride, 1}, block[2] = {h->block, (hsize_t)ncol};
  hid_t   fs, ms, ds, xp, lcpl = LinkCreateIntermediate();
  int     rank = matrix ? 2 : 1;
  PetscFunctionBeginUser;
  fs = H5Screate_simple(rank, dims, NULL);
  ds = H5Dcreate2(h->file, name, H5T_NATIVE_DOUBLE, fs, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5CALL(ds, name);
  H5CALL(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, stride, count, block), name);
  ms = H5Screate_simple(rank, mdims, NULL);
  xp = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(xp, H5FD_MPIO_COLLECTIVE);
  H5CALL(H5Dwrite(ds, H5T_NATIVE_DOUBLE, ms, fs, xp, local), name);
  H5Pclose(xp);
  H5Pclose(lcpl);
  H5Sclose(ms);
  H5Sclose(fs);
  H5Dclose(ds);
  PetscFunctionReturn(0);
}

/* --------------------------------------------------------------------------------------------
   XDMF. The grid of K as cells (quadrilaterals in 2-D, segments in 1-D) whose centres are the
   points of K; the fields are cell data. Each sample gets a virtual dataset per field,
   /xdmf/<field>/<row> = row of /<field> (no copy), because XDMF readers (meshio, ParaView) want
   one dataset per time. */
static const char *XdmfGroup(const char *field, char *buf, size_t n)
{
  snprintf(buf, n, "%.63s", field);
  for (char *c = buf; *c; c++)
    if (*c == '/') *c = '_';
  return buf;
}

/* the fields shown in ParaView: every series over K (with the moments), not the scalars */
static PetscInt XdmfFields(Fhnk fk, char names[][64])
{
  PetscBool field[64];
  PetscInt  n = 0, k = 0;
  if (AllSeries(fk, &n, names, field)) return 0;
  for (PetscInt i = 0; i < n; i++)
    if (field[i]) memmove(names[k++], names[i], 64);
  return k;
}

static PetscErrorCode XdmfStatic(Fhnk fk)
{
  FhnkH5        *h  = (FhnkH5 *)fk->h5;
  const PetscInt nx = fk->space.nx, ny = fk->space.dim == 2 ? fk->space.ny : 1, dim = fk->space.dim;
  const PetscInt nn = (nx + 1) * (dim == 2 ? ny + 1 : 1), nc = nx * ny, nper = dim == 2 ? 4 : 2;
  const PetscReal hx = fk->space.Lx / nx, hy = dim == 2 ? fk->space.Ly / ny : 0;
  hid_t          lcpl = LinkCreateIntermediate(), xp = H5Pcreate(H5P_DATASET_XFER);
  PetscFunctionBeginUser;
  H5Pset_dxpl_mpio(xp, H5FD_MPIO_COLLECTIVE);
  for (PetscInt which = 0; which < 2; which++) { /* nodes, cells: contiguous blocks of rows per rank */
    const PetscInt N = which ? nc : nn, r0 = N * fk->rank / fk->size, r1 = N * (fk->rank + 1) / fk->size, ncol = which ? nper : 2;
    hsize_t        dims[2] = {(hsize_t)N, (hsize_t)ncol}, start[2] = {(hsize_t)r0, 0}, cnt[2] = {(hsize_t)(r1 - r0), (hsize_t)ncol};
    hid_t          fs = H5Screate_simple(2, dims, NULL), ms = H5Screate_simple(2, cnt, NULL), ds;
    void          *buf;
    ds = H5Dcreate2(h->file, which ? "xdmf/cells" : "xdmf/nodes", which ? H5T_NATIVE_INT : H5T_NATIVE_DOUBLE, fs, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5CALL(ds, "xdmf grid");
    H5CALL(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL), "xdmf grid");
    if (which) {
      int *c;
      PetscCall(PetscMalloc1(PetscMax(1, (r1 - r0) * ncol), &c));
      for (PetscInt k = r0; k < r1; k++) {
        const PetscInt i = k % nx, j = k / nx, n0 = dim == 2 ? i + (nx + 1) * j : i;
        int           *e = c + (k - r0) * ncol;
        e[0]             = (int)n0;
        e[1]             = (int)(n0 + 1);
        if (dim == 2) {
          e[2] = (int)(n0 + 1 + nx + 1);
          e[3] = (int)(n0 + nx + 1);
        }
      }
      buf = c;
    } else {
      PetscReal *x;
      PetscCall(PetscMalloc1(PetscMax(1, (r1 - r0) * 2), &x));
      for (PetscInt k = r0; k < r1; k++) {
        x[2 * (k - r0)]     = (k % (nx + 1)) * hx;
        x[2 * (k - r0) + 1] = dim == 2 ? (k / (nx + 1)) * hy : 0;
      }
      buf = x;
    }
    H5CALL(H5Dwrite(ds, which ? H5T_NATIVE_INT : H5T_NATIVE_DOUBLE, ms, fs, xp, buf), "xdmf grid");
    PetscCall(PetscFree(buf));
    H5Dclose(ds);
    H5Sclose(ms);
    H5Sclose(fs);
  }
  H5Pclose(xp);
  H5Pclose(lcpl);
  PetscFunctionReturn(0);
}

/* the views of rows [r0, r1) in DIR/diagnostics-xdmf.h5 (rank 0, serial): /<field>/<row> is a
   virtual dataset = row <row> of /<field> of diagnostics.h5 (no data is copied); < 0 on failure */
static herr_t RowViews(Fhnk fk, hid_t file, PetscInt r0, PetscInt r1)
{
  char          fl[64][64];
  const PetscInt nf   = XdmfFields(fk, fl);
  const hsize_t  npts = (hsize_t)fk->space.npts;
  hid_t          vsp = H5Screate_simple(1, &npts, NULL), lcpl = LinkCreateIntermediate();
  herr_t         st  = 0;
  for (PetscInt i = 0; i < nf && st >= 0; i++) {
    const char *f = fl[i];
    char        g[64], src[70];
    hsize_t dims[2] = {(hsize_t)r1, npts}, maxd[2] = {H5S_UNLIMITED, npts};
    hid_t   ssp = H5Screate_simple(2, dims, maxd);
    XdmfGroup(f, g, sizeof(g));
    snprintf(src, sizeof(src), "/%.63s", f);
    for (PetscInt row = r0; row < r1 && st >= 0; row++) {
      char    name[96];
      hsize_t s0[2] = {(hsize_t)row, 0}, cnt[2] = {1, npts};
      hid_t   dcpl = H5Pcreate(H5P_DATASET_CREATE), ds;
      snprintf(name, sizeof(name), "%s/%06d", g, (int)row);
      if (H5Sselect_hyperslab(ssp, H5S_SELECT_SET, s0, NULL, cnt, NULL) < 0 || H5Pset_virtual(dcpl, vsp, "diagnostics.h5", src, ssp) < 0) st = -1;
      if (st >= 0 && H5Lexists(file, g, H5P_DEFAULT) > 0 && H5Lexists(file, name, H5P_DEFAULT) > 0) st = H5Ldelete(file, name, H5P_DEFAULT);
      if (st >= 0) {
        ds = H5Dcreate2(file, name, H5T_NATIVE_DOUBLE, vsp, lcpl, dcpl, H5P_DEFAULT);
        if (ds < 0) st = -1;
        else H5Dclose(ds);
      }
      H5Pclose(dcpl);
    }
    H5Sclose(ssp);
  }
  H5Pclose(lcpl);
  H5Sclose(vsp);
  return st;
}

/* rank 0: open (or make) DIR/diagnostics-xdmf.h5 with the views of the first nt rows. It holds no
   data, only views: when it is missing or unreadable (a kill while it was written) it is made
   again. A failure here never stops the run: the XDMF view is then out of date (warned once). */
static PetscErrorCode ViewsOpen(Fhnk fk, PetscBool fresh)
{
  FhnkH5 *h = (FhnkH5 *)fk->h5;
  char    path[PETSC_MAX_PATH_LEN];
  PetscFunctionBeginUser;
  h->views = -1;
  if (fk->rank) PetscFunctionReturn(0);
  PetscCall(FhnkOutPath(fk, "diagnostics-xdmf.h5", path, sizeof(path)));
  if (!fresh && access(path, F_OK) == 0) {
    h->views = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (h->views >= 0 && fk->nt > 0) { /* every view of the rows kept must be there */
      char           last[96], g[64], fl[64][64];
      PetscBool      all = PETSC_TRUE;
      const PetscInt nf  = XdmfFields(fk, fl);
      for (PetscInt i = 0; i < nf && all; i++) {
        XdmfGroup(fl[i], g, sizeof(g));
        snprintf(last, sizeof(last), "%s/%06d", g, (int)fk->nt - 1);
        all = (PetscBool)(H5Lexists(h->views, g, H5P_DEFAULT) > 0 && H5Lexists(h->views, last, H5P_DEFAULT) > 0);
      }
      if (!all) {
        H5Fclose(h->views);
        h->views = -1;
      }
    }
  }
  if (h->views < 0) {
    hid_t fapl = FhnkH5Fapl(fk, PETSC_FALSE);
    h->views   = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (h->views < 0 || RowViews(fk, h->views, 0, fk->nt) < 0) fk->out.xdmf_broken = PETSC_TRUE;
  }
  if (h->views >= 0) H5Fflush(h->views, H5F_SCOPE_LOCAL);
  PetscFunctionReturn(0);
}

static PetscErrorCode XdmfRow(Fhnk fk, PetscInt row)
{
  FhnkH5 *h = (FhnkH5 *)fk->h5;
  PetscFunctionBeginUser;
  if (fk->rank || h->views < 0 || fk->out.xdmf_broken) PetscFunctionReturn(0);
  if (RowViews(fk, h->views, row, row + 1) < 0 || H5Fflush(h->views, H5F_SCOPE_LOCAL) < 0) fk->out.xdmf_broken = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* one <Grid> of the temporal collection */
static void XdmfStep(Fhnk fk, FILE *fp, PetscInt row, PetscReal t)
{
  char           fl[64][64];
  const PetscInt nf = XdmfFields(fk, fl);
  const long     nc = (long)fk->space.npts;
  fprintf(fp, "      <Grid Name=\"t%06d\" GridType=\"Uniform\">\n        <xi:include xpointer=\"xpointer(//Grid[@Name=&quot;K&quot;]/*[self::Topology or self::Geometry])\" />\n        <Time Value=\"%.17g\" />\n", (int)row, (double)t);
  for (PetscInt i = 0; i < nf; i++) {
    char g[64];
    XdmfGroup(fl[i], g, sizeof(g));
    fprintf(fp, "        <Attribute Name=\"%s\" AttributeType=\"Scalar\" Center=\"Cell\">\n          <DataItem DataType=\"Float\" Precision=\"8\" Dimensions=\"%ld\" Format=\"HDF\">diagnostics-xdmf.h5:/%s/%06d</DataItem>\n        </Attribute>\n", g, nc, g, (int)row);
  }
  fprintf(fp, "      </Grid>\n");
}
static const char xdmf_footer[] = "    </Grid>\n  </Domain>\n</Xdmf>\n";

/* rank 0: the whole file (creation, restart): written to a temporary and renamed */
static PetscErrorCode XdmfWriteAll(Fhnk fk)
{
  FhnkH5        *h = (FhnkH5 *)fk->h5;
  const PetscInt nx = fk->space.nx, ny = fk->space.dim == 2 ? fk->space.ny : 1, dim = fk->space.dim;
  char           tmp[PETSC_MAX_PATH_LEN], fin[PETSC_MAX_PATH_LEN];
  FILE          *fp;
  PetscFunctionBeginUser;
  if (fk->rank) PetscFunctionReturn(0);
  PetscCall(FhnkOutTmpPath(fk, "diagnostics.xmf", tmp, sizeof(tmp)));
  PetscCall(FhnkOutPath(fk, "diagnostics.xmf", fin, sizeof(fin)));
  fp = fopen(tmp, "w");
  if (!fp) {
    fk->out.xdmf_broken = PETSC_TRUE;
    PetscFunctionReturn(0);
  }
  fprintf(fp, "<?xml version=\"1.0\"?>\n<!-- fhnk %s, run %s: the fields of diagnostics.h5 on the cells of K (cell centres = points of K) -->\n", FHNK_VERSION, fk->out.run_id);
  fprintf(fp, "<Xdmf Version=\"3.0\" xmlns:xi=\"http://www.w3.org/2003/XInclude\">\n  <Domain>\n");
  fprintf(fp, "    <Grid Name=\"K\" GridType=\"Uniform\">\n      <Geometry GeometryType=\"XY\">\n        <DataItem DataType=\"Float\" Precision=\"8\" Dimensions=\"%ld 2\" Format=\"HDF\">diagnostics.h5:/xdmf/nodes</DataItem>\n      </Geometry>\n", (long)((nx + 1) * (dim == 2 ? ny + 1 : 1)));
  fprintf(fp, "      <Topology TopologyType=\"%s\" NumberOfElements=\"%ld\"%s>\n        <DataItem DataType=\"Int\" Precision=\"4\" Dimensions=\"%ld %d\" Format=\"HDF\">diagnostics.h5:/xdmf/cells</DataItem>\n      </Topology>\n    </Grid>\n", dim == 2 ? "Quadrilateral" : "Polyline", (long)(nx * ny), dim == 2 ? "" : " NodesPerElement=\"2\"", (long)(nx * ny), dim == 2 ? 4 : 2);
  fprintf(fp, "    <Grid Name=\"fhnk\" GridType=\"Collection\" CollectionType=\"Temporal\">\n");
  for (PetscInt r = 0; r < fk->nt; r++) XdmfStep(fk, fp, r, h->times[r]);
  fputs(xdmf_footer, fp);
  if (fclose(fp) || rename(tmp, fin)) {
    (void)unlink(tmp);
    fk->out.xdmf_broken = PETSC_TRUE;
  }
  PetscFunctionReturn(0);
}

/* rank 0: one more step, written over the footer (the file is a derived view: a restart rewrites it) */
static PetscErrorCode XdmfAppend(Fhnk fk, PetscInt row)
{
  FhnkH5 *h = (FhnkH5 *)fk->h5;
  char    fin[PETSC_MAX_PATH_LEN];
  FILE   *fp;
  PetscFunctionBeginUser;
  if (fk->rank || fk->out.xdmf_broken) PetscFunctionReturn(0);
  PetscCall(FhnkOutPath(fk, "diagnostics.xmf", fin, sizeof(fin)));
  fp = fopen(fin, "r+");
  if (!fp || fseek(fp, -(long)strlen(xdmf_footer), SEEK_END)) {
    if (fp) fclose(fp);
    PetscCall(XdmfWriteAll(fk));
    PetscFunctionReturn(0);
  }
  XdmfStep(fk, fp, row, h->times[row]);
  fputs(xdmf_footer, fp);
  if (fclose(fp)) fk->out.xdmf_broken = PETSC_TRUE;
  PetscFunctionReturn(0);
}

static PetscErrorCode KeepTime(Fhnk fk, PetscInt row, PetscReal t)
{
  FhnkH5 *h = (FhnkH5 *)fk->h5;
  PetscFunctionBeginUser;
  if (row >= h->ntcap) {
    PetscInt   cap = PetscMax(64, 2 * (row + 1));
    PetscReal *n;
    PetscCall(PetscCalloc1(cap, &n));
    if (h->times) PetscCall(PetscArraycpy(n, h->times, h->ntcap));
    PetscCall(PetscFree(h->times));
    h->times = n;
    h->ntcap = cap;
  }
  h->times[row] = t;
  PetscFunctionReturn(0);
}

/* --------------------------------------------------------------------------------------------
   Opening */
static PetscErrorCode H5Setup(Fhnk fk)
{
  FhnkH5 *h;
  PetscFunctionBeginUser;
  PetscCall(PetscNew(&h));
  fk->h5 = h;
  FhnkLocalRows(fk, &h->start, &h->stride, &h->count, &h->block);
  {
    hsize_t n       = (hsize_t)fk->nloc;
    h->memspace_pts = H5Screate_simple(1, &n, NULL);
  }
  h->last_flush = MPI_Wtime();
  h->views      = -1;
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkIOCreate(Fhnk fk)
{
  FhnkH5   *h;
  char      path[PETSC_MAX_PATH_LEN];
  hid_t     fapl;
  PetscInt  n;
  char      names[64][64];
  PetscBool field[64];
  PetscFunctionBeginUser;
  PetscCall(H5Setup(fk));
  h = (FhnkH5 *)fk->h5;
  PetscCall(FhnkOutPath(fk, "diagnostics.h5", path, sizeof(path)));
  fapl    = FhnkH5Fapl(fk, PETSC_TRUE);
  h->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  H5Pclose(fapl);
  H5CALL(h->file, "create");
  PetscCall(Reserve(fk, h->file, path, 8.0 * (fk->space.npts * (fk->space.dim + 12.0)) + 65536));
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
    if (fk->kind == FHNK_MODEL_NETWORK) { /* neurons per column */
      PetscReal *nk;
      PetscCall(PetscMalloc1(fk->nloc, &nk));
      for (PetscInt p = 0; p < fk->nloc; p++) nk[p] = (PetscReal)(fk->net.offset[p + 1] - fk->net.offset[p]);
      PetscCall(WriteStatic(fk, "network/n", 1, PETSC_FALSE, nk));
      PetscCall(PetscFree(nk));
    }
  }
  PetscCall(XdmfStatic(fk));
  PetscCall(AllSeries(fk, &n, names, field));
  for (PetscInt k = 0; k < n; k++) PetscCall(CreateSeries(fk, h->file, names[k], field[k]));
  fk->nt = 0;
  H5CALL(H5Fflush(h->file, H5F_SCOPE_GLOBAL), "flush");
  PetscCall(ViewsOpen(fk, PETSC_TRUE));
  PetscCall(XdmfWriteAll(fk));
  PetscFunctionReturn(0);
}

/* rank 0, read-only: can `path` give the first nt rows of every series of this run? */
static PetscErrorCode SeriesUsable(Fhnk fk, const char *path, PetscBool *exists, char *msg, size_t nmsg)
{
  char      id[FHNK_RUNID_LEN], why[200];
  PetscBool readable;
  PetscInt  n;
  char      names[64][64];
  PetscBool field[64];
  PetscFunctionBeginUser;
  msg[0] = 0;
  PetscCall(FhnkFileRunId(path, exists, &readable, id, why, sizeof(why)));
  if (!*exists) PetscFunctionReturn(0);
  if (!readable) {
    snprintf(msg, nmsg, "%.700s: %s", path, why);
    PetscFunctionReturn(0);
  }
  if (strcmp(id, fk->out.run_id)) {
    snprintf(msg, nmsg, "%.700s holds the series of another run (run %.8s), not of the checkpoint's run (%.8s)", path, id, fk->out.run_id);
    PetscFunctionReturn(0);
  }
  PetscCall(AllSeries(fk, &n, names, field));
  {
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    for (PetscInt k = 0; k < n && !msg[0]; k++) {
      hid_t   d;
      hsize_t dims[2] = {0, 0};
      if (H5Lexists(f, names[k], H5P_DEFAULT) <= 0 || (d = H5Dopen2(f, names[k], H5P_DEFAULT)) < 0) {
        if (!strncmp(names[k], "moments/", 8)) snprintf(msg, nmsg, "-moments_q: /%.60s was not part of the run being continued (%.600s)", names[k], path);
        else snprintf(msg, nmsg, "%.700s has no readable /%.60s", path, names[k]);
        break;
      }
      {
        hid_t sp = H5Dget_space(d);
        H5Sget_simple_extent_dims(sp, dims, NULL);
        H5Sclose(sp);
      }
      H5Dclose(d);
      if (dims[0] < (hsize_t)fk->nt) snprintf(msg, nmsg, "%.700s holds %d samples of /%.60s, fewer than the %d the checkpoint vouches for", path, (int)dims[0], names[k], (int)fk->nt);
    }
    H5Fclose(f);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkIOCheckContinue(Fhnk fk, const char *ckdir)
{
  char msg[1024] = "", note[1024] = "";
  PetscFunctionBeginUser;
  fk->out.diag_source[0] = 0;
  if (!fk->rank) {
    char      here[PETSC_MAX_PATH_LEN], there[PETSC_MAX_PATH_LEN];
    PetscBool exists;
    PetscCall(FhnkOutPath(fk, "diagnostics.h5", here, sizeof(here)));
    PetscCall(SeriesUsable(fk, here, &exists, msg, sizeof(msg)));
    if (exists && !msg[0]) PetscCall(PetscStrncpy(fk->out.diag_source, here, sizeof(fk->out.diag_source)));
    else if (exists) {
      char m2[1200];
      snprintf(m2, sizeof(m2), "-restart: %s; restart into the checkpoint's own directory, or into an -o without diagnostics.h5 (a new series then starts at the restart time)", msg);
      PetscCall(PetscStrncpy(msg, m2, sizeof(msg)));
    } else {
      char real_here[PETSC_MAX_PATH_LEN] = "", real_there[PETSC_MAX_PATH_LEN] = "";
      PetscCall(PetscSNPrintf(there, sizeof(there), "%s/diagnostics.h5", ckdir));
      if (!realpath(fk->outdir, real_here)) real_here[0] = 0;
      if (!realpath(ckdir, real_there)) real_there[0] = 0;
      if (strcmp(real_here, real_there)) {
        char m[1024];
        PetscCall(SeriesUsable(fk, there, &exists, m, sizeof(m)));
        if (exists && !m[0]) {
          PetscCall(PetscStrncpy(fk->out.diag_source, there, sizeof(fk->out.diag_source)));
          snprintf(note, sizeof(note), "fhnk: the diagnostics series continues from %.450s (its first %d samples are copied into %.450s)\n", there, (int)fk->nt, fk->outdir);
        } else if (exists) snprintf(note, sizeof(note), "fhnk: the series of the checkpoint's directory cannot be continued (%.500s): a new series starts in %.400s at the restart time\n", m, fk->outdir);
      }
      if (!fk->out.diag_source[0] && !note[0]) snprintf(note, sizeof(note), "fhnk: %.900s has no diagnostics.h5: a new series starts there at the restart time\n", fk->outdir);
    }
  }
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, fk->comm));
  PetscCallMPI(MPI_Bcast(note, sizeof(note), MPI_CHAR, 0, fk->comm));
  PetscCallMPI(MPI_Bcast(fk->out.diag_source, sizeof(fk->out.diag_source), MPI_CHAR, 0, fk->comm));
  if (msg[0]) PetscCall(FhnkBad(fk, "%s", msg));
  else if (note[0]) PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "%s", note));
  PetscFunctionReturn(0);
}

/* rank 0: copy the statics and the first nt rows of the series of src into a new file dst
   (returns 0 or an errno-like code; *times gets the nt sample times) */
static int Rebuild(Fhnk fk, const char *src, const char *dst, PetscInt nt, PetscReal *times)
{
  char      names[64][64];
  PetscBool field[64];
  PetscInt  ns;
  hid_t     in, out, fapl;
  int       bad = 0;
  const char *statics[] = {"x", "rho0", "coupling/P", "xdmf/nodes", "xdmf/cells", fk->kind == FHNK_MODEL_NETWORK ? "network/n" : NULL, NULL};
  if (AllSeries(fk, &ns, names, field)) return EIO;
  in = H5Fopen(src, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (in < 0) return EIO;
  fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_mpio(fapl, PETSC_COMM_SELF, MPI_INFO_NULL); /* as the file will be opened later: MPI-IO */
  H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
  out = H5Fcreate(dst, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  H5Pclose(fapl);
  if (out < 0) {
    H5Fclose(in);
    return errno ? errno : EIO;
  }
  if (FhnkWriteAttributes(fk, out)) bad = EIO;
  for (PetscInt k = 0; statics[k] && !bad; k++) { /* whole datasets */
    hid_t d = H5Dopen2(in, statics[k], H5P_DEFAULT), t, sp, o, lcpl = LinkCreateIntermediate();
    void *buf;
    if (d < 0) {
      bad = EIO;
      H5Pclose(lcpl);
      break;
    }
    t   = H5Dget_type(d);
    sp  = H5Dget_space(d);
    buf = malloc((size_t)H5Sget_simple_extent_npoints(sp) * H5Tget_size(t) + 1);
    o   = H5Dcreate2(out, statics[k], t, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (!buf || o < 0 || H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0 || H5Dwrite(o, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) bad = EIO;
    free(buf);
    if (o >= 0) H5Dclose(o);
    H5Pclose(lcpl);
    H5Sclose(sp);
    H5Tclose(t);
    H5Dclose(d);
  }
  for (PetscInt k = 0; k < ns && !bad; k++) { /* series: rows < nt, a row at a time */
    const hsize_t npts = field[k] ? (hsize_t)fk->space.npts : 1;
    hid_t         d    = H5Dopen2(in, names[k], H5P_DEFAULT), o;
    PetscReal    *row = NULL;
    PetscInt      nb;
    if (d < 0) {
      bad = EIO;
      break;
    }
    if (CreateSeries(fk, out, names[k], field[k])) bad = EIO;
    o = H5Dopen2(out, names[k], H5P_DEFAULT);
    if (o < 0) bad = EIO;
    if (!bad) {
      hsize_t ext[2] = {(hsize_t)nt, npts};
      if (H5Dset_extent(o, ext) < 0) bad = EIO;
    }
    /* blocks of rows of up to 16 MB */
    nb  = PetscMax(1, PetscMin(nt, (PetscInt)((16 << 20) / (8 * npts))));
    row = (PetscReal *)malloc(sizeof(PetscReal) * npts * (size_t)PetscMax(nb, 1));
    if (!row) bad = ENOMEM;
    for (PetscInt r = 0; r < nt && !bad; r += nb) {
      const PetscInt m = PetscMin(nb, nt - r);
      hsize_t        st[2] = {(hsize_t)r, 0}, cnt[2] = {(hsize_t)m, npts}, mn = (hsize_t)m * npts;
      hid_t          fs = H5Dget_space(d), os = H5Dget_space(o), ms = H5Screate_simple(1, &mn, NULL);
      if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, st, NULL, cnt, NULL) < 0 || H5Sselect_hyperslab(os, H5S_SELECT_SET, st, NULL, cnt, NULL) < 0 || H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, row) < 0 || H5Dwrite(o, H5T_NATIVE_DOUBLE, ms, os, H5P_DEFAULT, row) < 0) bad = EIO;
      if (!bad && !strcmp(names[k], "time"))
        for (PetscInt i = 0; i < m; i++) times[r + i] = row[i];
      H5Sclose(ms);
      H5Sclose(os);
      H5Sclose(fs);
    }
    free(row);
    if (o >= 0) H5Dclose(o);
    H5Dclose(d);
  }
  H5Fclose(in);
  if (H5Fclose(out) < 0) bad = bad ? bad : EIO;
  return bad;
}

PetscErrorCode FhnkIOContinue(Fhnk fk)
{
  FhnkH5 *h;
  char    path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN];
  int     err = 0;
  PetscFunctionBeginUser;
  if (!fk->out.diag_source[0]) { /* a new series at the restart time */
    PetscCall(FhnkIOCreate(fk));
    PetscFunctionReturn(0);
  }
  PetscCall(H5Setup(fk));
  h = (FhnkH5 *)fk->h5;
  PetscCall(KeepTime(fk, PetscMax(fk->nt, 1) - 1, 0));
  PetscCall(FhnkOutPath(fk, "diagnostics.h5", path, sizeof(path)));
  PetscCall(FhnkOutTmpPath(fk, "diagnostics.h5", tmp, sizeof(tmp)));
  if (!fk->rank) {
    err = Rebuild(fk, fk->out.diag_source, tmp, fk->nt, h->times);
    if (!err) PetscCall(FhnkFsyncPath(tmp, PETSC_FALSE, &err));
    if (!err && rename(tmp, path)) err = errno;
    if (!err) PetscCall(FhnkFsyncPath(fk->outdir, PETSC_TRUE, NULL));
    if (err) (void)unlink(tmp);
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, fk->comm));
  if (err) {
    char why[256];
    FhnkIOReason(path, why, sizeof(why));
    SETERRQ(fk->comm, PETSC_ERR_FILE_WRITE, "cannot continue the series of %s into %s: %s", fk->out.diag_source, path, why);
  }
  PetscCallMPI(MPI_Bcast(h->times, (PetscMPIInt)fk->nt, MPIU_REAL, 0, fk->comm));
  {
    hid_t fapl = FhnkH5Fapl(fk, PETSC_TRUE);
    h->file    = H5Fopen(path, H5F_ACC_RDWR, fapl);
    H5Pclose(fapl);
    H5CALL(h->file, "open");
  }
  PetscCall(ViewsOpen(fk, PETSC_FALSE));
  PetscCall(XdmfWriteAll(fk));
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
  PetscCheck(h->nds < 64, PETSC_COMM_SELF, PETSC_ERR_SUP, "too many diagnostic series");
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
    hsize_t start[2] = {(hsize_t)row, h->start}, count[2] = {1, h->count}, stride[2] = {1, h->stride}, block[2] = {1, h->block};
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
  if (!field && !strcmp(name, "time")) PetscCall(KeepTime(fk, row, buf[0]));
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

/* The file on disk must never be shorter than the end of allocation (EOA) its superblock records:
   HDF5 refuses to open such a file ("truncated file"). Space allocated for a sample is written
   some time after it is allocated, and the superblock may reach the disk in between (at the
   flush, or when the metadata cache writes on its own). So before every sample the file is made
   at least EOA plus twice what a sample adds (zeros; sparse on most file systems): a kill at any
   moment leaves a file that opens. */
PetscErrorCode FhnkIOReserveFile(Fhnk fk, hid_t file, const char *path, double bytes)
{
  PetscFunctionBeginUser;
  PetscCall(Reserve(fk, file, path, bytes));
  PetscFunctionReturn(0);
}

static PetscErrorCode Reserve(Fhnk fk, hid_t file, const char *path, double sample_bytes)
{
  PetscFunctionBeginUser;
  if (!fk->rank) {
    haddr_t     eoa;
    struct stat st;
    if (H5Fget_eoa(file, &eoa) >= 0 && !stat(path, &st)) {
      const double want = (double)eoa + 2 * sample_bytes + (2 << 20);
      if ((double)st.st_size < want) {
        /* extend in steps of a quarter of the file at least: few calls */
        const off_t size = (off_t)PetscMax(want, (double)st.st_size * 1.25);
        if (truncate(path, size)) { /* not fatal: only the protection is lost */ }
      }
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkIOReserve(Fhnk fk)
{
  FhnkH5            *h = (FhnkH5 *)fk->h5;
  const char *const *fl, *const *sl;
  PetscInt           nf = 0, ns = 0;
  char               path[PETSC_MAX_PATH_LEN];
  PetscFunctionBeginUser;
  if (!h) PetscFunctionReturn(0);
  PetscCall(FhnkIOSeries(fk, &fl, &sl));
  for (const char *const *f = fl; *f; f++) nf++;
  for (const char *const *f = sl; *f; f++) ns++;
  nf += fk->kind == FHNK_MODEL_KINETIC ? 2 * fk->nq : 0;
  PetscCall(FhnkOutPath(fk, "diagnostics.h5", path, sizeof(path)));
  PetscCall(Reserve(fk, h->file, path, 8.0 * ((double)nf * fk->space.npts + ns) + 4096.0 * (nf + ns)));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkIOSampleDone(Fhnk fk, PetscInt row)
{
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(fk->log.io, 0, 0, 0, 0));
  PetscCall(FhnkIOFlush(fk));
  PetscCall(XdmfRow(fk, row));
  PetscCall(XdmfAppend(fk, row));
  if (fk->out.xdmf_broken && !fk->out.xdmf_warned) {
    fk->out.xdmf_warned = PETSC_TRUE;
    PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: WARNING: the XDMF view (diagnostics.xmf, diagnostics-xdmf.h5) could not be written: it is not current (diagnostics.h5 is; a restart makes the view again)\n"));
  }
  PetscCall(PetscLogEventEnd(fk->log.io, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkIOFlush(Fhnk fk)
{
  FhnkH5 *h = (FhnkH5 *)fk->h5;
  PetscFunctionBeginUser;
  if (h) {
    H5CALL(H5Fflush(h->file, H5F_SCOPE_GLOBAL), "flush diagnostics");
    h->last_flush = MPI_Wtime();
  }
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkIOClose(Fhnk fk)
{
  FhnkH5 *h = (FhnkH5 *)fk->h5;
  PetscFunctionBeginUser;
  if (!h) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < h->nds; k++) H5Dclose(h->ds[k]);
  H5Sclose(h->memspace_pts);
  if (h->file > 0) H5CALL(H5Fclose(h->file), "close");
  if (h->views >= 0) H5Fclose(h->views);
  PetscCall(PetscFree(h->times));
  PetscCall(PetscFree(h));
  fk->h5 = NULL;
  PetscFunctionReturn(0);
}
