#include "earshot/sim/internal/generate_city.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Dense>

namespace earshot::sim::internal {
namespace {

// Points on a coarse grid, to find the clearing points near a building quickly.
class PointGrid {
 public:
  PointGrid(const std::vector<Eigen::Vector2d>& points, double cell_m)
      : points_(&points), cell_m_(std::max(cell_m, 1.0)) {
    for (size_t i = 0; i < points.size(); ++i) {
      cells_[Key(Cell(points[i].x()), Cell(points[i].y()))].push_back(i);
    }
  }

  // True when a point lies within `radius_m` of the rectangle [lo, hi].
  bool NearRectangle(const Eigen::Vector2d& lo, const Eigen::Vector2d& hi, double radius_m) const {
    for (int64_t ix = Cell(lo.x() - radius_m); ix <= Cell(hi.x() + radius_m); ++ix) {
      for (int64_t iy = Cell(lo.y() - radius_m); iy <= Cell(hi.y() + radius_m); ++iy) {
        const auto it = cells_.find(Key(ix, iy));
        if (it == cells_.end()) continue;
        for (const size_t i : it->second) {
          const Eigen::Vector2d& p = (*points_)[i];
          const Eigen::Vector2d nearest = p.cwiseMax(lo).cwiseMin(hi);
          if ((p - nearest).norm() < radius_m) return true;
        }
      }
    }
    return false;
  }

 private:
  int64_t Cell(double coordinate) const {
    return static_cast<int64_t>(std::floor(coordinate / cell_m_));
  }
  static int64_t Key(int64_t ix, int64_t iy) { return ix * 2'000'003 + iy; }

  const std::vector<Eigen::Vector2d>* points_;
  double cell_m_;
  std::unordered_map<int64_t, std::vector<size_t>> cells_;
};

Building Rectangle(const Eigen::Vector2d& lo, const Eigen::Vector2d& hi, double height_m) {
  Building building;
  building.footprint_m = {lo, {hi.x(), lo.y()}, hi, {lo.x(), hi.y()}};  // counter-clockwise
  building.height_m = height_m;
  return building;
}

}  // namespace

std::vector<Building> GenerateCity(const CityGeneratorSpec& spec,
                                   const std::vector<Eigen::Vector2d>& clearings, Rng& rng) {
  std::vector<Building> buildings;
  const double pitch = spec.block_size_m + spec.street_width_m;
  const Eigen::Vector2d lo = spec.area.Min();
  const auto blocks_x = static_cast<int64_t>(std::floor(spec.area.width_m / pitch));
  const auto blocks_y = static_cast<int64_t>(std::floor(spec.area.height_m / pitch));
  if (blocks_x < 1 || blocks_y < 1 || spec.coverage <= 0.0) return buildings;
  // Centre the grid; the margin left over is street.
  const Eigen::Vector2d origin =
      lo +
      Eigen::Vector2d(spec.area.width_m - static_cast<double>(blocks_x) * pitch,
                      spec.area.height_m - static_cast<double>(blocks_y) * pitch) /
          2.0 +
      Eigen::Vector2d::Constant(spec.street_width_m / 2.0);
  const PointGrid near(clearings, std::max(spec.clearance_m, 50.0));
  const double scale = std::sqrt(spec.coverage);
  for (int64_t bx = 0; bx < blocks_x; ++bx) {
    for (int64_t by = 0; by < blocks_y; ++by) {
      const Eigen::Vector2d block_lo =
          origin + pitch * Eigen::Vector2d(static_cast<double>(bx), static_cast<double>(by));
      const int lots_x = 1 + static_cast<int>(rng.Below(3));
      const int lots_y = 1 + static_cast<int>(rng.Below(3));
      const Eigen::Vector2d lot(spec.block_size_m / lots_x, spec.block_size_m / lots_y);
      for (int lx = 0; lx < lots_x; ++lx) {
        for (int ly = 0; ly < lots_y; ++ly) {
          const Eigen::Vector2d center =
              block_lo + lot.cwiseProduct(Eigen::Vector2d(lx + 0.5, ly + 0.5));
          // Draws come before the clearing test so that a clearing changes no other lot.
          const Eigen::Vector2d half =
              lot.cwiseProduct(Eigen::Vector2d(std::min(0.98, scale * rng.Uniform(0.85, 1.15)),
                                               std::min(0.98, scale * rng.Uniform(0.85, 1.15)))) /
              2.0;
          const double height_m = rng.Uniform(spec.min_height_m, spec.max_height_m);
          if (half.minCoeff() < 1.0) continue;  // a shed, not a building
          if (near.NearRectangle(center - half, center + half, spec.clearance_m)) continue;
          buildings.push_back(Rectangle(center - half, center + half, height_m));
        }
      }
    }
  }
  return buildings;
}

BuildingIndex::BuildingIndex(const std::vector<Building>& buildings, double cell_m)
    : buildings_(&buildings), cell_m_(cell_m) {
  for (size_t i = 0; i < buildings.size(); ++i) {
    Eigen::Vector2d lo = Eigen::Vector2d::Constant(std::numeric_limits<double>::infinity());
    Eigen::Vector2d hi = -lo;
    for (const Eigen::Vector2d& v : buildings[i].footprint_m) {
      lo = lo.cwiseMin(v);
      hi = hi.cwiseMax(v);
    }
    for (int64_t ix = Cell(lo.x()); ix <= Cell(hi.x()); ++ix) {
      for (int64_t iy = Cell(lo.y()); iy <= Cell(hi.y()); ++iy) {
        cells_[Key(ix, iy)].push_back(static_cast<int>(i));
      }
    }
  }
}

int64_t BuildingIndex::Cell(double coordinate) const {
  return static_cast<int64_t>(std::floor(coordinate / cell_m_));
}

bool BuildingIndex::Inside(const Eigen::Vector2d& xy) const {
  const auto it = cells_.find(Key(Cell(xy.x()), Cell(xy.y())));
  if (it == cells_.end()) return false;
  for (const int i : it->second) {
    if (InsidePolygon((*buildings_)[static_cast<size_t>(i)].footprint_m, xy)) return true;
  }
  return false;
}

bool InsidePolygon(const std::vector<Eigen::Vector2d>& polygon, const Eigen::Vector2d& xy) {
  return DistanceToPolygon(polygon, xy) == 0.0;
}

double DistanceToPolygon(const std::vector<Eigen::Vector2d>& polygon, const Eigen::Vector2d& xy) {
  bool inside = false;
  double nearest = std::numeric_limits<double>::infinity();
  const size_t n = polygon.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const Eigen::Vector2d& a = polygon[i];
    const Eigen::Vector2d& b = polygon[j];
    if ((a.y() > xy.y()) != (b.y() > xy.y()) &&
        xy.x() < (b.x() - a.x()) * (xy.y() - a.y()) / (b.y() - a.y()) + a.x()) {
      inside = !inside;
    }
    const Eigen::Vector2d edge = b - a;
    const double length2 = edge.squaredNorm();
    const double t = length2 > 0 ? std::clamp((xy - a).dot(edge) / length2, 0.0, 1.0) : 0.0;
    nearest = std::min(nearest, (a + t * edge - xy).norm());
  }
  return inside ? 0.0 : nearest;
}

