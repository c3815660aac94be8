// Closed-form source location from arrival times with the emission time unknown.
//
// Squaring c·(t_i − t0) = |p − s_i| and moving the unknowns to the left gives one linear
// equation per arrival (the form of Bancroft 1985 and Mathias, Leonardi & Galati 2008):
//
//   2·s_i·p − 2·r_i·ρ0 + w = |s_i|² − r_i²,   with r_i = c·t_i, ρ0 = c·t0, w = ρ0² − |p|².
//
// Treating w as a fourth (fifth in 3D) independent unknown makes the system linear and
// needs no reference sensor. With more arrivals than unknowns it is solved in the least
// squares sense; with exactly one arrival fewer (the minimal case: 3 in 2D, 4 in 3D) the
// constraint on w picks the solutions on the one-dimensional solution line, of which
// there can be two. Wind is ignored here: the closed form is only the starting point
// for the refinement (robust_solver.h), which models it.
//
// Exact arrival times give the exact source (up to rounding), for any geometry that is
// not degenerate (sensors collinear in 2D, coplanar in 3D), source inside or outside.
#ifndef EARSHOT_LOCATE_CLOSED_FORM_H_
#define EARSHOT_LOCATE_CLOSED_FORM_H_

#include <span>
#include <vector>

#include "earshot/core/fix.h"
#include "earshot/locate/arrival.h"

namespace earshot::locate {

// The number of arrivals a closed-form solve needs at least.
int MinimalArrivals(SolveMode mode);

// Candidate sources, best first; empty when the geometry is degenerate or no candidate
// emits before every arrival. In SolveMode::kFixedHeight the source height is
// `fixed_height_m`; in SolveMode::k2D all heights (sensors' and source's) are ignored.
std::vector<Source> ClosedFormSolve(std::span<const Arrival> arrivals, double speed_of_sound_mps,
                                    SolveMode mode, double fixed_height_m = 0.0);

}  // namespace earshot::locate

#endif  // EARSHOT_LOCATE_CLOSED_FORM_H_
