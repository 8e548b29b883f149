// Owners for LMDB's C handles. Private to registry/store: nothing outside the store includes
// lmdb.h.
#pragma once

#include <lmdb.h>

#include <memory>
#include <string_view>
#include <utility>

namespace medmij::store::lmdb {

struct EnvCloser {
  void operator()(MDB_env* env) const { mdb_env_close(env); }
};
using EnvPtr = std::unique_ptr<MDB_env, EnvCloser>;

// A transaction that aborts in its destructor unless committed. Commit() gives the handle up
// before calling mdb_txn_commit (which frees it whether or not it succeeds), so a failed commit
// is never followed by an abort of freed memory.
class Txn {
 public:
  Txn() = default;
  ~Txn() { Abort(); }
  Txn(Txn&& other) noexcept : txn_(std::exchange(other.txn_, nullptr)) {}
  Txn& operator=(Txn&& other) noexcept {
    if (this != &other) {
      Abort();
      txn_ = std::exchange(other.txn_, nullptr);
    }
    return *this;
  }
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  // Returns an LMDB error code; on success `out` owns the new transaction.
  static int Begin(MDB_env* env, unsigned flags, Txn& out) {
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env, nullptr, flags, &txn);
    if (rc == MDB_SUCCESS) out = Txn(txn);
    return rc;
  }

  MDB_txn* get() const { return txn_; }
  explicit operator bool() const { return txn_ != nullptr; }

  int Commit() {
    MDB_txn* txn = std::exchange(txn_, nullptr);
    return mdb_txn_commit(txn);
  }
  void Abort() {
    if (txn_ != nullptr) mdb_txn_abort(std::exchange(txn_, nullptr));
  }

 private:
  explicit Txn(MDB_txn* txn) : txn_(txn) {}
  MDB_txn* txn_ = nullptr;
};

// A cursor. REQUIRES: destroyed before its transaction ends (keep cursors function-local).
class Cursor {
 public:
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  ~Cursor() {
    if (cursor_ != nullptr) mdb_cursor_close(cursor_);
  }

  // `rc` receives the LMDB error code of the open; the cursor is usable only when it is 0.
  Cursor(MDB_txn* txn, MDB_dbi dbi, int& rc) { rc = mdb_cursor_open(txn, dbi, &cursor_); }

  int Get(MDB_val& key, MDB_val& value, MDB_cursor_op op) {
    return mdb_cursor_get(cursor_, &key, &value, op);
  }

 private:
  MDB_cursor* cursor_ = nullptr;
};

inline MDB_val Val(std::string_view s) {
  // LMDB never writes through a key or data pointer it is given.
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

inline std::string_view View(const MDB_val& v) {
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

}  // namespace medmij::store::lmdb
