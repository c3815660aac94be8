#include "earshot/eval/detector_scoring.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <tuple>

namespace earshot::eval {
namespace {

constexpr double kNanosPerMs = 1e6;

// One-to-one pairs of `reference` and `ours` (indices into the onset arrays) within the
// window, greedy by smallest |dt| (see the header for why greedy is enough here).
std::vector<std::pair<size_t, size_t>> GreedyMatch(std::span<const int64_t> reference_ns,
                                                   const std::vector<size_t>& reference,
                                                   std::span<const int64_t> ours_ns,
                                                   const std::vector<size_t>& ours,
                                                   int64_t window_ns) {
  struct Candidate {
    int64_t abs_dt_ns;
    int64_t reference_ns;
    int64_t our_ns;
    size_t reference;
    size_t our;
  };
  std::vector<size_t> ours_by_time = ours;
  std::sort(ours_by_time.begin(), ours_by_time.end(),
            [&](size_t a, size_t b) { return ours_ns[a] < ours_ns[b]; });
  std::vector<Candidate> candidates;
  for (size_t r : reference) {
    const int64_t t = reference_ns[r];
    auto it = std::lower_bound(ours_by_time.begin(), ours_by_time.end(), t - window_ns,
                               [&](size_t o, int64_t value) { return ours_ns[o] < value; });
    for (; it != ours_by_time.end() && ours_ns[*it] <= t + window_ns; ++it) {
      candidates.push_back({std::abs(ours_ns[*it] - t), t, ours_ns[*it], r, *it});
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.abs_dt_ns, a.reference_ns, a.our_ns, a.reference, a.our) <
           std::tie(b.abs_dt_ns, b.reference_ns, b.our_ns, b.reference, b.our);
  });
  std::vector<bool> reference_taken(reference_ns.size(), false);
  std::vector<bool> our_taken(ours_ns.size(), false);
  std::vector<std::pair<size_t, size_t>> pairs;
  for (const Candidate& c : candidates) {
    if (reference_taken[c.reference] || our_taken[c.our]) continue;
    reference_taken[c.reference] = true;
    our_taken[c.our] = true;
    pairs.emplace_back(c.reference, c.our);
  }
  return pairs;
}

double Ratio(int numerator, int denominator) {
  if (denominator == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(numerator) / denominator;
}

}  // namespace

std::vector<TimeSpan> CoveredSpans(TimeSpan recording, std::span<const TimeSpan> gaps) {
  std::vector<TimeSpan> sorted(gaps.begin(), gaps.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const TimeSpan& a, const TimeSpan& b) { return a.start_ns < b.start_ns; });
  std::vector<TimeSpan> covered;
  int64_t cursor = recording.start_ns;
  for (const TimeSpan& gap : sorted) {
    const int64_t gap_start = std::max(gap.start_ns, cursor);
    const int64_t gap_end = std::min(gap.end_ns, recording.end_ns);
    if (gap_end <= gap_start) continue;
    if (gap_start > cursor) covered.push_back({cursor, gap_start});
    cursor = gap_end;
  }
  if (recording.end_ns > cursor) covered.push_back({cursor, recording.end_ns});
  return covered;
}

bool IsCovered(int64_t t_ns, std::span<const TimeSpan> covered) {
  return std::any_of(covered.begin(), covered.end(),
                     [t_ns](const TimeSpan& s) { return t_ns >= s.start_ns && t_ns < s.end_ns; });
}

void DetectionCounts::Add(const DetectionCounts& other) {
  covered_s += other.covered_s;
  ours += other.ours;
  extra += other.extra;
  reference += other.reference;
  reference_matched += other.reference_matched;
  reference_not_covered += other.reference_not_covered;
  used += other.used;
  used_matched += other.used_matched;
  used_not_covered += other.used_not_covered;
  used_offsets_ms.insert(used_offsets_ms.end(), other.used_offsets_ms.begin(),
                         other.used_offsets_ms.end());
}

double DetectionCounts::UsedRecall() const { return Ratio(used_matched, used); }
double DetectionCounts::ReferenceRecall() const { return Ratio(reference_matched, reference); }
double DetectionCounts::MedianOffsetMs() const { return Median(used_offsets_ms); }
double DetectionCounts::OffsetMadMs() const { return MedianAbsoluteDeviation(used_offsets_ms); }

double DetectionCounts::ExtraPerMinute() const {
  if (covered_s <= 0.0) return std::numeric_limits<double>::quiet_NaN();
  return extra / (covered_s / 60.0);
}

double Median(std::vector<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  if (values.size() % 2 == 1) return values[mid];
  const double upper = values[mid];
  const double lower = *std::max_element(values.begin(), values.begin() + mid);
  return 0.5 * (lower + upper);
}

double MedianAbsoluteDeviation(const std::vector<double>& values) {
  const double centre = Median(values);
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (double v : values) deviations.push_back(std::abs(v - centre));
  return Median(std::move(deviations));
}

DetectionScore ScoreDetections(std::span<const int64_t> our_onsets_ns,
                               std::span<const ReferencePulse> reference,
                               std::span<const TimeSpan> covered,
                               const DetectionScoringOptions& options) {
  DetectionScore score;
  DetectionCounts& counts = score.counts;
  for (const TimeSpan& s : covered) counts.covered_s += (s.end_ns - s.start_ns) * 1e-9;

  std::vector<int64_t> reference_ns;
  std::vector<size_t> reference_covered, used_covered;
  for (size_t r = 0; r < reference.size(); ++r) {
    reference_ns.push_back(reference[r].onset_ns);
    const bool in_audio = IsCovered(reference[r].onset_ns, covered);
    if (in_audio) {
      reference_covered.push_back(r);
      ++counts.reference;
      if (reference[r].used) {
        used_covered.push_back(r);
        ++counts.used;
      }
    } else {
      ++counts.reference_not_covered;
      counts.used_not_covered += reference[r].used;
    }
  }
  std::vector<size_t> ours_covered;
  for (size_t o = 0; o < our_onsets_ns.size(); ++o) {
    if (IsCovered(our_onsets_ns[o], covered)) ours_covered.push_back(o);
  }
  counts.ours = static_cast<int>(ours_covered.size());

  const int64_t window = options.match_window_ns;
  for (const auto& [r, o] :
       GreedyMatch(reference_ns, used_covered, our_onsets_ns, ours_covered, window)) {
    const double offset_ms = (our_onsets_ns[o] - reference_ns[r]) / kNanosPerMs;
    score.used_matches.push_back({r, o, offset_ms});
    counts.used_offsets_ms.push_back(offset_ms);
  }
  counts.used_matched = static_cast<int>(score.used_matches.size());
  counts.reference_matched = static_cast<int>(
      GreedyMatch(reference_ns, reference_covered, our_onsets_ns, ours_covered, window).size());

  // Extra: no reference pulse at all (covered or not) within the window. Reference times
  // sorted once make that a binary search per pulse of ours.
  std::vector<int64_t> sorted_reference = reference_ns;
  std::sort(sorted_reference.begin(), sorted_reference.end());
  for (size_t o : ours_covered) {
    const int64_t t = our_onsets_ns[o];
    auto it = std::lower_bound(sorted_reference.begin(), sorted_reference.end(), t - window);
    counts.extra += it == sorted_reference.end() || *it > t + window;
  }
  return score;
}

}  // namespace earshot::eval
