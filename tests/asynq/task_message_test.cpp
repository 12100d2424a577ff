// Byte-exact encoding of asynq's TaskMessage against the vectors asynq's own client produced.
#include <gtest/gtest.h>

#include "task_message.hpp"
#include "tests/asynq/proto_reader.hpp"

using outboxd::asynq::encode_task_message;
using outboxd::asynq::is_valid_utf8;
using outboxd::asynq::TaskMessage;
using outboxd::test::from_hex;

namespace {

std::string hex(const std::string &bytes) {
  static const char *digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

}  // namespace

TEST(TaskMessage, TheGoClientsEnqueueIsReproducedByteForByte) {
  TaskMessage m;
  m.type = "email:deliver";
  m.payload = R"({"ID":42})";
  m.id = "5f0c2a8e-3b1d-4c7e-9a6f-2d8b1e0c4f37";
  m.queue = "default";
  m.retry = 25;
  m.timeout = 1800;
  m.retention = 86400;
  const std::string expected =
      "0a0d656d61696c3a64656c6976657212097b224944223a34327d1a2435663063326138652d336231642d346337652d39613666"
      "2d326438623165306334663337220764656661756c74281940880e6080a305";
  EXPECT_EQ(hex(encode_task_message(m)), expected);
  EXPECT_EQ(encode_task_message(m).size(), 82u);
}

TEST(TaskMessage, DeadlineIsAVarintOfUnixSeconds) {
  TaskMessage m;
  m.deadline = 1767225600;
  EXPECT_EQ(encode_task_message(m), from_hex("48 80 f2 d6 ca 06"));
}

TEST(TaskMessage, HeadersAreMapEntriesOfKeyAndValue) {
  TaskMessage m;
  m.headers["trace"] = "abc";
  EXPECT_EQ(encode_task_message(m), from_hex("7a 0c 0a 05 74 72 61 63 65 12 03 61 62 63"));
}

TEST(TaskMessage, WorkerOwnedFieldsEncodeInFieldOrder) {
  TaskMessage m;
  m.retried = 1;
  m.error_msg = "x";
  m.unique_key = "u";
  m.last_failed_at = 1;
  m.completed_at = 1;
  m.group_key = "g";
  EXPECT_EQ(encode_task_message(m), from_hex("30 01 3a 01 78 52 01 75 58 01 68 01 72 01 67"));
}

TEST(TaskMessage, NegativeIntegersAreTenByteVarints) {
  TaskMessage m;
  m.retry = -1;
  EXPECT_EQ(encode_task_message(m), from_hex("28 ff ff ff ff ff ff ff ff ff 01"));
}

TEST(TaskMessage, ZeroAndEmptyFieldsAreLeftOut) {
  EXPECT_EQ(encode_task_message(TaskMessage{}), "");
}

TEST(TaskMessage, PayloadIsBinarySafe) {
  TaskMessage m;
  m.payload = std::string("\x00\xff\x80 \n", 5);
  EXPECT_EQ(encode_task_message(m), std::string("\x12\x05\x00\xff\x80 \n", 7));
}

TEST(TaskMessage, LongFieldsGetMultiByteLengths) {
  TaskMessage m;
  m.payload = std::string(300, 'a');
  const auto out = encode_task_message(m);
  EXPECT_EQ(out.substr(0, 3), from_hex("12 ac 02"));
  EXPECT_EQ(out.size(), 303u);
}

TEST(TaskMessage, Utf8ValidationRejectsWhatTheGoWorkerCannotDecode) {
  EXPECT_TRUE(is_valid_utf8("email:deliver"));
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("bad\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}
