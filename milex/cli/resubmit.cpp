#include <iostream>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/observe/runs.hpp"
#include "milex/introspect/cli_protocol.hpp"
#include "milex/introspect/verify.hpp"
#include "milex/observe/status.hpp"
#include "milex/submit/submit.hpp"
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

    auto [config, runs, run, access] = observe::open_run(reference, machine);
    const store::BundleStore bundles(config.local().path + "/jobs");
    const submit::Plan plan = submit::plan_bundle(bundles, run.record.bundle_file);

    const auto jobs = observe::refresh(run, *access.scheduler, runs);
    std::map<std::string, scheduler::State> states;
    std::vector<std::string> known;
    for (const auto& job : jobs) {
        states[job.name] = job.state.state;
        known.push_back(job.name);
    }
    std::set<std::string> chosen;
    for (const auto& name : names) {
        if (!states.count(name))
            throw Error(fmt::format("run {}@{} has no job \"{}\"{}; it has: {}", run.record.bundle, run.record.machine,
                                    name, util::did_you_mean(name, known), util::join(known, ", ")));
        chosen.insert(name);
    }
    using scheduler::State;
    auto wanted = [&](State state) {
        return (failed && (state == State::failed || state == State::out_of_memory || state == State::node_fail ||
                           state == State::preempted)) ||
               (timeout && state == State::timeout);
    };
    // An array whose other tasks completed runs again with just the tasks that did not.
    std::map<std::string, std::vector<size_t>> tasks;
    for (const auto& job : jobs) {
        if (!wanted(job.state.state)) continue;
        chosen.insert(job.name);
        std::vector<size_t> again;
        bool some_completed = false;
        for (const auto& [task, state] : job.tasks) {
            if (wanted(state.state)) again.push_back(std::stoull(task));
            some_completed = some_completed || state.state == State::completed;
        }
        if (some_completed && !again.empty() && std::find(names.begin(), names.end(), job.name) == names.end())
            tasks[job.name] = again;
    }
    if (chosen.empty()) {
        std::cout << fmt::format("milex resubmit: nothing to resubmit in {} on \"{}\"\n", run.record.bundle,
                                 run.record.machine);
        return 0;
    }
    if (!no_verify) introspect::verify_changed_jobs(plan.bundle, introspect::cli_timeout());

    submit::Progress progress;
    progress.submitted = [](const model::JobRun& job, size_t done, size_t all) {
        std::cout << fmt::format("  {:<20} {:>10}  attempt {} [{}/{}]{}\n", job.name, job.job_id, job.attempt, done,
                                 all, job.after.empty() ? "" : "  after " + util::join(job.after, ","))
                  << std::flush;
    };
    std::cout << fmt::format("milex resubmit: {} on \"{}\"\n", run.record.bundle, run.record.machine) << std::flush;
    const auto submitted =
        submit::resubmit(access.machine, plan, run, runs, states, chosen, tasks, *access.transport, *access.scheduler,
                         progress);
    std::cout << fmt::format("milex resubmit: {} job{} submitted again: {}\n", submitted.size(),
                             submitted.size() == 1 ? "" : "s", util::join(submitted, ", "));
    return 0;
}

} // namespace milex::cli
