#include "milex/introspect/cli_protocol.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/parallel.hpp"
#include "milex/util/path.hpp"
#include "milex/util/process.hpp"
#include "milex/util/clock.hpp"
#include "milex/util/text.hpp"

namespace milex::introspect {

std::chrono::milliseconds cli_timeout() {
    return util::seconds_from_environment("MILEX_CLI_TIMEOUT", std::chrono::seconds(60));
}

size_t cli_jobs() { return util::jobs_from_environment("MILEX_CLI_JOBS"); }

nlohmann::ordered_json describe_arguments(const std::string& app, const std::vector<std::string>& args,
                                          std::chrono::milliseconds timeout) {
    const std::string program = app + "-cli";
    auto found = util::find_on_path(program);
    if (!found)
        throw Error(fmt::format("{} is not on PATH; install the application \"{}\" so that both {} and {} are "
                                "found (a Python package declares them in [project.scripts])",
                                program, app, app, program));

    std::vector<std::string> argv{found->string()};
    argv.insert(argv.end(), args.begin(), args.end());
    util::ProcessOptions options;
    options.timeout = timeout;
    auto result = util::run_process(argv, options);
    if (!result) throw Error(fmt::format("cannot run {}", result.error()));
    if (result->timed_out)
        throw Error(fmt::format("{} {}; it should only parse its arguments (raise MILEX_CLI_TIMEOUT if it must be "
                                "slow)",
                                program, result->describe_end(timeout)));
    if (!result->succeeded()) {
        std::string reason = util::last_line(result->err);
        throw Error(fmt::format("{} {}{}", program, result->describe_end(timeout), reason.empty() ? "" : ": " + reason))
            .with_details(result->err);
    }

    auto parsed = parse_cli_answer(result->out, program);
    if (!parsed) throw Error(parsed.error()).with_details(result->err);
    return std::move(*parsed);
}

tl::expected<nlohmann::ordered_json, std::string> parse_cli_answer(const std::string& out, const std::string& program) {
    nlohmann::ordered_json parsed;
    try {
        parsed = nlohmann::ordered_json::parse(out);
    } catch (const nlohmann::json::exception&) {
        std::string got = std::string(util::trim(out));
        return tl::unexpected(fmt::format("{} printed {}; it must print its parsed arguments as one JSON object, e.g. "
                                          "print(json.dumps(vars(args)))",
                                          program, got.empty() ? "nothing" : "\"" + util::excerpt(got) + "\", not JSON"));
    }
    if (!parsed.is_object())
        return tl::unexpected(fmt::format("{} printed {} instead of a JSON object of arguments", program,
                                          util::excerpt(parsed.dump())));
    return parsed;
}

ApplicationGit application_git(const std::string& app) {
    ApplicationGit git;
    auto found = util::find_on_path(app);
    if (!found) return git;
    std::error_code ec;
    auto real = std::filesystem::canonical(*found, ec);
    if (ec) return git;
    const auto dir = real.parent_path().string();
    util::ProcessOptions options;
    options.timeout = std::chrono::seconds(5);
    auto ask = [&](std::vector<std::string> words) -> std::optional<std::string> {
        words.insert(words.begin(), {"git", "-C", dir});
        auto result = util::run_process(words, options);
        if (!result || !result->succeeded()) return std::nullopt;
        return std::string(util::trim(result->out));
    };
    auto head = ask({"rev-parse", "HEAD"});
    if (!head) return git;
    git.commit = *head;
    auto status = ask({"status", "--porcelain", "--untracked-files=no"});
    git.dirty = status && !status->empty();
    if (git.dirty) git.commit += "-dirty";
    if (auto branch = ask({"symbolic-ref", "--short", "-q", "HEAD"})) git.branch = *branch;
    if (auto origin = ask({"config", "--get", "remote.origin.url"}); origin && !origin->empty()) {
        git.remote = *origin;
    } else if (auto remotes = ask({"remote"}); remotes && !remotes->empty()) {
        if (auto url = ask({"config", "--get", "remote." + util::split(*remotes, '\n')[0] + ".url"})) git.remote = *url;
    }
    return git;
}

std::string application_commit(const std::string& app) { return application_git(app).commit; }

} // namespace milex::introspect
