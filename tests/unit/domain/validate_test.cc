#include "registry/domain/validate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "registry/common/text.h"
#include "registry/domain/types.h"

namespace medmij {
namespace {

using Validator = std::function<Status(std::string_view, std::string_view)>;

// Asserts that `v` is refused as invalid with one line that names the field and contains
// `rule_part`.
void ExpectRefused(const Validator& validate, std::string_view v, std::string_view rule_part) {
  Status s = validate(v, "--the-field");
  ASSERT_FALSE(s.ok()) << "accepted '" << v << "'";
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << v;
  EXPECT_EQ(s.message().rfind("--the-field: ", 0), 0u) << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(rule_part), std::string::npos)
      << "'" << v << "' -> " << s.message() << " (wanted '" << rule_part << "')";
}

void ExpectAccepted(const Validator& validate, std::string_view v) {
  Status s = validate(v, "--the-field");
  EXPECT_TRUE(s.ok()) << "'" << v << "' -> " << s.message();
}

TEST(ValidateKvk, ExactlyEightDigits) {
  ExpectAccepted(ValidateKvk, "12345678");
  ExpectAccepted(ValidateKvk, "00000000");
  for (const char* bad : {"1234567", "123456789", "1234567a", "abcdefgh", "", " 12345678",
                          "1234 5678", "１２３４５６７８"}) {
    ExpectRefused(ValidateKvk, bad, "must be exactly 8 digits");
  }
}

TEST(ValidateKvk, MessageEchoesTheValue) {
  EXPECT_EQ(ValidateKvk("1234", "--kvk").message(), "--kvk: must be exactly 8 digits, got '1234'");
}

TEST(ValidateEcho, EscapesControlCharactersAndTruncates) {
  Status s = ValidateKvk("12\n34\x01\x7f", "--kvk");
  EXPECT_EQ(s.message(), "--kvk: must be exactly 8 digits, got '12\\n34\\x01\\x7f'");
  std::string long_value(300, '9');
  s = ValidateKvk(long_value, "--kvk");
  EXPECT_EQ(s.message(),
            "--kvk: must be exactly 8 digits, got '" + std::string(64, '9') + "...' (300 bytes)");
  // Broken UTF-8 is shown byte by byte, valid UTF-8 as is.
  s = ValidateKvk("\xff\xc3\xa9", "--kvk");
  EXPECT_EQ(s.message(), "--kvk: must be exactly 8 digits, got '\\xff\xc3\xa9'");
}

TEST(ValidateParticipantId, SlugOfThreeToFortyCharacters) {
  for (const std::string& good : {std::string("abc"), std::string("acme-pgo"), std::string("a1-"),
                                  std::string("---"), std::string(40, 'x')}) {
    ExpectAccepted(ValidateParticipantId, good);
  }
  const std::string too_long(41, 'x');
  for (const std::string& bad :
       {std::string("ab"), too_long, std::string("Acme"), std::string("acme_pgo"),
        std::string("acme pgo"), std::string("acmé"), std::string("")}) {
    ExpectRefused(ValidateParticipantId, bad, "must be 3-40 characters of a-z, 0-9 and '-'");
  }
}

TEST(ValidateLegalName, OneToTwoHundredCharactersNoControls) {
  ExpectAccepted(ValidateLegalName, "A");
  ExpectAccepted(ValidateLegalName, "Zorgaanbieder B.V.");
  ExpectAccepted(ValidateLegalName, "Stichting Gezondheid & Zorg 't Gooi");
  // 200 characters, 400 bytes: lengths count characters, as XSD does.
  std::string two_hundred;
  for (int i = 0; i < 200; ++i) two_hundred += "é";
  ExpectAccepted(ValidateLegalName, two_hundred);
  ExpectRefused(ValidateLegalName, two_hundred + "e", "must be 1-200 characters");
  ExpectRefused(ValidateLegalName, "", "must be 1-200 characters");
  ExpectRefused(ValidateLegalName, "Acme\nB.V.", "control characters");
  ExpectRefused(ValidateLegalName, "Acme\tB.V.", "control characters");
  ExpectRefused(ValidateLegalName, "Acme\xc2\x85", "control characters");      // U+0085 (C1)
  ExpectRefused(ValidateLegalName, "Acme\xef\xbf\xbe", "control characters");  // U+FFFE
  ExpectRefused(ValidateLegalName, "Acme \xff", "valid UTF-8");
  ExpectRefused(ValidateLegalName, "\xc0\xaf", "valid UTF-8");      // overlong '/'
  ExpectRefused(ValidateLegalName, "\xed\xa0\x80", "valid UTF-8");  // surrogate
  ExpectRefused(ValidateLegalName, "\xe2\x82", "valid UTF-8");      // truncated
  ExpectRefused(ValidateLegalName, " Acme", "white space");
  ExpectRefused(ValidateLegalName, "Acme ", "white space");
  ExpectRefused(ValidateLegalName, "   ", "blank");
}

TEST(ValidateEmail, PragmaticAddressCheck) {
  for (const char* good : {"info@acme.nl", "a.b+tag@sub.example.org", "x@y.z"}) {
    ExpectAccepted(ValidateEmail, good);
  }
  ExpectRefused(ValidateEmail, "", "at most 254");
  ExpectRefused(ValidateEmail, std::string(250, 'a') + "@b.nl", "at most 254");
  ExpectAccepted(ValidateEmail, std::string(249, 'a') + "@b.nl");  // exactly 254
  ExpectRefused(ValidateEmail, "info.acme.nl", "exactly one '@'");
  ExpectRefused(ValidateEmail, "a@b@acme.nl", "exactly one '@'");
  ExpectRefused(ValidateEmail, "@acme.nl", "local part");
  ExpectRefused(ValidateEmail, "info@acme", "domain with a dot");
  ExpectRefused(ValidateEmail, "info@.acme.nl", "domain with a dot");
  ExpectRefused(ValidateEmail, "info@acme.nl.", "domain with a dot");
  ExpectRefused(ValidateEmail, "info@acme..nl", "domain with a dot");
  ExpectRefused(ValidateEmail, "in fo@acme.nl", "spaces");
  ExpectRefused(ValidateEmail, "info@acme.nl\n", "spaces, control");
  ExpectRefused(ValidateEmail, "info@acmé.nl", "non-ASCII");
}

TEST(ValidateHostname, FollowsTheXsdPattern) {
  for (const char* good : {"acme.nl", "a.nl", "medmij.acme-pgo.nl", "0.nl", "x-1.y-2.example",
                           "192.168.1.10", "xn--bcher-kva.example", "a--b.nl"}) {
    ExpectAccepted(ValidateHostname, good);
  }
  ExpectRefused(ValidateHostname, "Acme.nl", "lower case");
  ExpectRefused(ValidateHostname, "acme.NL", "lower case");
  ExpectRefused(ValidateHostname, "acme_pgo.nl", "'_'");
  ExpectRefused(ValidateHostname, "-acme.nl", "must not start with '-'");
  ExpectRefused(ValidateHostname, "acme.-nl", "must not start with '-'");
  ExpectRefused(ValidateHostname, "acme-.nl", "must not end with '-'");
  ExpectRefused(ValidateHostname, "acme.nl-", "must not end with '-'");
  ExpectRefused(ValidateHostname, "acme.nl.", "must not end with a dot");
  ExpectRefused(ValidateHostname, "localhost", "at least two labels");
  ExpectRefused(ValidateHostname, "acme.n", "last label must be at least 2");
  ExpectRefused(ValidateHostname, "10.0.0.1", "last label must be at least 2");  // not the pattern
  ExpectRefused(ValidateHostname, "*.acme.nl", "wildcards");
  ExpectRefused(ValidateHostname, ".acme.nl", "empty label");
  ExpectRefused(ValidateHostname, "acme..nl", "empty label");
  ExpectRefused(ValidateHostname, "", "must not be empty");
  ExpectRefused(ValidateHostname, "acme.nl:443", "may contain only");
  ExpectRefused(ValidateHostname, "[::1]", "may contain only");
  ExpectRefused(ValidateHostname, "acme nl", "may contain only");
  ExpectRefused(ValidateHostname, "acmé.nl", "may contain only");
}

TEST(ValidateHostname, LengthLimits) {
  const std::string label63(63, 'a');
  ExpectAccepted(ValidateHostname, label63 + ".nl");
  ExpectRefused(ValidateHostname, std::string(64, 'a') + ".nl", "labels must be at most 63");
  ExpectRefused(ValidateHostname, "nl." + std::string(64, 'a'), "labels must be at most 63");
  // Exactly 253 characters: three labels of 63 and one of 61.
  std::string h = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'a');
  ASSERT_EQ(h.size(), 253u);
  ExpectAccepted(ValidateHostname, h);
  ExpectRefused(ValidateHostname, h + "a", "at most 253");
}

