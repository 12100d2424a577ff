// Formats messages as JSON lines and appends them, one write() per line, to a file or stdout.
#include "log_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/message_json.hpp"

namespace outboxd::log_plugin {

namespace {

// A JSON string literal for arbitrary text; invalid UTF-8 is replaced rather than refused, since a
// log line is better than none.
std::string log_json_string(const char *text) {
  return nlohmann::json(text != nullptr ? text : "")
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// `text` as a JSON value: copied as is when it is valid JSON (the common case, and "as stored":
// every digit of every number, also beyond a double), with line breaks as spaces so the record
// stays one line (valid JSON has them only between tokens); quoted as a string when it is not JSON
// at all, so the line still parses.
std::string log_json_value(const char *text, std::size_t len) {
  if (text == nullptr) return "null";
  std::string value(text, len);
  if (!plugin_common::is_message_json(value)) return log_json_string(value.c_str());
  for (char &c : value)
    if (c == '\n' || c == '\r') c = ' ';
  return value;
}

}  // namespace

std::string log_format_line(const outboxd_message &msg) {
  const char *headers = msg.headers_json != nullptr ? msg.headers_json : "{}";
  std::string line;
  line.reserve(96 + msg.payload_len);
  line += "{\"id\":";
  line += log_json_string(msg.id);
  line += ",\"destination\":";
  line += log_json_string(msg.destination);
  line += ",\"attempt\":";
  line += std::to_string(msg.attempt);
  line += ",\"headers\":";
  line += log_json_value(headers, std::strlen(headers));
  line += ",\"payload\":";
  line += log_json_value(msg.payload, msg.payload_len);
  line += '}';
  return line;
}

LogWriter::~LogWriter() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

namespace {

std::string parent_directory(const std::string &path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

bool LogWriter::open(const std::string &path, std::string &error) {
  path_ = path;
  if (path == "-") {
    fd_ = STDOUT_FILENO;
    owns_fd_ = false;
    return true;
  }
  owns_fd_ = true;
  // No O_CREAT here: `outboxd check-config` inits every plugin, and a check must leave nothing
  // behind (run as root, it used to create the file root-owned, which the daemon then could not
  // open). A missing file is created by the first write, as the user the daemon runs as; what can
  // be checked now is that its directory would let us.
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ >= 0) return true;
  if (errno != ENOENT) {
    error = "path: cannot open '" + path + "' for appending: " + std::strerror(errno);
    return false;
  }
  const std::string dir = parent_directory(path);
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    error = "path: cannot create '" + path + "': directory '" + dir + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

bool LogWriter::reopen_if_moved(std::string &error) {
  const auto now = std::chrono::steady_clock::now();
  if (fd_ >= 0 && now < next_check_) return true;
  next_check_ = now + kRotationCheckEvery;
  struct stat named {}, open_file {};
  if (fd_ >= 0 && ::stat(path_.c_str(), &named) == 0 && ::fstat(fd_, &open_file) == 0 &&
      named.st_dev == open_file.st_dev && named.st_ino == open_file.st_ino)
    return true;
  // Rotated away (renamed or removed), or not created yet: (re)create it. Payloads may be
  // personal data, so the file is not readable by everyone.
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    error = "cannot open '" + path_ + "' for appending: " + std::strerror(errno);
    // A file renamed away (still linked) keeps the line: rotation's new file comes later. One
    // removed is gone: a line written there would be lost, so the message waits for a retry.
    struct stat open_now {};
    next_check_ = {};  // and look again at the next write
    return fd_ >= 0 && ::fstat(fd_, &open_now) == 0 && open_now.st_nlink > 0;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  return true;
}

bool LogWriter::write_line(const std::string &line, std::string &error) {
  const std::string record = line + '\n';
  std::lock_guard<std::mutex> lock(mutex_);
  if (owns_fd_ && !reopen_if_moved(error)) return false;
  const char *data = record.data();
  std::size_t left = record.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = "write to " + (path_ == "-" ? std::string("stdout") : "'" + path_ + "'") +
              " failed: " + std::strerror(errno);
      return false;
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace outboxd::log_plugin
