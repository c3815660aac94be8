#include "earshot/detect/onset_picker.h"

#include <algorithm>
#include <cmath>

#include "earshot/core/error.h"

namespace earshot::detect {
namespace {

// Least-squares line v = intercept + slope * i over (i, v) pairs.
struct LineFit {
  double intercept = 0.0, slope = 0.0;
  double mean_i = 0.0, sxx = 0.0;  // for the variance of derived quantities
  double residual_rms = 0.0;
  int n = 0;
};

template <typename ValueAt>
LineFit FitLine(int first, int last, ValueAt value_at) {
  LineFit fit;
  fit.n = last - first;
  if (fit.n <= 0) return fit;
  double sum_i = 0.0, sum_v = 0.0;
  for (int i = first; i < last; ++i) {
    sum_i += i;
    sum_v += value_at(i);
  }
  fit.mean_i = sum_i / fit.n;
  const double mean_v = sum_v / fit.n;
  double sxy = 0.0;
  for (int i = first; i < last; ++i) {
    fit.sxx += (i - fit.mean_i) * (i - fit.mean_i);
    sxy += (i - fit.mean_i) * (value_at(i) - mean_v);
  }
  fit.slope = fit.sxx > 0.0 ? sxy / fit.sxx : 0.0;
  fit.intercept = mean_v - fit.slope * fit.mean_i;
  double ss = 0.0;
  for (int i = first; i < last; ++i) {
    const double e = value_at(i) - (fit.intercept + fit.slope * i);
    ss += e * e;
  }
  fit.residual_rms = fit.n > 2 ? std::sqrt(ss / (fit.n - 2)) : 0.0;
  return fit;
}

}  // namespace

OnsetEstimate PickOnset(std::span<const float> window, int background_samples,
                        const OnsetOptions& options) {
  EARSHOT_CHECK(background_samples >= 8);
  OnsetEstimate estimate;
  const int size = static_cast<int>(window.size());
  if (size <= background_samples + 2) return estimate;

  // The background's drift over a few milliseconds is close to a straight line.
  const LineFit background =
      FitLine(0, background_samples, [&](int i) { return static_cast<double>(window[i]); });
  auto above_background = [&](int i) {
    return window[i] - (background.intercept + background.slope * i);
  };
  estimate.background_rms = background.residual_rms;
  const double departure = options.departure_sigmas * background.residual_rms;

  // The arrival starts with the first lobe that stands out: departs from the background
  // and then rises well clear of it (a lone noise spike does not), and is not negligible
  // next to the largest lobe in the window (background flicker before a loud pulse).
  double largest = 0.0;
  for (int i = background_samples; i < size; ++i) {
    largest = std::max(largest, static_cast<double>(std::abs(above_background(i))));
  }
  const double lobe_needed =
      std::max(options.lobe_sigmas * background.residual_rms, options.lobe_fraction * largest);
  int start = -1;
  double sign = 1.0;
  int peak = -1;
  for (int i = background_samples; i < size && start < 0; ++i) {
    const double value = above_background(i);
    if (!(std::abs(value) > departure) || value == 0.0) continue;
    const double lobe_sign = value > 0 ? 1.0 : -1.0;
    int lobe_peak = i;
    const int lobe_end = std::min(size, i + options.max_lobe_samples);
    int j = i + 1;
    for (; j < lobe_end; ++j) {
      const double v = lobe_sign * above_background(j);
      if (v > lobe_sign * above_background(lobe_peak)) lobe_peak = j;
      if (v < options.lobe_end_fraction * lobe_sign * above_background(lobe_peak)) break;
    }
    if (lobe_sign * above_background(lobe_peak) >= lobe_needed) {
      start = i;
      sign = lobe_sign;
      peak = lobe_peak;
    } else {
      i = std::max(i, j - 1);  // skip this lobe
    }
  }
  if (start < 0) return estimate;
  auto rise = [&](int i) { return sign * above_background(i); };
  const double peak_rise = rise(peak);
  estimate.first_lobe_peak = peak_rise;
  estimate.departure_index = start;

  // Leading-edge samples: walk back from the peak while above the low fraction.
  const double low = std::max(departure, options.edge_low_fraction * peak_rise);
  const double high = options.edge_high_fraction * peak_rise;
  int edge_first = peak;
  while (edge_first - 1 > background_samples - 1 && rise(edge_first - 1) >= low) --edge_first;
  int edge_last = edge_first;  // one past the last sample at or below `high`
  while (edge_last <= peak && rise(edge_last) <= high) ++edge_last;

  LineFit edge;
  if (edge_last - edge_first >= 2) {
    edge = FitLine(edge_first, edge_last, rise);
  } else {
    // A rise within a sample or two: the line through the last background sample and
    // the first sample of the arrival.
    edge_first = std::max(background_samples - 1, edge_first - 1);
    edge = FitLine(edge_first, edge_first + 2, rise);
  }
  if (!(edge.slope > 0.0)) return estimate;
  double onset = -edge.intercept / edge.slope;
  // The onset lies after the last sample that was still background and before the
  // first sample fitted on the edge.
  int last_background = edge_first - 1;
  while (last_background > background_samples - 1 && std::abs(rise(last_background)) > departure) {
    --last_background;
  }
  onset = std::clamp(onset, static_cast<double>(last_background), static_cast<double>(edge_first));

  // Var(-a/b) for a least-squares line with noise sigma on each value.
  const double sigma_v = background.residual_rms;
  const double n = std::max(edge.n, 1);
  const double leverage =
      edge.sxx > 0.0 ? (onset - edge.mean_i) * (onset - edge.mean_i) / edge.sxx : 1.0;
  estimate.sigma_samples = sigma_v / edge.slope * std::sqrt(1.0 / n + leverage);
  estimate.onset = onset;
  estimate.found = true;
  return estimate;
}

}  // namespace earshot::detect
