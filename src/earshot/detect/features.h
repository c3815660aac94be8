// The fixed feature vector the detector attaches to each pulse: what the classifier later
// uses to tell gunfire from fireworks, firecrackers, backfires and construction. The
// names and their order are a contract (the classifier's model is trained on them), so
// a feature is added at the end and never renamed.
#ifndef EARSHOT_DETECT_FEATURES_H_
#define EARSHOT_DETECT_FEATURES_H_

#include <array>
#include <map>
#include <span>
#include <string>
#include <string_view>

namespace earshot::detect {

inline constexpr std::array<std::string_view, 18> kFeatureNames = {
    "rise_time_s",        // 10 % to 90 % of the peak envelope
    "duration_s",         // onset to the envelope's fall below -20 dB re peak
    "decay_time_s",       // peak to -20 dB re peak
    "envelope_skew",      // third standardized moment of the envelope over the pulse
    "envelope_kurtosis",  // fourth standardized moment
    "band_energy_low",    // share of the pulse's energy below 500 Hz
    "band_energy_mid",    // 500 Hz - 2 kHz
    "band_energy_high",   // above 2 kHz
    "spectral_centroid_hz",
    "spectral_flatness",     // geometric / arithmetic mean of the power spectrum (0..1)
    "crest_factor_db",       // peak over RMS in the pulse
    "crack_present",         // 1 if a short N-wave precedes the blast (supersonic bullet)
    "crack_lead_s",          // crack-to-blast interval, 0 without a crack
    "echo_count",            // distinct later arrivals within 250 ms
    "echo_energy_ratio_db",  // energy in the 250 ms after the pulse over the pulse's own
    "clipped_fraction",      // share of pulse samples at the recording's ceiling
    "peak_level_db_spl",    "snr_db",
};

using Features = std::array<double, kFeatureNames.size()>;

// Named copy for JSON and Pulse::features.
std::map<std::string, double> FeatureMap(const Features& features);

}  // namespace earshot::detect

#endif  // EARSHOT_DETECT_FEATURES_H_
