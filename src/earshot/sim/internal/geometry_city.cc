#include "earshot/sim/internal/geometry_city.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "earshot/core/error.h"
#include "earshot/sim/internal/geometry.h"

namespace earshot::sim::internal {
namespace {

constexpr double kGroundToleranceM = 1e-6;
// A segment at a roof's height (a path over a roof edge) is not below it.
constexpr double kRoofToleranceM = 1e-6;
// Enough cells for a city tens of kilometres across at 50 m; larger areas get larger cells.
constexpr double kMaxCells = 4.0 * 1024 * 1024;
// Buildings more than this many cells across (half-width) are kept out of the
// neighbourhood grid, so that its search margin stays small.
constexpr double kBigHalfWidthCells = 2.0;
// The terrain grid: cells of this size over the known points' box and this margin round
// it, with at most kMaxTerrainNodes nodes (larger areas get larger cells).
constexpr double kTerrainCellM = 10.0;
constexpr double kTerrainMarginM = 1000.0;
constexpr double kMaxTerrainNodes = 1024.0 * 1024.0;
// A segment is blocked by the terrain where it runs more than this below the grid's
// ground, farther than kTerrainEndM (in plan) from either end; samples are at most
// kMaxTerrainSamples along it.
constexpr double kTerrainToleranceM = 0.25;
constexpr double kTerrainEndM = 5.0;
constexpr int kMaxTerrainSamples = 96;

// Area centroid of a polygon with nonzero area.
Eigen::Vector2d Centroid(std::span<const Eigen::Vector2d> polygon, double twice_area) {
  Eigen::Vector2d sum = Eigen::Vector2d::Zero();
  const size_t n = polygon.size();
  // Relative to the first corner, so that far-off coordinates lose no precision.
  const Eigen::Vector2d o = polygon[0];
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const Eigen::Vector2d a = polygon[j] - o;
    const Eigen::Vector2d b = polygon[i] - o;
    sum += (a + b) * Cross(a, b);
  }
  return o + sum / (3.0 * twice_area);
}

// The parameter range over which the segment a + t·d, t in [0, 1], is within the box;
// false when it misses it. `inverse_d` is 1/d, component-wise.
inline bool ClipToBox(const Eigen::Vector2d& a, const Eigen::Vector2d& d,
                      const Eigen::Vector2d& inverse_d, const Eigen::Vector2d& lo,
                      const Eigen::Vector2d& hi, double* t_lo, double* t_hi) {
  *t_lo = 0.0;
  *t_hi = 1.0;
  for (int k = 0; k < 2; ++k) {
    if (d[k] == 0.0) {
      if (a[k] < lo[k] || a[k] > hi[k]) return false;
      continue;
    }
    double t0 = (lo[k] - a[k]) * inverse_d[k];
    double t1 = (hi[k] - a[k]) * inverse_d[k];
    if (t0 > t1) std::swap(t0, t1);
    *t_lo = std::max(*t_lo, t0);
    *t_hi = std::min(*t_hi, t1);
    if (*t_lo > *t_hi) return false;
  }
  return true;
}

double SquaredDistanceToBox(const Eigen::Vector2d& p, const Eigen::Vector2d& lo,
                            const Eigen::Vector2d& hi) {
  const Eigen::Vector2d below = (lo - p).cwiseMax(0.0);
  const Eigen::Vector2d above = (p - hi).cwiseMax(0.0);
  return (below + above).squaredNorm();
}

}  // namespace

