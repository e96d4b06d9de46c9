// util::JsonWriter: what every answer is written with.
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "util/json_writer.h"

namespace cxco::util {

TEST(JsonWriter, WritesNestedDocumentsWithCommasInPlace) {
  JsonWriter w;
  w.begin_object().field("id", 7).field("name", "Ana").key("tags").begin_array().value("a").value("b").end_array();
  w.key("none").value(nullptr).field("on", true).field("maybe", std::optional<std::int64_t>()).end_object();
  EXPECT_EQ(w.str(), R"({"id":7,"name":"Ana","tags":["a","b"],"none":null,"on":true,"maybe":null})");
  EXPECT_NO_THROW(boost::json::parse(w.str()));
}

TEST(JsonWriter, NumbersReadAsPeopleWriteThem) {
  JsonWriter w;
  w.begin_array().value(0.7).value(2.0).value(1205.7).value(-0.25).value(std::nan("")).end_array();
  EXPECT_EQ(w.str(), "[0.7,2.0,1205.7,-0.25,null]");
}

TEST(JsonWriter, EscapesWhatJsonRequires) {
  JsonWriter w;
  w.value(std::string("quote \" back \\ nl \n tab \t bell \x07 é </script>"));
  EXPECT_EQ(w.str(), "\"quote \\\" back \\\\ nl \\n tab \\t bell \\u0007 é </script>\"");
  EXPECT_EQ(boost::json::parse(w.str()).as_string(), "quote \" back \\ nl \n tab \t bell \x07 é </script>");
}

TEST(JsonWriter, RawDocumentsAreWrittenAsTheyAre) {
  JsonWriter w;
  w.begin_object().key("settings").raw(R"({"a":[1,2]})").field("after", 1).end_object();
  EXPECT_EQ(w.str(), R"({"settings":{"a":[1,2]},"after":1})");
}

}  // namespace cxco::util
