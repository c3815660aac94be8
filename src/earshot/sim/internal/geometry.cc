#include "earshot/sim/internal/geometry.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace earshot::sim::internal {
namespace {

// Squared distance from p to the segment a–b.
double SquaredDistanceToSegment(const Eigen::Vector2d& p, const Eigen::Vector2d& a,
                                const Eigen::Vector2d& b) {
  const Eigen::Vector2d ab = b - a;
  const double length2 = ab.squaredNorm();
  double u = length2 > 0.0 ? (p - a).dot(ab) / length2 : 0.0;
  u = std::clamp(u, 0.0, 1.0);
  return (a + u * ab - p).squaredNorm();
}

struct LexicographicLess {
  bool operator()(const Eigen::Vector2d& a, const Eigen::Vector2d& b) const {
    return a.x() < b.x() || (a.x() == b.x() && a.y() < b.y());
  }
};

}  // namespace

double TwiceSignedArea(std::span<const Eigen::Vector2d> polygon) {
  double sum = 0.0;
  const size_t n = polygon.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++) sum += Cross(polygon[j], polygon[i]);
  return sum;
}

bool StrictlyInside(std::span<const Eigen::Vector2d> polygon, const Eigen::Vector2d& p) {
  // Crossing number of a ray towards +x (half-open in y, so each corner counts once).
  bool inside = false;
  const size_t n = polygon.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const Eigen::Vector2d& a = polygon[j];
    const Eigen::Vector2d& b = polygon[i];
    if ((a.y() > p.y()) != (b.y() > p.y())) {
      const double x = a.x() + (p.y() - a.y()) * (b.x() - a.x()) / (b.y() - a.y());
      if (x > p.x()) inside = !inside;
    }
  }
  if (!inside) return false;
  constexpr double kTolerance2 = kBoundaryToleranceM * kBoundaryToleranceM;
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    if (SquaredDistanceToSegment(p, polygon[j], polygon[i]) <= kTolerance2) return false;
  }
  return true;
}

void InsideIntervals(std::span<const Eigen::Vector2d> polygon, const Eigen::Vector2d& a,
                     const Eigen::Vector2d& b, std::vector<SegmentInterval>* inside, double t_from,
                     double t_to) {
  const Eigen::Vector2d d = b - a;
  // Every parameter where the segment meets an edge (touching included) splits it; each
  // piece between splits is wholly inside or wholly outside, which its midpoint tells.
  // Grazing a corner or running along a wall thus gives pieces that are outside.
  const size_t n = polygon.size();
  double on_stack[64];
  std::vector<double> on_heap;
  double* splits = on_stack;
  if (n + 2 > std::size(on_stack)) {
    on_heap.resize(n + 2);
    splits = on_heap.data();
  }
  size_t count = 0;
  splits[count++] = 0.0;
  splits[count++] = 1.0;
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const double sa = Cross(d, polygon[j] - a);
    const double sb = Cross(d, polygon[i] - a);
    if ((sa > 0.0 && sb > 0.0) || (sa < 0.0 && sb < 0.0) || (sa == 0.0 && sb == 0.0)) continue;
    const double t = Cross(polygon[j] - a, polygon[i] - polygon[j]) / (sb - sa);
    if (t > 0.0 && t < 1.0) splits[count++] = t;
  }
  std::sort(splits, splits + count);
  const size_t first_new = inside->size();
  for (double* t = splits; t + 1 < splits + count; ++t) {
    if (t[1] - t[0] <= 0.0 || t[1] <= t_from || t[0] >= t_to) continue;
    if (!StrictlyInside(polygon, a + 0.5 * (t[0] + t[1]) * d)) continue;
    if (inside->size() > first_new && inside->back().t1 == t[0]) {
      inside->back().t1 = t[1];  // one piece that an extra split cut in two
    } else {
      inside->push_back({t[0], t[1]});
    }
  }
}

std::vector<Eigen::Vector2d> ConvexHull(std::vector<Eigen::Vector2d> points) {
  std::vector<Eigen::Vector2d> hull;
  ConvexHull(points, &hull);
  return hull;
}

