#include "signer/participant.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

namespace medmij::signer {

namespace fs = std::filesystem;
using json = nlohmann::json;

Result<bool> CheckSuccessor(const std::optional<AcceptedVersion>& last, const VerifiedList& next) {
  if (!last || next.volgnummer > last->volgnummer) return true;
  if (next.volgnummer < last->volgnummer) {
    return Status::Refused("rollback: Volgnummer " + std::to_string(next.volgnummer) +
                           " is lower than the last accepted " + std::to_string(last->volgnummer));
  }
  if (last->signed_content_sha256.empty()) return true;  // version-1 state: learn the digest
  if (next.signed_content_sha256 != last->signed_content_sha256) {
    return Status::Refused("substitution: Volgnummer " + std::to_string(last->volgnummer) +
                           " was accepted before with other signed content (sha256 " +
                           last->signed_content_sha256 + ")");
  }
  return false;
}

Status CheckStrict(std::string_view strict, std::string_view document, const VerifiedList& v) {
  const std::string_view before = document.substr(0, v.signature_begin);
  const std::string_view after = document.substr(v.signature_end);
  size_t i = 0;
  while (i < strict.size() && i < before.size() && strict[i] == before[i]) ++i;
  if (i == before.size()) {
    const std::string_view rest = strict.substr(i);
    size_t j = 0;
    while (j < rest.size() && j < after.size() && rest[j] == after[j]) ++j;
    if (j == after.size() && j == rest.size()) return Status::Ok();
    i += j;
  }
  return Status::Invalid(
      "the strict file is not the verified list without its signature: they "
      "differ from byte " +
      std::to_string(i) + " (strict file " + std::to_string(strict.size()) + " bytes, expected " +
      std::to_string(before.size() + after.size()) + ")");
}

namespace {

constexpr size_t kMaxStateBytes = size_t{1} << 20;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = o.release();
    }
    return *this;
  }
  int get() const { return fd_; }
  int release() {
    const int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

std::string Errno() {
  return std::strerror(errno);
}

// `name` in `dir` as a regular file that is not a symbolic link, or why not.
Status CheckRegular(int dir, const std::string& name, const std::string& what) {
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::Invalid(what + ": " + Errno());
  }
  if (S_ISLNK(st.st_mode)) {
    return Status::Invalid(what + " is a symbolic link; give the path of the file itself");
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::Invalid(what + " is not a regular file" +
                           (S_ISDIR(st.st_mode) ? " (it is a directory)" : ""));
  }
  if (::faccessat(dir, name.c_str(), R_OK | W_OK, AT_EACCESS) != 0) {
    return Status::Invalid(what + " is not writable: " + Errno());
  }
  return Status::Ok();
}

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IoError(Errno());
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

