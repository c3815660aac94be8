// Labelled gunshot pulses from real recordings: the live-fire test's audio (or any folder in
// its layout whose shots are all gunfire), for `earshot train` to learn real gunshots from as
// well as simulated ones.
//
// The detector runs on every recording exactly as `earshot detect` runs on it. A detected
// pulse is a gunshot pulse when it lies within ±tolerance of a pulse of the same sensor that
// the vendor located one of the test's shots with (nlos-tuples.json): the vendor's network
// heard it, and its own solver tied it to a surveyed gunshot. Every other detection is left
// out and counted as unmatched: a live-fire recording also holds traffic, voices and the
// echoes of the shots, and nothing labels them. So these rows only ever add gunfire; the
// other classes come from simulated scenes.
//
//   Result<PulseDataset> real =
//   BuildLivefirePulseDataset("../shared/data/pittsburgh-livefire-2018", {}); rows.Append(*real);
#ifndef EARSHOT_CLASSIFY_LIVEFIRE_PULSE_DATASET_H_
#define EARSHOT_CLASSIFY_LIVEFIRE_PULSE_DATASET_H_

#include <string>

#include "earshot/classify/pulse_dataset.h"
#include "earshot/core/error.h"

namespace earshot::classify {

// Rows of every test under `dir` (GROUP/test_NNN/, as eval::LoadLivefireDataset reads it),
// one "window" per test. A test folder that cannot be read is skipped (LoadLivefireDataset
// reports it); a recording that cannot be detected fails the whole build, naming the file.
// Fails when `dir` holds no test with audio.
Result<PulseDataset> BuildLivefirePulseDataset(const std::string& dir,
                                               const PulseDatasetOptions& options);

}  // namespace earshot::classify

#endif  // EARSHOT_CLASSIFY_LIVEFIRE_PULSE_DATASET_H_