CityGeometry::CityGeometry(const CityModel& city, double cell_m) : ground_(city.ground) {
  EARSHOT_CHECK(cell_m > 0.0);
  IndexTerrain();
  Eigen::Vector2d lo = Eigen::Vector2d::Constant(std::numeric_limits<double>::infinity());
  Eigen::Vector2d hi = -lo;
  for (const Building& building : city.buildings) {
    // Repeated corners (a closed ring, a doubled point) would make walls of no length.
    std::vector<Eigen::Vector2d> ring;
    for (const Eigen::Vector2d& corner : building.footprint_m) {
      if (ring.empty() || corner != ring.back()) ring.push_back(corner);
    }
    while (ring.size() > 1 && ring.back() == ring.front()) ring.pop_back();
    if (ring.size() < 3) continue;
    const std::span<const Eigen::Vector2d> footprint(ring);
    const double twice_area = TwiceSignedArea(footprint);
    if (!(std::abs(twice_area) > 0.0)) continue;
    if (twice_area < 0.0) std::reverse(ring.begin(), ring.end());
    Prism prism;
    prism.first_corner = static_cast<uint32_t>(corners_.size());
    prism.corner_count = static_cast<uint32_t>(ring.size());
    prism.convex = true;
    for (size_t i = 0; i < ring.size(); ++i) {
      const Eigen::Vector2d& a = ring[i];
      const Eigen::Vector2d edge = ring[(i + 1) % ring.size()] - a;
      const Eigen::Vector2d next = ring[(i + 2) % ring.size()] - ring[(i + 1) % ring.size()];
      if (Cross(edge, next) < 0.0) prism.convex = false;
      Wall wall;
      wall.length_m = edge.norm();
      wall.inward = Eigen::Vector2d(-edge.y(), edge.x()) / wall.length_m;
      wall.offset = wall.inward.dot(a);
      corners_.push_back(a);
      walls_.push_back(wall);
    }
    prism.roof_z = ground_.HeightAt(Centroid(footprint, std::abs(twice_area))) + building.height_m;
    prism.box_min = prism.box_max = footprint[0];
    for (const Eigen::Vector2d& corner : footprint) {
      prism.box_min = prism.box_min.cwiseMin(corner);
      prism.box_max = prism.box_max.cwiseMax(corner);
    }
    lo = lo.cwiseMin(prism.box_min);
    hi = hi.cwiseMax(prism.box_max);
    prisms_.push_back(prism);
  }
  if (prisms_.empty()) return;

  origin_ = lo - Eigen::Vector2d::Constant(1.0);
  const Eigen::Vector2d extent = hi + Eigen::Vector2d::Constant(1.0) - origin_;
  cell_m_ = std::max(cell_m, std::sqrt(extent.x() * extent.y() / kMaxCells));
  cells_x_ = std::max(1, static_cast<int>(std::ceil(extent.x() / cell_m_)));
  cells_y_ = std::max(1, static_cast<int>(std::ceil(extent.y() / cell_m_)));

  // Counting sort of (cell, building) into the rows of each cell.
  const size_t cell_count = static_cast<size_t>(cells_x_) * static_cast<size_t>(cells_y_);
  cell_begin_.assign(cell_count + 1, 0);
  for (Prism& prism : prisms_) {
    prism.cell_x0 = CellX(prism.box_min.x());
    prism.cell_y0 = CellY(prism.box_min.y());
    prism.cell_x1 = CellX(prism.box_max.x());
    prism.cell_y1 = CellY(prism.box_max.y());
    for (int y = prism.cell_y0; y <= prism.cell_y1; ++y) {
      for (int x = prism.cell_x0; x <= prism.cell_x1; ++x) ++cell_begin_[y * cells_x_ + x + 1];
    }
  }
  for (size_t c = 0; c < cell_count; ++c) cell_begin_[c + 1] += cell_begin_[c];
  cell_buildings_.resize(cell_begin_[cell_count]);
  std::vector<uint32_t> fill(cell_begin_.begin(), cell_begin_.end() - 1);
  for (uint32_t id = 0; id < prisms_.size(); ++id) {
    const Prism& prism = prisms_[id];
    for (int y = prism.cell_y0; y <= prism.cell_y1; ++y) {
      for (int x = prism.cell_x0; x <= prism.cell_x1; ++x) {
        cell_buildings_[fill[y * cells_x_ + x]++] = id;
      }
    }
  }
  IndexNeighbourhoods();
}

