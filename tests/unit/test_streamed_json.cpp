// wire::StreamedJson: a request body parsed from pieces, without keeping strings too long to read.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "domain/errors.h"
#include "wire/streamed_json.h"

namespace {

namespace json = boost::json;
using cxco::wire::StreamedJson;

constexpr std::size_t kMiB = 1024 * 1024;

// Feeds `text` in pieces of `piece` bytes.
json::object parse(const std::string& text, std::size_t piece, std::size_t max_string = kMiB,
                   std::size_t max_kept = 4 * kMiB) {
  StreamedJson body(max_string, max_kept);
  for (std::size_t at = 0; at < text.size(); at += piece) body.write(std::string_view(text).substr(at, piece));
  return body.finish();
}

int status_of(const std::string& text, std::size_t max_kept = 4 * kMiB) {
  try {
    parse(text, 7, kMiB, max_kept);
  } catch (const cxco::ApiError& e) {
    return e.status;
  }
  return 200;
}

const std::string kDocument =
    R"({"type":"post_call_transcription","event_timestamp":1739537297,"data":{"agent_id":"a\u00e9\"b",)"
    R"("n":[1,-2,18446744073709551615,2.5e3,true,false,null,{}],"nested":{"deep":[[[]]]},"s":""}})";

TEST(StreamedJson, PiecesOfAnySizeGiveTheDocumentJsonParseGives) {
  for (const std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{64}, kDocument.size()})
    EXPECT_EQ(json::value(parse(kDocument, piece)), json::parse(kDocument)) << piece;
  EXPECT_EQ(json::value(parse(" \n" + kDocument + "\r\n ", 3)), json::parse(kDocument));
}

TEST(StreamedJson, StringsPastTheThresholdReadAsNullAndTheRestIsKept) {
  const std::string audio(3 * 1024 + 1, 'A');
  const std::string text = R"({"type":"post_call_audio","data":{"agent_id":"agent_1","full_audio":")" + audio +
                           R"(","list":[")" + audio + R"(","short"]}})";
  const auto doc = parse(text, 1000, 3 * 1024);
  EXPECT_EQ(json::value(doc), json::parse(R"({"type":"post_call_audio","data":{"agent_id":"agent_1",)"
                                          R"("full_audio":null,"list":[null,"short"]}})"));
  // Exactly the threshold is still kept.
  const auto kept = parse(R"({"s":")" + std::string(3 * 1024, 'B') + R"("})", 100, 3 * 1024);
  EXPECT_EQ(kept.at("s").as_string().size(), 3u * 1024);
}

// What a post-call webhook carrying 50 MiB of audio keeps: once dropped, the audio does not
// count towards the 2 MiB kept here (until then it is held, so up to 1 MiB of it counts), so the
// body is read, not refused.
TEST(StreamedJson, ADroppedStringDoesNotCountTowardsWhatIsKept) {
  StreamedJson body(kMiB, 2 * kMiB);
  body.write(R"({"type":"post_call_audio","data":{"full_audio":")");
  const std::string piece(64 * 1024, 'Q');
  for (int i = 0; i < 800; ++i) body.write(piece);  // 50 MiB
  body.write(R"(","conversation_id":"conv_1"}})");
  const auto doc = body.finish();
  EXPECT_TRUE(doc.at("data").at("full_audio").is_null());
  EXPECT_EQ(doc.at("data").at("conversation_id"), "conv_1");
}

TEST(StreamedJson, KeptContentPastTheCapIs413) {
  std::string many = "[";
  for (int i = 0; i < 1000; ++i) many += "\"" + std::string(100, 'x') + "\",";
  many += "1]";
  EXPECT_EQ(status_of(R"({"a":)" + many + "}", 64 * 1024), 413);
  EXPECT_EQ(status_of(R"({"a":)" + many + "}", 4 * kMiB), 200);
}

TEST(StreamedJson, WhatIsNotOneJsonObjectIs400) {
  for (const std::string& bad :
       std::vector<std::string>{"", "   ", "{", R"({"a":})", "[1,2]", "\"text\"", "{} {}", "{}x", R"({"a":1,})",
                                std::string(40, '[') + std::string(40, ']')}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(status_of(bad), 400);
  }
}

}  // namespace
