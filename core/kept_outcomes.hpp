// Outcomes of messages that were sent but could not be recorded: the outcome write or its commit
// failed (disk full, a lost connection, a read-only database), so the claim rolled back and the
// rows are pending again. Without this the next claim sends them again, every few seconds, for
// as long as the fault lasts. With it this daemon never sends them again while it runs: a worker
// writes the kept outcomes before it claims anything else, and a claim that meets such a row
// writes its kept outcome instead of sending it (core/worker.cpp).
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/batch_claim.hpp"

namespace outboxd {

class KeptOutcomes {
 public:
  // Keeps the outcomes of `sent` (without their payloads, which are not needed to write them).
  void keep(const std::vector<Claimed> &sent) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const Claimed &c : sent) {
      Claimed kept = c;
      kept.payload.clear();
      kept.payload.shrink_to_fit();
      by_seq_[c.seq] = std::move(kept);
    }
    size_.store(by_seq_.size());
  }
  // Lock-free, for the check before every claim.
  bool empty() const { return size_.load() == 0; }
  std::vector<Claimed> all() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Claimed> out;
    for (const auto &entry : by_seq_) out.push_back(entry.second);
    return out;
  }
  std::optional<Claimed> find(long long seq) const {
    if (empty()) return std::nullopt;
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = by_seq_.find(seq);
    if (it == by_seq_.end()) return std::nullopt;
    return it->second;
  }
  // Written, or settled by someone else: no longer this daemon's to write. By seq and row version,
  // so that an entry kept meanwhile for a newer version of the row stays.
  void forget(const std::vector<std::pair<long long, std::string>> &entries) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto &[seq, version] : entries) {
      auto it = by_seq_.find(seq);
      if (it != by_seq_.end() && it->second.row_version == version) by_seq_.erase(it);
    }
    size_.store(by_seq_.size());
  }

 private:
  mutable std::mutex mutex_;
  std::map<long long, Claimed> by_seq_;
  std::atomic<std::size_t> size_{0};
};

}  // namespace outboxd
