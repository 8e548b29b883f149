// The gzip representations: real gzip (inflated back with zlib), deterministic, and added to a
// snapshot only where missing.
#include "registry/http/encoding.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/gzip.h"

namespace medmij::http {
namespace {

using medmij::testing::Gunzip;

TEST(Gzip, RoundTripsAndIsDeterministic) {
  std::string xml;
  for (int i = 0; i < 20000; ++i) xml.append("<Naam>z").append(std::to_string(i)).append("</Naam>");
  auto gz = Gzip(xml);
  ASSERT_TRUE(gz.ok());
  EXPECT_LT(gz->size(), xml.size() / 4);
  // RFC 1952 header: magic, deflate, no flags (no name), mtime 0.
  ASSERT_GE(gz->size(), 10u);
  EXPECT_EQ(gz->substr(0, 8), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8));
  EXPECT_EQ(Gunzip(*gz), xml);
  EXPECT_EQ(Gunzip(gz->substr(0, gz->size() - 1)), std::nullopt);  // truncated
  EXPECT_EQ(Gunzip(*gz + "x"), std::nullopt);                      // trailing bytes
  EXPECT_EQ(*Gzip(xml), *gz);
  EXPECT_EQ(Gunzip(*Gzip("")), "");
}

TEST(WithGzipRepresentations, AddsOnlyWhatIsMissingAndSharesThePlainBodies) {
  Snapshot snap;
  auto l = std::make_shared<ServedList>();
  l->signed_body = std::make_shared<const ServedBody>(std::string(100000, 's'));
  l->unsigned_body = std::make_shared<const ServedBody>(std::string(100000, 'u'));
  snap.lists[1] = l;
  snap.publications_total = 9;
  Status error;
  auto out = WithGzipRepresentations(snap, {}, &error);
  ASSERT_NE(out, nullptr);
  EXPECT_TRUE(error.ok());
  EXPECT_EQ(out->publications_total, 9u);
  EXPECT_EQ(out->lists[0], nullptr);
  const ServedList& g = *out->lists[1];
  EXPECT_EQ(g.signed_body, l->signed_body);
  EXPECT_EQ(g.unsigned_body, l->unsigned_body);
  ASSERT_NE(g.signed_gzip, nullptr);
  EXPECT_EQ(Gunzip(g.signed_gzip->bytes()), l->signed_body->bytes());
  EXPECT_EQ(Gunzip(g.unsigned_gzip->bytes()), l->unsigned_body->bytes());
  EXPECT_EQ(WithGzipRepresentations(*out, {}), nullptr);
  EXPECT_EQ(snap.lists[1]->signed_gzip, nullptr);  // the input is not changed
}

}  // namespace
}  // namespace medmij::http
