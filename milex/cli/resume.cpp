#include <iostream>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/observe/runs.hpp"
#include "milex/submit/resume_stopped.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

int resume_command(const Args& args) {
    CLI::App app{"Go on with a stopped run: submit again the jobs milex stop stopped and those never submitted,\n"
                 "as new attempts (MILEX_ATTEMPT counts on, checkpoints are kept), wired to what completed.",
                 "milex resume"};
    std::string reference;
    std::optional<std::string> machine;
    app.add_option("run", reference, "bundle name, bundle stem, or stem@machine[.N]")->required();
    app.add_option("--machine", machine, "the machine it ran on (when it ran on several)");
    if (auto done = parse_strict(app, args)) return *done;

    auto [config, runs, run, access] = observe::open_run(load_config(), reference, machine);
    const std::string name = run.path.stem().string();
    submit::Progress progress;
    progress.submitted = [](const model::JobRun& job, size_t done, size_t all) {
        std::cout << fmt::format("  {:<20} {:>10}  attempt {} [{}/{}]{}\n", job.name, job.job_id, job.attempt, done,
                                 all, job.after.empty() ? "" : "  after " + util::join(job.after, ","))
                  << std::flush;
    };
    const auto submitted =
        submit::resume_stopped(config, run, runs, access.machine, *access.transport, *access.scheduler, progress,
                               [&name] { std::cout << fmt::format("milex resume: {}\n", name) << std::flush; });
    if (submitted.empty()) {
        std::cout << fmt::format("milex resume: nothing to resume in {}: no job was stopped or left unsubmitted\n",
                                 name);
        return 0;
    }
    std::cout << fmt::format("milex resume: {} job{} submitted again: {}\n", submitted.size(),
                             submitted.size() == 1 ? "" : "s", util::join(submitted, ", "));
    return 0;
}

} // namespace milex::cli
