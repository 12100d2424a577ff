// The config and destinations the engine runs on, swapped as a whole on SIGHUP.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/config.hpp"
#include "core/db.hpp"
#include "core/destinations.hpp"

namespace outboxd {

// One immutable snapshot. A batch takes a snapshot at its start and keeps it (and so every plugin
// instance it uses) alive until the batch commits, so a reload never pulls an instance away from an
// in-flight send; the old instance shuts down when its last batch lets go.
struct Runtime {
  Runtime(std::shared_ptr<const Config> c, std::shared_ptr<const Destinations> d, uint64_t gen)
      : config(std::move(c)), destinations(std::move(d)), generation(gen),
        destination_list(text_array_literal(destinations->names())) {}
  std::shared_ptr<const Config> config;
  std::shared_ptr<const Destinations> destinations;
  uint64_t generation;           // 1 for the config read at start, +1 per reload
  // text[] literal of the destination names, for the wake-up timer and the pruner's check for
  // messages to destinations this config does not name
  std::string destination_list;
};

class RuntimeHolder {
 public:
  explicit RuntimeHolder(std::shared_ptr<const Runtime> initial) : current_(std::move(initial)) {}
  std::shared_ptr<const Runtime> get() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
  }
  void set(std::shared_ptr<const Runtime> next) {
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Runtime> current_;
};

}  // namespace outboxd
