// medmij-verify: a participant's check of a signed MedMij list.
//
//   medmij-verify --trust CA.pem FILE [--json] [--state STATEFILE]
//
// Exit 0: a valid list (and, with --state, not a rollback or a substitution). Exit 1: the list
// is not accepted; one line on stderr says why. Exit 2: bad usage (arguments, trust anchors,
// an unreadable or malformed state file).
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "registry/common/time.h"
#include "registry/common/version.h"
#include "registry/domain/types.h"
#include "signer/signer.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using medmij::Result;
using medmij::Status;

constexpr int kValid = 0;
constexpr int kNotAccepted = 1;
constexpr int kUsage = 2;
constexpr uintmax_t kMaxFileBytes = uintmax_t{256} << 20;

struct Failure {
  int exit_code;
  std::string message;
};

std::string Errno(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

// The state file: per list, the last accepted Volgnummer and content digest.
//   {"version":1,"lists":{"whitelist":{"volgnummer":42,"content_sha256":"…","tijdstempel":"…"}}}
class StateFile {
 public:
  explicit StateFile(fs::path path) : path_(std::move(path)) {}
  ~StateFile() {
    if (lock_fd_ >= 0) close(lock_fd_);
  }

  // Serialises medmij-verify runs that share the file (a lock file beside it: the state file
  // itself is replaced by rename).
  std::optional<Failure> Lock() {
    const std::string lock = path_.string() + ".lock";
    lock_fd_ = open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) return Failure{kUsage, Errno("state lock " + lock)};
    if (flock(lock_fd_, LOCK_EX) != 0) return Failure{kUsage, Errno("state lock " + lock)};
    return std::nullopt;
  }

  std::optional<Failure> Load() {
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
      if (errno == ENOENT) {
        state_ = json{{"version", 1}, {"lists", json::object()}};
        return std::nullopt;
      }
      return Failure{kUsage, Errno("state file " + path_.string())};
    }
    try {
      state_ = json::parse(in);
      if (!state_.is_object() || state_.value("version", 0) != 1 || !state_.contains("lists") ||
          !state_["lists"].is_object()) {
        return Failure{kUsage, "state file " + path_.string() + ": not a medmij-verify state"};
      }
      for (const auto& [name, entry] : state_["lists"].items()) {
        if (!entry.is_object() || !entry.contains("volgnummer") ||
            !entry["volgnummer"].is_number_unsigned() || !entry.contains("content_sha256") ||
            !entry["content_sha256"].is_string()) {
          return Failure{kUsage, "state file " + path_.string() + ": lists." + name +
                                     ": needs volgnummer and content_sha256"};
        }
      }
    } catch (const json::exception& e) {
      return Failure{kUsage, "state file " + path_.string() + ": " + e.what()};
    }
    return std::nullopt;
  }

  // Refuses a rollback (lower Volgnummer) and a substitution (same Volgnummer, other content).
  // Returns true when the state changes.
  Result<bool> Admit(const medmij::signer::VerifiedList& v) {
    const std::string name(medmij::ToString(v.list));
    json& lists = state_["lists"];
    if (lists.contains(name)) {
      const uint64_t last = lists[name]["volgnummer"].get<uint64_t>();
      const std::string digest = lists[name]["content_sha256"].get<std::string>();
      if (v.volgnummer < last) {
        return Status::Refused("rollback: Volgnummer " + std::to_string(v.volgnummer) +
                               " is lower than the last accepted " + std::to_string(last));
      }
      if (v.volgnummer == last) {
        if (v.content_digest != digest) {
          return Status::Refused("substitution: Volgnummer " + std::to_string(last) +
                                 " was accepted before with other content (sha256 " + digest + ")");
        }
        return false;
      }
    }
    lists[name] = json{{"volgnummer", v.volgnummer},
                       {"content_sha256", v.content_digest},
                       {"tijdstempel", v.tijdstempel}};
    return true;
  }

  // temp file (0600) + fsync + rename + fsync of the directory.
  std::optional<Failure> Save() {
    const fs::path dir = path_.has_parent_path() ? path_.parent_path() : fs::path(".");
    std::string tmpl = (dir / (path_.filename().string() + ".XXXXXX")).string();
    int fd = mkstemp(tmpl.data());  // mode 0600
    if (fd < 0) return Failure{kNotAccepted, Errno("state file " + tmpl)};
    const std::string text = state_.dump(2) + "\n";
    bool ok = true;
    for (size_t off = 0; ok && off < text.size();) {
      ssize_t n = write(fd, text.data() + off, text.size() - off);
      if (n < 0 && errno == EINTR) continue;
      ok = n > 0;
      if (ok) off += static_cast<size_t>(n);
    }
    ok = ok && fsync(fd) == 0;
    int saved = errno;
    close(fd);
    if (!ok || rename(tmpl.c_str(), path_.c_str()) != 0) {
      if (ok) saved = errno;
      unlink(tmpl.c_str());
      errno = saved;
      return Failure{kNotAccepted, Errno("state file " + path_.string())};
    }
    int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      fsync(dfd);
      close(dfd);
    }
    return std::nullopt;
  }

 private:
  fs::path path_;
  int lock_fd_ = -1;
  json state_;
};

