// Reading a whole file that someone else controls (the config file, a `!file` secret) without
// letting it hang or exhaust memory.
#pragma once

#include <cstddef>
#include <string>

namespace outboxd {

// Reads the regular file at `path` into `out` if it holds at most `max_bytes` bytes. Anything else
// is refused with `error` saying why: a FIFO, socket, device (/dev/zero) or directory ("is not a
// regular file (a FIFO)"), a file larger than the limit, or the open/read error's text. The file is
// opened with O_NONBLOCK, so a FIFO without a writer cannot block the caller, and read at most
// max_bytes + 1 bytes, so a file that grows while it is read cannot push past the limit.
bool read_bounded_regular_file(const std::string &path, std::size_t max_bytes, std::string &out,
                               std::string &error);

}  // namespace outboxd
