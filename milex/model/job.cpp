#include "milex/model/job.hpp"

#include <algorithm>
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
    if (retries > 0) j["retries"] = retries;
    if (!retry_on.empty()) {
        nlohmann::ordered_json words = nlohmann::ordered_json::array();
        for (RetryOn reason : retry_on) words.push_back(retry_on_name(reason));
        j["retry_on"] = words;
    }
    return j;
}

const char* retry_on_name(RetryOn reason) {
    switch (reason) {
    case RetryOn::timeout:
        return "timeout";
    case RetryOn::preempted:
        return "preempted";
    case RetryOn::node_fail:
        return "node_fail";
    }
    return "timeout";
}

const std::vector<RetryOn>& default_retry_on() {
    static const std::vector<RetryOn> all = {RetryOn::timeout, RetryOn::preempted, RetryOn::node_fail};
    return all;
}

tl::expected<std::vector<RetryOn>, std::string> parse_retry_on(const std::vector<std::string>& words) {
    std::vector<RetryOn> out;
    for (const auto& word : words) {
        std::string w = word;
        for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (w == "node-fail") w = "node_fail";
        if (w == "out_of_memory" || w == "out-of-memory" || w == "oom")
            return tl::unexpected(fmt::format(
                "\"{}\": a job that ran out of memory is not retried with the same --mem, where it would run out "
                "again; raise --mem (or resubmit it with more), and retry on timeout, preempted or node_fail",
                word));
        std::optional<RetryOn> found;
        for (RetryOn reason : default_retry_on())
            if (w == retry_on_name(reason)) found = reason;
        if (!found)
            return tl::unexpected(
                fmt::format("\"{}\" is not a reason to retry; use timeout, preempted or node_fail", word));
        if (std::find(out.begin(), out.end(), *found) == out.end()) out.push_back(*found);
    }
    if (out.empty()) return tl::unexpected(std::string("names no reason to retry; use timeout, preempted or node_fail"));
    return out;
}

bool Job::retries_on(RetryOn reason) const {
    const auto& reasons = retry_reasons();
    return std::find(reasons.begin(), reasons.end(), reason) != reasons.end();
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
