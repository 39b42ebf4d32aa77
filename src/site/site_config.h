// Loads a site model (site_model.h) from YAML. Validation happens once, here:
// every error reads `file:line: field: message`, unknown keys are errors, and all
// errors are collected (one per line of the returned Status message).
// Thread safety: free functions, no shared state.
#pragma once

#include <string>

#include "core/status.h"
#include "site/site_model.h"

namespace argus::site {

// Reads and validates `path`. Relative floor-plan image paths are resolved
// against the directory of `path`.
core::Result<Site> LoadSiteFile(const std::string& path);

// Same, from YAML text; `file_name` only labels error messages and resolves
// relative image paths.
core::Result<Site> LoadSiteYaml(const std::string& yaml, const std::string& file_name);

}  // namespace argus::site
