#include "registry/http/auditors.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "registry/common/sha256.h"

namespace medmij::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

Result<AuditorTokens> AuditorTokens::Parse(std::string_view text, const std::string& origin) {
  AuditorTokens tokens;
  std::set<std::string, std::less<>> names;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    auto fail = [&](const std::string& why) {
      return Status::Invalid(origin + ": line " + std::to_string(line_no) + ": " + why);
    };
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return fail("expected NAME:SHA256HEX");
    std::string_view name = Trim(line.substr(0, colon));
    std::string_view hex = Trim(line.substr(colon + 1));
    if (!ValidName(name)) return fail("name must be 1-64 characters of [A-Za-z0-9._@-]");
    if (hex.size() != 64) {
      return fail("expected the 64 hex digits of the token's SHA-256 after the name");
    }
    Entry e;
    e.name = std::string(name);
    for (size_t i = 0; i < 32; ++i) {
      int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) return fail("the SHA-256 must be hex digits");
      e.digest[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    if (!names.insert(e.name).second) return fail("duplicate auditor name '" + e.name + "'");
    tokens.entries_.push_back(std::move(e));
  }
  if (tokens.entries_.empty()) return Status::Invalid(origin + ": no auditor entries");
  return tokens;
}

Result<AuditorTokens> AuditorTokens::Load(const std::filesystem::path& file) {
  std::string name = "'";  // appended, not "'" + ...: g++ 12 -O2 false -Wrestrict on "x" +
                           // std::string, docs/PITFALLS.md
  name += file.string();
  name += '\'';
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return Status::Invalid(name + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Invalid(name + ": not a regular file");
  }
  if ((st.st_mode & (S_IRWXO | S_IWGRP)) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::Invalid(name + ": mode " + mode +
                           " lets others read or change auditor credentials (chmod 600 or 640)");
  }
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::Invalid(name + ": cannot read: " + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > (1u << 20)) {
      ::close(fd);
      return Status::Invalid(name + ": larger than 1 MiB");
    }
  }
  ::close(fd);
  return Parse(text, name);
}

std::optional<std::string> AuditorTokens::Authenticate(std::string_view authorization) const {
  authorization = Trim(authorization);
  size_t space = authorization.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  if (!EqualsIgnoreCase(authorization.substr(0, space), "bearer")) return std::nullopt;
  std::string_view token = Trim(authorization.substr(space + 1));
  if (token.empty() || token.size() > 4096) return std::nullopt;
  Sha256Digest digest = Sha256(token);
  const Entry* match = nullptr;
  for (const Entry& e : entries_) {
    // Every entry is compared; only the (rare) match takes the other branch.
    if (CRYPTO_memcmp(e.digest.data(), digest.data(), digest.size()) == 0) match = &e;
  }
  OPENSSL_cleanse(digest.data(), digest.size());
  if (match == nullptr) return std::nullopt;
  return match->name;
}

}  // namespace medmij::http
