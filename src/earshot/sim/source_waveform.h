// The sound each kind of source makes, as pressure in pascals at 1 m.
//
// A muzzle blast is a Friedlander pulse, p(t) = P·(1 − t/T)·exp(−b·t/T), with its peak P
// and positive-phase duration T from the charge (Weber's blast-wave scaling); a rifle's
// supersonic bullet adds an N-wave along its trajectory (Whitham's far-field law);
// fireworks, firecrackers, backfires, slams, hammers, nail guns and balloons have their
// own shapes. The parameters of each kind and where they come from are in
// docs/simulation.md ("Sources").
#ifndef EARSHOT_SIM_SOURCE_WAVEFORM_H_
#define EARSHOT_SIM_SOURCE_WAVEFORM_H_

#include <optional>
#include <vector>

#include <Eigen/Core>

#include "earshot/sim/scene.h"

namespace earshot::sim {

// Typical values for one kind; a scenario may override the level.
struct SourceTraits {
  double peak_db_spl_at_1m_min = 140.0;  // scenario generators draw the level in this range
  double peak_db_spl_at_1m_max = 160.0;
  double positive_phase_s = 1e-3;        // Friedlander T, or the main lobe of other shapes
  double dominant_frequency_hz = 500.0;  // where most of the energy is (for pulse-only mode)
  double bullet_speed_mps = 0.0;         // > c for supersonic rifles
  // Front-to-back level difference of the blast, dB (0: omnidirectional).
  double front_to_back_db = 0.0;
  // Automatic fire / strings: time between rounds, seconds (0: single).
  double cadence_s = 0.0;
};
const SourceTraits& TraitsOf(SourceKind kind);

// Friedlander waveform at time t ≥ 0 after the front: P·(1 − t/T)·exp(−b·t/T).
double FriedlanderPa(double t_s, double peak_pa, double positive_phase_s, double decay_b);

// Level change of a directional source at angle θ from its axis, dB (0 on the axis,
// −front_to_back_db behind): a cardioid-like pattern in dB, smooth in cos θ.
double DirectivityDb(SourceKind kind, double cos_angle_from_axis);

// The blast as heard at 1 m on bearing `toward` (unit vector from the source to the
// listener), sampled at `sample_rate_hz`; sample 0 is the arrival of the front. Includes
// the directivity and the emission's small random variations (from its waveform_seed).
std::vector<float> BlastAt1mPa(const Emission& emission, const Eigen::Vector3d& toward,
                               double sample_rate_hz);

// A supersonic bullet's shock wave at one receiver: it leaves the trajectory where the
// Mach cone meets the receiver and arrives before the muzzle blast.
struct ShockArrival {
  Eigen::Vector3d emission_point_m = Eigen::Vector3d::Zero();  // on the trajectory
  double time_after_shot_s = 0.0;  // from the muzzle time to arrival at the receiver
  double miss_distance_m = 0.0;    // closest approach of the trajectory to the receiver
  double peak_pa = 0.0;            // at the receiver (already includes its own decay)
  double duration_s = 0.0;         // N-wave length (Whitham)
};
// Empty when the bullet is subsonic (or barely supersonic), the receiver is behind the
// muzzle or outside the cone, or the trajectory's range (`max_range_m`) ends first.
//
// The bullet leaves the muzzle at the emission's bullet_speed_mps and slows as drag ∝ v²
// makes it: v(s) = v0·exp(−s/L) after s metres, L = kBulletSpeedDecayLengthM. The crack
// is modelled while the bullet is faster than 1.1 c (below, the flow is transonic). The
// overload takes another L; infinity gives a bullet of constant speed, whose arrival has
// the closed form of docs/simulation.md.
inline constexpr double kBulletSpeedDecayLengthM = 1000.0;
std::optional<ShockArrival> BulletShockAt(const Emission& emission,
                                          const Eigen::Vector3d& receiver_m,
                                          double speed_of_sound_mps, double max_range_m = 800.0);
std::optional<ShockArrival> BulletShockAt(const Emission& emission,
                                          const Eigen::Vector3d& receiver_m,
                                          double speed_of_sound_mps, double max_range_m,
                                          double speed_decay_length_m);

// The N-wave itself, sampled; sample 0 is its front.
std::vector<float> NWavePa(const ShockArrival& shock, double sample_rate_hz);

}  // namespace earshot::sim

#endif  // EARSHOT_SIM_SOURCE_WAVEFORM_H_