void CityGeometry::IndexNeighbourhoods() {
  // Each building once, in the cell of its box's centre; a search reaches out by the
  // largest half-width. The few very large buildings are searched one by one.
  const size_t cell_count = static_cast<size_t>(cells_x_) * static_cast<size_t>(cells_y_);
  std::vector<std::pair<uint32_t, NearEntry>> listed;  // (cell, entry)
  for (uint32_t id = 0; id < prisms_.size(); ++id) {
    const Prism& prism = prisms_[id];
    const NearEntry entry{prism.box_min, prism.box_max, static_cast<int>(id)};
    const Eigen::Vector2d half = (prism.box_max - prism.box_min) / 2.0;
    if (half.maxCoeff() > kBigHalfWidthCells * cell_m_) {
      big_.push_back(entry);
      continue;
    }
    near_margin_m_ = std::max(near_margin_m_, half.norm());
    const Eigen::Vector2d centre = prism.box_min + half;
    listed.emplace_back(CellY(centre.y()) * cells_x_ + CellX(centre.x()), entry);
  }
  near_begin_.assign(cell_count + 1, 0);
  for (const auto& [cell, entry] : listed) ++near_begin_[cell + 1];
  for (size_t c = 0; c < cell_count; ++c) near_begin_[c + 1] += near_begin_[c];
  near_.resize(listed.size());
  std::vector<uint32_t> fill(near_begin_.begin(), near_begin_.end() - 1);
  for (const auto& [cell, entry] : listed) near_[fill[cell]++] = entry;
}

int CityGeometry::CellX(double x) const {
  return std::clamp(static_cast<int>(std::floor((x - origin_.x()) / cell_m_)), 0, cells_x_ - 1);
}

int CityGeometry::CellY(double y) const {
  return std::clamp(static_cast<int>(std::floor((y - origin_.y()) / cell_m_)), 0, cells_y_ - 1);
}

bool CityGeometry::AboveGround(const Eigen::Vector3d& p_m) const {
  return p_m.z() >= ground_.HeightAt(p_m.head<2>()) - kGroundToleranceM;
}

void CityGeometry::IndexTerrain() {
  if (!ground_.HasTerrain()) return;
  Eigen::Vector2d lo = ground_.terrain_points_m.front().head<2>(), hi = lo;
  for (const Eigen::Vector3d& point : ground_.terrain_points_m) {
    lo = lo.cwiseMin(point.head<2>());
    hi = hi.cwiseMax(point.head<2>());
  }
  lo.array() -= kTerrainMarginM;
  hi.array() += kTerrainMarginM;
  const Eigen::Vector2d extent = hi - lo;
  terrain_cell_m_ = std::max(kTerrainCellM, std::sqrt(extent.x() * extent.y() / kMaxTerrainNodes));
  terrain_origin_ = lo;
  terrain_nx_ = static_cast<int>(std::ceil(extent.x() / terrain_cell_m_)) + 1;
  terrain_ny_ = static_cast<int>(std::ceil(extent.y() / terrain_cell_m_)) + 1;
  terrain_z_.resize(static_cast<size_t>(terrain_nx_) * static_cast<size_t>(terrain_ny_));
  for (int y = 0; y < terrain_ny_; ++y) {
    for (int x = 0; x < terrain_nx_; ++x) {
      terrain_z_[static_cast<size_t>(y) * terrain_nx_ + x] =
          ground_.HeightAt(lo + terrain_cell_m_ * Eigen::Vector2d(x, y));
    }
  }
}

double CityGeometry::GroundZ(const Eigen::Vector2d& xy) const {
  if (terrain_z_.empty()) return ground_.PlaneHeightAt(xy);
  const Eigen::Vector2d u = (xy - terrain_origin_) / terrain_cell_m_;
  const double fx = std::floor(u.x()), fy = std::floor(u.y());
  if (fx < 0.0 || fy < 0.0 || fx >= terrain_nx_ - 1 || fy >= terrain_ny_ - 1) {
    return ground_.HeightAt(xy);  // off the grid: the surface itself
  }
  const size_t i = static_cast<size_t>(fy) * terrain_nx_ + static_cast<size_t>(fx);
  const double tx = u.x() - fx, ty = u.y() - fy;
  const double z0 = terrain_z_[i] + tx * (terrain_z_[i + 1] - terrain_z_[i]);
  const double z1 = terrain_z_[i + terrain_nx_] +
                    tx * (terrain_z_[i + terrain_nx_ + 1] - terrain_z_[i + terrain_nx_]);
  return z0 + ty * (z1 - z0);
}

