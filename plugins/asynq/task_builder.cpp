// Builds the Redis script call for one message: task type, queue and defaults from the config,
// id and payload from the message, pending or scheduled by its due time.
#include "task_builder.hpp"

#include <cctype>
#include <cstddef>
#include <nlohmann/json.hpp>

#include "common/message_json.hpp"
#include "task_message.hpp"

namespace outboxd::asynq {

namespace {

using nlohmann::json;

BuildResult fail(std::string why, std::string field = "") {
  BuildResult r;
  r.error = std::move(why);
  r.field = std::move(field);
  return r;
}

bool blank(const std::string &s) {
  for (char ch : s)
    if (!std::isspace(static_cast<unsigned char>(ch))) return false;
  return true;
}

// A header value as text from its JSON text as stored: a string's characters, anything else its
// JSON as written (a number keeps every digit: 1e400 read into a double would not).
std::string header_text(const std::string &value_json) {
  return value_json[0] == '"' ? json::parse(value_json).get<std::string>() : value_json;
}

}  // namespace

std::string task_key(const std::string &queue, const std::string &id) { return "asynq:{" + queue + "}:t:" + id; }
std::string pending_key(const std::string &queue) { return "asynq:{" + queue + "}:pending"; }
std::string scheduled_key(const std::string &queue) { return "asynq:{" + queue + "}:scheduled"; }

int64_t due_ms(const outboxd_message &msg) {
  if (msg.struct_size < offsetof(outboxd_message, available_at_ms) + sizeof(msg.available_at_ms)) return 0;
  return msg.available_at_ms;
}

BuildResult build_call(const AsynqConfig &config, const outboxd_message &msg, int64_t now_ms) {
  const std::string id = msg.id != nullptr ? msg.id : "";
  if (blank(id)) return fail("message has no id");
  if (!is_valid_utf8(id)) return fail("message id is not valid UTF-8");
  const std::string payload(msg.payload != nullptr ? msg.payload : "", msg.payload != nullptr ? msg.payload_len : 0);
  const int64_t due = due_ms(msg);

  json headers = json::object();
  const bool need_headers = config.mode == Mode::Stream || config.forward_headers || !config.task_type_header.empty();
  if (need_headers && msg.headers_json != nullptr) {
    headers = plugin_common::parse_message_json(msg.headers_json);  // numbers beyond a double too
    if (headers.is_discarded() || !headers.is_object()) return fail("headers are not a JSON object", "headers");
  }

  BuildResult r;
  ScriptCall &call = r.call;
  if (config.mode == Mode::Stream) {
    if (due > now_ms) {
      BuildResult later = fail("not due for " + std::to_string(due - now_ms) +
                               " ms; mode stream adds a message to the stream when it is due");
      later.not_due_ms = due - now_ms;
      return later;
    }
    const std::string stream =
        config.stream.empty() ? "outboxd:" + std::string(msg.destination != nullptr ? msg.destination : "")
                              : config.stream;
    call.script = Script::Stream;
    call.keys = {stream, stream + ":dedup:" + id};
    call.args = {std::to_string(config.dedup_ttl_s),
                 std::to_string(config.stream_maxlen),
                 id,
                 msg.destination != nullptr ? msg.destination : "",
                 msg.headers_json != nullptr ? msg.headers_json : "{}",
                 payload};
    call.what = "message " + id + " in stream '" + stream + "'";
    r.ok = true;
    return r;
  }

  TaskMessage task;
  task.type = config.task_type;
  const std::string type_field = "headers." + config.task_type_header;
  if (!config.task_type_header.empty()) {
    const auto it = headers.find(config.task_type_header);
    if (it != headers.end()) {
      if (!it->is_string())
        return fail("header '" + config.task_type_header + "' must be a string naming the task type, got " +
                        it->type_name(),
                    type_field);
      task.type = it->get<std::string>();
    } else if (config.task_type.empty()) {
      return fail("no task type: the message has no '" + config.task_type_header +
                      "' header and the destination sets no task_type",
                  type_field);
    }
  }
  if (blank(task.type))
    return fail("task type is empty or blank (header '" + config.task_type_header + "')", type_field);
  if (!is_valid_utf8(task.type)) return fail("task type is not valid UTF-8", type_field);
  task.payload = payload;
  task.id = id;
  task.queue = config.queue;
  task.retry = config.max_retry;
  task.timeout = config.timeout_s;
  task.retention = config.retention_s;
  if (config.deadline_s > 0) task.deadline = std::max(now_ms, due) / 1000 + config.deadline_s;
  if (config.forward_headers && msg.headers_json != nullptr) {
    const auto members = plugin_common::json_member_texts(msg.headers_json);  // an object: checked above
    if (members)
      for (const auto &[k, v] : *members) task.headers[k] = header_text(v);
  }

  const std::string encoded = encode_task_message(task);
  call.keys.push_back(task_key(config.queue, id));
  if (due > now_ms) {
    // As ProcessAt: the scheduled set, scored by the due time in whole Unix seconds; the worker's
    // forwarder moves it to pending once the score has passed.
    call.script = Script::Schedule;
    call.keys.push_back(scheduled_key(config.queue));
    call.args = {encoded, std::to_string(due / 1000), id};
  } else {
    call.script = Script::Enqueue;
    call.keys.push_back(pending_key(config.queue));
    call.args = {encoded, id, std::to_string(now_ms * 1000000)};
  }
  call.what = "task " + id + " in queue '" + config.queue + "'";
  r.ok = true;
  return r;
}

std::string task_refusal(const AsynqConfig &config, const outboxd_message &msg) {
  // A stand-in id (the message has none before it is stored) and "due now", so only what the
  // message itself says can refuse it: a not-yet-due message in mode stream is not a refusal.
  outboxd_message probe = msg;
  probe.id = "00000000-0000-0000-0000-000000000000";
  probe.available_at_ms = 0;
  const BuildResult built = build_call(config, probe, 0);
  if (built.ok || built.not_due_ms > 0) return "";
  return (built.field.empty() ? std::string("message") : built.field) + ": " + built.error;
}

}  // namespace outboxd::asynq
