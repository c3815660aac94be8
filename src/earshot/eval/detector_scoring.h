// Scoring the detector of one sensor against a reference detector of the same sensor (the
// vendor's pulses in the live-fire dataset), and pooling those scores.
//
// What is measured, per recording:
//   - recall of the reference pulses that located shots ("used": in the vendor's shot
//     tuples), within ±match_window of one of ours, one-to-one;
//   - the timing of ours against theirs for those matches: median offset (ours − reference)
//     and its spread, the median absolute deviation about that median;
//   - recall of every reference pulse (echoes and unrelated bangs included), as a looser
//     figure: the reference reports more than gunfire;
//   - extra pulses: ours with no reference pulse within ±match_window, per minute of audio.
// Only audio that exists counts: a reference pulse outside the covered intervals (before
// or after the recording, or in a gap such as a zero-filled stretch) cannot be heard by
// us, so it leaves the denominators and is counted as "not covered" instead.
//
// Matching is greedy by smallest |dt|: all (reference, ours) pairs within the window are
// taken in order of |dt| (ties by reference then our time), each pulse at most once. Unlike
// an optimal assignment this can, in a chain of three pulses within one window, pair the
// middle one and leave both ends unmatched; with pulses tens of milliseconds apart (the
// detector merges onsets closer than 30 ms) that does not arise.
//
// Times are compared as given. The dataset's vendor times have millisecond resolution
// and appear to be truncated, not rounded, so a perfect detector shows an offset of about
// +0.5 ms; the offset is reported as measured, not compensated.
//
//   DetectionCounts counts = ScoreDetections(our_onsets_ns, reference, covered, {});
//   DetectionCounts all = ...; all.Add(counts);   // pooled: a median over all matches
//   all.UsedRecall(), all.MedianOffsetMs(), all.OffsetMadMs(), all.ExtraPerMinute()
#ifndef EARSHOT_EVAL_DETECTOR_SCORING_H_
#define EARSHOT_EVAL_DETECTOR_SCORING_H_

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace earshot::eval {

// A pulse of the reference detector at the sensor being scored.
struct ReferencePulse {
  std::string id;
  int64_t onset_ns = 0;
  bool used = false;  // the reference used it to locate a shot
};

// A stretch of audio that exists, [start_ns, end_ns).
struct TimeSpan {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

// The recording's span minus its gaps, in order. Gaps may overlap or reach past the
// span; what is left of the span is returned.
std::vector<TimeSpan> CoveredSpans(TimeSpan recording, std::span<const TimeSpan> gaps);
// Whether `t_ns` lies in one of the spans.
bool IsCovered(int64_t t_ns, std::span<const TimeSpan> covered);

struct DetectionScoringOptions {
  int64_t match_window_ns = 5'000'000;  // ±5 ms
};

// Counts of one recording, or of many pooled with Add.
struct DetectionCounts {
  double covered_s = 0.0;  // audio that exists
  int ours = 0;            // our pulses in covered audio
  int extra = 0;           // ... with no reference pulse within the window
  int reference = 0;       // reference pulses in covered audio
  int reference_matched = 0;
  int reference_not_covered = 0;
  int used = 0;  // reference pulses used to locate shots, in covered audio
  int used_matched = 0;
  int used_not_covered = 0;
  std::vector<double> used_offsets_ms;  // ours − reference, one per matched used pulse

  // Pooling: counts add, offsets are concatenated (so medians are over all matches).
  void Add(const DetectionCounts& other);

  // NaN when there is nothing to divide by.
  double UsedRecall() const;
  double ReferenceRecall() const;
  double MedianOffsetMs() const;
  double OffsetMadMs() const;  // median |offset − median offset|
  double ExtraPerMinute() const;
};

struct DetectionMatch {
  size_t reference_index = 0;
  size_t our_index = 0;
  double offset_ms = 0.0;  // ours − reference
};

struct DetectionScore {
  DetectionCounts counts;
  // One-to-one pairs of used reference pulses with ours (indices into the inputs).
  std::vector<DetectionMatch> used_matches;
};

// Scores our onsets against the reference pulses of one sensor over the covered audio.
// Inputs need not be sorted. Our pulses outside covered audio are ignored.
DetectionScore ScoreDetections(std::span<const int64_t> our_onsets_ns,
                               std::span<const ReferencePulse> reference,
                               std::span<const TimeSpan> covered,
                               const DetectionScoringOptions& options);

// Median of `values` (NaN when empty), and the median absolute deviation about it.
double Median(std::vector<double> values);
double MedianAbsoluteDeviation(const std::vector<double>& values);

}  // namespace earshot::eval

#endif  // EARSHOT_EVAL_DETECTOR_SCORING_H_
