// libFuzzer target: arbitrary bytes as a calibration file (ShotCalibration::Load), and the
// document as a per-class and an isotonic calibration; accepted calibrations are applied.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "earshot/classify/probability_calibration.h"
#include "earshot/classify/shot_calibration.h"
#include "earshot/core/internal/json_fields.h"
#include "fuzz_input.h"

namespace classify = earshot::classify;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (auto shot = classify::ShotCalibration::Load(earshot::fuzz::AsFile(data, size, ".json"))) {
    const std::vector<double> p(static_cast<std::size_t>(shot->shot.class_count()), 0.25);
    (void)shot->shot.Apply(std::span<const double>(p));
    (void)shot->incident.Apply(0.5);
  }
  auto document = earshot::internal::ParseJsonDocument(earshot::fuzz::AsText(data, size), "fuzz");
  if (!document) return 0;
  if (auto per_class = classify::ClassCalibration::FromJson(*document, "fuzz")) {
    const std::vector<double> p(static_cast<std::size_t>(per_class->class_count()), 0.5);
    (void)per_class->Apply(std::span<const double>(p));
  }
  if (auto isotonic = classify::IsotonicCalibration::FromJson(*document, "fuzz")) {
    (void)isotonic->Apply(0.0);
    (void)isotonic->Apply(0.5);
    (void)isotonic->Apply(1.0);
  }
  return 0;
}
