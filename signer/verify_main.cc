// medmij-verify: a participant's check of a signed MedMij list; a thin CLI over CheckList
// (signer/participant.h), which medmij-fetch runs too.
//
//   medmij-verify --trust CA.pem [--list ID] [--state STATEFILE] [--strict STRICT.xml] [--json]
//                 [--vkey VKEY-FILE --proof FILE.tlog-proof] FILE
//
// Exit 0: a valid list (of kind ID; with --state, not a rollback or a substitution; with
// --strict, STRICT.xml is exactly the list without its signature; with --proof, the version is
// in the registry's transparency log under a checkpoint signed by the VKEY-FILE's key). Exit 1:
// not accepted; one line on stderr says why. Exit 2: bad usage (arguments, trust anchors, a
// verifier key file that is not one key, a state path that is a directory, a symbolic link or
// not writable, a malformed state file).
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "registry/common/text.h"
#include "registry/common/time.h"
#include "registry/common/tlog_verify.h"
#include "registry/common/version.h"
#include "registry/domain/types.h"
#include "signer/logged_list.h"
#include "signer/participant.h"
#include "signer/signer.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using medmij::Status;

constexpr int kValid = 0;
constexpr int kNotAccepted = 1;
constexpr int kUsage = 2;
constexpr uintmax_t kMaxFileBytes = uintmax_t{256} << 20;

int Fail(int exit_code, const std::string& message, const std::string& file, bool as_json) {
  // The message may quote the document (names, values): escaped, it stays one line.
  std::cerr << "medmij-verify: "
            << medmij::EscapeForDisplay((file.empty() ? "" : file + ": ") + message) << "\n";
  if (as_json) std::cout << json{{"valid", false}, {"error", message}}.dump() << "\n";
  return exit_code;
}

// The whole file, or why not.
medmij::Result<std::string> ReadList(const std::string& file) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(file, ec);
  if (ec) return Status::Invalid("cannot read: " + ec.message());
  if (size > kMaxFileBytes) {
    return Status::Invalid("file is " + std::to_string(size) + " bytes; the limit is " +
                           std::to_string(kMaxFileBytes));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::Invalid(std::string("cannot read: ") + std::strerror(errno));
  std::string out(static_cast<size_t>(size), '\0');
  in.read(out.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size) || in.peek() != EOF) {
    return Status::Invalid("cannot read: the file changed while it was read");
  }
  return out;
}

