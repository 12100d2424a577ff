// open + fstat + a bounded read loop; see bounded_file.hpp for why each step is there.
#include "core/bounded_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace outboxd {
namespace {

const char *file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string too_large(std::size_t max_bytes) {
  return "larger than the limit of " + std::to_string(max_bytes) + " bytes";
}

// Closes the descriptor on every path out of the reader.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

bool read_bounded_regular_file(const std::string &path, std::size_t max_bytes, std::string &out,
                               std::string &error) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever if none comes.
  Fd file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
  if (file.fd < 0) return error = std::strerror(errno), false;
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) return error = std::strerror(errno), false;
  if (!S_ISREG(st.st_mode)) return error = std::string("is ") + file_kind(st.st_mode) + ", not a regular file", false;
  if (static_cast<std::size_t>(st.st_size) > max_bytes) return error = too_large(max_bytes), false;

  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(file.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return error = std::strerror(errno), false;
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    // The size fstat saw may be stale (a file still being written, or /proc reporting 0).
    if (text.size() > max_bytes) return error = too_large(max_bytes), false;
  }
  out = std::move(text);
  return true;
}

}  // namespace outboxd
