// The fixture of the medmij-fetch integration tests: the demo registry served by the real
// medmij-registry with an export dir, deploy/'s nginx in front of it on loopback, and the real
// medmij-fetch binary run against it (or against a misbehaving stub server) into a temp DIR.
#pragma once

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "registry/domain/types.h"
#include "tests/integration/service/harness.h"
#include "tests/support/http_stub.h"

namespace medmij::testing {

using json = nlohmann::json;

// What a file in DIR is: its bytes and the identity a rewrite would change.
struct FileFacts {
  std::string bytes;
  ino_t inode = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  mode_t mode = 0;
  bool operator==(const FileFacts&) const = default;
};
// Every entry under `dir` (recursively, by relative path), temp files and directories included.
std::map<std::string, FileFacts> Snapshot(const fs::path& dir);

class FetchTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // medmij-fetch --base-url BASE (default: nginx) --trust CA --out DIR --state STATE
  // --metrics METRICS --json ARGS...; `env` is added to the environment.
  RunResult Fetch(const std::vector<std::string>& args = {}, const std::string& base = "",
                  const std::map<std::string, std::string>& env = {});
  // The JSON document the run printed (fails the test when there is none).
  static json Doc(const RunResult& r);
  // The entry of `list` in a run's document.
  static json Entry(const json& doc, ListKind list);
  json State() const;
  std::string Metrics() const;

  // The signed / strict bytes the service serves now for `list`.
  std::string ServedSigned(ListKind list) const;
  std::string ServedStrict(ListKind list) const;
  // Adds a whitelist node to a participant and waits until the service has exported the new
  // Whitelist; returns its Volgnummer.
  uint64_t ChangeWhitelist(const std::string& hostname);

  TempDir dir_;
  fs::path data_, exported_, out_, state_, metrics_;
  Pki pki_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<NginxFront> nginx_;
};

// "MedMij_Whitelist.xml".
std::string FileName(ListKind list);

}  // namespace medmij::testing
