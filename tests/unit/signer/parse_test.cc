// The parser's limits (signer/internal.h) and the markup scanner that enforces the per-tag ones
// before libxml2 reads a tag.
#include <gtest/gtest.h>

#include <string>

#include "signer/internal.h"
#include "tests/unit/signer/test_support.h"

namespace medmij::signer::internal {
namespace {

using namespace medmij::signer::testing;

MEDMIJ_SIGNER_TEST_ENVIRONMENT();

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// The document's message when ParseDocument refuses it, "" when it parses.
std::string Refusal(const std::string& xml, const ParseLimits& limits = {}) {
  ErrorScope errors;
  auto doc = ParseDocument(xml, "doc", nullptr, limits);
  return doc.ok() ? "" : doc.status().message();
}

std::string Attributes(size_t n, const std::string& name = "a") {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += " " + name + std::to_string(i) + "=\"v\"";
  return s;
}

// Whatever the chunking, the scanner sees the same tags: feed a tricky document in every
// split and byte by byte, and compare with feeding it whole.
TEST(MarkupScannerTest, ChunkBoundariesDoNotMatter) {
  const std::string doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- <a b=\"1\" c=\"2\"> -- > -->\n"
      "<r xmlns=\"urn:r\" xmlns:p='urn:p' a=\"x>y\" b='q\"r' c = \"/\">"
      "<![CDATA[ <x y=\"1\" z=\"2\"> ]] ]]>"
      "<?pi <not a=\"tag\" b=\"c\"> ? ?>text &amp; more<p:e x=\"1\"/>"
      "<e/><last q=\"1\">t</last>\n</r>\n";
  ParseLimits tight;
  tight.attributes_per_element = 3;
  tight.namespaces_per_element = 2;
  tight.namespaces = 2;
  MarkupScanner whole(tight);
  ASSERT_EQ(whole.Feed(doc), "");
  ASSERT_TRUE(whole.LastRootChild());
  const auto [b, e] = *whole.LastRootChild();
  EXPECT_EQ(doc.substr(b, e - b), "<last q=\"1\">t</last>");
  for (size_t split = 1; split < doc.size(); ++split) {
    MarkupScanner two(tight);
    ASSERT_EQ(two.Feed(std::string_view(doc).substr(0, split)), "") << split;
    ASSERT_EQ(two.Feed(std::string_view(doc).substr(split)), "") << split;
    EXPECT_EQ(two.LastRootChild(), whole.LastRootChild()) << split;
  }
  MarkupScanner bytes(tight);
  for (char c : doc) ASSERT_EQ(bytes.Feed(std::string_view(&c, 1)), "");
  EXPECT_EQ(bytes.LastRootChild(), whole.LastRootChild());
  // One attribute more than allowed on the root is seen, however it is split.
  const std::string over = ReplaceOnce(doc, "c = \"/\"", "c = \"/\" d=\"4\"");
  for (size_t split = 1; split < over.size(); split += 7) {
    MarkupScanner two(tight);
    std::string why = two.Feed(std::string_view(over).substr(0, split));
    if (why.empty()) why = two.Feed(std::string_view(over).substr(split));
    EXPECT_NE(why.find("more than 3 attributes"), std::string::npos) << split << ": " << why;
  }
}

TEST(MarkupScannerTest, EmptyElementAsLastChild) {
  MarkupScanner s;
  const std::string doc = "<r><a>x</a><b  x='1' /></r>";
  ASSERT_EQ(s.Feed(doc), "");
  ASSERT_TRUE(s.LastRootChild());
  EXPECT_EQ(
      doc.substr(s.LastRootChild()->first, s.LastRootChild()->second - s.LastRootChild()->first),
      "<b  x='1' />");
}

TEST(ParseLimitsTest, AttributesPerElement) {
  EXPECT_EQ(Refusal("<r" + Attributes(16) + "/>"), "");
  EXPECT_NE(Refusal("<r" + Attributes(17) + "/>").find("an element has more than 16 attributes"),
            std::string::npos);
  // 200 000 took libxml2 minutes (its duplicate check is quadratic); refused at the 17th.
  const std::string many = "<r><e" + Attributes(200000) + "/></r>";
  EXPECT_NE(Refusal(many).find("more than 16 attributes (byte 3)"), std::string::npos)
      << Refusal(many);
}

TEST(ParseLimitsTest, NamespaceDeclarationsPerElementAndInTotal) {
  EXPECT_EQ(Refusal("<r xmlns=\"urn:r\"" + Attributes(7, "xmlns:p") + "/>"), "");
  EXPECT_NE(Refusal("<r xmlns=\"urn:r\"" + Attributes(8, "xmlns:p") + "/>")
                .find("an element has more than 8 namespace declarations"),
            std::string::npos);
  const std::string many = "<r" + Attributes(200000, "xmlns:p") + "/>";
  EXPECT_NE(Refusal(many).find("more than 8 namespace declarations"), std::string::npos);
  // Spread over elements: 64 in all pass, 65 do not.
  std::string spread;
  for (int i = 0; i < 63; ++i) spread += "<e xmlns:p=\"urn:" + std::to_string(i) + "\"/>";
  EXPECT_EQ(Refusal("<r xmlns=\"urn:r\">" + spread + "</r>"), "");
  EXPECT_NE(Refusal("<r xmlns=\"urn:r\">" + spread + "<e xmlns:q=\"urn:q\"/></r>")
                .find("the document has more than 64 namespace declarations"),
            std::string::npos);
  // Names that only start like a declaration are attributes.
  EXPECT_EQ(Refusal("<r" + Attributes(9, "xmlnsx") + "/>"), "");
}

TEST(ParseLimitsTest, Nodes) {
  ParseLimits small;
  small.nodes = 1000;
  // 1 + 499 * 2 nodes: the root, elements and the text between them.
  EXPECT_EQ(Refusal("<r>" + Repeat("<a/>x", 499) + "</r>", small), "");
  EXPECT_NE(Refusal("<r>" + Repeat("<a/>x", 500) + "</r>", small)
                .find("the document has more than 1000 nodes"),
            std::string::npos);
  EXPECT_NE(Refusal("<r>" + Repeat("<!--c-->", 1000) + "</r>", small).find("more than 1000 nodes"),
            std::string::npos);
  // Beyond `dense_nodes`, at most one node per `min_bytes_per_node` bytes read.
  ParseLimits dense;
  dense.dense_nodes = 100;
  dense.min_bytes_per_node = 8;
  EXPECT_EQ(Refusal("<r>" + Repeat("<abcdefgh/>", 5000) + "</r>", dense), "");
  EXPECT_NE(Refusal("<r>" + Repeat("<a/>", 5000) + "</r>", dense).find("and one per 8 bytes"),
            std::string::npos);
  // Long text is one node, however many callbacks libxml2 makes for it.
  EXPECT_EQ(Refusal("<r>" + std::string(1 << 20, 'x') + "</r>", small), "");
}

TEST(ParseLimitsTest, NodesInsideSignatureAndCertificates) {
  const std::string ds = "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">";
  EXPECT_EQ(Refusal("<r>" + ds + Repeat("<a/>", 255) + "</ds:Signature></r>"), "");
  EXPECT_NE(Refusal("<r>" + ds + Repeat("<a/>", 256) + "</ds:Signature></r>")
                .find("ds:Signature has more than 256 nodes"),
            std::string::npos);
  // Outside the signature the same elements are fine.
  EXPECT_EQ(Refusal("<r>" + Repeat("<a/>", 300) + ds + "</ds:Signature></r>"), "");
  const std::string cert = "<ds:X509Certificate>AAAA</ds:X509Certificate>";
  EXPECT_EQ(Refusal("<r>" + ds + "<ds:KeyInfo><ds:X509Data>" + Repeat(cert, 8) +
                    "</ds:X509Data></ds:KeyInfo></ds:Signature></r>"),
            "");
  EXPECT_NE(Refusal("<r>" + ds + "<ds:KeyInfo><ds:X509Data>" + Repeat(cert, 9) +
                    "</ds:X509Data></ds:KeyInfo></ds:Signature></r>")
                .find("ds:KeyInfo has more than 8 certificates"),
            std::string::npos);
}

TEST(ParseLimitsTest, DeclarationsAndEncodings) {
  EXPECT_EQ(Refusal("<!DOCTYPE r><r/>"), "doc: a DOCTYPE is not allowed");
  EXPECT_NE(Refusal("<r><!ENTITY x \"y\"></r>").find("markup declarations"), std::string::npos);
  EXPECT_EQ(Refusal("\xef\xbb\xbf<r/>"), "");  // UTF-8 with a byte order mark
  EXPECT_EQ(Refusal(std::string("\xff\xfe<\0r\0/\0>\0", 10)),
            "doc: only UTF-8 documents are accepted");
  EXPECT_EQ(Refusal(std::string("<\0r\0/\0>\0", 8)), "doc: only UTF-8 documents are accepted");
  // A declared encoding never switches the decoder: Latin-1 bytes are not UTF-8.
  EXPECT_NE(
      Refusal("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>\xe9</r>").find("not well-formed"),
      std::string::npos);
}

TEST(ParseLimitsTest, MalformedTagsStayRefusedAsNotWellFormed) {
  for (const std::string& bad :
       {std::string("<r a=\"1\" a=\"2\"/>"), std::string("<r a/>"), std::string("<r a=1/>"),
        std::string("<r <a/>"), std::string("<r>") + "<a b=\"c>" + Attributes(100) + "</r>"}) {
    EXPECT_FALSE(Refusal(bad).empty()) << bad;
  }
}

}  // namespace
}  // namespace medmij::signer::internal
