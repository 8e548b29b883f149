// Test support for the signer module (unit and interop tests): the development keys of
// deploy/make-dev-ca.sh shared by the build tree (tests/support/dev_pki.h), list documents
// shaped like the reference examples, and a way to run the stock tools.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "registry/common/time.h"
#include "signer/signer.h"
#include "tests/support/dev_pki.h"

namespace medmij::signer::testing {

namespace fs = std::filesystem;

// Libraries::Init on the main thread before any test runs, once per test binary. A failure
// aborts the binary (an ASSERT here would only mark every test skipped).
class LibrariesEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    auto libs = Libraries::Init();
    if (!libs.ok()) {
      std::fprintf(stderr, "Libraries::Init: %s\n", libs.status().message().c_str());
      std::abort();
    }
    libs_ = std::move(libs).value();
  }
  void TearDown() override { libs_.reset(); }

 private:
  std::unique_ptr<Libraries> libs_;
};
inline ::testing::Environment* const kLibrariesEnvironment =
    ::testing::AddGlobalTestEnvironment(new LibrariesEnvironment());
// Kept for the test files' readability: the inline variable above registers the environment.
#define MEDMIJ_SIGNER_TEST_ENVIRONMENT() static_assert(true)

// A fresh directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "medmij-signer-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteAll(const fs::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs `command` with /bin/sh; stderr is merged into the output.
inline CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Hex SHA-256 of the stock xmllint's exclusive C14N (without comments) of `xml`: an
// independent canonicaliser to check ours against.
inline std::string ExclusiveC14nSha256(const std::string& xml) {
  TempDir dir;
  WriteAll(dir / "doc.xml", xml);
  CommandResult r = RunCommand("xmllint --nonet --exc-c14n " + Quote((dir / "doc.xml").string()) +
                               " | sha256sum");
  if (r.exit_code != 0 || r.output.size() < 64) throw std::runtime_error("xmllint: " + r.output);
  return r.output.substr(0, 64);
}

// A development CA + intermediate + signing key (deploy/make-dev-ca.sh).
struct DevCa {
  fs::path dir;
  fs::path ca() const { return dir / "ca.pem"; }
  fs::path key() const { return dir / "signing.key"; }
  fs::path cert() const { return dir / "signing.pem"; }
  fs::path chain() const { return dir / "chain.pem"; }
};

// The hierarchy shared by every test process of this build tree (tests/support/dev_pki.h),
// with an EC (`ec`) or RSA signing key. Read-only: a test that changes it works on a copy.
inline DevCa CachedDevCa(bool ec) {
  return DevCa{medmij::testing::SharedDevPki(ec).dir};
}

inline std::string Head(const std::string& root, const std::string& ns, uint64_t volgnummer,
                        const std::string& tijdstempel) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + root + " xmlns=\"" + ns +
         "\">\n    <Tijdstempel>" + tijdstempel + "</Tijdstempel>\n    <Volgnummer>" +
         std::to_string(volgnummer) + "</Volgnummer>\n";
}

inline constexpr const char* kWhitelistNs =
    "xmlns://afsprakenstelsel.medmij.nl/whitelist/release2/";
inline constexpr const char* kOclNs =
    "xmlns://afsprakenstelsel.medmij.nl/oauthclientlist/release2/";
inline constexpr const char* kZalNs =
    "xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release2/";
inline constexpr const char* kGnlNs =
    "xmlns://afsprakenstelsel.medmij.nl/gegevensdienstnamenlijst/release1/";
inline constexpr const char* kZal3Ns =
    "xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release3/";
inline constexpr const char* kZaklNs =
    "xmlns://afsprakenstelsel.medmij.nl/Zorgaanbiederskoppellijst/release1/";

inline std::string Letters(size_t i) {  // a, b, ..., z, ba, bb, ... (the ZAL name pattern)
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('a' + i % 26));
    i /= 26;
  } while (i > 0);
  return s;
}

inline std::string Whitelist(size_t nodes, uint64_t volgnummer = 7,
                             const std::string& tijdstempel = "2026-11-22T10:00:00Z") {
  std::string x = Head("Whitelist", kWhitelistNs, volgnummer, tijdstempel);
  if (nodes == 0) return x + "    <MedMijNodes/>\n</Whitelist>\n";
  x += "    <MedMijNodes>\n";
  for (size_t i = 0; i < nodes; ++i) {
    x += "        <MedMijNode>\n            <Hostname>node" + std::to_string(i) +
         ".example.nl</Hostname>\n        </MedMijNode>\n";
  }
  return x + "    </MedMijNodes>\n</Whitelist>\n";
}

