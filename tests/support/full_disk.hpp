// A small tmpfs that a test fills to the brim, for a PostgreSQL tablespace that runs out of space
// ("could not extend file ... No space left on device"). Needs root (mount).
#pragma once

#include <string>

namespace outboxd::test {

class FullDisk {
 public:
  // Mounts a tmpfs of `megabytes` at a new directory under /tmp, owned by `owner` (the user the
  // test PostgreSQL runs as: postgres when the tests run as root).
  FullDisk(int megabytes, const std::string &owner);
  ~FullDisk();  // removes the filler and unmounts
  FullDisk(const FullDisk &) = delete;
  FullDisk &operator=(const FullDisk &) = delete;

  static std::string unavailable_reason();  // "" when this machine can mount a tmpfs
  bool mounted() const { return mounted_; }
  // An empty directory inside, owned by `owner`, for CREATE TABLESPACE.
  const std::string &tablespace_dir() const { return tablespace_; }
  void fill();  // writes a filler file until the file system is full
  void free();  // deletes it again

 private:
  std::string dir_, tablespace_;
  bool mounted_ = false;
};

}  // namespace outboxd::test