template <typename Visit>
void CityGeometry::SampleTerrain(const Eigen::Vector3d& a_m, const Eigen::Vector3d& b_m,
                                 Visit visit) const {
  if (terrain_z_.empty()) return;
  const Eigen::Vector2d plan = b_m.head<2>() - a_m.head<2>();
  const double length = plan.norm();
  if (length <= 2.0 * kTerrainEndM) return;
  const int samples =
      std::clamp(static_cast<int>(std::ceil(length / terrain_cell_m_)), 2, kMaxTerrainSamples);
  const double step = length / samples;
  for (int k = 1; k < samples; ++k) {
    const double along = k * step;
    if (along < kTerrainEndM || along > length - kTerrainEndM) continue;
    const double fraction = along / length;
    const Eigen::Vector2d xy = a_m.head<2>() + fraction * plan;
    if (!visit(along, fraction, GroundZ(xy))) return;
  }
}

bool CityGeometry::ClearOfTerrain(const Eigen::Vector3d& a_m, const Eigen::Vector3d& b_m) const {
  bool clear = true;
  const double dz = b_m.z() - a_m.z();
  SampleTerrain(a_m, b_m, [&](double, double fraction, double ground_z) {
    clear = a_m.z() + fraction * dz >= ground_z - kTerrainToleranceM;
    return clear;
  });
  return clear;
}

void CityGeometry::TerrainAbove(const Eigen::Vector3d& a_m, const Eigen::Vector3d& b_m,
                                std::vector<Eigen::Vector2d>* profile) const {
  const double dz = b_m.z() - a_m.z();
  SampleTerrain(a_m, b_m, [&](double along, double fraction, double ground_z) {
    if (a_m.z() + fraction * dz < ground_z - kTerrainToleranceM) {
      profile->emplace_back(along, ground_z);
    }
    return true;
  });
}

bool CityGeometry::InsideBuilding(const Eigen::Vector3d& p_m) const {
  if (prisms_.empty()) return false;
  const Eigen::Vector2d p = p_m.head<2>();
  if ((p - origin_).minCoeff() < 0.0 || p.x() >= origin_.x() + cells_x_ * cell_m_ ||
      p.y() >= origin_.y() + cells_y_ * cell_m_) {
    return false;
  }
  const int cell = CellY(p.y()) * cells_x_ + CellX(p.x());
  for (uint32_t k = cell_begin_[cell]; k < cell_begin_[cell + 1]; ++k) {
    const int id = static_cast<int>(cell_buildings_[k]);
    const Prism& prism = prisms_[id];
    if (p_m.z() >= prism.roof_z) continue;
    if ((p - prism.box_min).minCoeff() < 0.0 || (prism.box_max - p).minCoeff() < 0.0) continue;
    if (StrictlyInside(Footprint(id), p)) return true;
  }
  return false;
}

