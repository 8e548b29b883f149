#include "registry/service/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "tests/support/process.h"

namespace medmij::service {
namespace {

constexpr const char* kGood = R"(
[server]
listen = "127.0.0.1:8080"
threads = 2
[storage]
data_dir = "/var/lib/medmij-registry"
[signing]
key = "/etc/medmij-registry/signing.key"
certificate = "signing.pem"
chain = ""
[publish]
check_interval_ms = 250
max_age_s = 60
export_dir = ""
)";

Result<ServiceConfig> Parse(const std::string& text) {
  return ParseConfig(text, "r.toml", "/etc/m");
}

TEST(Config, ParsesTheContractKeys) {
  auto c = Parse(kGood);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->listen_host, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 8080);
  EXPECT_EQ(c->threads, 2);
  EXPECT_EQ(c->data_dir, "/var/lib/medmij-registry");
  EXPECT_EQ(c->signing_key, "/etc/medmij-registry/signing.key");
  EXPECT_EQ(c->signing_certificate, "/etc/m/signing.pem");  // relative to the file
  EXPECT_TRUE(c->signing_chain.empty());
  EXPECT_EQ(c->check_interval_ms, 250);
  EXPECT_EQ(c->max_age_s, 60);
  EXPECT_TRUE(c->export_dir.empty());
  EXPECT_EQ(c->default_form, ListForm::kStrict);  // the official names serve the strict form
}

void ExpectError(const std::string& text, const std::string& fragment) {
  auto c = Parse(text);
  ASSERT_FALSE(c.ok()) << text;
  EXPECT_NE(c.status().message().find(fragment), std::string::npos) << c.status().message();
  EXPECT_EQ(c.status().message().find('\n'), std::string::npos);
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  s.replace(s.find(from), from.size(), to);
  return s;
}

TEST(Config, OneLineErrorsNamingTheKey) {
  ExpectError("[server\n", "r.toml:1");
  ExpectError(Replace(kGood, "threads = 2", "threads = 0"), "[server] threads: must be 1..64");
  ExpectError(Replace(kGood, "threads = 2", "threads = \"2\""),
              "[server] threads: must be an integer");
  ExpectError(Replace(kGood, "threads = 2", "thread = 2"), "[server] thread: unknown key");
  ExpectError(Replace(kGood, "127.0.0.1:8080", "127.0.0.1"), "[server] listen");
  ExpectError(Replace(kGood, "127.0.0.1:8080", "127.0.0.1:99999"), "[server] listen");
  ExpectError(Replace(kGood, "data_dir = \"/var/lib/medmij-registry\"", ""),
              "[storage] data_dir: missing");
  ExpectError(Replace(kGood, "key = \"/etc/medmij-registry/signing.key\"", "key = \"\""),
              "[signing] key: must not be empty");
  ExpectError(Replace(kGood, "max_age_s = 60", "max_age_s = -1"), "[publish] max_age_s");
  ExpectError(std::string(kGood) + "[extra]\n", "unknown section or key 'extra'");
}

TEST(Config, RenewBeforeDaysDefaultsTo30AndIsChecked) {
  auto defaults = Parse(kGood);
  ASSERT_TRUE(defaults.ok()) << defaults.status().message();
  EXPECT_EQ(defaults->renew_before_days, 30);
  auto add = [](const std::string& line) {
    return Replace(kGood, "chain = \"\"", "chain = \"\"\n" + line);
  };
  for (const auto& [text, days] :
       {std::pair{"renew_before_days = 0", 0}, std::pair{"renew_before_days = 45", 45},
        std::pair{"renew_before_days = 3650", 3650}}) {
    auto c = Parse(add(text));
    ASSERT_TRUE(c.ok()) << c.status().message();
    EXPECT_EQ(c->renew_before_days, days);
  }
  ExpectError(add("renew_before_days = -1"), "[signing] renew_before_days: must be 0..3650");
  ExpectError(add("renew_before_days = 3651"), "[signing] renew_before_days: must be 0..3650");
  ExpectError(add("renew_before_days = \"30\""), "[signing] renew_before_days: must be an integer");
  ExpectError(add("renew_before_days = 2.5"), "[signing] renew_before_days: must be an integer");
  ExpectError(add("renew_days = 30"), "[signing] renew_days: unknown key");
}

TEST(Config, DefaultFormIsStrictOrSigned) {
  auto add = [](const std::string& line) {
    return Replace(kGood, "max_age_s = 60", "max_age_s = 60\n" + line);
  };
  auto strict = Parse(add("default_form = \"strict\""));
  ASSERT_TRUE(strict.ok()) << strict.status().message();
  EXPECT_EQ(strict->default_form, ListForm::kStrict);
  auto sig = Parse(add("default_form = \"signed\""));
  ASSERT_TRUE(sig.ok()) << sig.status().message();
  EXPECT_EQ(sig->default_form, ListForm::kSigned);
  ExpectError(add("default_form = \"unsigned\""),
              "[publish] default_form: must be \"strict\" or \"signed\", got 'unsigned'");
  ExpectError(add("default_form = true"), "[publish] default_form: must be a string");
}

