// libFuzzer target: arbitrary bytes as an audio sidecar (recording metadata JSON).
#include <cstddef>
#include <cstdint>

#include "earshot/audio/recording_metadata.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)earshot::audio::ReadRecordingMetadata(earshot::fuzz::AsFile(data, size, ".json"));
  return 0;
}
