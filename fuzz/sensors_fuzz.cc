// libFuzzer target: arbitrary bytes as a sensors file (JSON Lines), read in a metric and
// in a geodetic frame.
#include <cstddef>
#include <cstdint>

#include "earshot/core/json_io.h"
#include "earshot/core/local_frame.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const earshot::LocalFrame metric = earshot::LocalFrame::Metric();
  static const earshot::LocalFrame geodetic =
      earshot::LocalFrame::Geodetic(40.4406, -79.9959, 300.0);
  const std::string& path = earshot::fuzz::AsFile(data, size);
  (void)earshot::ReadSensorsFile(path, metric);
  (void)earshot::ReadSensorsFile(path, geodetic);
  return 0;
}
