// Schema and upgrade. Private to registry/store.
//
// `meta/schema_version` holds the decimal schema version of a data dir. Open() brings an older
// data dir to kSchemaVersion, one step at a time inside its write transaction (so an upgrade is
// all or nothing), and refuses a newer one.
#pragma once

#include <lmdb.h>

#include "registry/common/status.h"
#include "registry/store/env.h"

namespace medmij::store::internal {

// Opens every DBI of tables.h in `txn` into core.dbi and brings the schema to kSchemaVersion
// (read-write) or checks that it is kSchemaVersion (read-only). With `create`, an empty
// environment is initialised; without it an empty one is kNotFound.
Status OpenTables(EnvCore& core, MDB_txn* txn, bool create);

}  // namespace medmij::store::internal
