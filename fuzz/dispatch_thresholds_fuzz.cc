// libFuzzer target: arbitrary bytes as a dispatch thresholds file; accepted thresholds
// are used to decide once.
#include <cstddef>
#include <cstdint>

#include "earshot/classify/dispatch_policy.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto thresholds =
      earshot::classify::LoadDispatchThresholds(earshot::fuzz::AsFile(data, size, ".json"));
  if (thresholds) (void)earshot::classify::Decide(0.7, *thresholds);
  return 0;
}
