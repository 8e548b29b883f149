#include "registry/service/config.h"

#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "registry/common/text.h"

namespace medmij::service {
namespace {

class Parser {
 public:
  Parser(const toml::table& root, std::string origin, std::filesystem::path base)
      : root_(root), origin_(std::move(origin)), base_(std::move(base)) {}

  Status Error(std::string_view section, std::string_view key, std::string_view why) const {
    return Status::Invalid(origin_ + ": [" + std::string(section) + "] " + std::string(key) + ": " +
                           std::string(why));
  }

  // Refuses unknown sections and keys.
  Status CheckKeys() const {
    static const std::map<std::string, std::set<std::string>> kKnown = {
        {"server", {"listen", "threads", "max_request_bytes"}},
        {"storage", {"data_dir"}},
        {"signing", {"key", "certificate", "chain", "trust_anchor", "renew_before_days"}},
        {"publish",
         {"check_interval_ms", "max_age_s", "export_dir", "retry_interval_ms", "default_form",
          "lists"}},
        {"auditors", {"tokens_file"}},
        {"transparency", {"key", "origin"}},
    };
    for (const auto& [name, node] : root_) {
      auto it = kKnown.find(std::string(name.str()));
      if (it == kKnown.end()) {
        return Status::Invalid(origin_ + ": unknown section or key '" + std::string(name.str()) +
                               "'");
      }
      const toml::table* t = node.as_table();
      if (t == nullptr) {
        return Status::Invalid(origin_ + ": '" + std::string(name.str()) + "' must be a section");
      }
      for (const auto& [key, value] : *t) {
        if (it->second.count(std::string(key.str())) == 0) {
          return Error(name.str(), key.str(), "unknown key");
        }
      }
    }
    return Status::Ok();
  }

  const toml::node* Get(std::string_view section, std::string_view key) const {
    const toml::table* t = root_[section].as_table();
    if (t == nullptr) return nullptr;
    return t->get(key);
  }

  Status String(std::string_view section, std::string_view key, bool required,
                std::string* out) const {
    const toml::node* n = Get(section, key);
    if (n == nullptr) {
      return required ? Error(section, key, "missing (required)") : Status::Ok();
    }
    auto v = n->value<std::string>();
    if (!n->is_string() || !v) return Error(section, key, "must be a string");
    *out = *v;
    return Status::Ok();
  }

  Status Path(std::string_view section, std::string_view key, bool required,
              std::filesystem::path* out) const {
    std::string s;
    bool present = Get(section, key) != nullptr;
    MEDMIJ_RETURN_IF_ERROR(String(section, key, required, &s));
    if (!present) return Status::Ok();
    if (s.empty()) {
      if (required) return Error(section, key, "must not be empty");
      *out = std::filesystem::path();
      return Status::Ok();
    }
    if (s.find('\0') != std::string::npos) return Error(section, key, "NUL byte in path");
    std::filesystem::path p(s);
    *out = p.is_absolute() ? p : base_ / p;
    return Status::Ok();
  }

  Status Int(std::string_view section, std::string_view key, int64_t lo, int64_t hi,
             int64_t* out) const {
    const toml::node* n = Get(section, key);
    if (n == nullptr) return Status::Ok();
    if (!n->is_integer()) return Error(section, key, "must be an integer");
    int64_t v = *n->value<int64_t>();
    if (v < lo || v > hi) {
      return Error(section, key, "must be " + std::to_string(lo) + ".." + std::to_string(hi));
    }
    *out = v;
    return Status::Ok();
  }

