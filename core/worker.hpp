// Worker threads: claim a batch of one destination (the worker's lane), hand each message to its
// plugin, record every outcome, commit.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "core/batch_claim.hpp"
#include "core/claim_way.hpp"
#include "core/engine_state.hpp"
#include "core/lane.hpp"
#include "core/runtime.hpp"

namespace outboxd {

class Worker {
 public:
  // `index` is unique among the engine's workers, of every lane.
  Worker(int index, std::shared_ptr<Lane> lane, const RuntimeHolder &runtime, EngineState &state);
  // The thread body: loops until state.stopping or the lane is retired, reconnecting with backoff
  // on connection loss.
  void run();
  // One claim-send-record transaction; returns how many messages it handled. Public for tests.
  size_t run_batch();

 private:
  void prepare_on_outcome(const Runtime &rt);
  void wait_for_work(const Config &config);
  // Waits while the lane has max_in_flight messages in flight (other workers of it are sending).
  void wait_for_lane_room(const Runtime &rt);
  // Sleeps while the lane's breaker is open or its rate limit has no token (wait_until_), at most
  // a second at a time; true when it slept.
  bool wait_for_lane_gate();
  // Sends the batch in waves (core/key_waves.hpp): one plugin call per wave. The rows of a key
  // whose earlier row is to be retried leave the batch unsent (pending, attempts unchanged).
  void send_all(const Destination &dest, std::vector<Claimed> &batch);
  // One plugin call for the rows of `batch` at `indexes`; their outcomes are decided.
  void send_wave(const Destination &dest, std::vector<Claimed> &batch, const std::vector<size_t> &indexes);
  void record(pqxx::work &tx, const Runtime &rt, const std::vector<Claimed> &batch);
  // claim_batch with at most claim_limit_ rows, which halves after a claim that ran out of
  // statement_timeout and doubles back after each claim that did not.
  // Returns nothing, claiming nothing, while the lane's breaker is open, its local rate limit has
  // no token or it has max_in_flight in flight (wait_until_ or lane_was_full_ says which wait).
  std::vector<Claimed> claim_rows_within_limit(std::optional<pqxx::work> &tx, const Runtime &rt,
                                              const Destination &dest, InFlightReservation &reservation,
                                              bool &holds_probe);
  // The claim's database session has ended under it (checked between waves, without a round trip).
  bool session_lost();
  // Tells the lane's other workers the batch's ordering keys (core/keys_in_flight.hpp).
  void hold_keys(const std::vector<Claimed> &batch);
  // Takes a rate-limit token for each message to send; those past the tokens granted are left out
  // of the batch, untouched (pending, attempts unchanged), and the claim's end releases them.
  void keep_what_the_rate_allows(const Runtime &rt, std::vector<Claimed> &batch, InFlightReservation &reservation);
  // Drops from `batch` the rows another worker is sending now: they stay pending, untouched.
  void leave_rows_in_flight_elsewhere(std::vector<Claimed> &batch);
  // Kept outcomes (core/kept_outcomes.hpp): the claimed rows that have one get it instead of a
  // send; returns their seqs, to forget once the batch commits.
  std::vector<std::pair<long long, std::string>> use_kept_outcomes(std::vector<Claimed> &batch);
  // After the outcome write or commit failed: keeps what was sent, and logs each id.
  void keep_sent(const std::vector<Claimed> &batch, const std::exception &e);
  // Writes every kept outcome it can lock; throws when the database cannot take them yet.
  void write_kept_outcomes();
  void write_kept(const Runtime &rt, const std::vector<Claimed> &kept, bool one_by_one);
  void note_fault(const std::exception &e, std::chrono::milliseconds delay);
  void note_recovered();

  int index_;
  std::shared_ptr<Lane> lane_;
  std::string name_;  // "worker 3 (orders)", for its log lines
  const RuntimeHolder &runtime_;
  EngineState &state_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<pqxx::connection> conn_;
  uint64_t prepared_generation_ = 0;  // runtime whose on_outcome statements conn_ has prepared
  std::mt19937_64 random_;
  uint64_t seen_generation_ = 0;
  bool writing_kept_ = false;  // for the log line of a fault: what failed
  int claim_limit_ = 0;    // most rows a claim takes now (0: batch_size)
  int last_claim_asked_ = 0;  // rows the last claim asked for: a claim that got them all goes again
  bool retries_seen_ = false;  // the last claim (not of first attempts only) held retries
  ClaimWay claim_way_;  // which statement the next claim runs (core/claim_way.hpp)
  bool rows_left_for_their_keys_ = false;  // the last claim did: claim again at once
  bool lane_was_full_ = false;  // the last batch claimed nothing: the lane was at max_in_flight
  // The lane's breaker is open or its rate limit has no token until then: the worker sleeps.
  std::chrono::steady_clock::time_point wait_until_{};
  int sends_ok_ = 0, sends_failed_ = 0;  // of the last send_all, for the breaker
  int local_tokens_ = 0;  // taken from the local bucket before the claim, until it is known how many are used
  // rate_limit_shared: takes tokens while the claim's transaction is open on conn_
  std::unique_ptr<pqxx::connection> rate_conn_;
  int faults_in_row_ = 0;  // failed tries since the last batch that worked
  std::chrono::steady_clock::time_point first_fault_, last_fault_log_;
};

}  // namespace outboxd