TEST(ValidateProviderName, LettersAtMedmijTenToFiftySeven) {
  ExpectAccepted(ValidateProviderName, "umcx@medmij");                     // 11
  ExpectAccepted(ValidateProviderName, "abc@medmij");                      // 10
  ExpectAccepted(ValidateProviderName, std::string(50, 'z') + "@medmij");  // 57
  ExpectRefused(ValidateProviderName, "ab@medmij", "must be 10-57 characters");
  ExpectRefused(ValidateProviderName, std::string(51, 'z') + "@medmij", "must be 10-57 characters");
  ExpectRefused(ValidateProviderName, "umc1@medmij", "[a-z]+@medmij");
  ExpectRefused(ValidateProviderName, "Umcx@medmij", "[a-z]+@medmij");
  ExpectRefused(ValidateProviderName, "umcx@MedMij", "[a-z]+@medmij");
  ExpectRefused(ValidateProviderName, "umc-x@medmij", "[a-z]+@medmij");
  ExpectRefused(ValidateProviderName, "@medmij", "[a-z]+@medmij");
  ExpectRefused(ValidateProviderName, "umcxyz@medmij.nl", "[a-z]+@medmij");
  ExpectRefused(ValidateProviderName, "umcxyzmedmij", "[a-z]+@medmij");
  ExpectRefused(ValidateProviderName, " umcx@medmij", "[a-z]+@medmij");
  ExpectRefused(ValidateProviderName, "", "[a-z]+@medmij");
}