 private:
  const toml::table& root_;
  std::string origin_;
  std::filesystem::path base_;
};

Status ParseListen(const std::string& listen, ServiceConfig* c, const Parser& p) {
  // host:port; an IPv6 host in brackets ("[::1]:8080").
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= listen.size()) {
    return p.Error("server", "listen", "'" + listen + "' is not host:port");
  }
  std::string host = listen.substr(0, colon);
  std::string port = listen.substr(colon + 1);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) {
      return p.Error("server", "listen", "'" + listen + "' has a malformed IPv6 host");
    }
  } else if (host.find(':') != std::string::npos) {
    return p.Error("server", "listen", "'" + listen + "': put an IPv6 host in brackets");
  }
  // Port 0: the kernel picks a free port (medmij-registry --port-file reports it).
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) {
    return p.Error("server", "listen", "'" + listen + "' has a port that is not 0..65535");
  }
  long n = std::stol(port);
  if (n > 65535) {
    return p.Error("server", "listen", "'" + listen + "' has a port that is not 0..65535");
  }
  for (char ch : host) {
    bool ok = std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '[' ||
              ch == ']' || ch == ':';
    if (!ok) return p.Error("server", "listen", "'" + listen + "' has a malformed host");
  }
  c->listen_host = host;
  c->listen_port = static_cast<uint16_t>(n);
  return Status::Ok();
}

// [publish] lists = ["whitelist", ...]: the list ids to publish, each once; absent: every list.
Status ParseLists(const Parser& p, ListSet* out) {
  const toml::node* n = p.Get("publish", "lists");
  if (n == nullptr) return Status::Ok();
  const toml::array* arr = n->as_array();
  if (arr == nullptr) return p.Error("publish", "lists", "must be an array of list ids");
  if (arr->empty()) return p.Error("publish", "lists", "must name at least one list");
  ListSet lists;
  for (const toml::node& el : *arr) {
    auto name = el.value<std::string>();
    if (!el.is_string() || !name) {
      return p.Error("publish", "lists", "must be an array of list ids (strings)");
    }
    auto kind = ParseListKind(*name);
    if (!kind) {
      return p.Error("publish", "lists",
                     "unknown list '" + *name + "' (" + ListNamesForMessages() + ")");
    }
    if (lists.test(static_cast<size_t>(*kind))) {
      return p.Error("publish", "lists", "'" + *name + "' is named twice");
    }
    lists.set(static_cast<size_t>(*kind));
  }
  *out = lists;
  return Status::Ok();
}

// A refusal as one printable line: it echoes the file's own text (a key, a value, a path), in
// which TOML escapes can put line breaks and NULs.
Result<ServiceConfig> OnePrintableLine(Result<ServiceConfig> r) {
  if (r.ok()) return r;
  return r.status().code() == Status::Code::kIoError
             ? Status::IoError(EscapeForDisplay(r.status().message()))
             : Status::Invalid(EscapeForDisplay(r.status().message()));
}

Result<ServiceConfig> Parse(std::string_view text, const std::string& origin,
                            const std::filesystem::path& base) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::Invalid(origin + ":" + std::to_string(where.line) + ":" +
                           std::to_string(where.column) + ": " + std::string(e.description()));
  }
  Parser p(root, origin, base);
  MEDMIJ_RETURN_IF_ERROR(p.CheckKeys());

  ServiceConfig c;
  std::string listen = "127.0.0.1:8080";
  MEDMIJ_RETURN_IF_ERROR(p.String("server", "listen", false, &listen));
  MEDMIJ_RETURN_IF_ERROR(ParseListen(listen, &c, p));
  int64_t threads = c.threads;
  MEDMIJ_RETURN_IF_ERROR(p.Int("server", "threads", 1, 64, &threads));
  c.threads = static_cast<int>(threads);
  int64_t max_request = static_cast<int64_t>(c.max_request_bytes);
  MEDMIJ_RETURN_IF_ERROR(p.Int("server", "max_request_bytes", 1024, 65536, &max_request));
  c.max_request_bytes = static_cast<size_t>(max_request);

  MEDMIJ_RETURN_IF_ERROR(p.Path("storage", "data_dir", true, &c.data_dir));
  MEDMIJ_RETURN_IF_ERROR(p.Path("signing", "key", true, &c.signing_key));
  MEDMIJ_RETURN_IF_ERROR(p.Path("signing", "certificate", true, &c.signing_certificate));
  MEDMIJ_RETURN_IF_ERROR(p.Path("signing", "chain", false, &c.signing_chain));
  MEDMIJ_RETURN_IF_ERROR(p.Path("signing", "trust_anchor", false, &c.trust_anchor));
  MEDMIJ_RETURN_IF_ERROR(p.Int("signing", "renew_before_days", 0, 3650, &c.renew_before_days));

  MEDMIJ_RETURN_IF_ERROR(p.Int("publish", "check_interval_ms", 10, 60000, &c.check_interval_ms));
  MEDMIJ_RETURN_IF_ERROR(p.Int("publish", "max_age_s", 0, 86400, &c.max_age_s));
  MEDMIJ_RETURN_IF_ERROR(p.Int("publish", "retry_interval_ms", 100, 3600000, &c.retry_interval_ms));
  MEDMIJ_RETURN_IF_ERROR(p.Path("publish", "export_dir", false, &c.export_dir));
  std::string form(ToString(c.default_form));
  MEDMIJ_RETURN_IF_ERROR(p.String("publish", "default_form", false, &form));
  auto parsed_form = ParseListForm(form);
  if (!parsed_form) {
    return p.Error("publish", "default_form",
                   "must be \"strict\" or \"signed\", got '" + form + "'");
  }
  c.default_form = *parsed_form;
  MEDMIJ_RETURN_IF_ERROR(ParseLists(p, &c.lists));
  MEDMIJ_RETURN_IF_ERROR(p.Path("auditors", "tokens_file", false, &c.auditor_tokens_file));
  MEDMIJ_RETURN_IF_ERROR(p.Path("transparency", "key", false, &c.log_key));
  MEDMIJ_RETURN_IF_ERROR(p.String("transparency", "origin", false, &c.log_origin));
  const bool has_origin = p.Get("transparency", "origin") != nullptr;
  if (!c.log_key.empty() && !has_origin) {
    return p.Error("transparency", "origin", "missing (required with [transparency] key)");
  }
  if (c.log_key.empty() && has_origin) {
    return p.Error("transparency", "origin", "set without [transparency] key");
  }
  if (has_origin) {
    if (Status st = note::CheckKeyName(c.log_origin); !st.ok()) {
      return p.Error("transparency", "origin", st.message());
    }
  }
  return c;
}

