#include "registry/common/sha256.h"

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

std::string Sha256Hex(std::initializer_list<std::string_view> parts) {
  const Sha256Digest md = Sha256(parts);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(md.size() * 2, '0');
  for (size_t i = 0; i < md.size(); ++i) {
    hex[2 * i] = kHex[md[i] >> 4];
    hex[2 * i + 1] = kHex[md[i] & 15];
  }
  return hex;
}

}  // namespace medmij