TEST(ValidateSingleLineTextFields, LengthsOfTheReferenceSchemas) {
  struct Case {
    Validator validate;
    size_t min, max;
  };
  const std::vector<Case> cases = {
      {ValidateOrganisationName, 3, 50},  // OAuthclientOrganisatienaam
      {ValidateServiceId, 1, 30},         // GegevensdienstId
      {ValidateDisplayName, 3, 50},       // Weergavenaam
      {ValidateSystemRoleCode, 1, 30},    // Systeemrolcode
      {[](std::string_view v, std::string_view f) { return ValidateSingleLineText(v, f, 2, 5); }, 2,
       5},
  };
  for (const auto& c : cases) {
    const std::string rule =
        "must be " + std::to_string(c.min) + "-" + std::to_string(c.max) + " characters";
    ExpectAccepted(c.validate, std::string(c.min, 'x'));
    ExpectAccepted(c.validate, std::string(c.max, 'x'));
    ExpectRefused(c.validate, std::string(c.min - 1, 'x'), rule);
    ExpectRefused(c.validate, std::string(c.max + 1, 'x'), rule);
    ExpectRefused(c.validate, "ab\ncd", "control characters");
    ExpectRefused(c.validate, " abc", "white space");
  }
  ExpectAccepted(ValidateDisplayName, "Basisgegevens Zorg");
  ExpectAccepted(ValidateDisplayName, "Gezondheidsmetingen · één");
  ExpectAccepted(ValidateSystemRoleCode, "LAB-1.0-LRO-FHIR");
}

// UTF-8 of one code point.
std::string Utf8(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
  return out;
}