template <typename Visit>
void CityGeometry::Walk(const Eigen::Vector2d& a, const Eigen::Vector2d& b, Visit visit) const {
  if (prisms_.empty()) return;
  // The part of the segment over the grid, in cell units.
  const Eigen::Vector2d grid_max =
      origin_ + cell_m_ * Eigen::Vector2d(static_cast<double>(cells_x_), cells_y_);
  double t_lo = 0.0, t_hi = 1.0;
  const Eigen::Vector2d d = b - a;
  if (!ClipToBox(a, d, d.cwiseInverse(), origin_, grid_max, &t_lo, &t_hi)) return;
  const Eigen::Vector2d p = (a + t_lo * (b - a) - origin_) / cell_m_;
  const Eigen::Vector2d q = (a + t_hi * (b - a) - origin_) / cell_m_;

  // Column by column along x; within a column, the rows its piece of the segment crosses.
  const int x_first = std::clamp(static_cast<int>(std::floor(p.x())), 0, cells_x_ - 1);
  const int x_last = std::clamp(static_cast<int>(std::floor(q.x())), 0, cells_x_ - 1);
  const int x_step = x_last >= x_first ? 1 : -1;
  const double dx = q.x() - p.x();
  const double slope = dx != 0.0 ? (q.y() - p.y()) / dx : 0.0;
  int previous_x = -2, previous_y = -2;  // the cell visited last, to visit each building once
  for (int x = x_first;; x += x_step) {
    double y_in = p.y(), y_out = q.y();
    if (x != x_first) y_in = p.y() + slope * ((x_step > 0 ? x : x + 1) - p.x());
    if (x != x_last) y_out = p.y() + slope * ((x_step > 0 ? x + 1 : x) - p.x());
    const int y_first = std::clamp(static_cast<int>(std::floor(y_in)), 0, cells_y_ - 1);
    const int y_last = std::clamp(static_cast<int>(std::floor(y_out)), 0, cells_y_ - 1);
    const int y_step = y_last >= y_first ? 1 : -1;
    for (int y = y_first;; y += y_step) {
      const int cell = y * cells_x_ + x;
      for (uint32_t k = cell_begin_[cell]; k < cell_begin_[cell + 1]; ++k) {
        const uint32_t id = cell_buildings_[k];
        const Prism& prism = prisms_[id];
        // A building also in the previous cell was visited there (the cells a straight
        // segment crosses within a building's block of cells are consecutive).
        if (previous_x >= prism.cell_x0 && previous_x <= prism.cell_x1 &&
            previous_y >= prism.cell_y0 && previous_y <= prism.cell_y1) {
          continue;
        }
        if (!visit(static_cast<int>(id))) return;
      }
      previous_x = x;
      previous_y = y;
      if (y == y_last) break;
    }
    if (x == x_last) break;
  }
}

CityGeometry::Trace::Trace(const Eigen::Vector3d& from, const Eigen::Vector3d& to)
    : a(from),
      b(to),
      a2(from.head<2>()),
      d2(to.head<2>() - from.head<2>()),
      inverse_d2(d2.cwiseInverse()),
      dz(to.z() - from.z()),
      z_min(std::min(from.z(), to.z())) {}

bool CityGeometry::BlockedBy(int building, const Trace& trace,
                             std::vector<SegmentInterval>* scratch,
                             std::vector<Blocking>* blocking) const {
  const Prism& prism = prisms_[building];
  const double roof = prism.roof_z - kRoofToleranceM;
  if (trace.z_min >= roof) return false;
  double t_lo = 0.0, t_hi = 1.0;
  if (!ClipToBox(trace.a2, trace.d2, trace.inverse_d2, prism.box_min, prism.box_max, &t_lo,
                 &t_hi)) {
    return false;
  }
  // Below the roof anywhere over the box? (z is linear along the segment.)
  const double z0 = trace.a.z();
  if (std::min(z0 + t_lo * trace.dz, z0 + t_hi * trace.dz) >= roof) return false;

  if (prism.convex) {
    // One piece at most: clip to every wall's inner side (Cyrus–Beck). It counts when it
    // reaches kBoundaryToleranceM inside every wall, so that running along a wall or over
    // a corner stays outside; the piece itself is reported to the walls.
    double t0 = t_lo, t1 = t_hi;        // within the walls
    double deep0 = t_lo, deep1 = t_hi;  // the tolerance within them
    for (const Wall& wall : Walls(building)) {
      const double inside = wall.inward.dot(trace.a2) - wall.offset;
      const double rate = wall.inward.dot(trace.d2);
      if (rate == 0.0) {
        if (inside <= kBoundaryToleranceM) return false;
      } else if (rate > 0.0) {
        t0 = std::max(t0, -inside / rate);
        deep0 = std::max(deep0, (kBoundaryToleranceM - inside) / rate);
      } else {
        t1 = std::min(t1, -inside / rate);
        deep1 = std::min(deep1, (kBoundaryToleranceM - inside) / rate);
      }
      if (deep0 >= deep1) return false;
    }
    // Below the roof at one end of the piece?
    if (std::min(z0 + t0 * trace.dz, z0 + t1 * trace.dz) >= roof) return false;
    if (blocking != nullptr) blocking->push_back({building, t0, t1});
    return true;
  }
  scratch->clear();
  InsideIntervals(Footprint(building), trace.a2, trace.b.head<2>(), scratch, t_lo, t_hi);
  bool blocked = false;
  for (const SegmentInterval& piece : *scratch) {
    if (std::min(z0 + piece.t0 * trace.dz, z0 + piece.t1 * trace.dz) >= roof) continue;
    blocked = true;
    if (blocking == nullptr) break;
    blocking->push_back({building, piece.t0, piece.t1});
  }
  return blocked;
}