inline std::string OAuthClientList(size_t clients, uint64_t volgnummer = 3) {
  std::string x = Head("OAuthclientlist", kOclNs, volgnummer, "2026-11-22T10:00:00Z");
  x += "    <OAuthclients>\n";
  for (size_t i = 0; i < clients; ++i) {
    x += "        <OAuthclient>\n            <Hostname>pgo" + std::to_string(i) +
         ".example.nl</Hostname>\n            <OAuthclientOrganisatienaam>PGO nummer " +
         std::to_string(i) + "</OAuthclientOrganisatienaam>\n        </OAuthclient>\n";
  }
  return x + "    </OAuthclients>\n</OAuthclientlist>\n";
}

inline std::string Zorgaanbieder(size_t i) {
  const std::string host = "dva" + std::to_string(i % 50) + ".example.nl";
  return "        <Zorgaanbieder>\n"
         "            <Zorgaanbiedernaam>zorg" +
         Letters(i) +
         "@medmij</Zorgaanbiedernaam>\n"
         "            <Gegevensdiensten>\n"
         "                <Gegevensdienst>\n"
         "                    <GegevensdienstId>4</GegevensdienstId>\n"
         "                    <AuthorizationEndpoint>\n"
         "                        <AuthorizationEndpointuri>https://" +
         host +
         "/oauth/authorize</AuthorizationEndpointuri>\n"
         "                    </AuthorizationEndpoint>\n"
         "                    <TokenEndpoint>\n"
         "                        <TokenEndpointuri>https://" +
         host +
         ":8443/oauth/token</TokenEndpointuri>\n"
         "                    </TokenEndpoint>\n"
         "                    <Systeemrollen>\n"
         "                        <Systeemrol>\n"
         "                            <Systeemrolcode>LAB-1.0.0-LRB-FHIR</Systeemrolcode>\n"
         "                            <ResourceEndpoint>\n"
         "                                <ResourceEndpointuri>https://" +
         host +
         "/fhir</ResourceEndpointuri>\n"
         "                            </ResourceEndpoint>\n"
         "                        </Systeemrol>\n"
         "                    </Systeemrollen>\n"
         "                </Gegevensdienst>\n"
         "            </Gegevensdiensten>\n"
         "        </Zorgaanbieder>\n";
}

inline std::string Zorgaanbiederslijst(size_t providers, uint64_t volgnummer = 12) {
  std::string x = Head("Zorgaanbiederslijst", kZalNs, volgnummer, "2026-11-22T10:00:00Z");
  x += "    <Zorgaanbieders>\n";
  for (size_t i = 0; i < providers; ++i) x += Zorgaanbieder(i);
  return x + "    </Zorgaanbieders>\n</Zorgaanbiederslijst>\n";
}

inline std::string Gegevensdienstnamenlijst(size_t services, uint64_t volgnummer = 2) {
  std::string x = Head("Gegevensdienstnamenlijst", kGnlNs, volgnummer, "2026-11-22T10:00:00Z");
  x += "    <Gegevensdiensten>\n";
  for (size_t i = 1; i <= services; ++i) {
    x += "        <Gegevensdienst>\n            <GegevensdienstId>" + std::to_string(i) +
         "</GegevensdienstId>\n            <Weergavenaam>Gegevensdienst " + std::to_string(i) +
         "</Weergavenaam>\n        </Gegevensdienst>\n";
  }
  return x + "    </Gegevensdiensten>\n</Gegevensdienstnamenlijst>\n";
}

