// Prometheus text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
#include "core/metrics.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace outboxd {

void Metrics::observe_delivery(const std::string &destination, double seconds, uint64_t messages) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = delivery_.find(destination);
  if (it == delivery_.end())
    it = delivery_.emplace(destination, FixedHistogram<kDeliveryDurationBounds.size()>(kDeliveryDurationBounds)).first;
  it->second.observe(seconds, messages);
}

void Metrics::observe_claim(std::size_t size) {
  std::lock_guard<std::mutex> lock(mutex_);
  claim_.observe(static_cast<double>(size));
}

std::map<std::string, HistogramSnapshot> Metrics::delivery_durations() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::map<std::string, HistogramSnapshot> out;
  for (const auto &[destination, h] : delivery_) out.emplace(destination, h.snapshot());
  return out;
}

HistogramSnapshot Metrics::claim_batch_sizes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return claim_.snapshot();
}

std::string escape_label_value(const std::string &value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

namespace {

// Shortest of %.15g / %.17g that reads back as the same double; "+Inf", "-Inf", "NaN" as the
// format spells them.
std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  if (std::strtod(buf, nullptr) != v) std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void header(std::string &out, const char *name, const char *type, const char *help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

// `labels`: already rendered pairs without braces ("destination=\"x\""), or empty.
void sample(std::string &out, const std::string &name, const std::string &labels, const std::string &value) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ';
  out += value;
  out += '\n';
}

std::string destination_label(const std::string &destination) {
  return "destination=\"" + escape_label_value(destination) + "\"";
}

void histogram(std::string &out, const std::string &name, const std::string &labels, const HistogramSnapshot &h) {
  const std::string prefix = labels.empty() ? "" : labels + ",";
  uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= h.bounds.size(); ++i) {
    if (i < h.buckets.size()) cumulative += h.buckets[i];
    const std::string le = i < h.bounds.size() ? number(h.bounds[i]) : "+Inf";
    sample(out, name + "_bucket", prefix + "le=\"" + le + "\"", std::to_string(cumulative));
  }
  sample(out, name + "_sum", labels, number(h.sum));
  sample(out, name + "_count", labels, std::to_string(h.count));
}

}  // namespace

std::string render_prometheus(const MetricsSnapshot &s) {
  std::string out;
  header(out, "outboxd_build_info", "gauge", "Always 1; the version label says which outboxd answers.");
  sample(out, "outboxd_build_info", "version=\"" + escape_label_value(s.version) + "\"", "1");
  header(out, "outboxd_database_up", "gauge",
         "1 when the latest finished read of the database gauges (pending, paused) succeeded, else 0.");
  sample(out, "outboxd_database_up", "", s.database_up ? "1" : "0");
  header(out, "outboxd_database_last_read_timestamp_seconds", "gauge",
         "When the pending and paused gauges were last read from the database (Unix seconds; 0: never). "
         "They are that old when outboxd_database_up is 0.");
  sample(out, "outboxd_database_last_read_timestamp_seconds", "", number(s.database_read_at_unix.value_or(0.0)));
  struct Counter {
    const char *name, *help;
    uint64_t DeliveryCounters::*field;
  };
  const Counter counters[] = {
      {"outboxd_messages_delivered_total", "Messages delivered since the daemon started.",
       &DeliveryCounters::delivered},
      {"outboxd_messages_retried_total", "Failed attempts scheduled for a retry since the daemon started.",
       &DeliveryCounters::retried},
      {"outboxd_messages_dead_total", "Messages that went dead since the daemon started.", &DeliveryCounters::dead},
  };
  for (const Counter &c : counters) {
    header(out, c.name, "counter", c.help);
    for (const auto &[destination, values] : s.counters)
      sample(out, c.name, destination_label(destination), std::to_string(values.*(c.field)));
  }

  header(out, "outboxd_messages_pending", "gauge", "Messages waiting for delivery (due or scheduled).");
  for (const auto &[destination, g] : s.pending)
    sample(out, "outboxd_messages_pending", destination_label(destination), std::to_string(g.count));
  header(out, "outboxd_oldest_pending_age_seconds", "gauge",
         "Age of the oldest pending message in seconds; 0 when none is pending.");
  for (const auto &[destination, g] : s.pending)
    sample(out, "outboxd_oldest_pending_age_seconds", destination_label(destination),
           number(g.oldest_seconds.value_or(0.0)));

  header(out, "outboxd_delivery_duration_seconds", "histogram",
         "Plugin call time per message in seconds (a send_batch call counts once per message).");
  for (const auto &[destination, h] : s.delivery_duration)
    histogram(out, "outboxd_delivery_duration_seconds", destination_label(destination), h);

  header(out, "outboxd_claim_batch_size", "histogram", "Messages per claimed batch (claims that found work).");
  histogram(out, "outboxd_claim_batch_size", "", s.claim_batch_size);

  header(out, "outboxd_db_reconnects_total", "counter",
         "Database connections of workers and the listener lost and rebuilt since the daemon started.");
  sample(out, "outboxd_db_reconnects_total", "", std::to_string(s.db_reconnects));

  header(out, "outboxd_destination_paused", "gauge",
         "1 while the destination is paused (POST /v1/destinations/{name}/pause, outboxd pause), else 0.");
  for (const auto &[destination, paused] : s.paused)
    sample(out, "outboxd_destination_paused", destination_label(destination), paused ? "1" : "0");

  header(out, "outboxd_destination_in_flight", "gauge",
         "Messages of the destination claimed by this daemon and not yet committed: being sent, or sent and "
         "being recorded.");
  for (const auto &[destination, lane] : s.lanes)
    sample(out, "outboxd_destination_in_flight", destination_label(destination), std::to_string(lane.in_flight));
  header(out, "outboxd_breaker_state", "gauge",
         "1 for the state the destination's circuit breaker is in (closed, open, half_open), else 0.");
  for (const auto &[destination, lane] : s.lanes)
    for (BreakerState state : {BreakerState::Closed, BreakerState::Open, BreakerState::HalfOpen})
      sample(out, "outboxd_breaker_state",
             destination_label(destination) + ",state=\"" + breaker_state_name(state) + "\"",
             lane.breaker == state ? "1" : "0");
  header(out, "outboxd_breaker_opened_total", "counter", "Times the destination's circuit breaker opened.");
  for (const auto &[destination, lane] : s.lanes)
    sample(out, "outboxd_breaker_opened_total", destination_label(destination),
           std::to_string(lane.breaker_opened_total));
  header(out, "outboxd_rate_limited_seconds_total", "counter",
         "Seconds in which the destination's rate limit held back at least one claim of this daemon.");
  for (const auto &[destination, lane] : s.lanes)
    sample(out, "outboxd_rate_limited_seconds_total", destination_label(destination),
           std::to_string(lane.rate_limited_seconds_total));
  header(out, "outboxd_claims_total", "counter",
         "Claims run by the destination's workers, including those that found nothing.");
  for (const auto &[destination, lane] : s.lanes)
    sample(out, "outboxd_claims_total", destination_label(destination), std::to_string(lane.claims_total));
  return out;
}

}  // namespace outboxd
