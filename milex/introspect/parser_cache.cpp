#include "milex/introspect/parser_cache.hpp"

#include <algorithm>

#include "milex/util/file.hpp"
#include "milex/util/process.hpp"

namespace milex::introspect {

using nlohmann::ordered_json;

namespace {

std::filesystem::path cache_file(const std::filesystem::path& cache_dir, const std::string& app) {
    std::string name = app;
    for (char& c : name)
        if (c == '/') c = '_';
    return cache_dir / (name + ".json");
}

/// The help text `APP-cli --help` prints, or nothing when it fails.
std::optional<std::string> help_of(const std::string& path, std::chrono::milliseconds timeout) {
    util::ProcessOptions options;
    options.timeout = timeout;
    auto result = util::run_process({path, "--help"}, options);
    if (!result || result->timed_out || !result->succeeded()) return std::nullopt;
    return result->out;
}

std::optional<LearntParser> cached(const std::filesystem::path& file, const std::string& cli) {
    auto text = util::read_file(file);
    if (!text) return std::nullopt;
    try {
        const ordered_json entry = ordered_json::parse(*text);
        if (entry.at("cli") != cli) return std::nullopt;
        LearntParser learnt;
        learnt.from_cache = true;
        learnt.cli = cli;
        learnt.keys = entry.at("keys").get<std::vector<std::string>>();
        if (!entry.at("argparse").is_null()) learnt.map = ParserMap::from_json(entry.at("argparse"));
        return learnt;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;  // a damaged cache is learnt again
    }
}

} // namespace

bool LearntParser::knows(const ordered_json& answer) const {
    for (const auto& [key, value] : answer.items())
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) return false;
    return true;
}

LearntParser learn_parser(const std::string& app, const std::filesystem::path& cache_dir,
                          std::chrono::milliseconds timeout, Relearn relearn) {
    auto found = util::find_on_path(app + "-cli");
    if (!found) return {};
    const std::string cli = found->string();
    if (relearn == Relearn::if_absent)
        if (auto learnt = cached(cache_file(cache_dir, app), cli)) return *learnt;
    LearntParser learnt;
    learnt.cli = cli;
    if (auto help = help_of(cli, timeout)) learnt.map = parse_argparse_help(*help);
    return learnt;
}

void remember_parser(const std::string& app, LearntParser learnt, const ordered_json& answer,
                     const std::filesystem::path& cache_dir) {
    if (learnt.cli.empty()) return;
    if (learnt.from_cache && learnt.knows(answer)) return;  // nothing new
    for (const auto& [key, value] : answer.items())
        if (std::find(learnt.keys.begin(), learnt.keys.end(), key) == learnt.keys.end()) learnt.keys.push_back(key);
    ordered_json entry = {{"cli", learnt.cli}, {"keys", learnt.keys}, {"argparse", nullptr}};
    if (learnt.map) entry["argparse"] = learnt.map->to_json();
    if (util::make_directories(cache_dir)) (void)util::write_file_atomic(cache_file(cache_dir, app), entry.dump(1) + "\n");
}

} // namespace milex::introspect
