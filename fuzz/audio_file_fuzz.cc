// libFuzzer target: arbitrary bytes as an audio file (WAV, FLAC, whatever libsndfile
// recognises), read as mono and as its second channel. ReadAudioFile takes a path, so the
// input goes through a scratch file. libsndfile itself is Debian's uninstrumented build:
// this covers our use of it and catches its memory errors only where ASan intercepts.
#include <cstddef>
#include <cstdint>

#include "earshot/audio/audio_file.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = earshot::fuzz::AsFile(data, size, ".wav");
  (void)earshot::audio::ReadAudioFile(path);
  earshot::audio::ReadAudioOptions second;
  second.channel = 1;
  (void)earshot::audio::ReadAudioFile(path, second);
  return 0;
}
