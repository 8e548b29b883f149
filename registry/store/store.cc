// Store: opening the environment and beginning transactions.
#include "registry/store/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <system_error>

#include "registry/store/env.h"
#include "registry/store/schema.h"
#include "registry/store/txn.h"

namespace medmij::store {

using internal::EnvCore;
using internal::Errno;
using internal::PathClaim;

Store::Store(std::unique_ptr<Env> env) : env_(std::move(env)) {}

Store::~Store() = default;  // closes the environment, then releases the path claim

const std::filesystem::path& Store::dir() const {
  return env_->core.path;
}

bool Store::read_only() const {
  return env_->core.read_only;
}

namespace {

// LMDB maps the data file and reads pages through the map: a page beyond the end of a truncated
// or shrunken file is SIGBUS at the first read, not an error. mdb_env_open reads only the two
// meta pages (with read(2)), so compare the file's size with the pages the newest meta page says
// are in use before any transaction touches one (docs/PITFALLS.md).
Status CheckFileSize(const EnvCore& core) {
  MDB_envinfo info{};
  MDB_stat stat{};
  int rc = mdb_env_info(core.env, &info);
  if (rc == MDB_SUCCESS) rc = mdb_env_stat(core.env, &stat);
  if (rc != MDB_SUCCESS) return core.Error(rc, "read environment info");
  mdb_filehandle_t fd{};
  rc = mdb_env_get_fd(core.env, &fd);
  if (rc != MDB_SUCCESS) return core.Error(rc, "data file");
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Errno(core.path.string() + ": data file", errno);
  const uint64_t needed = (uint64_t{info.me_last_pgno} + 1) * stat.ms_psize;
  if (static_cast<uint64_t>(st.st_size) < needed) {
    return Status::Corruption(
        core.path.string() + ": data file is truncated: " + std::to_string(st.st_size) +
        " bytes, but its meta page uses " + std::to_string(info.me_last_pgno + 1) + " pages of " +
        std::to_string(stat.ms_psize) + " bytes (" + std::to_string(needed) +
        " bytes); restore it from a backup (medmij-admin backup)");
  }
  return Status::Ok();
}

// Why this process may not write `path` (by its effective ids), or nullopt when it may. A
// missing path counts as writable here: whoever needs it reports that.
std::optional<std::string> NotWritable(const std::filesystem::path& path, const char* shown) {
  if (::faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) == 0 || errno == ENOENT) {
    return std::nullopt;
  }
  return std::string(shown) + " is not writable by this user (" + std::strerror(errno) + ")";
}

// How a data dir (or a backup file) may be opened by this process.
struct Access {
  std::optional<std::string> read_only_because;  // set: the process may not write it
  bool lock_usable = true;  // the lock file can be opened for writing (or created)
};

Access AccessOf(const std::filesystem::path& dir, bool is_file) {
  const std::filesystem::path data = is_file ? dir : dir / "data.mdb";
  // LMDB names the lock file of a single-file environment after it (MDB_NOSUBDIR).
  const std::filesystem::path lock =
      is_file ? std::filesystem::path(dir.string() + "-lock") : dir / "lock.mdb";
  Access a;
  std::error_code ec;
  if (std::filesystem::exists(lock, ec)) {
    if (auto why = NotWritable(lock, "its lock file")) {
      a.lock_usable = false;
      a.read_only_because = why;
    }
  } else if (auto why = NotWritable(is_file ? dir.parent_path() : dir, "its directory")) {
    a.lock_usable = false;  // LMDB could not create the lock file
    a.read_only_because = why;
  }
  if (auto why = NotWritable(data, "its data file")) a.read_only_because = why;
  return a;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& dir,
                                           const OpenOptions& options) {
  namespace fs = std::filesystem;
  const std::string where = dir.string();
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return Errno(where, errno);
    if (!options.create || options.read_only) {
      return Status::NotFound("data dir " + where + " does not exist");
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Status::IoError(where + ": cannot create directory: " + ec.message());
    if (::chmod(dir.c_str(), 0700) != 0) return Errno(where + ": chmod", errno);
    if (::stat(dir.c_str(), &st) != 0) return Errno(where, errno);
  }
  bool is_file = S_ISREG(st.st_mode);
  if (!is_file && !S_ISDIR(st.st_mode)) {
    return Status::Invalid(where + " is neither a data directory nor a backup file");
  }
  if (!is_file && (!options.create || options.read_only)) {
    struct stat data {};
    if (::stat((dir / "data.mdb").c_str(), &data) != 0) {
      return Status::NotFound(where + " is not a registry data dir (no data.mdb)");
    }
  }

  auto claim = PathClaim::Claim(PathClaim::FileId{st.st_dev, st.st_ino});
  if (!claim) {
    return Status::Refused("data dir " + where +
                           " is already open in this process; share its Store instead");
  }

  const Access access = AccessOf(dir, is_file);
  const bool read_only =
      options.read_only || (options.read_only_if_not_writable && access.read_only_because);

  auto env = std::make_unique<Env>(Env{std::move(*claim), nullptr, EnvCore{}});
  env->core.path = dir;
  env->core.read_only = read_only;
  if (read_only && !options.read_only) env->core.read_only_because = *access.read_only_because;
  MDB_env* raw = nullptr;
  int rc = mdb_env_create(&raw);
  if (rc != MDB_SUCCESS)
    return Status::Internal(std::string("mdb_env_create: ") + mdb_strerror(rc));
  env->env.reset(raw);
  env->core.env = raw;
  if ((rc = mdb_env_set_maxdbs(raw, internal::kDbiCount + 4)) != MDB_SUCCESS ||
      (rc = mdb_env_set_mapsize(raw, options.map_size)) != MDB_SUCCESS) {
    return env->core.Error(rc, "configure environment");
  }
  unsigned flags = MDB_NOTLS;
  if (is_file) flags |= MDB_NOSUBDIR;
  if (read_only) flags |= MDB_RDONLY;
  // A reader that may not write the lock file cannot take a reader slot. Without locking, a
  // writer in another process is not kept from reusing the pages this process reads, so this
  // is for data dirs nobody writes meanwhile (a read-only mount, another user's copy); see
  // README "A read-only data dir" (medmij-admin rules).
  if (read_only && !access.lock_usable) flags |= MDB_NOLOCK;
  rc = mdb_env_open(raw, dir.c_str(), flags, 0600);
  if (rc != MDB_SUCCESS) return env->core.Error(rc, "open environment");
  MEDMIJ_RETURN_IF_ERROR(CheckFileSize(env->core));

  int dead = 0;
  rc = mdb_reader_check(raw, &dead);
  if (rc != MDB_SUCCESS) return env->core.Error(rc, "reader check");

  lmdb::Txn txn;
  rc = lmdb::Txn::Begin(raw, read_only ? MDB_RDONLY : 0, txn);
  if (rc != MDB_SUCCESS) return env->core.Error(rc, "begin transaction");
  MEDMIJ_RETURN_IF_ERROR(internal::OpenTables(env->core, txn.get(), options.create));
  // Committing (also a read-only transaction) keeps the DBI handles open for the environment.
  rc = txn.Commit();
  if (rc != MDB_SUCCESS) return env->core.Error(rc, "commit initialisation");
  return std::unique_ptr<Store>(new Store(std::move(env)));
}

Result<std::unique_ptr<ReadTxn>> Store::BeginRead() const {
  auto impl = std::make_unique<Reader::Impl>();
  impl->core = &env_->core;
  int rc = lmdb::Txn::Begin(env_->core.env, MDB_RDONLY, impl->txn);
  if (rc != MDB_SUCCESS) return env_->core.Error(rc, "begin read transaction");
  return std::unique_ptr<ReadTxn>(new Reader(std::move(impl)));
}

Result<std::unique_ptr<WriteTxn>> Store::BeginWrite() {
  if (env_->core.read_only) {
    if (!env_->core.read_only_because.empty()) {
      return Status::Refused("data dir " + env_->core.path.string() +
                             " is read-only here: " + env_->core.read_only_because +
                             "; this command changes the registry: run it as the user that "
                             "owns the data dir");
    }
    return Status::Refused(env_->core.path.string() + " is open read-only");
  }
  if (!internal::TryClaimWriteSlot(&env_->core)) {
    return Status::Internal(env_->core.path.string() +
                            ": this thread already holds a write transaction; commit or destroy "
                            "it first");
  }
  auto impl = std::make_unique<Reader::Impl>();
  impl->core = &env_->core;
  impl->write = true;
  impl->holds_write_slot = true;  // released by EndWrite, also when Begin fails below
  int rc = lmdb::Txn::Begin(env_->core.env, 0, impl->txn);
  if (rc != MDB_SUCCESS) return env_->core.Error(rc, "begin write transaction");
  MEDMIJ_ASSIGN_OR_RETURN(internal::JournalHead head, impl->ReadHead());
  impl->head_seq = head.seq;
  impl->head_hash = head.hash;
  return std::unique_ptr<WriteTxn>(new WriteTxn(std::move(impl)));
}

uint64_t Store::LastTxnId() const {
  // The id a read transaction begun now snapshots, not mdb_env_info's me_last_txnid: a
  // committing writer updates the meta page (what mdb_env_info reads) before the reader table's
  // txnid (what a new read transaction takes), so in between mdb_env_info names a commit that a
  // read begun just after does not see yet, and a poller that marks that id as seen (the
  // service's publish loop) would miss the commit until the next one.
  MDB_txn* txn = nullptr;
  if (mdb_txn_begin(env_->core.env, nullptr, MDB_RDONLY, &txn) != MDB_SUCCESS) {
    MDB_envinfo info{};
    mdb_env_info(env_->core.env, &info);
    return info.me_last_txnid;
  }
  const uint64_t id = mdb_txn_id(txn);
  mdb_txn_abort(txn);
  return id;
}

Result<Store::MapUsage> Store::Usage() const {
  MDB_envinfo info{};
  MDB_stat stat{};
  int rc = mdb_env_info(env_->core.env, &info);
  if (rc == MDB_SUCCESS) rc = mdb_env_stat(env_->core.env, &stat);
  if (rc != MDB_SUCCESS) return env_->core.Error(rc, "map usage");
  MapUsage usage;
  usage.size = info.me_mapsize;
  usage.used = (static_cast<uint64_t>(info.me_last_pgno) + 1) * stat.ms_psize;
  return usage;
}

}  // namespace medmij::store