std::string ListIds() {
  std::string s;
  for (medmij::ListKind k : medmij::kAllLists) {
    s += (s.empty() ? "" : ", ") + std::string(medmij::ToString(k));
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Verifies a signed MedMij list: signature, certificate chain and profile, schema.",
               "medmij-verify"};
  std::string trust, file, state_path, strict_path, list_id, vkey_path, proof_path;
  bool as_json = false;
  app.add_option("--trust", trust, "PEM file with the trusted CA certificate(s)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("file", file, "the signed list (MedMij_*.xml)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--list", list_id,
                 "the list expected (" + ListIds() + "); any other kind is refused");
  app.add_option("--strict", strict_path,
                 "a strict (unsigned) file that must be exactly FILE without its signature")
      ->check(CLI::ExistingFile);
  app.add_flag("--json", as_json, "print the result as JSON on stdout");
  app.add_option("--state", state_path,
                 "JSON file remembering the last accepted Volgnummer per list; refuses "
                 "rollbacks and substitutions");
  auto* vkey_option =
      app.add_option("--vkey", vkey_path,
                     "file with the transparency log's verifier key (Go note form); with --proof")
          ->check(CLI::ExistingFile);
  app.add_option("--proof", proof_path,
                 "the version's FILE.tlog-proof (C2SP tlog-proof@v1, served beside it at "
                 "/lists/{list}/versions/{n}.tlog-proof): confirms it was logged")
      ->check(CLI::ExistingFile)
      ->needs(vkey_option);
  vkey_option->needs("--proof");
  app.set_version_flag("--version", medmij::VersionLine("medmij-verify"));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "medmij-verify: " << medmij::EscapeForDisplay(e.what()) << "\n"
              << "usage: medmij-verify --trust CA.pem [--list ID] [--state STATEFILE] "
                 "[--strict STRICT.xml] [--vkey VKEY-FILE --proof FILE.tlog-proof] [--json] FILE\n";
    return kUsage;
  }
  medmij::signer::CheckOptions options;
  if (!list_id.empty()) {
    options.expected = medmij::ParseListKind(list_id);
    if (!options.expected) {
      return Fail(kUsage, "--list: unknown list '" + list_id + "'; one of " + ListIds(), "",
                  as_json);
    }
  }

  auto libs = medmij::signer::Libraries::Init();
  if (!libs.ok()) return Fail(kNotAccepted, libs.status().message(), "", as_json);
  auto verifier = medmij::signer::Verifier::Load(trust);
  if (!verifier.ok()) return Fail(kUsage, verifier.status().message(), "", as_json);

  // The state first: a bad state path is a usage error, found before the list is read. The lock
  // is held until exit.
  std::unique_ptr<medmij::signer::StateFile> state;
  if (!state_path.empty()) {
    auto opened = medmij::signer::StateFile::Open(state_path);
    if (!opened.ok()) return Fail(kUsage, opened.status().message(), "", as_json);
    state = std::move(opened).value();
    options.state = state.get();
  }
  std::string strict;
  if (!strict_path.empty()) {
    auto read = ReadList(strict_path);
    if (!read.ok()) return Fail(kNotAccepted, read.status().message(), strict_path, as_json);
    strict = std::move(read).value();
    options.strict = strict;
  }
  std::optional<medmij::note::Verifier> log_key;
  std::string proof;
  std::optional<medmij::tlog::ProvenEntry> logged;
  if (!proof_path.empty()) {
    auto key = medmij::tlog::ReadVerifierKeyFile(vkey_path);
    if (!key.ok()) return Fail(kUsage, key.status().message(), "", as_json);
    log_key = std::move(key).value();
    auto read = ReadList(proof_path);
    if (!read.ok()) return Fail(kNotAccepted, read.status().message(), proof_path, as_json);
    proof = std::move(read).value();
    options.also = [&](const medmij::signer::VerifiedList& v) {
      auto checked = medmij::signer::CheckLogged(proof, *log_key, v);
      if (!checked.ok()) {
        return Status::Invalid("not logged: " + proof_path + ": " + checked.status().message());
      }
      logged = std::move(checked).value();
      return Status::Ok();
    };
  }
  auto doc = ReadList(file);
  if (!doc.ok()) return Fail(kNotAccepted, doc.status().message(), file, as_json);

  auto checked = medmij::signer::CheckList(**verifier, *doc, medmij::WallClockNow(), options);
  if (!checked.ok()) {
    const Status& s = checked.status();
    const char* prefix = s.code() == Status::Code::kInvalidArgument      ? "INVALID: "
                         : s.code() == Status::Code::kFailedPrecondition ? "REFUSED: "
                                                                         : "";
    return Fail(kNotAccepted, prefix + s.message(), file, as_json);
  }

  const medmij::signer::VerifiedList& v = checked->list;
  const std::string list(medmij::ToString(v.list));
  if (as_json) {
    json out{{"valid", true},
             {"list", list},
             {"file_name", std::string(medmij::PublishedFileName(v.list))},
             {"volgnummer", v.volgnummer},
             {"tijdstempel", v.tijdstempel},
             {"signer", v.signer_subject},
             {"sha256", v.sha256},
             {"signed_content_sha256", v.signed_content_sha256}};
    if (!strict_path.empty()) out["strict_confirmed"] = checked->strict_confirmed;
    if (!state_path.empty()) out["state_updated"] = checked->state_updated;
    if (logged) {
      out["logged"] = {{"origin", logged->checkpoint.origin},
                       {"index", logged->index},
                       {"tree_size", logged->checkpoint.size}};
    }
    std::cout << out.dump() << "\n";
  } else {
    std::cout << "valid: " << file << "\n"
              << "list: " << list << "\n"
              << "volgnummer: " << v.volgnummer << "\n"
              << "tijdstempel: " << v.tijdstempel << "\n"
              << "signer: " << v.signer_subject << "\n"
              << "sha256: " << v.sha256 << "\n"
              << "signed_content_sha256: " << v.signed_content_sha256 << "\n";
    if (checked->strict_confirmed) std::cout << "strict: " << strict_path << " confirmed\n";
    if (logged) {
      std::cout << "logged: entry " << logged->index << " of " << logged->checkpoint.origin
                << " (checkpoint of " << logged->checkpoint.size << " entries)\n";
    }
  }
  return kValid;
}
