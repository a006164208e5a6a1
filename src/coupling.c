/* The coupling Psi (SPEC 3 and 4, issue 9): kernels, and the convolution by FFT, by a sparse
   matrix, or replicated. See coupling.h for the three methods.

   The discrete convolution. With cell centres x_i = (i + 1/2) h, the midpoint sum
       (Psi*g)_p = |dK| sum_q psi(|x_p - x_q|) g_q
   depends on p - q only, through the integer offset m = p - q in -(n-1)..(n-1) per direction
   (|m| replaced by min(|m|, n - |m|) for the nearest periodic image). A cyclic convolution of
   length M >= 2n - 1, the kernel placed at index m mod M, equals it exactly: the residues of
   -(n-1)..(n-1) mod M are distinct, so nothing wraps onto the points of K (zero padding). With
   -psi_periodic the kernel is itself n-periodic and the cyclic convolution of length n is the sum
   (circular). A kernel that reaches only R < n - 1 cells needs only M >= n + R (the offsets
   -R..R keep distinct residues and none of a pair farther apart than R lands on one of them): a
   local kernel is convolved on a grid little larger than K. Both are computed by FFT; the result
   equals the direct sum up to round-off
   (~ 1e-16 log M of max |Psi*g|, tested against the matrix to 1e-13).

   Distances are formed from the integer offsets (|m| h), the same in both methods, so a kernel
   with a jump (tophat) takes the same side of its edge in both. */
#include "coupling.h"
#include "grid.h"
#include "checkpoint.h"
#include <unistd.h>
#if defined(PETSC_HAVE_FFTW)
  #include <fftw3-mpi.h>
#endif

/* -------------------------------------------------------------------------------------------
   Kernels. Registered by name with a create function that says whether the kernel depends on
   x - x' only (then the FFT applies) and how far it reaches. */

/* gaussian: J exp(-r^2/(2 s^2)) / ((2 pi)^(d/2) s^d) */
static PetscErrorCode EvalGaussian(Fhnk fk, const PetscReal *x, const PetscReal *y, PetscReal r, PetscReal *val)
{
  const PetscReal s = fk->space.psi_sigma;
  const PetscInt  d = fk->space.dim;
  *val              = fk->space.psi_J * PetscExpReal(-r * r / (2 * s * s)) / (PetscPowReal(2 * PETSC_PI, 0.5 * d) * PetscPowRealInt(s, d));
  return 0;
}
/* below 1e-300 of its peak beyond s sqrt(2 ln 1e300): nothing a double sum can see */
#define FHNK_GAUSS_REACH 37.169
static PetscErrorCode CreateGaussian(Fhnk fk, FhnkKernel *k)
{
  PetscFunctionBeginUser;
  k->invariant = PETSC_TRUE;
  k->support   = FHNK_GAUSS_REACH * fk->space.psi_sigma;
  k->eval      = EvalGaussian;
  PetscFunctionReturn(0);
}

/* tophat: J/|B_s| on |x-x'| <= s; |B_s| = 2s (1-D), pi s^2 (2-D). The relative 1e-12 keeps the
   points at distance exactly s (up to the rounding of m h) inside. */
static PetscErrorCode EvalTophat(Fhnk fk, const PetscReal *x, const PetscReal *y, PetscReal r, PetscReal *val)
{
  const PetscReal s = fk->space.psi_sigma, vol = fk->space.dim == 1 ? 2 * s : PETSC_PI * s * s;
  *val              = r <= s * (1 + 1e-12) ? fk->space.psi_J / vol : 0.0;
  return 0;
}
static PetscErrorCode CreateTophat(Fhnk fk, FhnkKernel *k)
{
  PetscFunctionBeginUser;
  k->invariant = PETSC_TRUE;
  k->support   = fk->space.psi_sigma * (1 + 1e-12);
  k->eval      = EvalTophat;
  PetscFunctionReturn(0);
}

static PetscErrorCode EvalNone(Fhnk fk, const PetscReal *x, const PetscReal *y, PetscReal r, PetscReal *val)
{
  *val = 0;
  return 0;
}
static PetscErrorCode CreateNone(Fhnk fk, FhnkKernel *k)
{
  PetscFunctionBeginUser;
  k->invariant = PETSC_TRUE;
  k->support   = 0;
  k->eval      = EvalNone;
  PetscFunctionReturn(0);
}

/* graded: a Gaussian whose width depends on the receiving point,
     s(x) = sigma (1 + g (x1/Lx - 1/2)),  Psi(x, x') = J exp(-|x-x'|^2/(2 s(x)^2)) / ((2 pi)^(d/2) s(x)^d):
   each receiving point still integrates the kernel to J, but Psi is neither translation invariant
   nor symmetric (a cortex whose connection range varies across the sheet). Matrix path only. */
static PetscErrorCode EvalGraded(Fhnk fk, const PetscReal *x, const PetscReal *y, PetscReal r, PetscReal *val)
{
  const PetscReal s = fk->space.psi_sigma * (1 + fk->space.psi_grade * (x[0] / fk->space.Lx - 0.5));
  const PetscInt  d = fk->space.dim;
  *val              = fk->space.psi_J * PetscExpReal(-r * r / (2 * s * s)) / (PetscPowReal(2 * PETSC_PI, 0.5 * d) * PetscPowRealInt(s, d));
  return 0;
}
static PetscErrorCode CreateGraded(Fhnk fk, FhnkKernel *k)
{
  PetscFunctionBeginUser;
  k->invariant = PETSC_FALSE;
  k->support   = FHNK_GAUSS_REACH * fk->space.psi_sigma * (1 + 0.5 * PetscAbsReal(fk->space.psi_grade));
  k->eval      = EvalGraded;
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkCouplingRegisterAll(Fhnk fk)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListAdd(&fk->psi_list, "gaussian", CreateGaussian));
  PetscCall(PetscFunctionListAdd(&fk->psi_list, "tophat", CreateTophat));
  PetscCall(PetscFunctionListAdd(&fk->psi_list, "graded", CreateGraded));
  PetscCall(PetscFunctionListAdd(&fk->psi_list, "none", CreateNone));
  PetscCall(PetscLogEventRegister("FhnkPsiSetUp", PETSC_OBJECT_CLASSID, &fk->cpl.setup));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkCouplingKernelInfo(Fhnk fk, const char *type, FhnkKernel *k, PetscBool *found)
{
  FhnkKernelCreateFn fn;
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListFind(fk->psi_list, type, &fn));
  *found = (PetscBool)(fn != NULL);
  if (fn) PetscCall((*fn)(fk, k));
  PetscFunctionReturn(0);
}