bool CityGeometry::ClearOfBuildings(const Eigen::Vector3d& a_m, const Eigen::Vector3d& b_m) const {
  bool clear = true;
  const Trace trace(a_m, b_m);
  std::vector<SegmentInterval> scratch;
  Walk(a_m.head<2>(), b_m.head<2>(), [&](int id) {
    clear = !BlockedBy(id, trace, &scratch, nullptr);
    return clear;
  });
  return clear;
}

void CityGeometry::Blockers(const Eigen::Vector3d& a_m, const Eigen::Vector3d& b_m,
                            std::vector<Blocking>* blocking) const {
  const Trace trace(a_m, b_m);
  std::vector<SegmentInterval> scratch;
  Walk(a_m.head<2>(), b_m.head<2>(), [&](int id) {
    BlockedBy(id, trace, &scratch, blocking);
    return true;
  });
}

void CityGeometry::BuildingsNear(std::span<const Eigen::Vector2d> centres_m, double radius_m,
                                 std::vector<int>* buildings) const {
  if (prisms_.empty()) return;
  const double radius2 = radius_m * radius_m;
  auto near = [&](const Eigen::Vector2d& centre, const NearEntry& entry) {
    return SquaredDistanceToBox(centre, entry.box_min, entry.box_max) <= radius2;
  };
  for (size_t k = 0; k < centres_m.size(); ++k) {
    const Eigen::Vector2d& centre = centres_m[k];
    auto listed_before = [&](const NearEntry& entry) {
      for (size_t j = 0; j < k; ++j) {
        if (near(centres_m[j], entry)) return true;
      }
      return false;
    };
    // A building is listed in the cell of its centre, at most near_margin_m_ from its box.
    const double reach_m = radius_m + near_margin_m_;
    const Eigen::Vector2d lo = centre.array() - reach_m - origin_.array();
    const Eigen::Vector2d hi = centre.array() + reach_m - origin_.array();
    if (hi.minCoeff() < 0.0 || lo.x() >= cells_x_ * cell_m_ || lo.y() >= cells_y_ * cell_m_) {
      continue;
    }
    const int x0 = CellX(centre.x() - reach_m), x1 = CellX(centre.x() + reach_m);
    const int y0 = CellY(centre.y() - reach_m), y1 = CellY(centre.y() + reach_m);
    for (int y = y0; y <= y1; ++y) {
      const int row = y * cells_x_;
      for (uint32_t i = near_begin_[row + x0]; i < near_begin_[row + x1 + 1]; ++i) {
        const NearEntry& entry = near_[i];
        if (near(centre, entry) && !listed_before(entry)) buildings->push_back(entry.building);
      }
    }
  }
  for (const NearEntry& entry : big_) {
    for (const Eigen::Vector2d& centre : centres_m) {
      if (near(centre, entry)) {
        buildings->push_back(entry.building);
        break;
      }
    }
  }
}

}  // namespace earshot::sim::internal
