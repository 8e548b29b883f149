// Helpers for the store tests: temp dirs, sample records, running the stock LMDB tools.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "registry/common/time.h"
#include "registry/domain/json.h"
#include "registry/domain/types.h"
#include "registry/store/store.h"

extern char** environ;

namespace medmij::store::testing {

// A fresh directory under $TMPDIR, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "medmij-store-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline Time At(const char* s) {
  return *ParseTime(s, "t");
}

inline EventMeta Meta(const char* command, const char* subject,
                      const char* at = "2026-11-22T10:00:00Z") {
  return EventMeta{At(at), "tester", command, subject, "test"};
}

inline Participant MakeParticipant(const std::string& id, const std::string& name = "Acme B.V.") {
  Participant p;
  p.id = id;
  p.legal_name = name;
  p.kvk = "12345678";
  p.email = "ops@" + id + ".example";
  p.roles = {Role::kDva};
  p.enrolled = Provenance{At("2026-01-01"), "tester", "enrol"};
  return p;
}

inline Node MakeNode(const std::string& host, const std::string& participant) {
  return Node{host, participant, Provenance{At("2026-01-02"), "tester", ""}};
}

inline Provider MakeProvider(const std::string& name, const std::string& dva) {
  Provider p;
  p.name = name;
  p.dva = dva;
  p.identifiers = {{"agb", "01234567"}};
  ProviderService s;
  s.service_id = "49";
  s.authorization_uri = "https://auth." + dva + ".example/authorize";
  s.token_uri = "https://node." + dva + ".example:8443/token";
  s.roles = {{"MM-1.0-PLB-FHIR", "https://node." + dva + ".example/fhir"}};
  p.services["49"] = s;
  p.added = Provenance{At("2026-01-03"), "tester", ""};
  return p;
}

inline std::unique_ptr<Store> OpenOrDie(const std::filesystem::path& dir,
                                        const OpenOptions& options = {}) {
  auto s = Store::Open(dir, options);
  if (!s.ok()) throw std::runtime_error("Open: " + s.status().message());
  return std::move(s).value();
}

// Runs argv[0] (searched in PATH) with stdout to `out_file` (or inherited when empty). Returns
// the exit status, or -1 if it did not exit normally.
inline int Run(const std::vector<std::string>& argv, const std::string& out_file = "") {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!out_file.empty()) {
    posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::filesystem::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
}

// One database of an `mdb_dump` (bytevalue format): its header lines and its records, decoded
// from hex.
struct DumpSection {
  std::string name;
  std::vector<std::string> header;  // up to and including HEADER=END
  std::vector<std::pair<std::string, std::string>> records;
};

inline std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

inline std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

// Dumps every database of the environment file `data_file` with the stock mdb_dump.
inline std::vector<DumpSection> DumpAll(const std::filesystem::path& data_file,
                                        const std::filesystem::path& work) {
  auto out = work / "dump.txt";
  EXPECT_EQ(Run({"mdb_dump", "-a", "-n", data_file.string()}, out.string()), 0);
  std::vector<DumpSection> sections;
  std::istringstream in(ReadFile(out));
  std::string line;
  bool in_data = false;
  std::vector<std::string> pending;
  while (std::getline(in, line)) {
    if (!in_data) {
      if (line.rfind("VERSION=", 0) == 0) sections.push_back(DumpSection{});
      sections.back().header.push_back(line);
      if (line.rfind("database=", 0) == 0) sections.back().name = line.substr(9);
      if (line == "HEADER=END") in_data = true;
      continue;
    }
    if (line == "DATA=END") {
      in_data = false;
      continue;
    }
    pending.push_back(FromHex(line.substr(1)));
    if (pending.size() == 2) {
      sections.back().records.emplace_back(pending[0], pending[1]);
      pending.clear();
    }
  }
  return sections;
}

// Loads `sections` with the stock mdb_load into a new environment file `data_file`.
inline void LoadAll(const std::vector<DumpSection>& sections,
                    const std::filesystem::path& data_file, const std::filesystem::path& work) {
  std::string text;
  for (const auto& s : sections) {
    for (const auto& h : s.header) {
      // mdb_dump writes db_pagesize, which this mdb_load does not know (it warns and ignores it).
      if (h.rfind("db_pagesize=", 0) != 0) text += h + "\n";
    }
    for (const auto& [k, v] : s.records) {
      // Appended piece by piece: g++ 12 -O2 false -Wrestrict on "x" + std::string, docs/PITFALLS.md
      text += ' ';
      text += ToHex(k);
      text += "\n ";
      text += ToHex(v);
      text += '\n';
    }
    text += "DATA=END\n";
  }
  auto in = work / "load.txt";
  WriteFile(in, text);
  ASSERT_EQ(Run({"mdb_load", "-n", "-f", in.string(), data_file.string()}), 0);
}

inline DumpSection& Section(std::vector<DumpSection>& sections, const std::string& name) {
  for (auto& s : sections) {
    if (s.name == name) return s;
  }
  throw std::runtime_error("no database " + name + " in the dump");
}

}  // namespace medmij::store::testing
