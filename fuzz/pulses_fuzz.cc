// libFuzzer target: arbitrary bytes as a pulses file, read as `earshot locate` reads one
// (ReadPulsesFile: the live-fire allpulses.json array or Earshot JSON Lines), with a
// sensors list so pulses without positions are placed too.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "earshot/core/json_io.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<earshot::SensorRecord> sensors = [] {
    std::vector<earshot::SensorRecord> s(2);
    s[0].id = "s1";
    s[1].id = "s2";
    s[1].position_m = {100.0, -50.0, 2.0};
    s[1].position_sigma_m = 1.0;
    return s;
  }();
  auto read = earshot::ReadPulsesFile(earshot::fuzz::AsFile(data, size), sensors);
  if (read) {
    for (const auto& error : read->refused) (void)error.ToString();
  }
  return 0;
}