/* -------------------------------------------------------------------------------------------
   Offsets. Index idx of a cyclic axis of length M holding a direction of n points: the offset m
   it stands for and its distance index (|m|, or the nearest image). Returns -1 where the padded
   axis holds no offset (the kernel is zero there). */
static PetscInt AxisDistance(PetscInt idx, PetscInt n, PetscInt M, PetscBool periodic, PetscInt R)
{
  PetscInt m;
  if (M == n) return PetscMin(idx, n - idx); /* circular (periodic): every index is an offset */
  if (idx <= R) m = idx;                     /* offsets within the kernel's reach R only */
  else if (idx >= M - R) m = M - idx;        /* |m| of a negative offset */
  else return -1;
  return periodic ? PetscMin(m, n - m) : m;
}

/* distance of two points from their integer offsets (nearest image when periodic) */
static PetscReal OffsetDistance(Fhnk fk, PetscInt dx, PetscInt dy)
{
  const FhnkSpace *sp = &fk->space;
  const PetscReal  hx = sp->Lx / sp->nx, hy = sp->dim == 2 ? sp->Ly / sp->ny : 0;
  dx = PetscAbsInt(dx);
  dy = PetscAbsInt(dy);
  if (sp->psi_periodic) {
    dx = PetscMin(dx, sp->nx - dx);
    if (sp->dim == 2) dy = PetscMin(dy, sp->ny - dy);
  }
  return PetscSqrtReal(PetscSqr(dx * hx) + PetscSqr(dy * hy));
}

/* the points q of one direction within R cells of i: a range, wrapped when periodic */
static PetscInt AxisTargets(PetscInt i, PetscInt n, PetscInt R, PetscBool periodic, PetscInt *list)
{
  PetscInt c = 0;
  if (periodic && 2 * R + 1 >= n) {
    for (PetscInt q = 0; q < n; q++) list[c++] = q;
  } else if (periodic) {
    for (PetscInt m = -R; m <= R; m++) list[c++] = ((i + m) % n + n) % n;
  } else {
    for (PetscInt q = PetscMax(0, i - R); q <= PetscMin(n - 1, i + R); q++) list[c++] = q;
  }
  return c;
}
static PetscInt AxisCount(PetscInt i, PetscInt n, PetscInt R, PetscBool periodic)
{
  if (periodic) return PetscMin(n, 2 * R + 1);
  return PetscMin(n - 1, i + R) - PetscMax(0, i - R) + 1;
}
/* reach of the kernel in cells of one direction (clamped to the domain) */
static PetscInt AxisReach(PetscReal support, PetscReal h, PetscInt n)
{
  const PetscReal c = PetscFloorReal(support / h) + 1;
  return c >= n ? n : (PetscInt)c;
}

/* -------------------------------------------------------------------------------------------
   Matrix path: rows of the local points, columns within the kernel's reach, O(npts x support). */
static PetscErrorCode MatrixNnz(Fhnk fk, const FhnkKernel *k, PetscReal *nnz)
{
  const FhnkSpace *sp = &fk->space;
  const PetscInt   Rx = AxisReach(k->support, sp->Lx / sp->nx, sp->nx), Ry = sp->dim == 2 ? AxisReach(k->support, sp->Ly / sp->ny, sp->ny) : 0;
  PetscReal        sx = 0, sy = 0;
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < sp->nx; i++) sx += AxisCount(i, sp->nx, Rx, sp->psi_periodic);
  if (sp->dim == 2)
    for (PetscInt j = 0; j < sp->ny; j++) sy += AxisCount(j, sp->ny, Ry, sp->psi_periodic);
  else sy = 1;
  *nnz = k->support > 0 ? sx * sy : 0; /* the bounding boxes: an upper bound in 2-D */
  PetscFunctionReturn(0);
}

