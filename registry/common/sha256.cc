#include "registry/common/sha256.h"
#include "registry/common/sha256_stream.h"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace medmij {

Sha256Digest Sha256(std::initializer_list<std::string_view> parts) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  Sha256Digest md{};
  unsigned int len = 0;
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1;
  for (std::string_view p : parts) ok = ok && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx.get(), md.data(), &len) == 1 && len == md.size();
  // Fails only when OpenSSL cannot allocate or lacks SHA-256: an invariant, not input.
  if (!ok) throw std::runtime_error("SHA-256 unavailable in OpenSSL");
  return md;
}

namespace {

std::string HexOf(const Sha256Digest& md) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(md.size() * 2, '0');
  for (size_t i = 0; i < md.size(); ++i) {
    hex[2 * i] = kHex[md[i] >> 4];
    hex[2 * i + 1] = kHex[md[i] & 15];
  }
  return hex;
}

// Fails only when OpenSSL cannot allocate or lacks SHA-256: an invariant, not input.
void Check(bool ok) {
  if (!ok) throw std::runtime_error("SHA-256 unavailable in OpenSSL");
}

}  // namespace

std::string Sha256Hex(std::initializer_list<std::string_view> parts) {
  return HexOf(Sha256(parts));
}

struct Sha256Stream::Ctx {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

Sha256Stream::Sha256Stream() : ctx_(std::make_unique<Ctx>()) {
  Check(ctx_->md && EVP_DigestInit_ex(ctx_->md.get(), EVP_sha256(), nullptr) == 1);
}

Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::Update(std::string_view bytes) {
  Check(EVP_DigestUpdate(ctx_->md.get(), bytes.data(), bytes.size()) == 1);
}

std::string Sha256Stream::Hex() {
  Sha256Digest md{};
  unsigned int len = 0;
  Check(EVP_DigestFinal_ex(ctx_->md.get(), md.data(), &len) == 1 && len == md.size());
  return HexOf(md);
}

}  // namespace medmij
