#include <iostream>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/observe/runs.hpp"
#include "milex/observe/status.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

int cancel_command(const Args& args) {
    CLI::App app{"Cancel the jobs of a run that have not ended (or only the named ones), in one scancel.",
                 "milex cancel"};
    std::string reference;
    std::optional<std::string> machine;
    std::vector<std::string> names;
    app.add_option("run", reference, "bundle name, bundle stem, or stem@machine[.N]")->required();
    app.add_option("--machine", machine, "the machine it ran on (when it ran on several)");
    app.add_option("--job", names, "only these jobs")->expected(1, -1);
    if (auto done = parse_strict(app, args)) return *done;

    auto [config, runs, run, access] = observe::open_run(reference, machine);
    const auto jobs = observe::refresh(run, *access.scheduler, runs);

    std::vector<std::string> known;
    for (const auto& job : jobs) known.push_back(job.name);
    for (const auto& name : names) {
        if (std::find(known.begin(), known.end(), name) == known.end())
            throw Error(fmt::format("run {}@{} has no job \"{}\"{}; it has: {}", run.record.bundle, run.record.machine,
                                    name, util::did_you_mean(name, known), util::join(known, ", ")));
    }
    std::vector<std::string> ids, cancelled;
    for (const auto& job : jobs) {
        if (!names.empty() && std::find(names.begin(), names.end(), job.name) == names.end()) continue;
        // Jobs held forever behind a failed dependency are still in the queue: cancel them too.
        if (scheduler::is_final(job.state.state) && job.state.state != scheduler::State::never_ran) continue;
        if (job.job_id.empty()) continue;  // never reached the queue
        for (const auto& id : run.record.find(job.name)->ids()) ids.push_back(id);
        cancelled.push_back(job.name);
    }
    if (ids.empty()) {
        std::cout << fmt::format("milex cancel: nothing to cancel in {} on \"{}\": every job has ended\n",
                                 run.record.bundle, run.record.machine);
        return 0;
    }
    access.scheduler->cancel(ids);
    observe::mark(run, runs, cancelled, scheduler::State::cancelled, "cancelled with milex cancel");
    std::cout << fmt::format("milex cancel: cancelled {} job{} of {} on \"{}\": {}\n", cancelled.size(),
                             cancelled.size() == 1 ? "" : "s", run.record.bundle, run.record.machine,
                             util::join(cancelled, ", "));
    return 0;
}

} // namespace milex::cli