bool IsHexDigest(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

struct StateFile::Impl {
  fs::path path;
  fs::path dir;
  std::string name;
  Fd dir_fd;
  Fd lock_fd;
  std::map<ListKind, AcceptedVersion> lists;
};

StateFile::StateFile() : impl_(std::make_unique<Impl>()) {}
StateFile::~StateFile() = default;

Result<std::unique_ptr<StateFile>> StateFile::Open(const fs::path& path) {
  const std::string what = "state file " + path.string();
  if (!path.has_filename()) return Status::Invalid(what + ": not a file name");
  std::unique_ptr<StateFile> state(new StateFile());
  Impl& s = *state->impl_;
  s.path = path;
  s.dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  s.name = path.filename().string();
  const std::string dir_what = "state directory " + s.dir.string();
  s.dir_fd = Fd(::open(s.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (s.dir_fd.get() < 0) return Status::Invalid(dir_what + ": " + Errno());
  if (::faccessat(s.dir_fd.get(), ".", W_OK, AT_EACCESS) != 0) {
    return Status::Invalid(dir_what + " is not writable: " + Errno());
  }
  MEDMIJ_RETURN_IF_ERROR(CheckRegular(s.dir_fd.get(), s.name, what));

  // The lock file beside it: the state itself is replaced by rename, so it cannot carry the lock.
  const std::string lock_name = s.name + ".lock";
  const std::string lock_what = "state lock " + (s.dir / lock_name).string();
  MEDMIJ_RETURN_IF_ERROR(CheckRegular(s.dir_fd.get(), lock_name, lock_what));
  s.lock_fd = Fd(::openat(s.dir_fd.get(), lock_name.c_str(),
                          O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600));
  if (s.lock_fd.get() < 0) {
    if (errno == ELOOP) return Status::Invalid(lock_what + " is a symbolic link");
    return Status::Invalid(lock_what + ": " + Errno());
  }
  struct stat st {};
  if (::fstat(s.lock_fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::Invalid(lock_what + " is not a regular file");
  }
  if (::flock(s.lock_fd.get(), LOCK_EX) != 0) return Status::Invalid(lock_what + ": " + Errno());

  Fd fd(::openat(s.dir_fd.get(), s.name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return state;
    if (errno == ELOOP) return Status::Invalid(what + " is a symbolic link");
    return Status::Invalid(what + ": " + Errno());
  }
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::Invalid(what + " is not a regular file");
  }
  if (static_cast<size_t>(st.st_size) > kMaxStateBytes) {
    return Status::Invalid(what + ": " + std::to_string(st.st_size) +
                           " bytes; a state is at most " + std::to_string(kMaxStateBytes));
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Invalid(what + ": " + Errno());
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  text.resize(got);

  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Invalid(what + ": not JSON");
  const auto not_state = [&](const std::string& why) {
    return Status::Invalid(what + ": not a medmij-verify state: " + why);
  };
  if (!j.is_object() || !j.contains("version") || !j["version"].is_number_unsigned()) {
    return not_state("no \"version\"");
  }
  const uint64_t version = j["version"].get<uint64_t>();
  if (version != 1 && version != 2) {
    return not_state("version " + std::to_string(version) + " is not known");
  }
  if (!j.contains("lists") || !j["lists"].is_object()) return not_state("no \"lists\" object");
  const char* digest_key = version == 1 ? "content_sha256" : "signed_content_sha256";
  for (const auto& [name, entry] : j["lists"].items()) {
    const std::optional<ListKind> kind = ParseListKind(name);
    if (!kind) return not_state("lists." + name + ": not a list");
    if (!entry.is_object() || !entry.contains("volgnummer") ||
        !entry["volgnummer"].is_number_unsigned() || !entry.contains(digest_key) ||
        !entry[digest_key].is_string() || !IsHexDigest(entry[digest_key].get<std::string>()) ||
        (entry.contains("tijdstempel") && !entry["tijdstempel"].is_string())) {
      return not_state("lists." + name + ": needs volgnummer and " + digest_key + " (hex)");
    }
    AcceptedVersion a;
    a.volgnummer = entry["volgnummer"].get<uint64_t>();
    if (version == 2) a.signed_content_sha256 = entry[digest_key].get<std::string>();
    a.tijdstempel = entry.value("tijdstempel", "");
    s.lists[*kind] = std::move(a);
  }
  return state;
}

std::optional<AcceptedVersion> StateFile::Last(ListKind list) const {
  auto it = impl_->lists.find(list);
  if (it == impl_->lists.end()) return std::nullopt;
  return it->second;
}

Result<bool> StateFile::Admit(const VerifiedList& v) {
  MEDMIJ_ASSIGN_OR_RETURN(bool record, CheckSuccessor(Last(v.list), v));
  if (record) impl_->lists[v.list] = {v.volgnummer, v.signed_content_sha256, v.tijdstempel};
  return record;
}

Status StateFile::Save() {
  const Impl& s = *impl_;
  json lists = json::object();
  for (const auto& [kind, a] : s.lists) {
    lists[std::string(ToString(kind))] = {{"volgnummer", a.volgnummer},
                                          {"signed_content_sha256", a.signed_content_sha256},
                                          {"tijdstempel", a.tijdstempel}};
  }
  const std::string text = json{{"version", 2}, {"lists", lists}}.dump(2) + "\n";
  const std::string what = "state file " + s.path.string();
  std::string tmp = (s.dir / (s.name + ".XXXXXX")).string();
  Fd fd(::mkstemp(tmp.data()));  // O_EXCL, mode 0600: never an existing file or a link
  if (fd.get() < 0) return Status::IoError(what + ": cannot create " + tmp + ": " + Errno());
  const std::string tmp_name = fs::path(tmp).filename().string();
  auto fail = [&](const std::string& step) {
    const std::string why = Errno();
    ::unlinkat(s.dir_fd.get(), tmp_name.c_str(), 0);
    return Status::IoError(what + ": cannot " + step + ": " + why);
  };
  if (Status w = WriteAll(fd.get(), text); !w.ok()) {
    ::unlinkat(s.dir_fd.get(), tmp_name.c_str(), 0);
    return Status::IoError(what + ": cannot write: " + w.message());
  }
  if (::fsync(fd.get()) != 0) return fail("fsync");
  if (::close(fd.release()) != 0) return fail("close");
  if (::renameat(s.dir_fd.get(), tmp_name.c_str(), s.dir_fd.get(), s.name.c_str()) != 0) {
    return fail("rename");
  }
  if (::fsync(s.dir_fd.get()) != 0) {
    return Status::IoError(what + ": cannot fsync its directory: " + Errno());
  }
  return Status::Ok();
}

Result<CheckedList> CheckList(const Verifier& verifier, std::string_view document, Time now,
                              const CheckOptions& options) {
  CheckedList out;
  MEDMIJ_ASSIGN_OR_RETURN(out.list, verifier.Verify(document, now, options.expected));
  if (options.strict) {
    MEDMIJ_RETURN_IF_ERROR(CheckStrict(*options.strict, document, out.list));
    out.strict_confirmed = true;
  }
  if (options.state != nullptr) {
    MEDMIJ_ASSIGN_OR_RETURN(bool record, options.state->Admit(out.list));
    if (record) {
      MEDMIJ_RETURN_IF_ERROR(options.state->Save());
      out.state_updated = true;
    }
  }
  return out;
}

}  // namespace medmij::signer
