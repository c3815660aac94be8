// Plane geometry for propagation: where a segment runs inside a footprint, and the taut
// strings that diffracted paths follow (convex hulls in plan and over a height profile).
//
// Footprints are simple polygons, counter-clockwise, not closed. A point on a polygon's
// boundary (within a tolerance) is outside it, so that a path may run along a wall or
// touch a corner without being blocked by it.
#ifndef EARSHOT_SIM_INTERNAL_GEOMETRY_H_
#define EARSHOT_SIM_INTERNAL_GEOMETRY_H_

#include <span>
#include <vector>

#include <Eigen/Core>

namespace earshot::sim::internal {

// How far inside a footprint a point must be to count as inside, metres.
inline constexpr double kBoundaryToleranceM = 1e-6;

inline double Cross(const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
  return a.x() * b.y() - a.y() * b.x();
}

// Twice the signed area: positive for a counter-clockwise polygon.
double TwiceSignedArea(std::span<const Eigen::Vector2d> polygon);

// True when p is inside the polygon and farther than kBoundaryToleranceM from its edges.
bool StrictlyInside(std::span<const Eigen::Vector2d> polygon, const Eigen::Vector2d& p);

// A part of a segment a + t·(b − a), t0 < t1 within [0, 1].
struct SegmentInterval {
  double t0 = 0.0;
  double t1 = 0.0;
};

// The parts of the segment a–b strictly inside the polygon, in order along it (appended).
// Only parts that reach into [t_from, t_to] are looked at: where the segment is within the
// polygon's bounding box, when the caller knows it.
void InsideIntervals(std::span<const Eigen::Vector2d> polygon, const Eigen::Vector2d& a,
                     const Eigen::Vector2d& b, std::vector<SegmentInterval>* inside,
                     double t_from = 0.0, double t_to = 1.0);

// Convex hull, counter-clockwise, without collinear points (Andrew's monotone chain).
std::vector<Eigen::Vector2d> ConvexHull(std::vector<Eigen::Vector2d> points);
// The same into `hull` (its storage reused), sorting `points` in place.
void ConvexHull(std::span<Eigen::Vector2d> points, std::vector<Eigen::Vector2d>* hull);

// The shortest path from `start` to `end` that passes above every point of `points`
// (x along the way, y up): the upper convex hull, as the points where it bends, in order.
// Points must lie strictly between start.x() and end.x(). Empty when nothing rises above
// the straight line.
std::vector<Eigen::Vector2d> TautStringOver(const Eigen::Vector2d& start,
                                            const Eigen::Vector2d& end,
                                            std::vector<Eigen::Vector2d> points);

// The taut string in plan from `start` to `end` around a convex polygon (as ConvexHull
// gives) that the straight line between them crosses, on its left or right: the corners
// it bends at, in order from start (replacing `corners`). False, and no corners, when
// start or end is inside the polygon or on its boundary.
enum class Side { kLeft, kRight };  // of the line from start to end
bool TautStringAround(const Eigen::Vector2d& start, const Eigen::Vector2d& end,
                      std::span<const Eigen::Vector2d> hull, Side side,
                      std::vector<Eigen::Vector2d>* corners);

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_GEOMETRY_H_
