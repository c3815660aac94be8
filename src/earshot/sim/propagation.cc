#include "earshot/sim/propagation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <utility>

#include "earshot/core/error.h"
#include "earshot/core/weather.h"
#include "earshot/sim/atmosphere.h"
#include "earshot/sim/internal/geometry.h"
#include "earshot/sim/internal/geometry_city.h"

namespace earshot::sim {
namespace {

using internal::Blocking;
using internal::CityGeometry;

// Closer than this the source is no point (a muzzle, a shell); the gain is held there.
constexpr double kNearFieldM = 0.1;
// A taut string's corners are kept this far inside the ends of the direct line, so that
// a corner above a wall the source stands against still leaves a leg to climb it.
constexpr double kCornerInsetM = 1e-7;
// Rounds of widening the set of buildings a side path goes around, when a leg of it runs
// into buildings that did not block the direct line. Each round costs about a trace of
// the direct line; four find most of the side paths that exist in a city of street blocks
// (bench/propagation_benchmark.cc).
constexpr int kSideRounds = 4;

// The leg-wise travel time of atmosphere.h, with the speed and wind worked out once.
struct MovingAir {
  double sound_mps = 0.0;
  Eigen::Vector2d wind_mps = Eigen::Vector2d::Zero();

  double TimeS(const Eigen::Vector3d& from, const Eigen::Vector3d& to) const {
    const Eigen::Vector3d leg = to - from;
    const double length = leg.norm();
    if (length == 0.0) return 0.0;
    const double speed = sound_mps + wind_mps.dot(leg.head<2>()) / length;
    EARSHOT_CHECK(speed > 0.0);
    return length / speed;
  }
};

bool Diffracted(PathKind kind) {
  return kind == PathKind::kDiffractionRoof || kind == PathKind::kDiffractionSide;
}

}  // namespace

const char* PathKindName(PathKind kind) {
  switch (kind) {
    case PathKind::kDirect:
      return "direct";
    case PathKind::kGround:
      return "ground";
    case PathKind::kFacade:
      return "facade";
    case PathKind::kDiffractionRoof:
      return "diffraction_roof";
    case PathKind::kDiffractionSide:
      return "diffraction_side";
  }
  return "unknown";
}

double BarrierLossDb(double delta_m, double frequency_hz, double speed_of_sound_mps) {
  constexpr double kMaxLossDb = 25.0;
  const double fresnel = 2.0 * std::max(delta_m, 0.0) * frequency_hz / speed_of_sound_mps;
  const double x = std::sqrt(2.0 * std::numbers::pi * fresnel);
  // x / tanh(x) → 1 at grazing; its series keeps the small-x end exact.
  const double ratio = x < 1e-4 ? 1.0 + x * x / 3.0 : x / std::tanh(x);
  return std::min(5.0 + 20.0 * std::log10(ratio), kMaxLossDb);
}

double PathGainAt(const PropagationPath& path, double frequency_hz, const Atmosphere& air) {
  double loss_db = AbsorptionDbPerM(frequency_hz, air) * path.length_m;
  if (Diffracted(path.kind)) {
    loss_db += BarrierLossDb(path.diffraction_delta_m, frequency_hz,
                             SpeedOfSoundMps(air.weather.temperature_c));
  }
  return path.reflection_gain / std::max(path.length_m, kNearFieldM) *
         std::pow(10.0, -loss_db / 20.0);
}

struct PathFinder::Index {
  Index(const CityModel& city_model, const Atmosphere& atmosphere, const PathOptions& path_options)
      : city(city_model),
        air{SpeedOfSoundMps(atmosphere.weather.temperature_c),
            WindVelocityEnMps(atmosphere.weather)},
        options(path_options),
        facade_reflection(city_model.facade_reflection_coefficient) {}

