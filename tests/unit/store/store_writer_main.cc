// Test helper for StoreTest.TwoProcessesAtOnce: opens the data dir and commits N events, each
// bumping the "writes" counter and enrolling one participant.
// Usage: store_writer DIR N TAG. Exit 0 when every commit succeeded.
#include <cstdio>
#include <string>

#include "registry/store/store.h"

int main(int argc, char** argv) {
  using namespace medmij;
  if (argc != 4) {
    std::fprintf(stderr, "usage: store_writer DIR N TAG\n");
    return 2;
  }
  auto store = store::Store::Open(argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().message().c_str());
    return 1;
  }
  int n = std::stoi(argv[2]);
  for (int i = 0; i < n; ++i) {
    auto w = (*store)->BeginWrite();
    if (!w.ok()) {
      std::fprintf(stderr, "begin: %s\n", w.status().message().c_str());
      return 1;
    }
    (*w)->NextCounter("writes").value();
    Participant p;
    p.id = std::string(argv[3]) + "-" + std::to_string(i);
    p.legal_name = "Writer " + p.id;
    p.kvk = "12345678";
    p.email = "w@example.org";
    (*w)->Put(p);
    auto seq = (*w)->Commit(store::EventMeta{WallClockNow(), "writer", "enrol", p.id, "test"});
    if (!seq.ok() || *seq == 0) {
      std::fprintf(stderr, "commit: %s\n", seq.status().message().c_str());
      return 1;
    }
  }
  return 0;
}
