#include "milex/model/config_setting.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::model {

using nlohmann::ordered_json;

void apply_setting(ordered_json& root, const std::string& setting) {
    const auto eq = setting.find('=');
    const std::string key_path = setting.substr(0, eq);
    const auto parts = util::split(key_path, '.');
    if (eq == std::string::npos || parts.size() < 2 || parts.size() > 3 ||
        std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); }) ||
        (parts.size() == 3 && parts[1] != "sbatch"))
        throw UsageError(fmt::format("--set \"{}\": use machine.key=value (e.g. local.path=~/milex) or "
                                     "machine.sbatch.option=value",
                                     setting));
    const std::string value = setting.substr(eq + 1);
    if (!root.contains(parts[0])) root[parts[0]] = ordered_json::object();
    ordered_json* target = &root[parts[0]];
    if (!target->is_object())
        throw UsageError(fmt::format("--set \"{}\": machine \"{}\" is not an object in the config", setting, parts[0]));
    std::string key = parts[1];
    if (parts.size() == 3) {
        if (!target->contains("sbatch") || !(*target)["sbatch"].is_object()) (*target)["sbatch"] = ordered_json::object();
        target = &(*target)["sbatch"];
        key = parts[2];
    }
    if (value.empty()) {
        target->erase(key);
        return;
    }
    if (key == "port" || key == "max_array_size" || key == "max_queued") {
        try {
            size_t used = 0;
            int port = std::stoi(value, &used);
            if (used == value.size()) {
                (*target)[key] = port;
                return;
            }
        } catch (const std::exception&) {
        }
        throw UsageError(fmt::format("--set \"{}\": {} must be a number", setting, key));
    }
    if (key == "accounting") {
        if (value == "true" || value == "yes" || value == "1") (*target)[key] = true;
        else if (value == "false" || value == "no" || value == "0") (*target)[key] = false;
        else throw UsageError(fmt::format("--set \"{}\": {} must be true or false", setting, key));
        return;
    }
    if (key == "container_options") {  // words apart by spaces, or a JSON list for words with spaces
        ordered_json list = ordered_json::array();
        if (value.starts_with("[")) {
            list = ordered_json::parse(value, nullptr, false);
            if (list.is_discarded())
                throw UsageError(fmt::format("--set \"{}\": the list is not JSON; write words apart by spaces", setting));
        } else {
            for (const auto& word : util::split(value, ' '))
                if (!word.empty()) list.push_back(word);
        }
        (*target)[key] = list;
        return;
    }
    if (key == "container_gpus" && (value == "true" || value == "false")) {
        (*target)[key] = value == "true";
        return;
    }
    if (key == "modules" || key == "allowed_partitions" || key == "allowed_gpu_types") {  // names apart by commas
        ordered_json list = ordered_json::array();
        for (const auto& module : util::split(value, ',')) list.push_back(std::string(util::trim(module)));
        (*target)[key] = list;
        return;
    }
    (*target)[key] = value;
}

} // namespace milex::model
