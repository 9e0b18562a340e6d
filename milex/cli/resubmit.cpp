#include <iostream>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/observe/runs.hpp"
#include "milex/submit/resubmit_choice.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

int resubmit_command(const Args& args) {
    CLI::App app{"Submit again the chosen jobs of a run and every job depending on them, as new attempts.\n"
                 "Jobs that completed do not run again; dependencies on them are satisfied.",
                 "milex resubmit"};
    std::string reference;
    std::optional<std::string> machine;
    std::vector<std::string> names;
    bool failed = false, timeout = false, no_verify = false;
    app.add_option("run", reference, "bundle name, bundle stem, or stem@machine[.N]")->required();
    app.add_option("--machine", machine, "the machine it ran on (when it ran on several)");
    app.add_flag("--failed", failed, "jobs that failed, ran out of memory, lost their node or were preempted");
    app.add_flag("--timeout", timeout, "jobs that reached their time limit");
    app.add_option("--job", names, "these jobs")->expected(1, -1);
    app.add_flag("--no-verify,--no_verify", no_verify, "do not check edited jobs with their applications' -cli");
    if (auto done = parse_strict(app, args)) return *done;
    if (!failed && !timeout && names.empty())
        throw UsageError("milex resubmit: say which jobs: --failed, --timeout and/or --job NAME");

    auto [config, runs, run, access] = observe::open_run(load_config(), reference, machine);
    submit::ResubmitChoice choice;
    choice.failed = failed;
    choice.timeout = timeout;
    choice.names = names;
    choice.verify = no_verify ? submit::Verify::no : submit::Verify::yes;
    submit::Progress progress;
    progress.submitted = [](const model::JobRun& job, size_t done, size_t all) {
        std::cout << fmt::format("  {:<20} {:>10}  attempt {} [{}/{}]{}\n", job.name, job.job_id, job.attempt, done,
                                 all, job.after.empty() ? "" : "  after " + util::join(job.after, ","))
                  << std::flush;
    };
    const std::string heading = fmt::format("milex resubmit: {} on \"{}\"\n", run.record.bundle, run.record.machine);
    const auto submitted =
        submit::resubmit_chosen(config, run, runs, access.machine, *access.transport, *access.scheduler, choice,
                                progress, [&heading] { std::cout << heading << std::flush; });
    if (submitted.empty()) {
        std::cout << fmt::format("milex resubmit: nothing to resubmit in {} on \"{}\"\n", run.record.bundle,
                                 run.record.machine);
        return 0;
    }
    std::cout << fmt::format("milex resubmit: {} job{} submitted again: {}\n", submitted.size(),
                             submitted.size() == 1 ? "" : "s", util::join(submitted, ", "));
    return 0;
}

} // namespace milex::cli
