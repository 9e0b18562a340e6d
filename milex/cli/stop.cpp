#include <iostream>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/observe/cancel.hpp"
#include "milex/observe/runs.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

int stop_command(const Args& args) {
    CLI::App app{"Stop a run: cancel its jobs that have not ended (or the named ones and every job waiting for\n"
                 "them) and record them as stopped by you, not failed. milex resume goes on with it.",
                 "milex stop"};
    std::string reference;
    std::optional<std::string> machine;
    std::vector<std::string> names;
    app.add_option("run", reference, "bundle name, bundle stem, or stem@machine[.N]")->required();
    app.add_option("--machine", machine, "the machine it ran on (when it ran on several)");
    app.add_option("--job", names, "only these jobs (and the jobs waiting for them)")->expected(1, -1);
    if (auto done = parse_strict(app, args)) return *done;

    auto [config, runs, run, access] = observe::open_run(load_config(), reference, machine);
    const auto stopped = observe::stop_jobs(run, runs, *access.scheduler, names);
    const std::string name = run.path.stem().string();
    if (stopped.jobs.empty()) {
        std::cout << fmt::format("milex stop: nothing to stop in {}: every job{} has ended\n", name,
                                 names.empty() ? "" : " named");
        return 0;
    }
    std::cout << fmt::format("milex stop: stopped {} job{} of {} at {}: {}\n", stopped.jobs.size(),
                             stopped.jobs.size() == 1 ? "" : "s", name, stopped.time, util::join(stopped.jobs, ", "))
              << fmt::format("milex stop: milex resume {} submits them again\n", name);
    return 0;
}

} // namespace milex::cli