Status CheckReadable(const std::string& origin, std::string_view what,
                     const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  char ch;
  if (!in || !in.get(ch)) {
    return Status::Invalid(origin + ": [signing] " + std::string(what) + ": cannot read '" +
                           path.string() + "'");
  }
  return Status::Ok();
}

Result<ServiceConfig> Load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IoError(file.string() + ": cannot read the configuration file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError(file.string() + ": cannot read the configuration file");
  std::filesystem::path base = std::filesystem::absolute(file).parent_path();
  MEDMIJ_ASSIGN_OR_RETURN(ServiceConfig c, Parse(text.str(), file.string(), base));
  MEDMIJ_RETURN_IF_ERROR(CheckReadable(file.string(), "key", c.signing_key));
  MEDMIJ_RETURN_IF_ERROR(CheckReadable(file.string(), "certificate", c.signing_certificate));
  if (!c.signing_chain.empty()) {
    MEDMIJ_RETURN_IF_ERROR(CheckReadable(file.string(), "chain", c.signing_chain));
  }
  if (!c.trust_anchor.empty()) {
    MEDMIJ_RETURN_IF_ERROR(CheckReadable(file.string(), "trust_anchor", c.trust_anchor));
  }
  if (!c.auditor_tokens_file.empty()) {
    auto tokens = http::AuditorTokens::Load(c.auditor_tokens_file);
    if (!tokens.ok()) {
      return Status::Invalid(file.string() +
                             ": [auditors] tokens_file: " + tokens.status().message());
    }
    c.auditors = std::make_shared<const http::AuditorTokens>(std::move(tokens).value());
  }
  if (!c.log_key.empty()) {
    auto signer = note::Signer::LoadPem(c.log_key, c.log_origin);
    if (!signer.ok()) {
      return Status::Invalid(file.string() + ": [transparency] key: " + signer.status().message());
    }
    c.log_signer = std::make_shared<const note::Signer>(std::move(signer).value());
  }
  return c;
}

}  // namespace

Result<ServiceConfig> ParseConfig(std::string_view text, const std::string& origin,
                                  const std::filesystem::path& base) {
  return OnePrintableLine(Parse(text, origin, base));
}

Result<ServiceConfig> LoadConfig(const std::filesystem::path& file) {
  return OnePrintableLine(Load(file));
}

}  // namespace medmij::service