  PropagationPath MakePath(PathKind kind, std::vector<Eigen::Vector3d> points, double gain,
                           double direct_m) const;
  void AddRoofPath(const Eigen::Vector3d& s, const Eigen::Vector3d& r,
                   const std::vector<Blocking>& blocking, bool over_terrain,
                   std::vector<PropagationPath>* paths) const;
  void AddSidePaths(const Eigen::Vector3d& s, const Eigen::Vector3d& r,
                    const std::vector<Blocking>& blocking,
                    std::vector<PropagationPath>* paths) const;
  // Working space of the side paths, kept across rounds and sides.
  struct SideWork {
    std::vector<int> around;            // the buildings the string goes around
    std::vector<Eigen::Vector2d> hull;  // their convex hull
    std::vector<Eigen::Vector2d> pool;  // corners for the next hull
    std::vector<Eigen::Vector2d> corners;
    std::vector<double> along;
    std::vector<Blocking> blocking;
  };
  std::optional<PropagationPath> SidePath(const Eigen::Vector3d& s, const Eigen::Vector3d& r,
                                          internal::Side side, double longest_m,
                                          SideWork* work) const;
  void AddGroundPath(const Eigen::Vector3d& s, const Eigen::Vector3d& r,
                     std::vector<PropagationPath>* paths) const;
  void AddFacadePaths(const Eigen::Vector3d& s, const Eigen::Vector3d& r,
                      std::vector<PropagationPath>* paths) const;