TEST(Config, PublishListsChoosesTheListsByIdDefaultAll) {
  auto add = [](const std::string& line) {
    return Replace(kGood, "max_age_s = 60", "max_age_s = 60\n" + line);
  };
  auto all = Parse(kGood);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->lists, kEveryList);
  EXPECT_EQ(all->lists.count(), 6u);
  auto two = Parse(add(R"(lists = ["zorgaanbiederskoppellijst", "whitelist"])"));
  ASSERT_TRUE(two.ok()) << two.status().message();
  EXPECT_EQ(two->lists.count(), 2u);
  EXPECT_TRUE(two->lists.test(static_cast<size_t>(ListKind::kWhitelist)));
  EXPECT_TRUE(two->lists.test(static_cast<size_t>(ListKind::kZorgaanbiederskoppellijst)));
  EXPECT_FALSE(two->lists.test(static_cast<size_t>(ListKind::kZorgaanbiederslijstRelease3)));
  ExpectError(add(R"(lists = ["whitelist", "blacklist"])"),
              "[publish] lists: unknown list 'blacklist' (whitelist, oauthclientlist");
  ExpectError(add(R"(lists = ["whitelist", "whitelist"])"),
              "[publish] lists: 'whitelist' is named twice");
  ExpectError(add("lists = []"), "[publish] lists: must name at least one list");
  ExpectError(add("lists = \"whitelist\""), "[publish] lists: must be an array");
  ExpectError(add("lists = [1]"), "[publish] lists: must be an array of list ids");
}

TEST(Config, TheExampleConfigParses) {
  // deploy/config/registry.example.toml is what the Debian package installs: it must stay valid.
  std::ifstream in(std::string(MEDMIJ_SOURCE_DIR) + "/deploy/config/registry.example.toml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(text.empty());
  auto c = ParseConfig(text, "registry.example.toml", "/etc/medmij-registry");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->default_form, ListForm::kStrict);
  EXPECT_EQ(c->data_dir, "/var/lib/medmij-registry");
}

