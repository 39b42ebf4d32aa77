// Opens the store `argus serve` and the admin commands share: PostgreSQL when a
// conninfo is given, else SQLite at <data_dir>/argus.db.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace argus::store {

core::Result<std::unique_ptr<Store>> OpenStore(const std::string& data_dir,
                                               const std::string& postgres);

}  // namespace argus::store