int Fail(const Failure& f, const std::string& file, bool as_json) {
  std::cerr << "medmij-verify: " << (file.empty() ? "" : file + ": ") << f.message << "\n";
  if (as_json) std::cout << json{{"valid", false}, {"error", f.message}}.dump() << "\n";
  return f.exit_code;
}

std::optional<Failure> ReadList(const std::string& file, std::string* out) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(file, ec);
  if (ec) return Failure{kNotAccepted, "cannot read: " + ec.message()};
  if (size > kMaxFileBytes) {
    return Failure{kNotAccepted, "file is " + std::to_string(size) + " bytes; the limit is " +
                                     std::to_string(kMaxFileBytes)};
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return Failure{kNotAccepted, Errno("cannot read")};
  out->resize(static_cast<size_t>(size));
  in.read(out->data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size) || in.peek() != EOF) {
    return Failure{kNotAccepted, "cannot read: the file changed while it was read"};
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Verifies a signed MedMij list: signature, certificate chain, schema.",
               "medmij-verify"};
  std::string trust, file, state_path;
  bool as_json = false;
  app.add_option("--trust", trust, "PEM file with the trusted CA certificate(s)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("file", file, "the signed list (MedMij_*.xml)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_flag("--json", as_json, "print the result as JSON on stdout");
  app.add_option("--state", state_path,
                 "JSON file remembering the last accepted Volgnummer per list; refuses "
                 "rollbacks and substitutions");
  app.set_version_flag("--version", medmij::VersionLine("medmij-verify"));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "medmij-verify: " << e.what() << "\n"
              << "usage: medmij-verify --trust CA.pem FILE [--json] [--state STATEFILE]\n";
    return kUsage;
  }

  auto libs = medmij::signer::Libraries::Init();
  if (!libs.ok()) return Fail({kNotAccepted, libs.status().message()}, "", as_json);
  auto verifier = medmij::signer::Verifier::Load(trust);
  if (!verifier.ok()) return Fail({kUsage, verifier.status().message()}, "", as_json);

  std::string doc;
  if (auto f = ReadList(file, &doc)) return Fail(*f, file, as_json);
  auto v = (*verifier)->Verify(doc, medmij::WallClockNow());
  if (!v.ok()) return Fail({kNotAccepted, "INVALID: " + v.status().message()}, file, as_json);

  bool recorded = false;
  if (!state_path.empty()) {
    StateFile state(state_path);
    if (auto f = state.Lock()) return Fail(*f, "", as_json);
    if (auto f = state.Load()) return Fail(*f, "", as_json);
    auto changed = state.Admit(*v);
    if (!changed.ok()) {
      return Fail({kNotAccepted, "REFUSED: " + changed.status().message()}, file, as_json);
    }
    if (*changed) {
      if (auto f = state.Save()) return Fail(*f, "", as_json);
      recorded = true;
    }
  }

  const std::string list(medmij::ToString(v->list));
  if (as_json) {
    json out{{"valid", true},
             {"list", list},
             {"file_name", std::string(medmij::PublishedFileName(v->list))},
             {"volgnummer", v->volgnummer},
             {"tijdstempel", v->tijdstempel},
             {"signer", v->signer_subject},
             {"sha256", v->sha256},
             {"content_sha256", v->content_digest}};
    if (!state_path.empty()) out["state_updated"] = recorded;
    std::cout << out.dump() << "\n";
  } else {
    std::cout << "valid: " << file << "\n"
              << "list: " << list << "\n"
              << "volgnummer: " << v->volgnummer << "\n"
              << "tijdstempel: " << v->tijdstempel << "\n"
              << "signer: " << v->signer_subject << "\n"
              << "sha256: " << v->sha256 << "\n"
              << "content_sha256: " << v->content_digest << "\n";
  }
  return kValid;
}