TEST(Config, ListenOnPortZeroLetsTheKernelChoose) {
  auto c = Parse(Replace(kGood, "127.0.0.1:8080", "127.0.0.1:0"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->listen_port, 0);
  c = Parse(Replace(kGood, "127.0.0.1:8080", "[::1]:0"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->listen_host, "[::1]");
  ExpectError(Replace(kGood, "127.0.0.1:8080", "127.0.0.1:-1"), "port that is not 0..65535");
}

TEST(Config, AuditorsSectionIsOptional) {
  auto without = Parse(kGood);
  ASSERT_TRUE(without.ok());
  EXPECT_TRUE(without->auditor_tokens_file.empty());
  EXPECT_EQ(without->auditors, nullptr);
  auto with = Parse(std::string(kGood) + "[auditors]\ntokens_file = \"auditors\"\n");
  ASSERT_TRUE(with.ok()) << with.status().message();
  EXPECT_EQ(with->auditor_tokens_file, "/etc/m/auditors");
  ExpectError(std::string(kGood) + "[auditors]\ntokens = \"x\"\n",
              "[auditors] tokens: unknown key");
  ExpectError(std::string(kGood) + "[auditors]\ntokens_file = 3\n",
              "[auditors] tokens_file: must be a string");
}

TEST(Config, TransparencySectionNeedsKeyAndOrigin) {
  auto without = Parse(kGood);
  ASSERT_TRUE(without.ok());
  EXPECT_TRUE(without->log_key.empty());
  auto with = Parse(std::string(kGood) +
                    "[transparency]\nkey = \"log.key\"\norigin = \"registry.example.nl/log\"\n");
  ASSERT_TRUE(with.ok()) << with.status().message();
  EXPECT_EQ(with->log_key, "/etc/m/log.key");
  EXPECT_EQ(with->log_origin, "registry.example.nl/log");
  EXPECT_EQ(with->log_signer, nullptr);  // loaded by LoadConfig
  ExpectError(std::string(kGood) + "[transparency]\nkey = \"log.key\"\n",
              "[transparency] origin: missing (required with [transparency] key)");
  ExpectError(std::string(kGood) + "[transparency]\norigin = \"x.example/log\"\n",
              "[transparency] origin: set without [transparency] key");
  ExpectError(std::string(kGood) + "[transparency]\nkey = \"k\"\norigin = \"a\\nb\"\n",
              "[transparency] origin: must be one line");
  ExpectError(std::string(kGood) + "[transparency]\nkey = \"k\"\norigin = \"a b\"\n",
              "[transparency] origin: must not contain spaces");
  ExpectError(std::string(kGood) + "[transparency]\nkey = \"k\"\norigin = \"a+b\"\n",
              "[transparency] origin: must not contain '+'");
  ExpectError(std::string(kGood) + "[transparency]\nkey = \"k\"\norigin = \"\"\n",
              "[transparency] origin: must not be empty");
  ExpectError(std::string(kGood) + "[transparency]\nkey = \"k\"\norigin = \"o\"\nname = 1\n",
              "[transparency] name: unknown key");
}

// LoadConfig reads the log key: an Ed25519 key loads; another kind of key, a file that is no
// key and a missing file are each refused in one line naming [transparency] key.
TEST(Config, LoadReadsTheTransparencyLogKey) {
  medmij::testing::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
  };
  write("signing.key", "k");
  write("signing.pem", "c");
  write("junk.key", "not a key\n");
  ASSERT_EQ(medmij::testing::RunProcess({"/usr/bin/openssl", "genpkey", "-algorithm", "ed25519",
                                         "-out", (dir / "log.key").string()})
                .exit_code,
            0);
  ASSERT_EQ(
      medmij::testing::RunProcess({"/usr/bin/openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                                   "rsa_keygen_bits:1024", "-out", (dir / "rsa.key").string()})
          .exit_code,
      0);
  auto config = [&](const std::string& key) {
    const std::string file = (dir / ("r-" + key + ".toml")).string();
    std::ofstream(file) << "[storage]\ndata_dir = \"d\"\n[signing]\nkey = \"signing.key\"\n"
                        << "certificate = \"signing.pem\"\n[transparency]\nkey = \"" << key
                        << "\"\norigin = \"registry.example.nl/log\"\n";
    return LoadConfig(file);
  };
  auto good = config("log.key");
  ASSERT_TRUE(good.ok()) << good.status().message();
  ASSERT_NE(good->log_signer, nullptr);
  EXPECT_EQ(good->log_signer->name(), "registry.example.nl/log");
  for (const auto& [key, fragment] :
       std::vector<std::pair<std::string, std::string>>{{"rsa.key", "not an Ed25519 key (RSA)"},
                                                        {"junk.key", "not a PEM private key"},
                                                        {"absent.key", "cannot read"}}) {
    auto bad = config(key);
    ASSERT_FALSE(bad.ok()) << key;
    EXPECT_NE(bad.status().message().find("[transparency] key: '"), std::string::npos)
        << bad.status().message();
    EXPECT_NE(bad.status().message().find(fragment), std::string::npos) << bad.status().message();
    EXPECT_EQ(bad.status().message().find('\n'), std::string::npos);
  }
}

// Found by tests/fuzz/config_fuzz.cc: a key, a value or a path with a TOML escape for a line
// break or a NUL reached the refusal as it was.
TEST(Config, RefusalsEscapeWhatTheyEcho) {
  auto err = [](const std::string& text) { return Parse(text).status().message(); };
  EXPECT_EQ(err("[server]\n\"quoted\\nkey\" = 1\n"), "r.toml: [server] quoted\\nkey: unknown key");
  EXPECT_EQ(err(Replace(kGood, "127.0.0.1:8080", "line\\nbreak")),
            "r.toml: [server] listen: 'line\\nbreak' is not host:port");
  EXPECT_EQ(err(Replace(kGood, "max_age_s = 60", "default_form = \"a\\u0000b\"")),
            "r.toml: [publish] default_form: must be \"strict\" or \"signed\", got 'a\\x00b'");

  testing::TempDir dir;
  std::ofstream(dir / "registry.toml") << "[storage]\ndata_dir = \"data\"\n[signing]\nkey = "
                                          "\"no\\rsuch.key\"\ncertificate = \"c\"\n";
  auto loaded = LoadConfig(dir / "registry.toml");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(), (dir / "registry.toml").string() +
                                           ": [signing] key: cannot read '" +
                                           (dir / "no\\rsuch.key").string() + "'");
}

TEST(Config, LoadRefusesUnreadableFilesAndKeys) {
  auto missing = LoadConfig("/nonexistent/registry.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot read"), std::string::npos);
}

TEST(Config, TrustAnchorIsAnOptionalPathResolvedAgainstTheFile) {
  auto none = Parse(kGood);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->trust_anchor.empty());
  auto c = Parse(Replace(kGood, "chain = \"\"", "chain = \"\"\ntrust_anchor = \"ca.pem\""));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->trust_anchor, "/etc/m/ca.pem");
  auto bad = Parse(Replace(kGood, "chain = \"\"", "chain = \"\"\ntrust_anchor = 7"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "r.toml: [signing] trust_anchor: must be a string");
}

}  // namespace
}  // namespace medmij::service
