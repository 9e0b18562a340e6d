#pragma once
/// The -cli protocol: `APP-cli ARGS…` prints the application's parsed arguments as one JSON
/// object. milex runs it once, without a shell, with the arguments exactly as given.
#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace milex::introspect {

/// How long an application's -cli may take: $MILEX_CLI_TIMEOUT seconds, else 60.
std::chrono::milliseconds cli_timeout();

/// How many -cli checks run at once (a sweep's values): $MILEX_CLI_JOBS, else one per core.
size_t cli_jobs();

/// Runs `<app>-cli args…` and returns the object it printed. Throws Error when the program is
/// missing, fails (its stderr comes along as details), prints anything but one JSON object, or
/// runs past `timeout`.
nlohmann::ordered_json describe_arguments(const std::string& app, const std::vector<std::string>& args,
                                          std::chrono::milliseconds timeout);

/// What `program` printed on stdout as its object of arguments; the unexpected value is the
/// message (output that is not JSON, or JSON but not one object).
tl::expected<nlohmann::ordered_json, std::string> parse_cli_answer(const std::string& out, const std::string& program);

/// The git repository the application's executable lives in, as each run records it.
struct ApplicationGit {
    std::string commit;  ///< `abc123…`, with `-dirty` when the tree has changes; empty: not in git
    std::string branch;  ///< empty when detached
    std::string remote;  ///< the URL of `origin` (else of the first remote), if any
    bool dirty = false;
};
ApplicationGit application_git(const std::string& app);

/// application_git(app).commit.
std::string application_commit(const std::string& app);

} // namespace milex::introspect
