// Waves of a batch that holds keys' runs (core/key_waves.hpp).
#include "core/key_waves.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace outboxd {

std::vector<int> key_waves(const std::vector<Claimed> &batch) {
  std::map<std::string, std::vector<size_t>> by_key;
  for (size_t i = 0; i < batch.size(); ++i)
    if (batch[i].keyed()) by_key[*batch[i].ordering_key].push_back(i);
  std::vector<int> wave(batch.size(), 0);
  for (auto &[key, rows] : by_key) {
    std::sort(rows.begin(), rows.end(), [&](size_t a, size_t b) { return batch[a].seq < batch[b].seq; });
    for (size_t n = 0; n < rows.size(); ++n) wave[rows[n]] = static_cast<int>(n);
  }
  return wave;
}

size_t leave_with_their_keys_later_rows(std::vector<Claimed> &batch,
                                        const std::function<bool(const Claimed &)> &leave) {
  // The smallest seq left of each key: its rows from there on go.
  std::map<std::string, long long> first_left;
  std::vector<bool> goes(batch.size(), false);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!leave(batch[i])) continue;
    goes[i] = true;
    if (!batch[i].keyed()) continue;
    auto [it, added] = first_left.emplace(*batch[i].ordering_key, batch[i].seq);
    if (!added) it->second = std::min(it->second, batch[i].seq);
  }
  std::vector<Claimed> kept;
  kept.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    const Claimed &c = batch[i];
    if (!goes[i] && c.keyed()) {
      auto it = first_left.find(*c.ordering_key);
      goes[i] = it != first_left.end() && c.seq > it->second;
    }
    if (!goes[i]) kept.push_back(std::move(batch[i]));
  }
  const size_t gone = batch.size() - kept.size();
  batch = std::move(kept);
  return gone;
}

}  // namespace outboxd