// Every single-line text field refuses line breaks, control and format characters anywhere in
// the value, and names the field and the code point.
TEST(ValidateSingleLineText, RefusesLineBreaksControlsAndFormatCharacters) {
  const std::vector<Validator> fields = {
      ValidateLegalName,
      ValidateOrganisationName,
      ValidateServiceId,
      ValidateDisplayName,
      ValidateSystemRoleCode,
      [](std::string_view v, std::string_view f) { return ValidateSingleLineText(v, f, 1, 64); },
  };
  struct Bad {
    char32_t cp;
    const char* rule;
  };
  const std::vector<Bad> bad = {
      {0x0a, "single line"},   {0x0d, "single line"}, {0x0b, "single line"},
      {0x0c, "single line"},   {0x85, "single line"}, {0x2028, "single line"},
      {0x2029, "single line"}, {0x00, "control"},     {0x09, "control"},
      {0x1b, "control"},       {0x7f, "control"},     {0x9b, "control"},
      {0x202a, "format"},      {0x202b, "format"},    {0x202c, "format"},
      {0x202d, "format"},      {0x202e, "format"},    {0x2066, "format"},
      {0x2067, "format"},      {0x2068, "format"},    {0x2069, "format"},
      {0x200e, "format"},      {0x200f, "format"},    {0x061c, "format"},
      {0x200b, "format"},      {0x200d, "format"},    {0x2060, "format"},
      {0xfeff, "format"},      {0x00ad, "format"},    {0xe0041, "format"},
  };
  for (const auto& field : fields) {
    for (const auto& b : bad) {
      const std::string name = CodePointName(b.cp);
      for (const std::string& v : {"abc" + Utf8(b.cp) + "def", Utf8(b.cp) + "abcdef"}) {
        Status s = field(v, "--the-field");
        ASSERT_FALSE(s.ok()) << name;
        EXPECT_EQ(s.message().rfind("--the-field: ", 0), 0u) << s.message();
        EXPECT_NE(s.message().find(b.rule), std::string::npos) << name << ": " << s.message();
        EXPECT_NE(s.message().find("(" + name + ")"), std::string::npos) << s.message();
        // The echoed value is escaped: the message is one line without the character itself.
        EXPECT_EQ(s.message().find(Utf8(b.cp), 13), std::string::npos) << name;
        EXPECT_EQ(s.message().find('\n'), std::string::npos) << name;
      }
    }
  }
  EXPECT_EQ(ValidateLegalName("Acme\xe2\x80\xaeVB", "name").message(),
            "name: must not contain invisible or bidirectional format characters (U+202E), got "
            "'Acme\\u{202e}VB'");
  EXPECT_EQ(ValidateLegalName("Acme\nB.V.", "name").message(),
            "name: must be a single line: no line breaks (U+000A) or other control characters, "
            "got 'Acme\\nB.V.'");
  // Letters of any script, marks and symbols stay allowed.
  for (const char* good :
       {"Zorg \xc3\xa9\xc3\xa9n", "\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a",
        "\xe5\x8c\xbb\xe7\x99\x82\xe6\x89\x80", "Caf\x65\xcc\x81", "A \xc2\xb7 B"}) {
    for (const auto& field : fields) ExpectAccepted(field, good);
  }
}

TEST(ValidateReason, NewlineOnlyNoOtherBreaksOrFormatCharacters) {
  ExpectAccepted(ValidateReason, "line one\nline two");
  ExpectRefused(ValidateReason,
                "a\xe2\x80\xa8"
                "b",
                "line breaks other than newline (U+2028)");
  ExpectRefused(ValidateReason,
                "a\xc2\x85"
                "b",
                "control characters other than newline (U+0085)");
  ExpectRefused(ValidateReason,
                "a\xe2\x80\xae"
                "b",
                "format characters (U+202E)");
  ExpectRefused(ValidateReason,
                "a\xe2\x81\xa6"
                "b",
                "format characters (U+2066)");
}

TEST(ValidateFrontChannelUri, HttpsHostAndPathOnly) {
  for (const char* good :
       {"https://auth.acme.nl", "https://auth.acme.nl/oauth/authorize", "https://a.nl/x",
        "https://auth.acme.nl/a%20b/c:d@e", "https://auth.acme.nl/v1.0/~x"}) {
    ExpectAccepted(ValidateFrontChannelUri, good);
  }
  ExpectRefused(ValidateFrontChannelUri, "https://auth.acme.nl:443/authorize", "port");
  ExpectRefused(ValidateFrontChannelUri, "http://auth.acme.nl/authorize", "https");
  ExpectRefused(ValidateFrontChannelUri, "HTTPS://auth.acme.nl/authorize", "https://");
  ExpectRefused(ValidateFrontChannelUri, "ftp://auth.acme.nl", "https://");
  ExpectRefused(ValidateFrontChannelUri, "auth.acme.nl/authorize", "https://");
  ExpectRefused(ValidateFrontChannelUri, "https://auth.acme.nl/authorize?x=1", "query");
  ExpectRefused(ValidateFrontChannelUri, "https://auth.acme.nl/authorize#top", "fragment");
  ExpectRefused(ValidateFrontChannelUri, "https://auth.acme.nl/authorize/", "empty segment");
  ExpectRefused(ValidateFrontChannelUri, "https://auth.acme.nl/", "empty segment");
  ExpectRefused(ValidateFrontChannelUri, "https://auth.acme.nl//authorize", "empty segment");
  ExpectRefused(ValidateFrontChannelUri, "https://Auth.acme.nl/authorize", "host");
  ExpectRefused(ValidateFrontChannelUri, "https://auth.acme.nl./authorize", "host");
  ExpectRefused(ValidateFrontChannelUri, "https://localhost/authorize", "host");
  ExpectRefused(ValidateFrontChannelUri, "https:///authorize", "host");
  ExpectRefused(ValidateFrontChannelUri, "https://", "host");
  ExpectRefused(ValidateFrontChannelUri, "https://user@auth.acme.nl/authorize", "user info");
  ExpectRefused(ValidateFrontChannelUri, "https://auth.acme.nl/a b", "no spaces");
  ExpectRefused(ValidateFrontChannelUri, "https://auth.acme.nl/a\nb", "no spaces");
  ExpectRefused(ValidateFrontChannelUri, "https://auth.acme.nl/a%2", "%XX");
  ExpectRefused(ValidateFrontChannelUri, "https://auth.acme.nl/a%zz", "%XX");
  ExpectRefused(ValidateFrontChannelUri, "https://auth.acme.nl/" + std::string(2030, 'a'),
                "at most 2048");
}

