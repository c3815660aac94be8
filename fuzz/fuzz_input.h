// Helpers shared by the fuzz targets: the input as text, and as a file for the readers
// that take a path.
#ifndef EARSHOT_FUZZ_FUZZ_INPUT_H_
#define EARSHOT_FUZZ_FUZZ_INPUT_H_

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace earshot::fuzz {

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Writes the input to this process's scratch file (one per process, overwritten for each
// input, removed at exit) and returns its path. `suffix` is the file name's ending
// (".wav"), for readers that look at it.
inline const std::string& AsFile(const std::uint8_t* data, std::size_t size,
                                 std::string_view suffix = "") {
  static const std::string path = [suffix] {
    const std::string p = (std::filesystem::temp_directory_path() /
                           ("earshot-fuzz-" + std::to_string(::getpid()) + std::string(suffix)))
                              .string();
    static const std::string removed_at_exit = p;
    std::atexit([] { std::remove(removed_at_exit.c_str()); });
    return p;
  }();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

}  // namespace earshot::fuzz

#endif  // EARSHOT_FUZZ_FUZZ_INPUT_H_
