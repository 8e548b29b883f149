// Runs the real medmij-admin against a real LMDB data dir in a temp directory.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "registry/common/time.h"
#include "tests/support/process.h"

namespace medmij::testing {

// `args` followed by `more`.
inline std::vector<std::string> Plus(std::vector<std::string> args,
                                     const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(Admin({"init"}).exit_code, 0); }

  std::string data_dir() const { return (dir_ / "data").string(); }

  // medmij-admin with `args`; with `test_now` (else `test_now_`, when set), on a clock started
  // at that instant (MEDMIJ_TEST_NOW).
  RunResult Admin(std::vector<std::string> args, const std::string& op = "alice",
                  const std::string& input = "", const std::string& test_now = "") {
    std::vector<std::string> argv{Binary("admin-cli/medmij-admin").string(), "--data-dir",
                                  data_dir(), "--operator", op};
    argv.insert(argv.end(), args.begin(), args.end());
    std::map<std::string, std::string> env;
    if (!test_now.empty() || !test_now_.empty()) {
      env["MEDMIJ_TEST_NOW"] = test_now.empty() ? test_now_ : test_now;
    }
    return RunProcess(argv, input, env);
  }

  // Runs a command that must succeed; returns its stdout.
  std::string Ok(std::vector<std::string> args, const std::string& op = "alice") {
    auto r = Admin(args, op);
    EXPECT_EQ(r.exit_code, 0) << Join(args) << "\nstderr: " << r.err;
    return r.out;
  }

  nlohmann::json Json(std::vector<std::string> args, const std::string& op = "alice") {
    args.insert(args.begin(), "--json");
    auto r = Admin(args, op);
    EXPECT_EQ(r.exit_code, 0) << Join(args) << "\nstderr: " << r.err;
    return nlohmann::json::parse(r.out);
  }

  // The whole journal, as exported: any change to state shows here.
  std::string Journal() { return Ok({"journal", "export"}); }

  static std::string Join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& a : v) s += a + " ";
    return s;
  }

  static std::string Date(int days_from_now) {
    return FormatDate(WallClockNow() + Days(days_from_now));
  }

  // A participant in good standing: evidence, label, active.
  void GoodStanding(const std::string& id, const std::vector<std::string>& roles) {
    std::vector<std::string> enrol{"participant", "enrol", id,        "--name",
                                   "Org " + id,   "--kvk", "12345678"};
    for (const auto& r : roles) {
      enrol.push_back("--role");
      enrol.push_back(r);
    }
    Ok(enrol);
    Ok({"cert", "add", id, "--number", "NEN-" + id, "--body", "Certifier BV", "--valid-from",
        Date(-30), "--valid-until", Date(365), "--accredited", "--registered"});
    Ok({"audit-statement", "add", id, "--date", Date(-10), "--auditor", "Audit BV", "--outcome",
        "conform", "--pentest"});
    Ok({"label", "grant", id});
    Ok({"participant", "activate", id});
  }

  TempDir dir_;
  std::string test_now_;  // when set, the instant every command runs at
};

}  // namespace medmij::testing
