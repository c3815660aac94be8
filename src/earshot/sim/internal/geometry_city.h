// The city as solid blocks for sound paths: each building a prism (its footprint from
// below the ground up to a flat roof), indexed on a uniform grid so that a question about
// a segment touches only the cells the segment crosses, and a question about the
// neighbourhood of a point only the cells around it.
//
// On sloping ground a roof is flat at the ground's height under the footprint's centroid
// plus the building's height. Footprints given clockwise are turned round; footprints with
// fewer than three distinct corners or no area are left out (they block nothing).
//
// Over terrain (Ground::HasTerrain) the ground is a surface, not a plane: the quick
// questions about it (a facade's foot, whether a segment dips into a hill) read a grid of
// its heights, interpolated bilinearly; AboveGround asks the surface itself.
#ifndef EARSHOT_SIM_INTERNAL_GEOMETRY_CITY_H_
#define EARSHOT_SIM_INTERNAL_GEOMETRY_CITY_H_

#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Core>

#include "earshot/sim/internal/geometry.h"
#include "earshot/sim/scene.h"

namespace earshot::sim::internal {

// Where a segment runs through a building below its roof.
struct Blocking {
  int building = 0;  // CityGeometry's index
  double t0 = 0.0;   // the part inside the footprint, as parameters along the segment
  double t1 = 0.0;
};

// A wall in plan: the edge from a footprint's corner to the next, with the line it lies
// on as an inward unit normal and offset (a point p is on the building's side when
// inward·p > offset).
struct Wall {
  Eigen::Vector2d inward = Eigen::Vector2d::Zero();
  double offset = 0.0;
  double length_m = 0.0;
};

class CityGeometry {
 public:
  // `cell_m` is the grid's cell size; about the spacing of streets works well.
  explicit CityGeometry(const CityModel& city, double cell_m = 50.0);

  int building_count() const { return static_cast<int>(prisms_.size()); }
  std::span<const Eigen::Vector2d> Footprint(int building) const {
    return {corners_.data() + prisms_[building].first_corner, prisms_[building].corner_count};
  }
  // Walls(b)[i] runs from Footprint(b)[i] to the next corner.
  std::span<const Wall> Walls(int building) const {
    return {walls_.data() + prisms_[building].first_corner, prisms_[building].corner_count};
  }
  double RoofZ(int building) const { return prisms_[building].roof_z; }
  const Ground& ground() const { return ground_; }

  // True when p is not below the ground (to within a micrometre).
  bool AboveGround(const Eigen::Vector3d& p_m) const;
  // The ground's height at xy: exact on a plane; over terrain, from the grid (within a few
  // centimetres of Ground::HeightAt between the known points).
  double GroundZ(const Eigen::Vector2d& xy) const;
  // True when the segment stays above the terrain, sampled about every grid cell (samples
  // within kTerrainEndM of either end and dips under kTerrainToleranceM are not counted:
  // an end stands on the ground). Always true on a plane: a segment between two points
  // above a plane stays above it.
  bool ClearOfTerrain(const Eigen::Vector3d& a_m, const Eigen::Vector3d& b_m) const;
  // Appends the terrain samples that rise above the segment a–b (as ClearOfTerrain finds
  // them) as (plan distance from a, ground height): the profile a path over the crest
  // must clear. Nothing on a plane.
  void TerrainAbove(const Eigen::Vector3d& a_m, const Eigen::Vector3d& b_m,
                    std::vector<Eigen::Vector2d>* profile) const;
  // True when p is strictly inside a building's footprint and below its roof.
  bool InsideBuilding(const Eigen::Vector3d& p_m) const;

  // True when the segment passes through no building below its roof. Touching a wall,
  // a corner or a roof edge does not block. The ground is not considered.
  bool ClearOfBuildings(const Eigen::Vector3d& a_m, const Eigen::Vector3d& b_m) const;
  // Appends where the segment passes through buildings below their roofs: every part
  // inside a footprint that is below the roof at one of its ends.
  void Blockers(const Eigen::Vector3d& a_m, const Eigen::Vector3d& b_m,
                std::vector<Blocking>* blocking) const;

  // Appends, once each, every building whose bounding box comes within `radius_m` (in
  // plan) of one of the centres.
  void BuildingsNear(std::span<const Eigen::Vector2d> centres_m, double radius_m,
                     std::vector<int>* buildings) const;

 private:
  struct Prism {
    uint32_t first_corner = 0;
    uint32_t corner_count = 0;
    double roof_z = 0.0;
    bool convex = false;
    Eigen::Vector2d box_min = Eigen::Vector2d::Zero();
    Eigen::Vector2d box_max = Eigen::Vector2d::Zero();
    int cell_x0 = 0, cell_y0 = 0, cell_x1 = 0, cell_y1 = 0;  // grid cells the box covers
  };

  // Calls visit(building) for each building registered in a cell the segment a–b crosses,
  // in order along it, each once; stops early when visit returns false.
  template <typename Visit>
  void Walk(const Eigen::Vector2d& a, const Eigen::Vector2d& b, Visit visit) const;
  // A segment being traced, with what every building's test needs worked out once.
  struct Trace {
    Trace(const Eigen::Vector3d& from, const Eigen::Vector3d& to);
    Eigen::Vector3d a, b;
    Eigen::Vector2d a2, d2, inverse_d2;  // plan start, direction, 1/direction
    double dz, z_min;
  };

  // Appends the blocking parts of the segment in one building; true if there are any.
  // `scratch` is working space, kept by the caller across buildings.
  bool BlockedBy(int building, const Trace& trace, std::vector<SegmentInterval>* scratch,
                 std::vector<Blocking>* blocking) const;
  int CellX(double x) const;  // clamped to the grid
  int CellY(double y) const;

  // Calls visit(along_m, fraction, ground_z) for the terrain samples between the ends;
  // stops early when visit returns false.
  template <typename Visit>
  void SampleTerrain(const Eigen::Vector3d& a_m, const Eigen::Vector3d& b_m, Visit visit) const;
  void IndexTerrain();

  Ground ground_;
  // Over terrain: the ground's heights at the nodes of a square grid, row-major from
  // terrain_origin_, terrain_nx_ nodes a row.
  std::vector<double> terrain_z_;
  Eigen::Vector2d terrain_origin_ = Eigen::Vector2d::Zero();
  double terrain_cell_m_ = 10.0;
  int terrain_nx_ = 0, terrain_ny_ = 0;
  std::vector<Eigen::Vector2d> corners_;  // all footprints, counter-clockwise, one after another
  std::vector<Wall> walls_;               // walls_[i] starts at corners_[i]
  std::vector<Prism> prisms_;
  // The grid: cells of cell_m_, row-major from origin_; each cell's buildings are
  // cell_buildings_[cell_begin_[c] .. cell_begin_[c + 1]).
  Eigen::Vector2d origin_ = Eigen::Vector2d::Zero();
  double cell_m_ = 50.0;
  int cells_x_ = 0, cells_y_ = 0;
  std::vector<uint32_t> cell_begin_;
  std::vector<uint32_t> cell_buildings_;

  // For BuildingsNear: every building once, in the cell of its centre (rows of cells are
  // contiguous), with its box at hand; a search reaches near_margin_m_ beyond its radius.
  struct NearEntry {
    Eigen::Vector2d box_min, box_max;
    int building = 0;
  };
  void IndexNeighbourhoods();
  std::vector<uint32_t> near_begin_;
  std::vector<NearEntry> near_;
  std::vector<NearEntry> big_;  // too large for the margin, searched one by one
  double near_margin_m_ = 0.0;
};

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_GEOMETRY_CITY_H_
