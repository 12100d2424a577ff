// A tmpfs to fill to the brim (tests/support/full_disk.hpp).
#include "tests/support/full_disk.hpp"

#include <unistd.h>

#include <cstdlib>

namespace outboxd::test {

std::string FullDisk::unavailable_reason() {
  if (geteuid() != 0) return "filling a disk needs root (a tmpfs is mounted); CI runs the tests as root";
  return "";
}

FullDisk::FullDisk(int megabytes, const std::string &owner)
    : dir_("/tmp/outboxd-full-" + std::to_string(getpid())), tablespace_(dir_ + "/tablespace") {
  const std::string cmd = "mkdir -p " + dir_ + " && mount -t tmpfs -o size=" + std::to_string(megabytes) +
                          "m outboxd-full " + dir_ + " && mkdir " + tablespace_ + " && chown " + owner + " " +
                          tablespace_;
  mounted_ = std::system(cmd.c_str()) == 0;
}

void FullDisk::fill() {
  // dd stops with "No space left on device", which is the point: its status says nothing here.
  const std::string cmd = "dd if=/dev/zero of=" + dir_ + "/filler bs=64k >/dev/null 2>&1; sync";
  if (std::system(cmd.c_str()) != 0) {
  }
}

void FullDisk::free() { std::remove((dir_ + "/filler").c_str()); }

FullDisk::~FullDisk() {
  const std::string cmd = "umount -l " + dir_ + " >/dev/null 2>&1; rmdir " + dir_ + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) {
  }
}

}  // namespace outboxd::test
