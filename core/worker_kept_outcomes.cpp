// A worker's kept outcomes (core/kept_outcomes.hpp): outcomes of messages sent whose write failed,
// kept so this daemon writes them instead of sending the messages again. Split from worker.cpp,
// which holds the delivery loop itself.
#include <map>

#include "core/db.hpp"
#include "core/logging.hpp"
#include "core/queries.hpp"
#include "core/savepoint.hpp"
#include "core/sql_errors.hpp"
#include "core/worker.hpp"

namespace outboxd {

std::vector<std::pair<long long, std::string>> Worker::use_kept_outcomes(std::vector<Claimed> &batch) {
  std::vector<std::pair<long long, std::string>> used;
  if (state_.kept.empty()) return used;
  for (Claimed &c : batch) {
    std::optional<Claimed> kept = state_.kept.find(c.seq);
    if (!kept) continue;
    used.emplace_back(kept->seq, kept->row_version);
    // A change committed since (an operator's cancel and retry; another daemon's outcome): the
    // row is a new round, and the kept outcome belongs to the old one.
    if (kept->row_version != c.row_version) continue;
    log_->info("message {} to {}: sent earlier by attempt {}, whose outcome could not be written then; "
               "writing that outcome now instead of sending it again", c.id, c.destination, c.attempt);
    c.outcome = kept->outcome;
    c.sent_before = true;
  }
  return used;
}

void Worker::keep_sent(const std::vector<Claimed> &batch, const std::exception &e) {
  std::vector<Claimed> sent;
  for (const Claimed &c : batch)
    if (!c.unsendable) sent.push_back(c);
  if (sent.empty()) return;
  state_.kept.keep(sent);
  const bool in_doubt = dynamic_cast<const pqxx::in_doubt_error *>(&e) != nullptr;
  // Named by id, in lines of at most 50, so an operator can find every message that a restart
  // before the write would send a second time.
  for (size_t from = 0; from < sent.size(); from += 50) {
    std::string ids;
    for (size_t i = from; i < std::min(sent.size(), from + 50); ++i) ids += (ids.empty() ? "" : " ") + sent[i].id;
    log_->warn("{}: {} message(s) were sent but their outcome {} ({}); this daemon keeps the outcomes and "
               "writes them before it claims anything else, so it does not send them again, but if it stops "
               "first they will be sent again (receivers drop duplicates by id): {}",
               name_, sent.size(), in_doubt ? "may not have been committed" : "could not be written", one_line(e), ids);
  }
}

void Worker::write_kept_outcomes() {
  const auto rt = runtime_.get();
  if (prepared_generation_ != rt->generation) prepare_on_outcome(*rt);
  const std::vector<Claimed> kept = state_.kept.all();
  try {
    write_kept(*rt, kept, false);
  } catch (const std::exception &e) {
    if (is_passing_fault(e)) throw;  // the database's fault: try again as it is, after a backoff
    // The outcomes themselves fail (a broken on_outcome statement, a CHECK): each on its own, so
    // one cannot hold up the others, nor stop this daemon from ever claiming again.
    log_->error("{}: writing {} kept outcome(s) failed ({}); writing each on its own", name_, kept.size(),
                one_line(e));
    write_kept(*rt, kept, true);
  }
}

void Worker::write_kept(const Runtime &rt, const std::vector<Claimed> &kept, bool one_by_one) {
  std::map<long long, const Claimed *> by_seq;
  std::vector<long long> seqs;
  for (const Claimed &c : kept) {
    by_seq[c.seq] = &c;
    seqs.push_back(c.seq);
  }
  pqxx::work tx(*conn_);
  apply_transaction_settings(tx, SessionRole::Worker);  // through a pooler: the worker's limits
  std::vector<Claimed> writable;
  std::vector<std::pair<long long, std::string>> done;
  for (const auto &row : queries::message_lock_kept(tx, seqs)) {
    const Claimed &c = *by_seq.at(row.seq);
    if (!row.locked) {
      // Gone (delivered and deleted by someone else): settled. Else another transaction holds
      // it, and a worker of ours that claims it writes the kept outcome then.
      if (!row.exists) done.emplace_back(c.seq, c.row_version);
      continue;
    }
    if (row.state == "pending" && row.xmin == c.row_version) {
      writable.push_back(c);
    } else {
      // Recorded after all (a commit in doubt that went through), or a new round since.
      done.emplace_back(c.seq, c.row_version);
    }
  }
  if (!one_by_one) {
    if (!writable.empty()) record(tx, rt, writable);
    for (const Claimed &c : writable) done.emplace_back(c.seq, c.row_version);
  } else {
    for (const Claimed &c : writable) {
      try {
        under_savepoint(tx, [&] { record(tx, rt, {c}); });
      } catch (const pqxx::sql_error &e) {
        if (is_passing_fault(e.sqlstate())) throw;
        log_->warn("message {} to {}: sent by attempt {}, but its outcome cannot be written ({}); it stays pending "
                   "and will be sent again", c.id, c.destination, c.attempt, sql_error_line(e));
      }
      done.emplace_back(c.seq, c.row_version);
    }
  }
  tx.commit();
  state_.kept.forget(done);
  if (!writable.empty())
    log_->info("{}: wrote the kept outcomes of {} message(s) sent earlier; none was sent again", name_,
               writable.size());
}

}  // namespace outboxd
