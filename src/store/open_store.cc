#include "store/open_store.h"

#include <filesystem>

#include "store/pg_store.h"
#include "store/sqlite_store.h"

namespace argus::store {

core::Result<std::unique_ptr<Store>> OpenStore(const std::string& data_dir,
                                               const std::string& postgres) {
  if (!postgres.empty()) {
    auto db = PgStore::Open(postgres);
    if (!db.ok()) return db.status();
    return std::unique_ptr<Store>(std::move(db).value());
  }
  auto db = SqliteStore::Open((std::filesystem::path(data_dir) / "argus.db").string());
  if (!db.ok()) return db.status();
  return std::unique_ptr<Store>(std::move(db).value());
}

SiteStore* SiteStoreOf(Store& db) { return dynamic_cast<SiteStore*>(&db); }

}  // namespace argus::store
