// The lanes in service, by destination: the engine changes them on start and reload, and the
// stats (GET /v1/stats, /metrics) read their status from the HTTP API's threads meanwhile.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/lane.hpp"

namespace outboxd {

class LaneDirectory {
 public:
  void put(const std::shared_ptr<Lane> &lane) {
    std::lock_guard<std::mutex> lock(mutex_);
    lanes_[lane->destination()] = lane;
  }
  // Removes and returns the lane of `destination` (null when there is none).
  std::shared_ptr<Lane> take(const std::string &destination) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = lanes_.find(destination);
    if (it == lanes_.end()) return nullptr;
    auto lane = it->second;
    lanes_.erase(it);
    return lane;
  }
  std::shared_ptr<Lane> find(const std::string &destination) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = lanes_.find(destination);
    return it == lanes_.end() ? nullptr : it->second;
  }
  std::vector<std::shared_ptr<Lane>> all() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::shared_ptr<Lane>> out;
    for (const auto &entry : lanes_) out.push_back(entry.second);
    return out;
  }
  std::map<std::string, LaneStatus> statuses() const {
    const auto now = Lane::Clock::now();
    std::map<std::string, LaneStatus> out;
    for (const auto &lane : all()) out[lane->destination()] = lane->status(now);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Lane>> lanes_;
};

}  // namespace outboxd
