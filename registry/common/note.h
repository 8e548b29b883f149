// C2SP signed-note (c2sp.org/signed-note) with Ed25519 signatures (signature type 0x01), and
// verifier keys in the Go `golang.org/x/mod/sumdb/note` form.
//
// A note is a text that ends in a newline, a blank line, and signature lines
// "— <key name> <base64(4-byte big-endian key id || 64-byte signature)>\n" (U+2014 em dash). The
// key id is the first four bytes of SHA-256(key name || 0x0A || 0x01 || 32-byte public key).
// A verifier key is "<name>+<key id as 8 lowercase hex digits>+<base64(0x01 || public key)>".
// Signer and Verifier are immutable and safe for concurrent use.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "registry/common/status.h"

namespace medmij::note {

using PublicKey = std::array<unsigned char, 32>;

// Key names here are non-empty printable ASCII without space or '+' (the spec allows more of
// Unicode; the registry's origins are host/path names). kInvalidArgument saying why otherwise.
Status CheckKeyName(std::string_view name);

uint32_t KeyId(std::string_view name, const PublicKey& key);

class Verifier {
 public:
  // Parses a verifier key; kInvalidArgument naming what is wrong (also a key id that does not
  // match the name and key).
  static Result<Verifier> Parse(std::string_view vkey);
  // REQUIRES: CheckKeyName(name).ok()
  Verifier(std::string name, const PublicKey& key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  const PublicKey& key() const { return key_; }
  std::string ToString() const;  // the verifier key
  // Whether `signature` (64 bytes) is this key's Ed25519 signature of `text`.
  bool Verify(std::string_view text, std::string_view signature) const;

 private:
  std::string name_;
  uint32_t key_id_;
  PublicKey key_;
};

class Signer {
 public:
  // Reads an Ed25519 private key in PEM (as `openssl genpkey -algorithm ed25519` writes it).
  // kIoError "'PATH': cannot read" or kInvalidArgument "'PATH': not a PEM private key" /
  // "'PATH': not an Ed25519 key (...)" / the name's fault.
  static Result<Signer> LoadPem(const std::filesystem::path& pem, std::string name);
  // From the 32-byte RFC 8032 private key (seed).
  static Result<Signer> FromSeed(std::string name, std::string_view seed);

  const Verifier& verifier() const { return verifier_; }
  const std::string& name() const { return verifier_.name(); }
  // The signed note: `text`, a blank line and this key's signature line. kInvalidArgument
  // unless `text` is a valid note text (non-empty, ends in a newline, UTF-8 without control
  // characters but newline); kInternal when OpenSSL fails.
  Result<std::string> Sign(std::string_view text) const;

 private:
  struct Key;
  Signer(std::shared_ptr<const Key> key, Verifier verifier);
  std::shared_ptr<const Key> key_;
  Verifier verifier_;
};

// The text of `note` when it is a well-formed signed note carrying a signature by `verifier`
// (same name and key id) that verifies. Signatures by other keys are ignored. kInvalidArgument
// with the reason otherwise: malformed, no signature by that key, or a signature that fails.
Result<std::string> Open(std::string_view note, const Verifier& verifier);

// The text of `note` (up to and with the newline before its last blank line) when it is
// shaped as a signed note, checking no signature: for a reader that checks the text by other
// means (the log's own tree), never to trust it. kInvalidArgument saying why otherwise.
Result<std::string> UnverifiedText(std::string_view note);

// Whether `text` may be a note's text: see Signer::Sign. Ok or kInvalidArgument saying why.
Status CheckText(std::string_view text);

}  // namespace medmij::note
