// The byte formats of codec.h: round trips, and malformed input refused without overrun.
#include <gtest/gtest.h>

#include "replica/codec.h"

namespace zcache::replica {
namespace {

TEST(ReplicaCodec, TagsRoundTrip) {
  std::vector<std::string> tags{"a", std::string("b\0c", 3), std::string(512, 't')}, out;
  ASSERT_TRUE(decode_tags(encode_tags(tags), out));
  EXPECT_EQ(out, tags);
  ASSERT_TRUE(decode_tags("", out));
  EXPECT_TRUE(out.empty());
}

TEST(ReplicaCodec, SelectorRoundTrips) {
  PurgeSelector s;
  s.keys = {"k1", std::string("\xff\x00", 2)};
  s.prefix = "p/";
  s.tags = {"t"};
  PurgeSelector out;
  ASSERT_TRUE(decode_selector(encode_selector(s), out));
  EXPECT_EQ(out.keys, s.keys);
  EXPECT_EQ(out.prefix, s.prefix);
  EXPECT_EQ(out.tags, s.tags);
}

TEST(ReplicaCodec, MalformedBytesAreRefused) {
  PurgeSelector s;
  s.keys = {"key"};
  s.tags = {"tag"};
  const std::string bytes = encode_selector(s);
  PurgeSelector out;
  for (std::size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(decode_selector(bytes.substr(0, n), out)) << n;
  EXPECT_FALSE(decode_selector(bytes + "x", out));
  std::vector<std::string> tags;
  EXPECT_FALSE(decode_tags(std::string("\x05\x00" "ab", 4), tags));
}

TEST(ReplicaCodec, PrefixSuccessor) {
  EXPECT_EQ(prefix_successor("ab"), "ac");
  EXPECT_EQ(prefix_successor(std::string("a\xff", 2)), "b");
  EXPECT_EQ(prefix_successor("\xff\xff"), std::nullopt);
}

TEST(ReplicaCodec, Covers) {
  PurgeSelector s;
  s.prefix = "user:";
  s.tags = {"t"};
  EXPECT_TRUE(covers(s, "user:1", {}));
  EXPECT_TRUE(covers(s, "item", {"x", "t"}));
  EXPECT_FALSE(covers(s, "item", {"x"}));
}

}  // namespace
}  // namespace zcache::replica
