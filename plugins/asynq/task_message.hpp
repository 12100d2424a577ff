// asynq's TaskMessage (protobuf, proto3) and a hand-written encoder for it: no protobuf dependency.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace outboxd::asynq {

// The fields of asynq.TaskMessage (internal/proto/asynq.proto), in field-number order. Zero and
// empty fields are left out of the encoding, as proto3 does.
struct TaskMessage {
  std::string type;                           // 1
  std::string payload;                        // 2 (bytes: anything)
  std::string id;                             // 3
  std::string queue;                          // 4
  int32_t retry = 0;                          // 5: max retries
  int32_t retried = 0;                        // 6
  std::string error_msg;                      // 7
  int64_t timeout = 0;                        // 8: seconds per attempt
  int64_t deadline = 0;                       // 9: Unix seconds
  std::string unique_key;                     // 10
  int64_t last_failed_at = 0;                 // 11
  int64_t retention = 0;                      // 12: seconds
  int64_t completed_at = 0;                   // 13
  std::string group_key;                      // 14
  std::map<std::string, std::string> headers; // 15 (asynq v0.26+; older workers skip it)
};

// The proto3 wire bytes, fields in ascending number order (as protobuf-go and protoc write them),
// map entries in key order.
std::string encode_task_message(const TaskMessage &m);

// Appends `value` as a base-128 varint (negative numbers as their 64-bit two's complement, 10 bytes).
void append_varint(std::string &out, uint64_t value);

// proto3 `string` fields must be valid UTF-8, or the Go worker cannot decode the task at all.
bool is_valid_utf8(const std::string &s);

}  // namespace outboxd::asynq
