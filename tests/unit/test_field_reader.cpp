// wire::FieldReader: every bad field of a body is named in one 422, with its location.
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "domain/validation.h"
#include "wire/field_reader.h"

namespace cxco::wire {

namespace {

namespace json = boost::json;

struct Read {
  json::object object;
  std::vector<FieldError> errors;
  FieldReader reader;
  explicit Read(std::string_view text, bool text_values = false)
      : object(json::parse(text).as_object()), reader(&object, {"body"}, errors, text_values) {}
};

std::vector<std::string> locations(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) {
    std::string loc;
    for (const auto& part : e.loc) loc += (loc.empty() ? "" : ".") + part;
    out.push_back(loc + ":" + e.type);
  }
  return out;
}

}  // namespace

TEST(FieldReader, ReadsTypedValuesAndIgnoresUnknownFields) {
  Read in(R"({"name":"Ana","age":41,"ratio":0.5,"on":true,"extra":[1],"config":{"t":1.5}})");
  EXPECT_EQ(in.reader.string("name", kRequired), "Ana");
  EXPECT_EQ(in.reader.integer("age", kRequired, 0, 200), 41);
  EXPECT_EQ(in.reader.number("ratio"), 0.5);
  EXPECT_EQ(in.reader.boolean("on"), true);
  EXPECT_EQ(in.reader.object("config").number("t", kRequired, 0, 2), 1.5);
  EXPECT_FALSE(in.reader.string("absent").has_value());
  EXPECT_TRUE(in.reader.ok());
  EXPECT_NO_THROW(in.reader.check());
}

TEST(FieldReader, CollectsEveryBadFieldWithItsLocation) {
  Read in(R"({"name":"  ","age":"41","ratio":9,"on":"yes","config":{"t":"hot"},"email":"nope","when":"2026-02-30"})");
  (void)in.reader.string("name", kRequired);
  (void)in.reader.integer("age", kRequired, 0, 200);
  (void)in.reader.number("ratio", kOptional, 0, 2);
  (void)in.reader.boolean("on");
  (void)in.reader.object("config").number("t");
  (void)in.reader.email("email", kOptional);
  (void)in.reader.date("when", kOptional);
  (void)in.reader.string("missing", kRequired);
  EXPECT_EQ(locations(in.errors),
            (std::vector<std::string>{"body.name:string_too_short", "body.age:int_type", "body.ratio:value_error",
                                      "body.on:bool_type", "body.config.t:float_type", "body.email:value_error",
                                      "body.when:date_from_datetime_parsing", "body.missing:missing"}));
  try {
    in.reader.check();
    FAIL() << "check() must throw the collected errors";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 422);
    EXPECT_EQ(e.errors.size(), 8u);
  }
}

TEST(FieldReader, NonBlankStringsMayBeAbsentButNotBlank) {
  Read in(R"({"name":"   "})");
  EXPECT_FALSE(in.reader.string("name", kNonBlank).has_value());
  EXPECT_FALSE(in.reader.string("other", kNonBlank).has_value());
  EXPECT_EQ(locations(in.errors), (std::vector<std::string>{"body.name:string_too_short"}));
}

TEST(FieldReader, WholeNumbersOnlyAndQueryTextParsedAsNumbers) {
  Read body(R"({"a":12.0,"b":12.5,"c":"12"})");
  EXPECT_EQ(body.reader.integer("a"), 12);
  EXPECT_FALSE(body.reader.integer("b").has_value());
  EXPECT_FALSE(body.reader.integer("c").has_value());  // a body's "12" is a string, not a number
  EXPECT_EQ(body.errors.size(), 2u);

  Read query(R"({"limit":"12","bad":"12x"})", true);
  EXPECT_EQ(query.reader.integer("limit", kOptional, 1, 100), 12);
  EXPECT_FALSE(query.reader.integer("bad").has_value());
  EXPECT_EQ(query.errors.size(), 1u);
}

TEST(FieldReader, ArrayElementsAreNamedByIndex) {
  Read in(R"({"numbers":[{"number":"+27211234567"},"x",{"number":"0211234567"}]})");
  const auto* list = in.reader.array("numbers", kRequired);
  ASSERT_NE(list, nullptr);
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto item = in.reader.element("numbers", i, (*list)[i]);
    if (item.object()) (void)item.e164("number", kRequired);
  }
  EXPECT_EQ(locations(in.errors),
            (std::vector<std::string>{"body.numbers.1:dict_type", "body.numbers.2.number:value_error"}));
}

TEST(FieldReader, OneNestingLimitOnTheWayIn) {
  std::string deep;
  for (std::size_t i = 0; i < kMaxJsonDepth + 1; ++i) deep += "[";
  deep += "1";
  for (std::size_t i = 0; i < kMaxJsonDepth + 1; ++i) deep += "]";
  boost::system::error_code ec;
  (void)parse_json(deep, ec);
  EXPECT_TRUE(ec) << "deeper than kMaxJsonDepth must be refused";
  EXPECT_THROW((void)parse_body("{\"a\":" + deep + "}"), ApiError);
  const std::string fits = std::string(kMaxJsonDepth - 1, '[') + "1" + std::string(kMaxJsonDepth - 1, ']');
  EXPECT_NO_THROW((void)parse_body("{\"a\":" + fits + "}"));
}

}  // namespace cxco::wire

namespace cxco::domain {

TEST(CallingCodes, NumbersBelongToTheCountriesOfTheirCode) {
  EXPECT_EQ(countries_of_number("+27211234567"), "ZA");
  EXPECT_TRUE(is_number_of_country("+27211234567", "ZA"));
  EXPECT_FALSE(is_number_of_country("+27211234567", "US"));
  EXPECT_TRUE(is_number_of_country("+12025550101", "US"));
  EXPECT_TRUE(is_number_of_country("+14165550101", "CA"));
  EXPECT_TRUE(is_number_of_country("+447700900101", "JE"));
  EXPECT_FALSE(is_number_of_country("+447700900101", "IE"));
  EXPECT_TRUE(is_number_of_country("+358401234567", "AX"));
  EXPECT_FALSE(is_number_of_country("+35840123456", "SE"));
}

}  // namespace cxco::domain
