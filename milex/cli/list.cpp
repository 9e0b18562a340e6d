#include <algorithm>
#include <iostream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/observe/runs.hpp"
#include "milex/observe/status.hpp"
#include "milex/store/bundle_store.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

namespace {

/// "3 COMPLETED, 1 FAILED" from the states last recorded.
std::string summary(const model::RunRecord& record) {
    std::map<std::string, size_t> counts;
    for (const auto& job : observe::recorded(record)) {
        std::string state = job.state.state == scheduler::State::pending && record.find(job.name)->states.size() == 1
                                ? std::string("SUBMITTED")
                                : observe::state_text(job.state);
        ++counts[state];
    }
    std::vector<std::string> parts;
    for (const auto& [state, n] : counts) parts.push_back(fmt::format("{} {}", n, state));
    return util::join(parts, ", ");
}

} // namespace

int list_command(const Args& args) {
    CLI::App app{"Bundles and their runs, newest first, with job counts and the states last seen\n"
                 "(milex status asks the machine again).",
                 "milex list"};
    std::optional<std::string> machine;
    bool json = false;
    app.add_option("--machine", machine, "only runs on this machine");
    app.add_flag("--json", json, "print JSON");
    if (auto done = parse_strict(app, args)) return *done;

    const model::Config config = load_config();
    const store::RunStore runs = observe::run_store(config);
    const std::string jobs_dir = config.local().path + "/jobs";
    std::vector<store::BundleFile> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(jobs_dir, ec))
        if (auto file = store::parse_bundle_file_name(entry.path())) files.push_back(*file);
    std::sort(files.begin(), files.end(),
              [](const auto& a, const auto& b) { return a.stamp != b.stamp ? a.stamp > b.stamp : a.name < b.name; });
    std::map<std::string, std::vector<store::StoredRun>> by_bundle;
    for (auto& run : runs.all())
        if (!machine || run.record.machine == *machine) by_bundle[run.record.bundle].push_back(std::move(run));

    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& file : files) {
        size_t count = 0;
        // A bundle that cannot be read is listed with its problem, never silently as empty.
        std::string problem;
        try {
            count = store::read_bundle(file.path).jobs.size();
        } catch (const Error& e) {
            problem = e.lines().empty() ? e.what() : e.lines().front();
        }
        const auto& bundle_runs = by_bundle[file.stem()];
        if (machine && bundle_runs.empty()) continue;
        if (json) {
            nlohmann::ordered_json b = {{"bundle", file.stem()}, {"file", file.path.string()}, {"jobs", count}};
            if (!problem.empty()) b["error"] = problem;
            nlohmann::ordered_json list = nlohmann::ordered_json::array();
            for (const auto& run : bundle_runs)
                list.push_back({{"machine", run.record.machine},
                                {"submission", run.record.submission},
                                {"created", run.record.created},
                                {"states", summary(run.record)},
                                {"record", run.path.string()}});
            b["runs"] = list;
            out.push_back(b);
            continue;
        }
        if (!problem.empty())
            std::cout << fmt::format("{}  unreadable: {}\n", file.stem(), problem);
        else
            std::cout << fmt::format("{}  {} job{}{}\n", file.stem(), count, count == 1 ? "" : "s",
                                     bundle_runs.empty() ? "  (never run)" : "");
        for (const auto& run : bundle_runs)
            std::cout << fmt::format("    run {} on {} at {}: {}\n", run.record.submission, run.record.machine,
                                     run.record.created, summary(run.record));
    }
    if (json) std::cout << out.dump(2) << "\n";
    return 0;
}

} // namespace milex::cli
