#include "earshot/sensor/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace earshot::sensor {
namespace {

std::string ErrnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Closes a descriptor on every return path.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and reports failure: on some file systems close() is where a write error shows.
  bool Close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

Result<void> SyncOpened(const std::string& path, int flags) {
  FileDescriptor fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (fd.get() < 0) return Fail(path, "", ErrnoText("cannot open to sync"));
  if (::fsync(fd.get()) != 0) return Fail(path, "", ErrnoText("fsync failed"));
  if (!fd.Close()) return Fail(path, "", ErrnoText("close failed"));
  return {};
}

}  // namespace

Result<void> WriteAndSync(const std::string& path, std::string_view bytes) {
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) return Fail(path, "", ErrnoText("cannot create"));
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Fail(path, "byte " + std::to_string(written), ErrnoText("write failed"));
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return Fail(path, "", ErrnoText("fsync failed"));
  if (!fd.Close()) return Fail(path, "", ErrnoText("close failed"));
  return {};
}

Result<void> SyncFile(const std::string& path) { return SyncOpened(path, O_RDONLY); }

Result<void> SyncDirectory(const std::string& directory) {
  return SyncOpened(directory, O_RDONLY | O_DIRECTORY);
}

Result<void> RenameFile(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    return Fail(to, "", ErrnoText(("cannot rename " + from + " to it").c_str()));
  }
  return {};
}

}  // namespace earshot::sensor
