#include <gtest/gtest.h>

#include "signer/signer.h"
#include "tests/unit/signer/test_support.h"

namespace medmij::signer {
namespace {

using namespace medmij::signer::testing;

constexpr const char* kSig =
    "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n<ds:SignedInfo/>\n"
    "<ds:SignatureValue>AA==</ds:SignatureValue>\n</ds:Signature>";

TEST(StripSignatureTest, RemovesExactlyTheSplicedElement) {
  const std::string x = Whitelist(2);
  const std::string s = ReplaceOnce(x, "</Whitelist>", std::string(kSig) + "</Whitelist>");
  EXPECT_EQ(StripSignature(s), x);
}

TEST(StripSignatureTest, ToleratesWhitespaceInTheEndTags) {
  const std::string x = "<a:L xmlns:a=\"urn:x\">\n  <a:B/>\n</a:L >\n\n";
  const std::string s = ReplaceOnce(x, "</a:L >", "<ds:Signature>x</ds:Signature ></a:L >");
  EXPECT_EQ(StripSignature(s), x);
}

TEST(StripSignatureTest, UnsignedInputComesBackUnchanged) {
  for (const std::string& x :
       {Whitelist(0), Whitelist(3), std::string(), std::string("not xml"), std::string(">"),
        std::string("</x>"), std::string("<ds:Signature>x</ds:Signature>")}) {
    EXPECT_EQ(StripSignature(x), x);
  }
}

TEST(StripSignatureTest, OnlyTheTrailingSignatureCounts) {
  // A signature that is not right before the root end tag is not ours: nothing is removed.
  const std::string x =
      ReplaceOnce(Whitelist(1), "<MedMijNodes>", std::string(kSig) + "<MedMijNodes>");
  EXPECT_EQ(StripSignature(x), x);
  const std::string commented =
      ReplaceOnce(Whitelist(1), "</Whitelist>", std::string(kSig) + "<!-- c --></Whitelist>");
  EXPECT_EQ(StripSignature(commented), commented);
}

TEST(StripSignatureTest, DoesNotConfuseSignatureValueForTheStartTag) {
  const std::string x = Whitelist(1);
  const std::string s =
      ReplaceOnce(x, "</Whitelist>",
                  "<ds:Signature><ds:SignatureValue>A</ds:SignatureValue><ds:SignatureMethod/>"
                  "</ds:Signature></Whitelist>");
  EXPECT_EQ(StripSignature(s), x);
}

}  // namespace
}  // namespace medmij::signer