TEST(ValidateBackChannelUri, PortFromOneTo65535) {
  for (const char* good : {"https://token.acme.nl", "https://token.acme.nl/token",
                           "https://token.acme.nl:8443/oauth/token", "https://token.acme.nl:1",
                           "https://token.acme.nl:65535/x", "https://10.0.0.10:443/fhir"}) {
    ExpectAccepted(ValidateBackChannelUri, good);
  }
  for (const char* bad : {"https://token.acme.nl:0/token", "https://token.acme.nl:65536/token",
                          "https://token.acme.nl:/token", "https://token.acme.nl:",
                          "https://token.acme.nl:123456", "https://token.acme.nl:-1/x",
                          "https://token.acme.nl:44a/x", "https://token.acme.nl:443:443/x"}) {
    ExpectRefused(ValidateBackChannelUri, bad, "port must be a number from 1 to 65535");
  }
  ExpectRefused(ValidateBackChannelUri, "http://token.acme.nl:8080/token", "https");
  ExpectRefused(ValidateBackChannelUri, "https://token.acme.nl/token?a=b", "query");
  ExpectRefused(ValidateBackChannelUri, "https://token.acme.nl:8443/token#x", "fragment");
  ExpectRefused(ValidateBackChannelUri, "https://token.acme.nl:8443/token/", "empty segment");
  ExpectRefused(ValidateBackChannelUri, "https://token.acme.nl:8443/", "empty segment");
  ExpectRefused(ValidateBackChannelUri, "https://token_1.acme.nl/token", "host");
  ExpectRefused(ValidateBackChannelUri, "https://[::1]:8443/token", "host");
  ExpectRefused(ValidateBackChannelUri, "https://u:p@token.acme.nl/token", "user info");
}

TEST(ValidateOperator, PrintableAsciiUpTo64) {
  ExpectAccepted(ValidateOperator, "alice");
  ExpectAccepted(ValidateOperator, "Jan de Vries");
  ExpectAccepted(ValidateOperator, std::string(64, 'o'));
  ExpectRefused(ValidateOperator, "", "1-64");
  ExpectRefused(ValidateOperator, std::string(65, 'o'), "1-64");
  ExpectRefused(ValidateOperator, "alice\n", "printable");
  ExpectRefused(ValidateOperator, "alicé", "printable");
  ExpectRefused(ValidateOperator, "alice ", "space");
  ExpectRefused(ValidateOperator, " alice", "space");
}

TEST(ValidateReason, UpToTwoThousandCharactersNewlinesAllowed) {
  ExpectAccepted(ValidateReason, "certificate lapsed");
  ExpectAccepted(ValidateReason, "line one\nline two");
  ExpectAccepted(ValidateReason, std::string(2000, 'r'));
  ExpectRefused(ValidateReason, std::string(2001, 'r'), "1-2000");
  ExpectRefused(ValidateReason, "", "1-2000");
  ExpectRefused(ValidateReason, "a\tb", "control characters other than newline");
  ExpectRefused(ValidateReason, "a\rb", "control characters other than newline");
  ExpectRefused(ValidateReason, " \n ", "blank");
  ExpectRefused(ValidateReason, "bad \xff", "UTF-8");
}

