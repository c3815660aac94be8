// Writing files so that they survive a crash or a power cut: the spool's building blocks.
//
// A file is durable once its bytes and its directory entry have reached the disk. The
// recipe (as SQLite and every careful database use it): write under a temporary name,
// fsync the file, rename it to its final name (atomic on POSIX), fsync the directory.
// A reader then sees either the whole file or none of it, never a torn one.
#ifndef EARSHOT_SENSOR_DURABLE_FILE_H_
#define EARSHOT_SENSOR_DURABLE_FILE_H_

#include <string>
#include <string_view>

#include "earshot/core/error.h"

namespace earshot::sensor {

// Writes `bytes` to `path` (which must not exist yet) and fsyncs it.
Result<void> WriteAndSync(const std::string& path, std::string_view bytes);

// fsyncs an existing file (e.g. one that a library wrote and closed).
Result<void> SyncFile(const std::string& path);

// fsyncs a directory, making renames and deletions in it durable.
Result<void> SyncDirectory(const std::string& directory);

// rename(2), with the errno text in the error.
Result<void> RenameFile(const std::string& from, const std::string& to);

}  // namespace earshot::sensor

#endif  // EARSHOT_SENSOR_DURABLE_FILE_H_
