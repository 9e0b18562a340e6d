#include "milex/submit/resubmit_choice.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "milex/introspect/cli_protocol.hpp"
#include "milex/introspect/verify.hpp"
#include "milex/observe/status.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::submit {

std::vector<std::string> resubmit_chosen(const model::Config& config, store::StoredRun& run,
                                         const store::RunStore& runs, const model::Machine& machine,
                                         transport::Transport& transport, scheduler::Scheduler& scheduler,
                                         const ResubmitChoice& choice, const Progress& progress,
                                         const std::function<void()>& starting) {
    const store::BundleStore bundles(config.local().path + "/jobs");
    const submit::Plan plan = submit::plan_bundle(bundles, run.record.bundle_file);

    const auto jobs = observe::refresh(run, scheduler, runs);
    std::map<std::string, scheduler::State> states;
    std::vector<std::string> known;
    for (const auto& job : jobs) {
        states[job.name] = job.state.state;
        known.push_back(job.name);
    }
    std::set<std::string> chosen;
    for (const auto& name : choice.names) {
        if (!states.count(name))
            throw Error(fmt::format("run {}@{} has no job \"{}\"{}; it has: {}", run.record.bundle, run.record.machine,
                                    name, util::did_you_mean(name, known), util::join(known, ", ")));
        chosen.insert(name);
    }
    using scheduler::State;
    auto wanted = [&](State state) {
        return (choice.failed && (state == State::failed || state == State::out_of_memory || state == State::node_fail ||
                           state == State::preempted)) ||
               (choice.timeout && state == State::timeout);
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
        if (some_completed && !again.empty() && std::find(choice.names.begin(), choice.names.end(), job.name) == choice.names.end())
            tasks[job.name] = again;
    }
    if (chosen.empty()) return {};
    if (choice.verify == Verify::yes) introspect::verify_changed_jobs(plan.bundle, introspect::cli_timeout());
    if (starting) starting();
    return resubmit(machine, plan, run, runs, states, chosen, tasks, transport, scheduler, progress);

}

} // namespace milex::submit
