// The wall clock as Unix seconds: when a reading was taken, as its answers tell clients.
#pragma once

#include <chrono>

namespace outboxd::api {

inline double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace outboxd::api
