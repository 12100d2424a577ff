// Which statement a worker's next claim runs: message_claim.sql (one row per ordering key, the
// key's first pending row, found by probing each row the walk passes) or message_claim_key_runs.sql
// (a window of the first rows, in which a key may give its next several rows at once).
//
// A backlog whose keys come in runs (a key's messages enqueued together) makes the first walk
// long: behind each key's first row lie the rest of its run, every row of it probed and skipped,
// and a batch of 100 keys walks 100 runs. The window takes a run at once, and its rows are sent
// in order (core/key_waves.hpp). Without keys the first is the cheaper statement; with keys that
// come one row each in the window, too (unless its last measured claim, per row, cost more than
// the window's: it walked past runs); so the window is taken while it finds runs, and tried
// again now and then while claims find keys but no runs. A window filled with rows it must leave
// (their key's earlier row is outside it, waiting for a retry or held by another daemon) twice in
// a row gives way to one walk past them, so they never hold up the rest of the backlog.
//
// Waves cost sending time where the plugin sends a batch at once (send_batch: a webhook's
// requests in parallel): a key's run of 100 goes as 100 calls one after another, where the plain
// claim's 100 keys would have gone in one. So the window is also kept only while what its waves
// add to sending, per message, stays below what it saves in claiming, per message, against the
// plain claim's last measured cost; else the plain claim, tried again as above.
#pragma once

namespace outboxd {

// What a claim found, as far as the choice of the next one goes.
struct ClaimSeen {
  int asked = 0;        // rows it asked for
  int rows = 0;         // rows it claimed
  bool keyed = false;   // some had an ordering key
  bool runs = false;    // some key gave two rows or more
  int left_for_their_keys = 0;  // window rows it locked but left (key runs only)
  double claim_ms = 0;  // how long the claim statement took
};

class ClaimWay {
 public:
  // Plain claims with keys between two tries of the window (one more than this: the last of them
  // counts down to zero and the next claim is the window).
  static constexpr int kPlainClaimsBetweenTries = 16;
  // Windows that find runs before one plain claim measures the plain claim's cost again, at least;
  // and at least so many that the plain claim, at its last measured time, costs no more than this
  // share of the windows' claiming since (a plain claim over a deep backlog of runs takes 60-80 ms
  // against a window's 2: measured every 64 windows, it slowed the drain by a third).
  // At most kMaxWindowsBetweenPlainMeasures, so one plain claim that stalled (a checkpoint, a
  // lock) does not put the next measure off for millions of messages.
  static constexpr int kWindowsBetweenPlainMeasures = 64;
  static constexpr int kMaxWindowsBetweenPlainMeasures = 2048;
  static constexpr double kPlainMeasureShare = 0.05;

  // The next claim takes keys' runs (message_claim_key_runs.sql).
  bool key_runs() const { return key_runs_; }
  // The last claim found keys (or left rows for them).
  bool keys_seen() const { return keys_seen_; }
  // Told what each claim found, of either statement.
  void after(const ClaimSeen &seen);
  // Told, after a batch of keys' runs was sent, how many messages went and how much longer
  // sending them in waves took than its longest wave (what one call would have taken: zero for
  // a plugin that sends one message at a time anyway).
  void after_waves(int sent, double waves_added_ms);

 private:
  void back_to_plain();

  bool key_runs_ = false;
  bool last_was_key_runs_ = false;  // the claim after() was told of
  bool keys_seen_ = false;
  int held_up_in_row_ = 0;  // key-runs claims in a row that left most of their window
  int plain_before_try_ = 0;
  int windows_since_plain_ = 0;
  double window_ms_since_plain_ = 0;  // the claiming time of those windows
  double plain_claim_ms_ = 0;         // the last plain claim with keys, whole
  // Claim cost per message: the plain claim's last with keys, and the window's last (negative: none yet).
  double plain_ms_per_row_ = -1, window_ms_per_row_ = -1;
};

}  // namespace outboxd
