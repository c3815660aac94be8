// The pulse-only model (`earshot simulate --pulses-only`): what every sensor of the
// network would report, drawn from the propagation paths without rendering audio.
//
// For each emission and each sensor that could hear it, the paths of propagation.h give
// the arrivals; the first (shortest) is the candidate direct pulse, later ones echoes.
// Each arrival's peak level is the source level at 1 m with its directivity and the
// path's gain at the source's dominant frequency; its SNR is that level over the
// background and the sensor's self-noise. A logistic in SNR decides whether the
// detector reports it; the reported onset is the true arrival plus a detector timing
// error (wider at low SNR, late for a diffracted arrival) stamped by the sensor's clock
// (sensor_model.h). A rifle's shock wave is a pulse of its own, and every sensor reports
// unrelated local impulses at the background's rate. Sensors in an outage report nothing.
//
// All randomness comes from named streams (random.h): one per emission and sensor, one
// per sensor for its noise pulses. The result is the same for the same seed whatever the
// thread count, and adding a sensor leaves the reports of the others unchanged.
//
//   PathFinder paths(scene.city, scene.atmosphere);
//   PulseReports reports = SimulatePulses(scene, paths, {});
//   for (const SimulatedPulse& p : reports.pulses) ... p.pulse (as reported), p.truth
#ifndef EARSHOT_SIM_PULSE_MODEL_H_
#define EARSHOT_SIM_PULSE_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "earshot/core/pulse.h"
#include "earshot/sim/propagation.h"
#include "earshot/sim/random.h"
#include "earshot/sim/scene.h"

namespace earshot::sim {

struct PulseModelOptions {
  // Detection probability is a logistic in SNR: 50 % at detection_snr_db, 73 % one
  // detection_spread_db above it, 27 % one below. The real detector triggers at 10 dB
  // over its high-passed noise floor (detect/detector.h); its floor is a few dB under
  // the broadband background level used here.
  double detection_snr_db = 8.0;
  double detection_spread_db = 1.5;
  // SNR is a pulse's peak over the peaks of the noise around it, which stand about this
  // far over the noise's equivalent continuous level (a crest factor): the live-fire
  // dataset's sensors put their noise 60-70 dB SPL on a 50-55 dB night.
  double noise_peak_over_leq_db = 10.0;
  // Arrivals whose best possible SNR is this many spreads below the 50 % point are not
  // drawn at all (detection probability under 0.04 %): the range cut.
  double range_cut_spreads = 8.0;
  // One-sigma detector timing error: floor + low_snr * 10^(−(SNR − detection_snr_db)/20),
  // at most max. At the threshold it is floor + low_snr (0.3 ms), at 20 dB above it
  // about 0.12 ms.
  double timing_sigma_floor_s = 0.1e-3;
  double timing_sigma_low_snr_s = 0.2e-3;
  double timing_sigma_max_s = 2e-3;
  // A diffracted arrival has lost its high frequencies, so its onset is picked late:
  // an exponential delay of this mean on top of the timing error (never early).
  double diffraction_late_mean_s = 0.5e-3;
  // Two arrivals closer than this are one pulse (detect/detector.h: min_separation_s);
  // a later arrival this close to a reported pulse only adds to its level when it falls
  // within the source's positive phase, else it is lost in the pulse's ringing.
  double min_separation_s = 0.012;
  // Scatter of the measured peak level (and so of the SNR), dB.
  double level_sigma_db = 1.0;
  // Worker threads over emissions; the result does not depend on it.
  int threads = 1;
};

// Where a reported pulse came from.
enum class PulseOrigin { kArrival, kShockWave, kNoise };
const char* PulseOriginName(PulseOrigin origin);  // "arrival", "shock_wave", "noise"

// The truth behind one reported pulse (kept apart from the report itself).
struct PulseTruth {
  PulseOrigin origin = PulseOrigin::kNoise;
  int emission_index = -1;            // into Scene::emissions; −1 for noise
  PathKind path = PathKind::kDirect;  // for arrivals
  // The first blast arrival of its emission at its sensor, whatever its path: the pulse
  // a locator should use (the dataset's nlos-tuples).
  bool first_arrival = false;
  int sensor_index = 0;
  int64_t true_arrival_ns = 0;     // true UTC time the front reached the microphone
  double true_level_db_spl = 0.0;  // true peak level at the microphone
  double true_snr_db = 0.0;
  double timing_error_s = 0.0;  // detector error (without the clock's)
  bool clock_faulted = false;   // the sensor's PPS lock was lost at the time
};

struct SimulatedPulse {
  Pulse pulse;  // as the sensor reports it: stamped onset, reported position, levels
  PulseTruth truth;
};

struct PulseReports {
  // Sorted by reported onset, then sensor, then pulse id.
  std::vector<SimulatedPulse> pulses;
  int64_t arrival_pulses = 0;
  int64_t shock_wave_pulses = 0;
  int64_t noise_pulses = 0;
  int64_t pairs_considered = 0;  // emission-sensor pairs whose paths were traced
};

// Detection probability at a true SNR, 0..1.
double DetectionProbability(double snr_db, const PulseModelOptions& options);
// One-sigma detector timing error at a true SNR, seconds.
double TimingSigmaS(double snr_db, const PulseModelOptions& options);
// What an impulse's peak level is compared with at this sensor: the energy sum of the
// background (background.h) and the sensor's self-noise, raised by the noise's crest
// factor (noise_peak_over_leq_db), dB SPL.
double NoiseFloorDbSpl(const BackgroundSpec& background, const SimSensor& sensor,
                       const PulseModelOptions& options);
// Peak level at the receiver of an emission's arrival along `path`, dB SPL.
double ArrivalLevelDbSpl(const Emission& emission, const PropagationPath& path,
                         const Atmosphere& air);

// A pulse id in UUID form ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx") drawn from `rng`.
std::string DrawPulseId(Rng& rng);

// Every pulse the network reports over the scene.
PulseReports SimulatePulses(const Scene& scene, const PathFinder& paths,
                            const PulseModelOptions& options);

}  // namespace earshot::sim

#endif  // EARSHOT_SIM_PULSE_MODEL_H_
