// libFuzzer target: arbitrary bytes as a weather file (the dataset's weather.json or
// Earshot's own keys).
#include <cstddef>
#include <cstdint>

#include "earshot/core/json_io.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)earshot::ReadWeatherFile(earshot::fuzz::AsFile(data, size));
  return 0;
}