// A ZAL release3 with `providers` entries in the layout of the public example: each provider
// offers service 4 in interface versions 1.3.0 and 1.4.0, the even ones with a subscription.
inline std::string Zorgaanbiederslijst3(size_t providers, uint64_t volgnummer = 9) {
  std::string x = Head("Zorgaanbiederslijst", kZal3Ns, volgnummer, "2026-11-22T10:00:00Z");
  x += "    <Zorgaanbieders>\n";
  for (size_t i = 0; i < providers; ++i) {
    const std::string host = "dva" + std::to_string(i % 50) + ".example.nl";
    x += "        <Zorgaanbieder>\n            <Zorgaanbiedernaam>zorg" + Letters(i) +
         "@medmij</Zorgaanbiedernaam>\n            <Aanbiedertype>" +
         std::string(i % 3 == 1 ? "BAZB" : "ZA") +
         "</Aanbiedertype>\n            <Interfaceversies>\n";
    for (const char* version : {"1.3.0", "1.4.0"}) {
      x += "                <Interfaceversie>\n                    <InterfaceversieId>";
      x += version;
      x += "</InterfaceversieId>\n                    <Gegevensdiensten>\n"
           "                        <Gegevensdienst>\n"
           "                            <GegevensdienstId>4</GegevensdienstId>\n"
           "                            <AuthorizationEndpoint>\n"
           "                                <AuthorizationEndpointuri>https://" +
           host +
           "/oauth/authorize</AuthorizationEndpointuri>\n"
           "                            </AuthorizationEndpoint>\n"
           "                            <TokenEndpoint>\n"
           "                                <TokenEndpointuri>https://" +
           host +
           ":8443/oauth/token</TokenEndpointuri>\n"
           "                            </TokenEndpoint>\n";
      if (i % 2 == 0) {
        x += "                            <Abonneren>\n"
             "                                <MaximaleDuur>365</MaximaleDuur>\n"
             "                                <SubscriptionEndpointuri>https://" +
             host +
             "/subscription</SubscriptionEndpointuri>\n"
             "                            </Abonneren>\n";
      }
      x += "                            <Systeemrollen>\n"
           "                                <Systeemrol>\n"
           "                                    "
           "<Systeemrolcode>LAB-1.0.0-LRB-FHIR</Systeemrolcode>\n"
           "                                    <ResourceEndpoint>\n"
           "                                        <ResourceEndpointuri>https://" +
           host +
           "/fhir</ResourceEndpointuri>\n"
           "                                    </ResourceEndpoint>\n"
           "                                </Systeemrol>\n"
           "                            </Systeemrollen>\n"
           "                        </Gegevensdienst>\n"
           "                    </Gegevensdiensten>\n"
           "                </Interfaceversie>\n";
    }
    x += "            </Interfaceversies>\n        </Zorgaanbieder>\n";
  }
  return x + "    </Zorgaanbieders>\n</Zorgaanbiederslijst>\n";
}

// A Zorgaanbiederskoppellijst with `providers` entries in the layout of the public example:
// each provider has an AGB (the odd ones an HRN too) and service 4 in interface version 1.4.0.
inline std::string Zorgaanbiederskoppellijst(size_t providers, uint64_t volgnummer = 13) {
  std::string x = Head("Zorgaanbiederskoppellijst", kZaklNs, volgnummer, "2026-11-22T10:00:00Z");
  x += "    <Zorgaanbieders>\n";
  for (size_t i = 0; i < providers; ++i) {
    std::string agb = std::to_string(90000000 + i);
    x += "        <Zorgaanbieder>\n            <Zorgaanbiedernaam>zorg" + Letters(i) +
         "@medmij</Zorgaanbiedernaam>\n            <IdentificerendeKenmerken>\n"
         "                <IdentificerendKenmerk>\n                    <AGB>" +
         agb + "</AGB>\n                </IdentificerendKenmerk>\n";
    if (i % 2 == 1) {
      x += "                <IdentificerendKenmerk>\n                    <HRN>hrn" + agb +
           "</HRN>\n                </IdentificerendKenmerk>\n";
    }
    x += "            </IdentificerendeKenmerken>\n            <Gegevensdiensten>\n"
         "                <Gegevensdienst>\n"
         "                    <GegevensdienstId>4</GegevensdienstId>\n"
         "                    <Weergavenaam>Laboratoriumresultaten</Weergavenaam>\n"
         "                    <Interfaceversies>\n"
         "                        <Interfaceversie>\n"
         "                            <InterfaceversieId>1.4.0</InterfaceversieId>\n"
         "                        </Interfaceversie>\n"
         "                    </Interfaceversies>\n"
         "                </Gegevensdienst>\n"
         "            </Gegevensdiensten>\n        </Zorgaanbieder>\n";
  }
  return x + "    </Zorgaanbieders>\n</Zorgaanbiederskoppellijst>\n";
}

// Replaces the first occurrence of `from` (which must be present).
inline std::string ReplaceOnce(std::string s, const std::string& from, const std::string& to) {
  size_t p = s.find(from);
  if (p == std::string::npos) throw std::runtime_error("ReplaceOnce: not found: " + from);
  return s.replace(p, from.size(), to);
}

}  // namespace medmij::signer::testing