static PetscErrorCode MatrixSetUp(Fhnk fk, const FhnkKernel *k)
{
  FhnkSpace    *sp = &fk->space;
  FhnkCoupling *c  = &fk->cpl;
  const PetscInt Rx = AxisReach(k->support, sp->Lx / sp->nx, sp->nx), Ry = sp->dim == 2 ? AxisReach(k->support, sp->Ly / sp->ny, sp->ny) : 0;
  PetscInt      *lx, *ly, *dnz, *onz, *cols, cstart, cend, nmax;
  PetscReal     *vals;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc4(sp->nx, &lx, PetscMax(1, sp->ny), &ly, fk->nloc, &dnz, fk->nloc, &onz));
  PetscCall(VecGetOwnershipRange(fk->rho0, &cstart, &cend));
  nmax = 0;
  for (PetscInt pass = 0; pass < 2; pass++) {
    if (pass) {
      PetscCall(MatCreateAIJ(fk->comm, fk->nloc, fk->nloc, sp->npts, sp->npts, 0, dnz, 0, onz, &c->Psi));
      PetscCall(MatSetOption(c->Psi, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
      PetscCall(PetscMalloc2(nmax, &cols, nmax, &vals));
    }
    for (PetscInt p = 0; p < fk->nloc; p++) {
      const PetscInt ix = fk->nat[p] % sp->nx, iy = fk->nat[p] / sp->nx;
      const PetscInt cx = AxisTargets(ix, sp->nx, Rx, sp->psi_periodic, lx), cy = sp->dim == 2 ? AxisTargets(iy, sp->ny, Ry, sp->psi_periodic, ly) : 1;
      PetscInt       n  = 0;
      if (sp->dim == 1) ly[0] = 0;
      if (!pass) dnz[p] = onz[p] = 0;
      for (PetscInt b = 0; b < cy; b++)
        for (PetscInt a = 0; a < cx; a++) {
          const PetscInt  q = lx[a] + sp->nx * ly[b];
          const PetscReal r = OffsetDistance(fk, ix - lx[a], iy - ly[b]);
          PetscReal       xq[2] = {(lx[a] + 0.5) * sp->Lx / sp->nx, (ly[b] + 0.5) * sp->Ly / sp->ny}, val;
          if (r > k->support) continue;
          PetscCall(k->eval(fk, fk->xloc + p * sp->dim, xq, r, &val));
          if (val == 0) continue;
          if (!pass) {
            const PetscInt col = FhnkNaturalToPetsc(fk, q);
            if (col >= cstart && col < cend) dnz[p]++;
            else onz[p]++;
          } else {
            cols[n] = FhnkNaturalToPetsc(fk, q);
            vals[n] = val * sp->dK;
            n++;
          }
        }
      if (!pass) nmax = PetscMax(nmax, dnz[p] + onz[p]);
      else PetscCall(MatSetValues(c->Psi, 1, (PetscInt[]){cstart + p}, n, cols, vals, INSERT_VALUES));
    }
  }
  PetscCall(MatAssemblyBegin(c->Psi, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(c->Psi, MAT_FINAL_ASSEMBLY));
  PetscCall(PetscFree2(cols, vals));
  PetscCall(PetscFree4(lx, ly, dnz, onz));
  {
    MatInfo info;
    PetscCall(MatGetInfo(c->Psi, MAT_GLOBAL_SUM, &info));
    c->nnz = info.nz_used;
  }
  PetscCall(VecDuplicate(fk->rho0, &c->gvec));
  PetscCall(VecDuplicate(fk->rho0, &c->ovec));
  PetscFunctionReturn(0);
}

/* -------------------------------------------------------------------------------------------
   FFT engine (FFTW's MPI interface on a communicator: the world for 'fft', a single rank for
   'replicated'). 2-D: a real-to-complex transform of the [My][Mx] array (y rows distributed in
   slabs, transposed output: no transpose back); 1-D: FFTW's distributed complex transform with
   scrambled output, which a convolution never needs in order. Plans are FFTW_ESTIMATE: the same
   plan, hence the same bits, in every run (a restart continues bit for bit). */
#if defined(PETSC_HAVE_FFTW)
typedef struct {
  MPI_Comm      comm;
  PetscInt      dim, n[2], M[2], R[2]; /* R: the kernel's reach in cells (offsets placed) */
  ptrdiff_t     alloc;
  ptrdiff_t     r0, nr;      /* 2-D: rows [r0, r0+nr) of the real array; 1-D: input block */
  ptrdiff_t     no;          /* entries of the transform held here (khat)                  */
  fftw_complex *c, *khat;
  double       *rin; /* 2-D: the real view of c (in place), rows of 2 (Mx/2+1) doubles */
  fftw_plan     fwd, bwd;
  PetscInt      d0, d1; /* natural indices of the points of K held here in the FFT layout */
} FFTEngine;

/* smallest 2^a 3^b 5^c 7^d >= n that is a multiple of mult (FFTW is fastest on these) */
static PetscInt SmoothSize(PetscInt n, PetscInt mult)
{
  for (PetscInt M = PetscMax(n, 1);; M++) {
    PetscInt r = M;
    if (M % mult) continue;
    for (PetscInt f = 2; f <= 7; f++)
      while (r % f == 0) r /= f;
    if (r == 1) return M;
  }
}

static void EngineDestroy(FFTEngine **e)
{
  if (!*e) return;
  if ((*e)->fwd) fftw_destroy_plan((*e)->fwd);
  if ((*e)->bwd) fftw_destroy_plan((*e)->bwd);
  if ((*e)->c) fftw_free((*e)->c);
  if ((*e)->khat) fftw_free((*e)->khat);
  free(*e);
  *e = NULL;
}

static PetscErrorCode EnginePlan1d(FFTEngine *e, PetscInt M)
{
  ptrdiff_t   ni, i0, no, o0, bni, bi0, bno, bo0, a1, a2;
  PetscMPIInt size;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(e->comm, &size));
  if (size == 1) { /* FFTW's MPI 1-D transforms need two or more ranks: the serial one */
    e->alloc = M;
    e->c     = fftw_alloc_complex(e->alloc);
    PetscCheck(e->c, PETSC_COMM_SELF, PETSC_ERR_MEM, "FFTW could not allocate %ld complex values", (long)e->alloc);
    e->fwd  = fftw_plan_dft_1d(M, e->c, e->c, FFTW_FORWARD, FFTW_ESTIMATE);
    e->bwd  = fftw_plan_dft_1d(M, e->c, e->c, FFTW_BACKWARD, FFTW_ESTIMATE);
    e->M[0] = M;
    e->r0   = 0;
    e->nr   = M;
    e->no   = M;
    PetscFunctionReturn(0);
  }
  a1 = fftw_mpi_local_size_1d(M, e->comm, FFTW_FORWARD, FFTW_MPI_SCRAMBLED_OUT, &ni, &i0, &no, &o0);
  a2 = fftw_mpi_local_size_1d(M, e->comm, FFTW_BACKWARD, FFTW_MPI_SCRAMBLED_IN, &bni, &bi0, &bno, &bo0);
  /* the backward transform must read the forward's output and give back its input layout */
  if (bni != no || bi0 != o0 || bno != ni || bo0 != i0) PetscFunctionReturn(0);
  e->alloc = PetscMax(PetscMax(a1, a2), 1);
  e->c     = fftw_alloc_complex(e->alloc);
  PetscCheck(e->c, PETSC_COMM_SELF, PETSC_ERR_MEM, "FFTW could not allocate %ld complex values", (long)e->alloc);
  e->fwd = fftw_mpi_plan_dft_1d(M, e->c, e->c, e->comm, FFTW_FORWARD, FFTW_ESTIMATE | FFTW_MPI_SCRAMBLED_OUT);
  e->bwd = fftw_mpi_plan_dft_1d(M, e->c, e->c, e->comm, FFTW_BACKWARD, FFTW_ESTIMATE | FFTW_MPI_SCRAMBLED_IN);
  e->M[0] = M;
  e->r0   = i0;
  e->nr   = ni;
  e->no   = no;
  PetscFunctionReturn(0);
}

static PetscErrorCode EngineCreate(Fhnk fk, MPI_Comm comm, const FhnkKernel *k, FFTEngine **out)
{
  const FhnkSpace *sp = &fk->space;
  FFTEngine       *e;
  PetscMPIInt      size;
  PetscFunctionBeginUser;
  fftw_mpi_init(); /* idempotent */
  PetscCallMPI(MPI_Comm_size(comm, &size));
  e = (FFTEngine *)calloc(1, sizeof(FFTEngine));
  PetscCheck(e, PETSC_COMM_SELF, PETSC_ERR_MEM, "out of memory");
  e->comm = comm;
  e->dim  = sp->dim;
  e->n[0] = sp->nx;
  e->n[1] = sp->dim == 2 ? sp->ny : 1;
  /* the reach of the kernel in cells (all of K when periodic: the nearest image may be far in
     index) */
  e->R[0] = sp->psi_periodic ? sp->nx - 1 : PetscMin(sp->nx - 1, AxisReach(k->support, sp->Lx / sp->nx, sp->nx));
  e->R[1] = sp->dim == 1 ? 0 : (sp->psi_periodic ? sp->ny - 1 : PetscMin(sp->ny - 1, AxisReach(k->support, sp->Ly / sp->ny, sp->ny)));
  if (sp->dim == 1) {
    /* circular when periodic and FFTW can distribute n (it has no parallel algorithm for prime
       sizes); otherwise zero-padded, which also serves the periodic kernel exactly */
    if (sp->psi_periodic) PetscCall(EnginePlan1d(e, sp->nx));
    if (!e->fwd || !e->bwd) {
      if (e->fwd) fftw_destroy_plan(e->fwd);
      if (e->bwd) fftw_destroy_plan(e->bwd);
      if (e->c) fftw_free(e->c);
      e->fwd = e->bwd = NULL;
      e->c            = NULL;
      PetscCall(EnginePlan1d(e, SmoothSize(sp->nx + e->R[0], size * size)));
    }
    PetscCheck(e->fwd && e->bwd, PETSC_COMM_SELF, PETSC_ERR_LIB, "FFTW could not plan a distributed 1-D transform of length %" PetscInt_FMT " on %d ranks", e->M[0], size);
    e->M[1] = 1;
    e->d0   = PetscMin(e->r0, sp->nx);
    e->d1   = PetscMin(e->r0 + e->nr, sp->nx);
  } else {
    ptrdiff_t nr, r0, nc, c0;
    e->M[0]  = sp->psi_periodic ? sp->nx : SmoothSize(sp->nx + e->R[0], 2);
    e->M[1]  = sp->psi_periodic ? sp->ny : SmoothSize(sp->ny + e->R[1], 2);
    e->alloc = PetscMax(fftw_mpi_local_size_2d_transposed(e->M[1], e->M[0] / 2 + 1, comm, &nr, &r0, &nc, &c0), 1);
    e->c     = fftw_alloc_complex(e->alloc);
    PetscCheck(e->c, PETSC_COMM_SELF, PETSC_ERR_MEM, "FFTW could not allocate %ld complex values", (long)e->alloc);
    e->rin = (double *)e->c;
    e->fwd = fftw_mpi_plan_dft_r2c_2d(e->M[1], e->M[0], e->rin, e->c, comm, FFTW_ESTIMATE | FFTW_MPI_TRANSPOSED_OUT);
    e->bwd = fftw_mpi_plan_dft_c2r_2d(e->M[1], e->M[0], e->c, e->rin, comm, FFTW_ESTIMATE | FFTW_MPI_TRANSPOSED_IN);
    PetscCheck(e->fwd && e->bwd, PETSC_COMM_SELF, PETSC_ERR_LIB, "FFTW could not plan a distributed %" PetscInt_FMT " x %" PetscInt_FMT " transform", e->M[0], e->M[1]);
    e->r0 = r0;
    e->nr = nr;
    e->no = nc * e->M[1];
    e->d0 = PetscMin(r0, sp->ny) * sp->nx;
    e->d1 = PetscMin(r0 + nr, sp->ny) * sp->nx;
  }
  /* the kernel's transform, once: psi at every offset the cyclic axes hold, scaled by |dK|/M */
  {
    const PetscReal hx = sp->Lx / sp->nx, hy = sp->dim == 2 ? sp->Ly / sp->ny : 0, scale = sp->dK / ((PetscReal)e->M[0] * e->M[1]);
    memset(e->c, 0, sizeof(fftw_complex) * e->alloc);
    for (ptrdiff_t r = 0; r < e->nr; r++) {
      if (sp->dim == 1) {
        const PetscInt dx = AxisDistance(e->r0 + r, sp->nx, e->M[0], sp->psi_periodic, e->R[0]);
        PetscReal      val = 0;
        if (dx >= 0) PetscCall(k->eval(fk, NULL, NULL, dx * hx, &val));
        ((double *)e->c)[2 * r] = val;
      } else {
        const PetscInt dy = AxisDistance(e->r0 + r, sp->ny, e->M[1], sp->psi_periodic, e->R[1]);
        if (dy < 0) continue;
        for (PetscInt ix = 0; ix < e->M[0]; ix++) {
          const PetscInt dx = AxisDistance(ix, sp->nx, e->M[0], sp->psi_periodic, e->R[0]);
          PetscReal      val;
          if (dx < 0) continue;
          PetscCall(k->eval(fk, NULL, NULL, PetscSqrtReal(PetscSqr(dx * hx) + PetscSqr(dy * hy)), &val));
          e->rin[r * 2 * (e->M[0] / 2 + 1) + ix] = val;
        }
      }
    }
    fftw_execute(e->fwd);
    e->khat = fftw_alloc_complex(PetscMax(e->no, 1));
    PetscCheck(e->khat, PETSC_COMM_SELF, PETSC_ERR_MEM, "FFTW could not allocate the kernel's transform");
    for (ptrdiff_t i = 0; i < 2 * e->no; i++) ((double *)e->khat)[i] = ((double *)e->c)[i] * scale;
  }
  *out = e;
  PetscFunctionReturn(0);
}

/* data[0 .. d1-d0): the field at natural indices d0..d1-1 on entry, Psi*field on exit */
static void EngineApply(FFTEngine *e, PetscReal *data)
{
  double       *c = (double *)e->c; /* fftw_complex is double[2] or double _Complex: same layout */
  const double *k = (const double *)e->khat;
  memset(e->c, 0, sizeof(fftw_complex) * e->alloc);
  if (e->dim == 1) {
    for (PetscInt i = e->d0; i < e->d1; i++) c[2 * (i - e->r0)] = data[i - e->d0];
  } else {
    const PetscInt nx = e->n[0], stride = 2 * (e->M[0] / 2 + 1);
    for (PetscInt q = e->d0; q < e->d1; q++) e->rin[(q / nx - e->r0) * stride + q % nx] = data[q - e->d0];
  }
  fftw_execute(e->fwd);
  for (ptrdiff_t i = 0; i < e->no; i++) {
    const double a = c[2 * i], b = c[2 * i + 1], x = k[2 * i], y = k[2 * i + 1];
    c[2 * i]     = a * x - b * y;
    c[2 * i + 1] = a * y + b * x;
  }
  fftw_execute(e->bwd);
  if (e->dim == 1) {
    for (PetscInt i = e->d0; i < e->d1; i++) data[i - e->d0] = c[2 * (i - e->r0)];
  } else {
    const PetscInt nx = e->n[0], stride = 2 * (e->M[0] / 2 + 1);
    for (PetscInt q = e->d0; q < e->d1; q++) data[q - e->d0] = e->rin[(q / nx - e->r0) * stride + q % nx];
  }
}

/* fft path: the DMDA layout <-> the natural slabs of the transform (npts-sized fields only) */
static PetscErrorCode FFTSetUp(Fhnk fk, const FhnkKernel *k)
{
  FhnkCoupling *c = &fk->cpl;
  FFTEngine    *e;
  IS            from, to;
  PetscInt     *idx, n;
  PetscFunctionBeginUser;
  PetscCall(EngineCreate(fk, fk->comm, k, &e));
  c->fft = e;
  n      = e->d1 - e->d0;
  PetscCall(VecCreateMPI(fk->comm, n, fk->space.npts, &c->fftv));
  PetscCall(PetscMalloc1(PetscMax(n, 1), &idx));
  for (PetscInt q = e->d0; q < e->d1; q++) idx[q - e->d0] = FhnkNaturalToPetsc(fk, q);
  PetscCall(ISCreateGeneral(PETSC_COMM_SELF, n, idx, PETSC_OWN_POINTER, &from));
  PetscCall(ISCreateStride(PETSC_COMM_SELF, n, e->d0, 1, &to));
  PetscCall(VecDuplicate(fk->rho0, &c->gvec));
  PetscCall(VecDuplicate(fk->rho0, &c->ovec));
  PetscCall(VecScatterCreate(c->gvec, from, c->fftv, to, &c->toFFT));
  PetscCall(ISDestroy(&from));
  PetscCall(ISDestroy(&to));
  PetscFunctionReturn(0);
}

/* replicated path: every rank gathers the whole field and convolves it alone */
static PetscErrorCode ReplicatedSetUp(Fhnk fk, const FhnkKernel *k)
{
  FhnkCoupling *c = &fk->cpl;
  FFTEngine    *e;
  PetscFunctionBeginUser;
  PetscCall(EngineCreate(fk, PETSC_COMM_SELF, k, &e));
  c->fft = e;
  PetscCall(PetscMalloc5(fk->space.npts, &c->natbuf, fk->space.npts, &c->gathbuf, fk->size, &c->counts, fk->size, &c->displs, 4 * fk->size, &c->boxes));
  for (PetscMPIInt r = 0; r < fk->size; r++) {
    FhnkRankBox(fk, r, c->boxes + 4 * r);
    c->counts[r] = (PetscMPIInt)(c->boxes[4 * r + 1] * c->boxes[4 * r + 3]);
    c->displs[r] = r ? c->displs[r - 1] + c->counts[r - 1] : 0;
  }
  PetscFunctionReturn(0);
}
#endif

/* -------------------------------------------------------------------------------------------
   Cost of one apply (units of about 1 ns on this machine's cores; the constants were measured by
   make bench: about 1 ns per stored nonzero for MatMult, about 0.5 ns per M log2 M for each of the
   two FFTW transforms plus the zeroing and the product). A model, not a timing: the choice is the
   same in every run and on every rank, so a restart continues bit for bit. */
PetscErrorCode FhnkCouplingCosts(Fhnk fk, PetscReal *cost_matrix, PetscReal *cost_fft, PetscReal *nnz)
{
  const FhnkSpace *sp = &fk->space;
  FhnkKernel       k;
  PetscBool        found;
  PetscReal        M;
  PetscFunctionBeginUser;
  PetscCall(FhnkCouplingKernelInfo(fk, sp->psi_type, &k, &found));
  PetscCheck(found, fk->comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "unknown -psi_type %s", sp->psi_type);
  PetscCall(MatrixNnz(fk, &k, nnz));
  if (sp->dim == 1) M = sp->psi_periodic ? sp->nx : 2.0 * sp->nx;
  else M = (sp->psi_periodic ? (PetscReal)sp->nx * sp->ny : 4.0 * sp->nx * sp->ny);
  *cost_matrix = *nnz / fk->size;
  /* 1-D: complex transform (twice the work of the real one); plus a fixed 20 us for the
     distributed transposes when there are several ranks */
  *cost_fft = (2 * 0.5 * M * PetscLog2Real(PetscMax(M, 2)) * (sp->dim == 1 ? 2 : 1) + 3 * M) / fk->size + (fk->size > 1 ? 2e4 : 0);
  PetscFunctionReturn(0);
}

/* build one method (its objects in the coupling context) */
static PetscErrorCode Build(Fhnk fk, const FhnkKernel *k, const char *name)
{
  FhnkCoupling *c = &fk->cpl;
  PetscBool     isfft, ismat, isrep;
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(c->used, name, sizeof(c->used)));
  PetscCall(PetscStrcmp(name, "fft", &isfft));
  PetscCall(PetscStrcmp(name, "matrix", &ismat));
  PetscCall(PetscStrcmp(name, "replicated", &isrep));
  if (ismat) {
    /* refuse a matrix that cannot fit rather than die in the allocator */
    const PetscReal bytes = c->nnz * (sizeof(PetscReal) + sizeof(PetscInt)) / fk->size;
    const PetscReal phys  = (PetscReal)sysconf(_SC_PHYS_PAGES) * (PetscReal)sysconf(_SC_PAGESIZE) / fk->size;
    PetscCheck(!(phys > 0 && bytes > 0.5 * phys), fk->comm, PETSC_ERR_MEM, "-psi_method matrix: the Psi matrix of this kernel on %" PetscInt_FMT " points would hold about %.3g nonzeros (%.3g GB per rank, more than half the memory): use -psi_method fft", fk->space.npts, c->nnz, bytes / 1e9);
    PetscCall(MatrixSetUp(fk, k));
  }
#if defined(PETSC_HAVE_FFTW)
  if (isfft) PetscCall(FFTSetUp(fk, k));
  if (isrep) PetscCall(ReplicatedSetUp(fk, k));
#endif
  PetscFunctionReturn(0);
}

