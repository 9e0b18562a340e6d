#include "milex/model/job.hpp"

#include <cctype>

#include <fmt/format.h>

namespace milex::model {

nlohmann::ordered_json Job::to_json() const {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    j["name"] = name;
    j["script"] = script;
    j["script_args"] = script_args;
    if (!script_options.is_null()) j["script_options"] = script_options;
    if (!verified.empty()) j["verified"] = verified;
    j["dependencies"] = dependencies;
    j["pre_commands"] = pre_commands;
    nlohmann::ordered_json options = nlohmann::ordered_json::object();
    for (const auto& option : slurm) options[option.key] = option.value;
    j["slurm"] = options;
    if (sweep) j["sweep"] = sweep->to_json();
    if (container) j["container"] = container->to_json();
    if (!code.empty()) j["code"] = code;
    if (snapshot) j["snapshot"] = snapshot->to_json();
    return j;
}

nlohmann::ordered_json Sweep::to_json() const {
    nlohmann::ordered_json j = {{"keys", keys}};
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& combination : combinations) list.push_back(combination);
    j["combinations"] = list;
    if (limit > 0) j["limit"] = limit;
    return j;
}

std::string name_problem(const std::string& name, const std::string& what) {
    if (name.empty()) return fmt::format("a {} name cannot be empty", what);
    if (name.size() > 100) return fmt::format("{} name \"{}…\" is longer than 100 characters", what, name.substr(0, 20));
    if (name[0] == '.' || name[0] == '-')
        return fmt::format("{} name \"{}\" must not start with '.' or '-'", what, name);
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' && c != '+')
            return fmt::format("{} name \"{}\" may hold only letters, digits, '.', '+', '-' and '_'", what, name);
    }
    return {};
}

} // namespace milex::model