Ground FitGround(const std::vector<StandingPoint>& points, const Ground& like) {
  Ground ground = like;
  ground.base_m = 0.0;
  ground.slope.setZero();
  if (points.empty()) return ground;
  // Centred coordinates keep the normal equations well conditioned far from the origin.
  Eigen::Vector2d centroid = Eigen::Vector2d::Zero();
  for (const StandingPoint& p : points) centroid += p.position_m.head<2>();
  centroid /= static_cast<double>(points.size());
  Eigen::MatrixXd a(points.size(), 3);
  Eigen::VectorXd b(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    const Eigen::Vector2d d = points[i].position_m.head<2>() - centroid;
    a.row(static_cast<Eigen::Index>(i)) << 1.0, d.x(), d.y();
    b[static_cast<Eigen::Index>(i)] = points[i].position_m.z() - points[i].height_above_ground_m;
  }
  Eigen::Vector3d fit = Eigen::Vector3d::Zero();
  if (points.size() >= 3) {
    fit = a.colPivHouseholderQr().solve(b);
  } else {
    fit[0] = b.mean();
  }
  ground.slope = fit.tail<2>().cwiseMax(-1.0).cwiseMin(1.0);
  ground.base_m = fit[0] - ground.slope.dot(centroid);
  // Lower the plane until every point stands at least its height above it.
  double lowest = 0.0;
  for (const StandingPoint& p : points) {
    const double above = p.position_m.z() - ground.HeightAt(p.position_m.head<2>());
    lowest = std::min(lowest, above - p.height_above_ground_m);
  }
  ground.base_m += lowest;
  return ground;
}

}  // namespace earshot::sim::internal