/* the objects of the method built (P stays) */
static PetscErrorCode Teardown(Fhnk fk)
{
  FhnkCoupling *c = &fk->cpl;
  PetscFunctionBeginUser;
  PetscCall(MatDestroy(&c->Psi));
  PetscCall(VecDestroy(&c->gvec));
  PetscCall(VecDestroy(&c->ovec));
  PetscCall(VecScatterDestroy(&c->toFFT));
  PetscCall(VecDestroy(&c->fftv));
#if defined(PETSC_HAVE_FFTW)
  {
    FFTEngine *e = (FFTEngine *)c->fft;
    EngineDestroy(&e);
    c->fft = NULL;
  }
#endif
  if (c->natbuf) PetscCall(PetscFree5(c->natbuf, c->gathbuf, c->counts, c->displs, c->boxes));
  c->natbuf = NULL;
  PetscFunctionReturn(0);
}

/* seconds of one apply of the method built: the best of 3, the slowest rank's */
static PetscErrorCode TimeApply(Fhnk fk, PetscReal *sec)
{
  const PetscScalar *r;
  PetscReal         *out;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(PetscMax(fk->nloc, 1), &out));
  PetscCall(VecGetArrayRead(fk->rho0, &r));
  *sec = PETSC_MAX_REAL;
  for (int k = 0; k < 3; k++) {
    PetscLogDouble a, b;
    PetscCallMPI(MPI_Barrier(fk->comm));
    PetscCall(PetscTime(&a));
    PetscCall(FhnkCouplingApply(fk, r, out));
    PetscCall(PetscTime(&b));
    *sec = PetscMin(*sec, (PetscReal)(b - a));
  }
  PetscCall(VecRestoreArrayRead(fk->rho0, &r));
  PetscCall(PetscFree(out));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, sec, 1, MPIU_REAL, MPIU_MAX, fk->comm));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkCouplingSetUp(Fhnk fk)
{
  FhnkSpace    *sp = &fk->space;
  FhnkCoupling *c  = &fk->cpl;
  FhnkKernel    k;
  PetscBool     found, isauto, isfft, ismat, isrep;
  PetscLogDouble t0, t1;
  PetscReal     cm, cf, nnz;
  char          why[256] = "";
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(c->setup, 0, 0, 0, 0));
  PetscCall(PetscTime(&t0));
  PetscCall(FhnkCouplingKernelInfo(fk, sp->psi_type, &k, &found));
  PetscCheck(found, fk->comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "unknown -psi_type %s", sp->psi_type);
  PetscCall(VecDuplicate(fk->rho0, &c->P));
  PetscCall(PetscStrcmp(c->method, "auto", &isauto));
  PetscCall(PetscStrcmp(c->method, "fft", &isfft));
  PetscCall(PetscStrcmp(c->method, "replicated", &isrep));
  PetscCall(FhnkCouplingCosts(fk, &cm, &cf, &nnz));
  c->nnz = nnz;
