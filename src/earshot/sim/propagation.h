// How the sound of one emission reaches one microphone in a city: a handful of paths,
// each a polyline from source to receiver with what happened on the way.
//
//   direct            line of sight, if no building blocks it
//   ground            mirror image of the source in the ground plane
//   facade            first-order image source in a building wall (an echo)
//   diffraction_roof  over the roof of the blocking building(s) (top-edge path)
//   diffraction_side  around the vertical corners of a blocking building
//
// A path's frequency response is its spreading (1/r, re 1 m), atmospheric absorption
// over its length, its reflection coefficients and, for a diffracted path, the
// barrier loss of Maekawa's chart in Kurze–Anderson form, which grows with frequency
// (so a diffracted arrival is later, weaker and duller). The simulator renders audio
// from these paths and draws pulse reports from them; both see the same physics.
#ifndef EARSHOT_SIM_PROPAGATION_H_
#define EARSHOT_SIM_PROPAGATION_H_

#include <memory>
#include <vector>

#include <Eigen/Core>

#include "earshot/sim/scene.h"

namespace earshot::sim {

enum class PathKind { kDirect, kGround, kFacade, kDiffractionRoof, kDiffractionSide };
const char* PathKindName(PathKind kind);

struct PropagationPath {
  PathKind kind = PathKind::kDirect;
  // Source, the points where the path bends (reflection or diffraction edge points),
  // receiver.
  std::vector<Eigen::Vector3d> points_m;
  double length_m = 0.0;         // sum of the legs
  double travel_time_s = 0.0;    // sum of TravelTimeS over the legs (wind included)
  double reflection_gain = 1.0;  // product of reflection coefficients (pressure ratio)
  // Path-length difference over the direct line (the Fresnel δ of the barrier formula);
  // 0 unless diffracted.
  double diffraction_delta_m = 0.0;
  // Unit vector from the source along the first leg (for the source's directivity).
  Eigen::Vector3d departure = Eigen::Vector3d::UnitX();
};

// Pressure amplitude ratio of a path at one frequency, relative to the source's
// pressure at 1 m on the same bearing: reflection_gain / length · 10^(−(α·L + D(f))/20).
double PathGainAt(const PropagationPath& path, double frequency_hz, const Atmosphere& air);

// Insertion loss of a barrier by Maekawa (Kurze–Anderson form), dB, for Fresnel number
// N = 2δ/λ: 5 + 20·log10(√(2πN)/tanh√(2πN)) for N > 0, capped at 25 dB (urban practice
// for a single edge); 5 dB at grazing (N = 0).
double BarrierLossDb(double delta_m, double frequency_hz, double speed_of_sound_mps);

struct PathOptions {
  bool ground_reflection = true;
  bool facade_reflections = true;
  bool diffraction = true;
  // Facades farther than this from both source and receiver are not considered; their
  // echoes arrive long after the pulse and far below it.
  double max_facade_distance_m = 300.0;
  // Paths more than this much longer than the shortest are dropped.
  double max_extra_length_m = 400.0;
  int max_facade_paths = 6;  // the strongest (shortest) few
  // Side paths are sought only when at most this many buildings block the direct line:
  // around a longer row of buildings the string is seldom clear, and it would be far
  // weaker than the path over the roofs (whose loss here counts one edge only).
  int max_side_buildings = 8;
};

// Answers path questions for one city. Building it indexes the buildings on a grid so
// that a city of thousands of buildings answers each question in microseconds.
//
// Buildings are solid from below the ground to a flat roof at the ground's height under
// the footprint's centroid plus height_m. A path may touch a wall, a corner or a roof edge
// (within a micrometre) without being blocked. A side path that runs into other buildings
// is drawn again around them too, a few times, before it is given up. Nothing is heard
// from or at a point under the ground or inside a building. Paths and LineOfSight keep no
// state: one PathFinder may serve several threads.
class PathFinder {
 public:
  PathFinder(const CityModel& city, const Atmosphere& air, const PathOptions& options = {});
  ~PathFinder();
  PathFinder(PathFinder&&) noexcept;
  PathFinder& operator=(PathFinder&&) noexcept;

  // All paths from source to receiver, shortest first. Empty only when every path is
  // blocked (then nothing is heard).
  std::vector<PropagationPath> Paths(const Eigen::Vector3d& source_m,
                                     const Eigen::Vector3d& receiver_m) const;

  // True when the straight segment between the points passes through no building and
  // stays above the ground.
  bool LineOfSight(const Eigen::Vector3d& a_m, const Eigen::Vector3d& b_m) const;

 private:
  struct Index;
  std::unique_ptr<Index> index_;
};

}  // namespace earshot::sim

#endif  // EARSHOT_SIM_PROPAGATION_H_
