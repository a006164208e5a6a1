/* Phase-space operators at one point of K (SPEC 4):
   explicit part  F(f) = -d_v(B f) - d_w(A f), limited upwind finite volumes;
   implicit part  G(f) = d_v[ d_v f + (rho0/eps)(v - V) f ], Scharfetter-Gummel fluxes,
   solved exactly along v-lines (Thomas). */
#ifndef FHNK_OPERATORS_H
#define FHNK_OPERATORS_H
#include "fhnk.h"

/* mass (sum f dv dw) and mean voltage of every local point of a state vector */
PetscErrorCode FhnkPointMoments(Fhnk, const PetscReal *f, PetscReal *mass, PetscReal *V);
void           FhnkLineSum(Fhnk, const PetscReal *f, PetscReal *tot);
/* c(f): centre making G_c conserve the first moment of f (ftot: f summed over w-lines) */
PetscErrorCode FhnkCentreOf(Fhnk, PetscReal k, const PetscReal *ftot, PetscReal *c);
/* centre of an implicit stage (the solution keeps the first moment of Z); sets the line factors;
   *c holds a guess on entry (the previous centre of the point) */
PetscErrorCode FhnkStageCentre(Fhnk, PetscReal k, PetscReal tau, const PetscReal *ztot, PetscReal *c);
/* SG weights of point p for relaxation rate k towards centre c; Thomas factors of
   (I - tau G) when tau > 0 */
PetscErrorCode FhnkLineSetUp(Fhnk, PetscReal k, PetscReal c, PetscReal tau);
/* out = G f at one point (flux form), using the current line weights */
void FhnkApplyImplicitPoint(Fhnk, const PetscReal *f, PetscReal *out, PetscBool add, PetscReal *tot);
/* X = (I - tau G)^{-1} Z for nl consecutive v-lines, each line keeping its mass to round-off */
void FhnkSolveLines(Fhnk, PetscInt nl, const PetscReal *Z, PetscReal *X);
/* the same for the nw lines of one point */
void FhnkSolvePoint(Fhnk, const PetscReal *Z, PetscReal *X);
/* out = F f at one point (add: out += F f), given P = Psi*rho0 and Q = Psi*(rho0 V) there */
void FhnkApplyExplicitPoint(Fhnk, PetscReal P, PetscReal Q, PetscReal rho0, const PetscReal *f, PetscReal *out, PetscBool add, PetscReal scale, PetscReal *work, PetscReal *tot);

/* whole-vector versions */
/* t: the time of the state (the stimulus I_ext(t) enters the drift B) */
PetscErrorCode FhnkExplicit(Fhnk, PetscReal t, Vec U, Vec F, PetscBool add_implicit);
PetscErrorCode FhnkExplicitGivenV(Fhnk, PetscReal t, Vec U, const PetscReal *V, Vec F, PetscBool add_implicit);
/* tot (NULL or nloc x nv): w-line sums of the result at every point */
PetscErrorCode FhnkExplicitGivenVAdd(Fhnk, PetscReal t, Vec U, const PetscReal *V, Vec F, PetscBool add_implicit, PetscBool add, PetscReal scale, PetscReal *tot);
PetscErrorCode FhnkImplicit(Fhnk, Vec U, Vec G, const PetscReal *utot, PetscReal *gtot);
PetscErrorCode FhnkImplicitSolve(Fhnk, Vec Z, PetscReal tau, Vec X);
PetscErrorCode FhnkCFL(Fhnk, Vec U, PetscReal dt, PetscReal *cflv, PetscReal *cflw);
#endif