void ConvexHull(std::span<Eigen::Vector2d> points, std::vector<Eigen::Vector2d>* hull) {
  std::sort(points.begin(), points.end(), LexicographicLess());
  const size_t n = static_cast<size_t>(std::unique(points.begin(), points.end()) - points.begin());
  hull->resize(2 * n);
  if (n < 3) {
    std::copy(points.begin(), points.begin() + n, hull->begin());
    hull->resize(n);
    return;
  }
  Eigen::Vector2d* out = hull->data();
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {  // lower hull
    while (k >= 2 && Cross(out[k - 1] - out[k - 2], points[i] - out[k - 2]) <= 0.0) --k;
    out[k++] = points[i];
  }
  for (size_t i = n - 1, lower = k + 1; i-- > 0;) {  // upper hull
    while (k >= lower && Cross(out[k - 1] - out[k - 2], points[i] - out[k - 2]) <= 0.0) --k;
    out[k++] = points[i];
  }
  hull->resize(k - 1);  // the last point is the first
}

std::vector<Eigen::Vector2d> TautStringOver(const Eigen::Vector2d& start,
                                            const Eigen::Vector2d& end,
                                            std::vector<Eigen::Vector2d> points) {
  std::sort(points.begin(), points.end(), LexicographicLess());
  std::vector<Eigen::Vector2d> chain;
  chain.reserve(points.size() + 2);
  chain.push_back(start);
  auto push = [&](const Eigen::Vector2d& p) {
    // A point on or below the line from the last-but-one corner to p is no corner.
    while (chain.size() >= 2 &&
           Cross(chain.back() - chain[chain.size() - 2], p - chain[chain.size() - 2]) >= 0.0) {
      chain.pop_back();
    }
    chain.push_back(p);
  };
  for (const Eigen::Vector2d& p : points) push(p);
  push(end);
  return std::vector<Eigen::Vector2d>(chain.begin() + 1, chain.end() - 1);
}

namespace {

// From a point outside a convex polygon the edges it sees (it is strictly to their right)
// form one run; the run's first and last corners are where the strings from the point
// touch the polygon. Both -1 when it sees no edge (inside or on the boundary).
struct SeenRun {
  int first = -1;
  int last = -1;
};

SeenRun RunSeenFrom(std::span<const Eigen::Vector2d> hull, const Eigen::Vector2d& p) {
  const int n = static_cast<int>(hull.size());
  SeenRun run;
  bool previous = Cross(hull[0] - hull[n - 1], p - hull[n - 1]) < 0.0;  // edge n−1
  for (int edge = 0; edge < n; ++edge) {
    const Eigen::Vector2d& a = hull[edge];
    const bool here = Cross(hull[edge + 1 == n ? 0 : edge + 1] - a, p - a) < 0.0;
    if (here && !previous) run.first = edge;
    if (!here && previous) run.last = edge;
    previous = here;
  }
  return run;
}

}  // namespace

bool TautStringAround(const Eigen::Vector2d& start, const Eigen::Vector2d& end,
                      std::span<const Eigen::Vector2d> hull, Side side,
                      std::vector<Eigen::Vector2d>* corners) {
  corners->clear();
  const int n = static_cast<int>(hull.size());
  if (n < 3) return false;
  const SeenRun from_start = RunSeenFrom(hull, start);
  const SeenRun from_end = RunSeenFrom(hull, end);
  if (from_start.first < 0 || from_end.first < 0) return false;
  // Counter-clockwise round the hull from start to end passes to the right of start → end.
  if (side == Side::kRight) {
    for (int i = from_start.last;; i = (i + 1) % n) {
      corners->push_back(hull[i]);
      if (i == from_end.first) break;
    }
  } else {
    for (int i = from_start.first;; i = (i + n - 1) % n) {
      corners->push_back(hull[i]);
      if (i == from_end.last) break;
    }
  }
  return true;
}

}  // namespace earshot::sim::internal
