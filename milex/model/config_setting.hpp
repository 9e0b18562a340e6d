#pragma once
/// `machine.key=value` settings applied to a machine config's tree (`milex-configuration --set`),
/// kept apart from the terminal so that any front end can change the config the same way.
#include <string>

#include <nlohmann/json.hpp>

namespace milex::model {

/// Applies `machine.key=value` (or `machine.sbatch.option=value`) to the document's tree. An
/// empty value removes the key. A malformed setting throws UsageError naming it and the fix.
void apply_setting(nlohmann::ordered_json& root, const std::string& setting);

} // namespace milex::model