TEST(ValidateIdentifier, EveryKindWithItsRule) {
  for (const char* kind : {"agb", "ura", "kvk"}) {
    EXPECT_TRUE(ValidateIdentifier(kind, "01234567", "identifiers").ok()) << kind;
    for (const char* bad : {"1234567", "123456789", "1234567a", ""}) {
      Status s = ValidateIdentifier(kind, bad, "identifiers");
      EXPECT_FALSE(s.ok()) << kind << " " << bad;
      EXPECT_EQ(
          s.message().rfind("identifiers." + std::string(kind) + ": must be exactly 8 digits", 0),
          0u)
          << s.message();
    }
  }
  EXPECT_TRUE(ValidateIdentifier("oin", std::string(20, '7'), "identifiers").ok());
  EXPECT_FALSE(ValidateIdentifier("oin", std::string(19, '7'), "identifiers").ok());
  EXPECT_NE(ValidateIdentifier("oin", "1", "f").message().find("f.oin: must be exactly 20 digits"),
            std::string::npos);
  for (const char* good : {"A", "HRN12345", "abc123", "0"}) {
    EXPECT_TRUE(ValidateIdentifier("hrn", good, "identifiers").ok()) << good;
  }
  for (std::string bad : {std::string(), std::string(31, 'a'), std::string("ab-1"),
                          std::string("ab 1"), std::string("\xc3\xa9")}) {
    Status s = ValidateIdentifier("hrn", bad, "identifiers");
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find("identifiers.hrn: must be 1-30 letters and digits"),
              std::string::npos)
        << s.message();
  }
  Status unknown = ValidateIdentifier("big", "1", "identifiers");
  EXPECT_EQ(unknown.message(),
            "identifiers: unknown identifier kind (agb, hrn, kvk, oin or ura), got 'big'");
  // Upper case is not a kind: the model's keys are lower case (the ZAKL elements upper case).
  EXPECT_FALSE(ValidateIdentifier("AGB", "01234567", "identifiers").ok());
}

TEST(ValidateInterfaceVersion, DottedLettersAndDigits) {
  for (const std::string& good : {std::string("1"), std::string("1.4.0"), std::string("2.0.0-rc1"),
                                  std::string("v3"), std::string(30, '9')}) {
    ExpectAccepted(ValidateInterfaceVersion, good);
  }
  for (std::string bad :
       {std::string(), std::string(31, '9'), std::string(".1"), std::string("1."),
        std::string("1 .0"), std::string("1_0"), std::string("-1"), std::string("1.0\n")}) {
    ExpectRefused(ValidateInterfaceVersion, bad, "1-30 characters of letters, digits");
  }
}

TEST(ValidateSubscriptionDays, OneToTenYears) {
  EXPECT_TRUE(ValidateSubscriptionDays(1, "d").ok());
  EXPECT_TRUE(ValidateSubscriptionDays(3650, "d").ok());
  for (int64_t bad : {int64_t{0}, int64_t{-1}, int64_t{3651}, INT64_MAX}) {
    Status s = ValidateSubscriptionDays(bad, "subscription-max-days");
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.message().rfind("subscription-max-days: must be 1-3650 days, got '", 0), 0u)
        << s.message();
  }
}

TEST(InterfaceVersionLess, NumericPartsByValue) {
  std::vector<std::string> v = {"1.10.0", "1.4.0", "1.4", "2", "1.4.0-rc", "1.04.0", "10", "1.a"};
  std::sort(v.begin(), v.end(),
            [](const std::string& a, const std::string& b) { return InterfaceVersionLess(a, b); });
  EXPECT_EQ(v, (std::vector<std::string>{"1.4", "1.04.0", "1.4.0", "1.4.0-rc", "1.10.0", "1.a", "2",
                                         "10"}));
  // Irreflexive and asymmetric; only equal strings are equivalent.
  for (const auto& a : v) {
    EXPECT_FALSE(InterfaceVersionLess(a, a)) << a;
    for (const auto& b : v) {
      if (a != b) {
        EXPECT_NE(InterfaceVersionLess(a, b), InterfaceVersionLess(b, a)) << a << " " << b;
      }
    }
  }
  // Transitive where mixed parts meet: numbers before text.
  EXPECT_TRUE(InterfaceVersionLess("9", "10"));
  EXPECT_TRUE(InterfaceVersionLess("10", "10a"));
  EXPECT_TRUE(InterfaceVersionLess("9", "10a"));
}

TEST(UriHost, ReturnsTheHost) {
  EXPECT_EQ(UriHost("https://a.b:8443/x"), "a.b");
  EXPECT_EQ(UriHost("https://a.b/x/y"), "a.b");
  EXPECT_EQ(UriHost("https://a.b"), "a.b");
  EXPECT_EQ(UriHost("https://a.b:443"), "a.b");
}

}  // namespace
}  // namespace medmij
