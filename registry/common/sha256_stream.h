// SHA-256 of bytes given in pieces (registry/common/sha256.h is the one-shot form; both are
// implemented in sha256.cc).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace medmij {

// Hex() equals Sha256Hex of the concatenation of everything given to Update (a list held as
// many entries is digested without joining them). Not safe for concurrent use.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(std::string_view bytes);
  // The digest of everything given so far. REQUIRES: called once, with no Update after.
  std::string Hex();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace medmij
