#pragma once
/// The parser map of an application, learnt from `APP-cli --help` once and kept on disk, so
/// that a second schedule of the same application costs no extra -cli call.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "milex/introspect/argparse_help.hpp"

namespace milex::introspect {

struct LearntParser {
    std::optional<ParserMap> map;  ///< nothing when the help is not argparse's
    bool from_cache = false;
    std::string cli;                ///< the APP-cli it was learnt from
    std::vector<std::string> keys;  ///< the keys of the -cli's answers seen with it

    /// Whether every key of `answer` was seen with this map. An answer with a key it does not
    /// know means the parser changed (an editable install's wrapper script never changes when
    /// the parser does, so the script's path, size and time say nothing): learn it again.
    bool knows(const nlohmann::ordered_json& answer) const;
};

enum class Relearn { if_absent, always };

/// The map of `app`'s parser: the one cached in `cache_dir` (a file per application) when it
/// was learnt from the same `APP-cli` and `relearn` is if_absent, else from `APP-cli --help`.
/// A help that fails or is not argparse's gives no map (remembered as such, too).
LearntParser learn_parser(const std::string& app, const std::filesystem::path& cache_dir,
                          std::chrono::milliseconds timeout, Relearn relearn = Relearn::if_absent);

/// Keeps `learnt` in `cache_dir` with the keys of `answer` added, when that changes what is
/// cached. A cache that cannot be written is no error (the next schedule learns again).
void remember_parser(const std::string& app, LearntParser learnt, const nlohmann::ordered_json& answer,
                     const std::filesystem::path& cache_dir);

} // namespace milex::introspect