#if !defined(PETSC_HAVE_FFTW)
  PetscCheck(!isfft && !isrep, fk->comm, PETSC_ERR_SUP, "-psi_method %s needs a PETSc configured with FFTW (--download-fftw or --with-fftw-dir): use -psi_method matrix", c->method);
#endif
  if (k.support <= 0) PetscCall(PetscStrncpy(c->used, "none", sizeof(c->used)));
  else if (!isauto) PetscCall(Build(fk, &k, c->method));
  else if (!k.invariant) {
    PetscCall(Build(fk, &k, "matrix"));
    snprintf(why, sizeof(why), "the kernel is not a function of x - x'");
  } else if (fk->kind == FHNK_MODEL_NETWORK) {
#if defined(PETSC_HAVE_FFTW)
    PetscCall(Build(fk, &k, "replicated"));
    snprintf(why, sizeof(why), "the same bits on any number of ranks");
#else
    PetscCall(Build(fk, &k, "matrix"));
#endif
  } else {
    /* by measured cost: every method that can fit is timed here (a few applies), the fastest is
       kept. A restart on the same number of ranks takes the method of its checkpoint instead, so
       that it continues bit for bit (the methods agree only to round-off). */
    char        prefer[FHNK_NAME_LEN] = "";
    const char *cand[3];
    PetscInt    nc = 0;
    PetscReal   best = PETSC_MAX_REAL, phys = (PetscReal)sysconf(_SC_PHYS_PAGES) * (PetscReal)sysconf(_SC_PAGESIZE) / fk->size;
    PetscCall(FhnkRestartCouplingMethod(fk, prefer, sizeof(prefer)));
    if (prefer[0]) {
      PetscCall(Build(fk, &k, prefer));
      snprintf(why, sizeof(why), "as in the checkpoint");
    } else {
#if defined(PETSC_HAVE_FFTW)
      cand[nc++] = "fft";
      /* replicated: the whole padded grid on every rank; the same as fft on one rank */
      if (fk->size > 1 && 4.0 * 16 * sp->npts < 0.25 * phys) cand[nc++] = "replicated";
#endif
      /* the matrix where its model cost is not hopeless and it fits */
      if (nnz * 12 / fk->size < 0.25 * phys && cm < 20 * cf) cand[nc++] = "matrix";
      if (nc == 1) PetscCall(Build(fk, &k, cand[0]));
      else {
        PetscInt  ib = 0;
        PetscReal tm[3];
        for (PetscInt i = 0; i < nc; i++) {
          PetscCall(Build(fk, &k, cand[i]));
          PetscCall(TimeApply(fk, &tm[i]));
          PetscCall(Teardown(fk));
          if (tm[i] < best) {
            best = tm[i];
            ib   = i;
          }
        }
        PetscCall(Build(fk, &k, cand[ib]));
        for (PetscInt i = 0; i < nc; i++) {
          size_t l = strlen(why);
          snprintf(why + l, sizeof(why) - l, "%s%s %.3g ms", i ? ", " : "measured: ", cand[i], 1e3 * (double)tm[i]);
        }
      }
    }
  }
  PetscCall(PetscStrcmp(c->used, "fft", &isfft));
  PetscCall(PetscStrcmp(c->used, "matrix", &ismat));
  PetscCall(PetscStrcmp(c->used, "replicated", &isrep));
  /* P = Psi*rho0, once */
  {
    const PetscScalar *r;
    PetscScalar       *P;
    PetscCall(VecGetArrayRead(fk->rho0, &r));
    PetscCall(VecGetArray(c->P, &P));
    PetscCall(FhnkCouplingApply(fk, r, P));
    PetscCall(VecRestoreArray(c->P, &P));
    PetscCall(VecRestoreArrayRead(fk->rho0, &r));
  }
  PetscCall(PetscTime(&t1));
  PetscCall(PetscLogEventEnd(c->setup, 0, 0, 0, 0));
  if (k.invariant && k.support > 0) {
    /* The midpoint sum (SPEC 3) of a kernel the grid does not resolve is not its integral J:
       Psi*rho0, hence the coupling, follows the sum. Measured on the unbounded lattice (the
       resolution, not the walls), over the kernel's whole reach: one evaluation per offset, at
       most 4e6 (about 0.1 s, e.g. a Gaussian of sigma = 0.1 on a 256^2 sheet); wider reaches are
       skipped, their kernels span hundreds of cells and are resolved. */
    const PetscReal h[2] = {sp->Lx / sp->nx, sp->dim == 2 ? sp->Ly / sp->ny : 1};
    const PetscInt  R[2] = {(PetscInt)PetscFloorReal(k.support / h[0]), sp->dim == 2 ? (PetscInt)PetscFloorReal(k.support / h[1]) : 0};
    if ((2.0 * R[0] + 1) * (2.0 * R[1] + 1) <= 4e6) {
      PetscReal sum = 0, x0[2] = {0, 0};
      for (PetscInt j = -R[1]; j <= R[1]; j++)
        for (PetscInt i = -R[0]; i <= R[0]; i++) {
          PetscReal x1[2] = {i * h[0], j * h[1]}, val;
          PetscCall(k.eval(fk, x0, x1, PetscSqrtReal(PetscSqr(i * h[0]) + (sp->dim == 2 ? PetscSqr(j * h[1]) : 0)), &val));
          sum += val;
        }
      sum *= sp->dK;
      if (PetscAbsReal(sum - sp->psi_J) > 0.01 * PetscAbsReal(sp->psi_J))
        PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: WARNING: the grid does not resolve the %s kernel (-psi_sigma %g = %.3g cells): its midpoint sum on the grid is %.4g, not -psi_J %g (%+.1f%%); the coupling follows the sum (Psi*rho0 = %.4g where rho0 = 1): refine K or widen -psi_sigma for the continuum kernel\n", sp->psi_type, (double)sp->psi_sigma, (double)(sp->psi_sigma / PetscMax(h[0], sp->dim == 2 ? h[1] : 0)), (double)sum, (double)sp->psi_J, (double)(100 * (sum / sp->psi_J - 1)), (double)sum));
    }
  }
  if (!fk->quiet) {
    char what[256] = "";
#if defined(PETSC_HAVE_FFTW)
    if (isfft || isrep) {
      FFTEngine *e = (FFTEngine *)c->fft;
      if (sp->dim == 1) snprintf(what, sizeof(what), " (%s length %d)", e->M[0] == sp->nx ? "circular" : "zero-padded", (int)e->M[0]);
      else snprintf(what, sizeof(what), " (%s %d x %d)", e->M[0] == sp->nx ? "circular" : "zero-padded", (int)e->M[0], (int)e->M[1]);
    }
#endif
    if (ismat) snprintf(what, sizeof(what), " (%.0f nonzeros)", (double)c->nnz);
    PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: coupling: %s kernel, %s%s%s%s%s%s, set up in %.3g s\n", sp->psi_type, c->used, what, isauto ? " (auto" : "", isauto && why[0] ? ": " : "", isauto ? why : "", isauto ? ")" : "", (double)(t1 - t0)));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkCouplingApply(Fhnk fk, const PetscReal *g, PetscReal *out)
{
  FhnkCoupling *c = &fk->cpl;
  PetscBool     isfft, ismat, isrep;
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(fk->log.psi, 0, 0, 0, 0));
  PetscCall(PetscStrcmp(c->used, "fft", &isfft));
  PetscCall(PetscStrcmp(c->used, "matrix", &ismat));
  PetscCall(PetscStrcmp(c->used, "replicated", &isrep));
  if (ismat) { /* through the work vectors' own arrays: g and out may be the same array */
    PetscScalar       *a;
    const PetscScalar *o;
    PetscCall(VecGetArrayWrite(c->gvec, &a));
    PetscCall(PetscArraycpy(a, g, fk->nloc));
    PetscCall(VecRestoreArrayWrite(c->gvec, &a));
    PetscCall(MatMult(c->Psi, c->gvec, c->ovec));
    PetscCall(VecGetArrayRead(c->ovec, &o));
    PetscCall(PetscArraycpy(out, o, fk->nloc));
    PetscCall(VecRestoreArrayRead(c->ovec, &o));
  }
#if defined(PETSC_HAVE_FFTW)
  else if (isfft) {
    PetscScalar *a;
    PetscCall(VecPlaceArray(c->gvec, (PetscScalar *)g));
    PetscCall(VecScatterBegin(c->toFFT, c->gvec, c->fftv, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(c->toFFT, c->gvec, c->fftv, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecResetArray(c->gvec));
    PetscCall(VecGetArray(c->fftv, &a));
    EngineApply((FFTEngine *)c->fft, a);
    PetscCall(VecRestoreArray(c->fftv, &a));
    PetscCall(VecPlaceArray(c->ovec, out));
    PetscCall(VecScatterBegin(c->toFFT, c->fftv, c->ovec, INSERT_VALUES, SCATTER_REVERSE));
    PetscCall(VecScatterEnd(c->toFFT, c->fftv, c->ovec, INSERT_VALUES, SCATTER_REVERSE));
    PetscCall(VecResetArray(c->ovec));
  } else if (isrep) {
    const PetscInt nx = fk->space.nx;
    PetscCallMPI(MPI_Allgatherv(g, (PetscMPIInt)fk->nloc, MPIU_REAL, c->gathbuf, c->counts, c->displs, MPIU_REAL, fk->comm));
    for (PetscMPIInt r = 0; r < fk->size; r++) {
      const PetscInt *b = c->boxes + 4 * r;
      const PetscReal *src = c->gathbuf + c->displs[r];
      for (PetscInt j = 0; j < b[3]; j++)
        for (PetscInt i = 0; i < b[1]; i++) c->natbuf[b[0] + i + nx * (b[2] + j)] = src[i + b[1] * j];
    }
    EngineApply((FFTEngine *)c->fft, c->natbuf);
    for (PetscInt p = 0; p < fk->nloc; p++) out[p] = c->natbuf[fk->nat[p]];
  }
#endif
  else {
    for (PetscInt p = 0; p < fk->nloc; p++) out[p] = 0;
  }
  PetscCall(PetscLogEventEnd(fk->log.psi, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkConvolve(Fhnk fk, const PetscReal *V, PetscReal *Q)
{
  const PetscScalar *r;
  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(fk->rho0, &r));
  for (PetscInt p = 0; p < fk->nloc; p++) Q[p] = r[p] * V[p];
  PetscCall(VecRestoreArrayRead(fk->rho0, &r));
  PetscCall(FhnkCouplingApply(fk, Q, Q));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkCouplingDestroy(Fhnk fk)
{
  PetscFunctionBeginUser;
  PetscCall(VecDestroy(&fk->cpl.P));
  PetscCall(Teardown(fk));
  PetscFunctionReturn(0);
}