  CityGeometry city;
  MovingAir air;
  PathOptions options;
  double facade_reflection = 1.0;
};

PropagationPath PathFinder::Index::MakePath(PathKind kind, std::vector<Eigen::Vector3d> points,
                                            double gain, double direct_m) const {
  PropagationPath path;
  path.kind = kind;
  path.reflection_gain = gain;
  bool departed = false;
  for (size_t i = 0; i + 1 < points.size(); ++i) {
    const Eigen::Vector3d leg = points[i + 1] - points[i];
    const double length = leg.norm();
    path.length_m += length;
    path.travel_time_s += air.TimeS(points[i], points[i + 1]);
    // A source on the ground has a first leg of no length to its own reflection point.
    if (!departed && length > 0.0) {
      path.departure = leg / length;
      departed = true;
    }
  }
  if (Diffracted(kind)) path.diffraction_delta_m = std::max(path.length_m - direct_m, 0.0);
  path.points_m = std::move(points);
  return path;
}

// Over the roofs: in the vertical plane of the direct line, the taut string from source
// to receiver over the roof edges where the line enters and leaves each blocking building,
// and, when the terrain rises above the line, over the crest of the terrain's profile.
void PathFinder::Index::AddRoofPath(const Eigen::Vector3d& s, const Eigen::Vector3d& r,
                                    const std::vector<Blocking>& blocking, bool over_terrain,
                                    std::vector<PropagationPath>* paths) const {
  const Eigen::Vector2d plan = r.head<2>() - s.head<2>();
  const double distance = plan.norm();
  if (distance <= 2.0 * kCornerInsetM) return;
  std::vector<Eigen::Vector2d> profile;  // (distance along the line, roof height)
  profile.reserve(2 * blocking.size());
  for (const Blocking& block : blocking) {
    for (const double t : {block.t0, block.t1}) {
      const double along = std::clamp(t * distance, kCornerInsetM, distance - kCornerInsetM);
      profile.emplace_back(along, city.RoofZ(block.building));
    }
  }
  if (over_terrain) city.TerrainAbove(s, r, &profile);
  const std::vector<Eigen::Vector2d> corners = internal::TautStringOver(
      Eigen::Vector2d(0.0, s.z()), Eigen::Vector2d(distance, r.z()), std::move(profile));
  if (corners.empty()) return;
  std::vector<Eigen::Vector3d> points;
  points.reserve(corners.size() + 2);
  points.push_back(s);
  for (const Eigen::Vector2d& corner : corners) {
    const Eigen::Vector2d xy = s.head<2>() + plan * (corner.x() / distance);
    points.emplace_back(xy.x(), xy.y(), corner.y());
  }
  points.push_back(r);
  paths->push_back(MakePath(PathKind::kDiffractionRoof, std::move(points), 1.0, (r - s).norm()));
}

// Around the sides: in plan, the taut string around the convex hull of the buildings in
// the way, at the height the straight line would have at the same fraction of the way.
// Where a leg of it runs into another building, that building joins the hull and the
// string is drawn again.
void PathFinder::Index::AddSidePaths(const Eigen::Vector3d& s, const Eigen::Vector3d& r,
                                     const std::vector<Blocking>& blocking,
                                     std::vector<PropagationPath>* paths) const {
  SideWork work;
  std::vector<int> around;
  for (const Blocking& block : blocking) around.push_back(block.building);
  std::sort(around.begin(), around.end());
  around.erase(std::unique(around.begin(), around.end()), around.end());
  if (static_cast<int>(around.size()) > options.max_side_buildings) return;
  for (const int building : around) {
    const auto footprint = city.Footprint(building);
    work.pool.insert(work.pool.end(), footprint.begin(), footprint.end());
  }
  std::vector<Eigen::Vector2d> hull;
  internal::ConvexHull(work.pool, &hull);
  // A longer string would be dropped with the paths too long to matter.
  double longest_m = std::numeric_limits<double>::infinity();
  for (const PropagationPath& path : *paths) {
    longest_m = std::min(longest_m, path.length_m + options.max_extra_length_m);
  }
  for (const internal::Side side : {internal::Side::kLeft, internal::Side::kRight}) {
    work.around = around;
    work.hull = hull;
    if (auto path = SidePath(s, r, side, longest_m, &work)) paths->push_back(std::move(*path));
  }
}

std::optional<PropagationPath> PathFinder::Index::SidePath(const Eigen::Vector3d& s,
                                                           const Eigen::Vector3d& r,
                                                           internal::Side side, double longest_m,
                                                           SideWork* work) const {
  for (int round = 0; round < kSideRounds; ++round) {
    std::vector<Eigen::Vector2d>& corners = work->corners;
    if (!internal::TautStringAround(s.head<2>(), r.head<2>(), work->hull, side, &corners)) {
      return std::nullopt;
    }
    std::vector<double>& along = work->along;  // plan distance from the source to each corner
    along.assign(corners.size() + 1, 0.0);
    Eigen::Vector2d previous = s.head<2>();
    for (size_t i = 0; i < corners.size(); ++i) {
      along[i + 1] = along[i] + (corners[i] - previous).norm();
      previous = corners[i];
    }
    const double plan_m = along.back() + (r.head<2>() - previous).norm();
    // The height changes in proportion to the plan distance, so the length is a hypotenuse;
    // more buildings in the hull only lengthen it.
    if (std::hypot(plan_m, r.z() - s.z()) > longest_m) return std::nullopt;
    std::vector<Eigen::Vector3d> points;
    points.reserve(corners.size() + 2);
    points.push_back(s);
    for (size_t i = 0; i < corners.size(); ++i) {
      const double z = s.z() + (r.z() - s.z()) * along[i + 1] / plan_m;
      points.emplace_back(corners[i].x(), corners[i].y(), z);
      if (!city.AboveGround(points.back())) return std::nullopt;
    }
    points.push_back(r);

    // The first leg that runs into buildings says which join the hull; the legs after it
    // change with the hull anyway.
    std::vector<Blocking>& blocking = work->blocking;
    blocking.clear();
    for (size_t i = 0; i + 1 < points.size() && blocking.empty(); ++i) {
      city.Blockers(points[i], points[i + 1], &blocking);
    }
    if (blocking.empty()) {
      return MakePath(PathKind::kDiffractionSide, std::move(points), 1.0, (r - s).norm());
    }
    const size_t before = work->around.size();
    work->pool = work->hull;
    for (const Blocking& block : blocking) {
      if (std::find(work->around.begin(), work->around.end(), block.building) !=
          work->around.end()) {
        continue;
      }
      work->around.push_back(block.building);
      const auto footprint = city.Footprint(block.building);
      work->pool.insert(work->pool.end(), footprint.begin(), footprint.end());
    }
    if (work->around.size() == before) return std::nullopt;  // blocked by its own hull
    internal::ConvexHull(work->pool, &work->hull);
  }
  return std::nullopt;
}

// The image of the source in the ground's local plane under the bounce. On a plane that is
// the plane itself; over terrain it is the tangent plane where the bounce falls, found in
// two steps from the bounce the two heights above their own ground would give on flat
// ground. The reflection point is where the line from the image to the receiver meets
// that plane.
void PathFinder::Index::AddGroundPath(const Eigen::Vector3d& s, const Eigen::Vector3d& r,
                                      std::vector<PropagationPath>* paths) const {
  const Ground& ground = city.ground();
  Eigen::Vector2d at = s.head<2>();  // where the local plane is taken
  if (ground.HasTerrain()) {
    const double hs = s.z() - ground.HeightAt(s.head<2>());
    const double hr = r.z() - ground.HeightAt(r.head<2>());
    if (hs + hr <= 0.0) return;
    at = s.head<2>() + (r.head<2>() - s.head<2>()) * (std::max(hs, 0.0) / (hs + hr));
  }
  const int steps = ground.HasTerrain() ? 2 : 1;
  Eigen::Vector3d bounce;
  for (int step = 0; step < steps; ++step) {
    Eigen::Vector2d gradient;
    const double z0 = ground.HeightAndGradientAt(at, &gradient);
    const Eigen::Vector3d normal = Eigen::Vector3d(-gradient.x(), -gradient.y(), 1.0).normalized();
    // Heights along the normal above the plane z = z0 + gradient · (xy − at).
    const double source_height = (s.z() - z0 - gradient.dot(s.head<2>() - at)) * normal.z();
    const double receiver_height = (r.z() - z0 - gradient.dot(r.head<2>() - at)) * normal.z();
    // Both on the plane (no bounce), or one under it (the plane is not the ground
    // between them: a crest or a hollow).
    if (source_height + receiver_height <= 0.0 || source_height < -1e-9 ||
        receiver_height < -1e-9) {
      return;
    }
    const Eigen::Vector3d image = s - 2.0 * source_height * normal;
    bounce = image + (r - image) * (source_height / (source_height + receiver_height));
    at = bounce.head<2>();
  }
  if (!city.ClearOfBuildings(s, bounce) || !city.ClearOfBuildings(bounce, r)) return;
  paths->push_back(
      MakePath(PathKind::kGround, {s, bounce, r}, ground.reflection_coefficient, (r - s).norm()));
}

// First-order echoes: the image of the source in the plane of each wall near the source
// or the receiver. The echo exists when the line from the image to the receiver meets the
// wall between its corners, above the ground and below the roof, and both legs are clear.
void PathFinder::Index::AddFacadePaths(const Eigen::Vector3d& s, const Eigen::Vector3d& r,
                                       std::vector<PropagationPath>* paths) const {
  const Eigen::Vector2d s2 = s.head<2>();
  const Eigen::Vector2d r2 = r.head<2>();
  const double reach_m = options.max_facade_distance_m;
  std::vector<int> near;
  near.reserve(512);
  const Eigen::Vector2d centres[] = {s2, r2};
  city.BuildingsNear(centres, reach_m, &near);

  // Echoes longer than this would be dropped (the bound tightens as echoes are found).
  double longest_m = std::numeric_limits<double>::infinity();
  for (const PropagationPath& path : *paths) {
    longest_m = std::min(longest_m, path.length_m + options.max_extra_length_m);
  }
  struct Echo {
    double length_m;
    Eigen::Vector3d point_m;
  };
  std::vector<Echo> echoes;
  for (const int building : near) {
    const double roof_z = city.RoofZ(building);
    if (std::min(s.z(), r.z()) >= roof_z) continue;  // the echo would pass over the roof
    const auto corners = city.Footprint(building);
    const auto walls = city.Walls(building);
    for (size_t i = 0; i < walls.size(); ++i) {
      // In the wall's frame: n the distance in front of it (outside the building), t
      // the distance along it from its first corner. Written out in scalars: this loop
      // sees every wall near both ends.
      const internal::Wall& wall = walls[i];
      const double nx = wall.inward.x(), ny = wall.inward.y();
      const double s_n = wall.offset - (nx * s2.x() + ny * s2.y());
      const double r_n = wall.offset - (nx * r2.x() + ny * r2.y());
      if (s_n <= internal::kBoundaryToleranceM || r_n <= internal::kBoundaryToleranceM) {
        continue;  // the wall faces away from one of them, or one stands against it
      }
      const Eigen::Vector2d& a = corners[i];
      const double s_t = (s2.x() - a.x()) * ny - (s2.y() - a.y()) * nx;
      const double r_t = (r2.x() - a.x()) * ny - (r2.y() - a.y()) * nx;
      // The line from the image (at −s_n) to the receiver meets the wall this far along.
      const double fraction = s_n / (s_n + r_n);
      const double hit_t = s_t + fraction * (r_t - s_t);
      if (hit_t <= 0.0 || hit_t >= wall.length_m) continue;
      const Eigen::Vector2d hit2 = a + hit_t * Eigen::Vector2d(ny, -nx);
      const double z = s.z() + fraction * (r.z() - s.z());
      if (z >= roof_z || z <= city.GroundZ(hit2)) continue;
      if ((hit2 - s2).squaredNorm() > reach_m * reach_m &&
          (hit2 - r2).squaredNorm() > reach_m * reach_m) {
        continue;
      }
      const double plan2 = (r_t - s_t) * (r_t - s_t) + (s_n + r_n) * (s_n + r_n);
      const double length = std::sqrt(plan2 + (r.z() - s.z()) * (r.z() - s.z()));
      echoes.push_back({length, Eigen::Vector3d(hit2.x(), hit2.y(), z)});
    }
  }
  std::sort(echoes.begin(), echoes.end(),
            [](const Echo& x, const Echo& y) { return x.length_m < y.length_m; });

  int kept = 0;
  for (const Echo& echo : echoes) {
    if (kept >= options.max_facade_paths || echo.length_m > longest_m) break;
    // The shorter leg first: it is the cheaper to trace.
    const bool source_nearer = (echo.point_m - s).squaredNorm() < (echo.point_m - r).squaredNorm();
    const Eigen::Vector3d& near_end = source_nearer ? s : r;
    const Eigen::Vector3d& far_end = source_nearer ? r : s;
    if (!city.ClearOfBuildings(near_end, echo.point_m) ||
        !city.ClearOfBuildings(echo.point_m, far_end) ||
        !city.ClearOfTerrain(near_end, echo.point_m) ||
        !city.ClearOfTerrain(echo.point_m, far_end)) {
      continue;
    }
    paths->push_back(
        MakePath(PathKind::kFacade, {s, echo.point_m, r}, facade_reflection, (r - s).norm()));
    longest_m = std::min(longest_m, echo.length_m + options.max_extra_length_m);
    ++kept;
  }
}

PathFinder::PathFinder(const CityModel& city, const Atmosphere& air, const PathOptions& options)
    : index_(std::make_unique<Index>(city, air, options)) {
  EARSHOT_CHECK(options.max_facade_paths >= 0 && options.max_side_buildings >= 0);
  EARSHOT_CHECK(options.max_facade_distance_m >= 0.0 && options.max_extra_length_m >= 0.0);
}

PathFinder::~PathFinder() = default;
PathFinder::PathFinder(PathFinder&&) noexcept = default;
PathFinder& PathFinder::operator=(PathFinder&&) noexcept = default;

bool PathFinder::LineOfSight(const Eigen::Vector3d& a_m, const Eigen::Vector3d& b_m) const {
  EARSHOT_CHECK(a_m.allFinite() && b_m.allFinite());  // scenes are validated where read
  const CityGeometry& city = index_->city;
  return city.AboveGround(a_m) && city.AboveGround(b_m) && city.ClearOfBuildings(a_m, b_m) &&
         city.ClearOfTerrain(a_m, b_m);
}

std::vector<PropagationPath> PathFinder::Paths(const Eigen::Vector3d& source_m,
                                               const Eigen::Vector3d& receiver_m) const {
  EARSHOT_CHECK(source_m.allFinite() && receiver_m.allFinite());  // validated where read
  const Index& index = *index_;
  const CityGeometry& city = index.city;
  const PathOptions& options = index.options;
  std::vector<PropagationPath> paths;
  // Underground or inside a building nothing is heard (nor modelled).
  if (!city.AboveGround(source_m) || !city.AboveGround(receiver_m) ||
      city.InsideBuilding(source_m) || city.InsideBuilding(receiver_m)) {
    return paths;
  }

  std::vector<Blocking> blocking;
  city.Blockers(source_m, receiver_m, &blocking);
  // A hill in the way: only the path over its crest; around it, or off the ground beside
  // it, is not sought.
  const bool behind_hill = !city.ClearOfTerrain(source_m, receiver_m);
  if (blocking.empty() && !behind_hill) {
    paths.push_back(index.MakePath(PathKind::kDirect, {source_m, receiver_m}, 1.0,
                                   (receiver_m - source_m).norm()));
  } else if (options.diffraction) {
    index.AddRoofPath(source_m, receiver_m, blocking, behind_hill, &paths);
    if (!behind_hill) index.AddSidePaths(source_m, receiver_m, blocking, &paths);
  }
  if (options.ground_reflection && !behind_hill) {
    index.AddGroundPath(source_m, receiver_m, &paths);
  }
  if (options.facade_reflections && options.max_facade_paths > 0) {
    index.AddFacadePaths(source_m, receiver_m, &paths);
  }

  std::stable_sort(
      paths.begin(), paths.end(),
      [](const PropagationPath& a, const PropagationPath& b) { return a.length_m < b.length_m; });
  if (!paths.empty()) {
    const double longest_m = paths.front().length_m + options.max_extra_length_m;
    std::erase_if(paths, [&](const PropagationPath& path) { return path.length_m > longest_m; });
  }
  return paths;
}

}  // namespace earshot::sim
