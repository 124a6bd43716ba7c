// Tests for brain/store/node_registration.h: every field of the registration body, good and bad.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "brain/store/node_registration.h"

namespace zcache::brain {
namespace {

using nlohmann::json;

json body(json endpoint, json region, json capacity) {
  return json{{"endpoint", std::move(endpoint)}, {"region", std::move(region)}, {"capacity_bytes", std::move(capacity)}};
}
const json kGood = body("https://worker-1.example.com:9001", "us-east-1", 5368709120);

// The field a bad body is refused for ("" when accepted).
std::string refused_field(const json& b) {
  const auto r = parse_registration(b);
  return r.ok() ? "" : r.error.field;
}

TEST(Registration, AcceptsTheSeedExample) {
  const auto r = parse_registration(kGood);
  ASSERT_TRUE(r.ok()) << r.error.describe();
  EXPECT_EQ(r.value->endpoint, "https://worker-1.example.com:9001");
  EXPECT_EQ(r.value->region, "us-east-1");
  EXPECT_EQ(r.value->capacity_bytes, 5368709120);
}

TEST(Registration, ParsedFromText) {
  const auto r = parse_registration(json::parse(
      R"({"endpoint": "https://my-node.example.com:9001", "region": "eu-west-1", "capacity_bytes": 10737418240})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value->capacity_bytes, 10737418240);
}

TEST(Registration, BodyMustBeAnObject) {
  for (const json& b : {json::array(), json("x"), json(1), json(nullptr)}) {
    const auto r = parse_registration(b);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error.field, "body");
  }
}

TEST(Registration, MissingFields) {
  for (const char* field : {"endpoint", "region", "capacity_bytes"}) {
    json b = kGood;
    b.erase(field);
    const auto r = parse_registration(b);
    ASSERT_FALSE(r.ok()) << field;
    EXPECT_EQ(r.error.field, field);
    EXPECT_EQ(r.error.message, "is required");
    b[field] = nullptr;
    EXPECT_EQ(refused_field(b), field);
  }
}

TEST(Registration, UnknownFieldsAreIgnored) {
  json b = kGood;
  b["version"] = "1.2.3";
  b["capacity"] = 5;
  EXPECT_TRUE(parse_registration(b).ok());
}

TEST(Registration, GoodEndpoints) {
  const std::pair<const char*, const char*> cases[] = {
      {"http://localhost", "http://localhost"},
      {"http://127.0.0.1:9001", "http://127.0.0.1:9001"},
      {"HTTPS://Worker-1.Example.COM:9001/", "https://worker-1.example.com:9001"},
      {"https://w.example.com:09001", "https://w.example.com:9001"},
      {"http://[::1]:8080", "http://[::1]:8080"},
      {"http://[2001:DB8::1]", "http://[2001:db8::1]"},
      {"https://w.example.com/cache/", "https://w.example.com/cache"},
      {"http://my_worker:9001", "http://my_worker:9001"},
      {"http://a:1", "http://a:1"},
      {"http://a:65535", "http://a:65535"},
  };
  for (const auto& [in, canonical] : cases) {
    const auto r = canonical_endpoint(in);
    ASSERT_TRUE(r.ok()) << in << ": " << r.error.message;
    EXPECT_EQ(*r.value, canonical) << in;
  }
}

TEST(Registration, BadEndpoints) {
  const char* bad[] = {
      "",
      "worker-1.example.com:9001",       // no scheme
      "ftp://worker-1.example.com",      // wrong scheme
      "file:///etc/passwd",
      "javascript://alert(1)",
      "http://",                         // no host
      "http://:9001",
      "http:///path",
      "http://user:pw@worker.example",   // userinfo
      "http://@worker.example",
      "http://worker.example:0",
      "http://worker.example:65536",
      "http://worker.example:99999999999",
      "http://worker.example:",
      "http://worker.example:port",
      "http://worker.example:-1",
      "http://worker .example",
      "http://worker.example/a b",
      "http://worker.example?x=1",
      "http://worker.example/#frag",
      "http://worker..example",
      "http://-worker.example",
      "http://worker.example.",
      "http://wörker.example",
      "http://worker%2eexample",
      "http://999.1.1.1",
      "http://1.2.3",
      "http://[::1",
      "http://[nothex]:80",
      "http://[::1]x",
      "http://::1:80",
      "http://worker\\example",
      " http://worker.example",
      "http://worker.example\n",
  };
  for (const char* url : bad) {
    const auto r = canonical_endpoint(url);
    EXPECT_FALSE(r.ok()) << url << " -> " << (r.ok() ? *r.value : "");
    if (!r.ok()) {
      EXPECT_EQ(r.error.field, "endpoint");
      EXPECT_FALSE(r.error.message.empty());
    }
    EXPECT_EQ(refused_field(body(url, "r", 1)), "endpoint") << url;
  }
}

TEST(Registration, EndpointLengthLimit) {
  const std::string base = "http://w.example/";
  EXPECT_TRUE(canonical_endpoint(base + std::string(kMaxEndpointLength - base.size(), 'a')).ok());
  const auto r = canonical_endpoint(base + std::string(kMaxEndpointLength - base.size() + 1, 'a'));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.message.find("2048"), std::string::npos);
  EXPECT_FALSE(canonical_endpoint("http://" + std::string(64, 'a') + ".example").ok());  // label > 63
  EXPECT_FALSE(canonical_endpoint("http://" + std::string(250, 'a').replace(60, 1, ".").replace(120, 1, ".").replace(180, 1, ".") + ".example").ok());
}

TEST(Registration, EndpointMustBeAString) {
  for (const json& v : {json(1), json(true), json::array({"http://a"}), json::object()}) {
    const auto r = parse_registration(body(v, "r", 1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error.field, "endpoint");
    EXPECT_EQ(r.error.message, "must be a string");
  }
}

TEST(Registration, Regions) {
  for (const char* good : {"us-east-1", "eu-west-1", "a", "Frankfurt DC 2", "ap_south:1"}) {
    EXPECT_TRUE(checked_region(good).ok()) << good;
  }
  EXPECT_TRUE(checked_region(std::string(64, 'r')).ok());
  const std::string bad[] = {"", std::string(65, 'r'), " us-east-1", "us-east-1 ", "us\teast", "us\neast",
                             "r\x7f", "r\xc3\xa9gion", std::string("r\0x", 3)};
  for (const std::string& region : bad) {
    const auto r = checked_region(region);
    EXPECT_FALSE(r.ok()) << region;
    EXPECT_EQ(refused_field(body("http://a", region, 1)), "region") << region;
  }
  EXPECT_NE(checked_region(std::string(65, 'r')).error.message.find("64"), std::string::npos);
  for (const json& v : {json(1), json(nullptr), json::array()}) {
    EXPECT_EQ(refused_field(body("http://a", v, 1)), "region");
  }
}

TEST(Registration, Capacity) {
  for (const char* good : {"1", "5368709120", "9223372036854775807"}) {
    const auto r = parse_registration(body("http://a", "r", json::parse(good)));
    ASSERT_TRUE(r.ok()) << good << ": " << r.error.message;
    EXPECT_EQ(std::to_string(r.value->capacity_bytes), good);
  }
  EXPECT_TRUE(checked_capacity(json(std::int64_t{42})).ok());  // built in C++ as a signed integer
  const char* bad_text[] = {"0", "-1", "-9223372036854775808", "9223372036854775808", "18446744073709551615",
                            "18446744073709551616", "1e30", "5e9", "5368709120.0", "1.5", "\"5368709120\"", "\"\"",
                            "true", "false", "null", "[]", "{}", "[5]"};
  for (const char* text : bad_text) {
    const auto r = parse_registration(body("http://a", "r", json::parse(text)));
    EXPECT_FALSE(r.ok()) << text;
    if (!r.ok()) {
      EXPECT_EQ(r.error.field, "capacity_bytes") << text;
      EXPECT_FALSE(r.error.message.empty());
    }
  }
  EXPECT_NE(checked_capacity(json::parse("\"5\"")).error.message.find("string"), std::string::npos);
  EXPECT_NE(checked_capacity(json::parse("1.5")).error.message.find("decimal"), std::string::npos);
}

TEST(Registration, FieldErrorShapes) {
  const auto r = parse_registration(body("http://a", "r", -5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.to_json(), (json{{"field", "capacity_bytes"}, {"message", r.error.message}}));
  EXPECT_EQ(r.error.describe().rfind("capacity_bytes: ", 0), 0u);
}

TEST(Registration, FirstBadFieldIsReported) {
  // Fields are checked endpoint, region, capacity_bytes; the first failing one is named.
  EXPECT_EQ(refused_field(body("nope", "", 0)), "endpoint");
  EXPECT_EQ(refused_field(body("http://a", "", 0)), "region");
}

}  // namespace
}  // namespace zcache::brain
