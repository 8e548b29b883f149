// Many medmij-admin processes writing at once lose nothing and keep the chain intact.
#include <thread>

#include "tests/integration/cli/cli_fixture.h"

namespace medmij::testing {
namespace {

TEST_F(CliTest, ParallelWritersLoseNothing) {
  GoodStanding("busy-dva", {"dva"});
  constexpr int kWriters = 6;
  constexpr int kNodesEach = 8;
  std::vector<std::thread> threads;
  std::vector<int> failures(kWriters, 0);
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kNodesEach; ++i) {
        std::string host = Cat("n", std::to_string(i), ".w", std::to_string(w), ".example");
        auto r = Admin({"node", "add", "busy-dva", host}, "writer" + std::to_string(w));
        if (r.exit_code != 0) ++failures[w];
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int w = 0; w < kWriters; ++w) EXPECT_EQ(failures[w], 0) << "writer " << w;
  EXPECT_EQ(Json({"node", "list", "busy-dva"}).size(), size_t{kWriters * kNodesEach});
  EXPECT_EQ(Lines(Journal()).size(), size_t{5 + kWriters * kNodesEach});
  Ok({"journal", "verify"});
  Ok({"check"});
}

}  // namespace
}  // namespace medmij::testing
