// libFuzzer target: arbitrary bytes as a scenario file, through the JSON reader and the
// spec parser (every key checked, defaults filled in). Expansion into a Scene is left out:
// it is simulation, not parsing, and a valid scenario may ask for a city-sized amount of it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "earshot/core/internal/json_fields.h"
#include "earshot/sim/internal/scenario_parse.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string source = "fuzz.json";
  auto document = earshot::internal::ParseJsonDocument(earshot::fuzz::AsText(data, size), source);
  if (!document) return 0;
  (void)earshot::sim::internal::ParseScenarioSpec(*document, source, "/nonexistent", 7);
  return 0;
}
