#include "milex/submit/resume_stopped.hpp"

#include <algorithm>
#include <set>

#include "milex/observe/status.hpp"
#include "milex/submit/submit_jobs.hpp"

namespace milex::submit {

std::vector<std::string> jobs_to_resume(const model::RunRecord& record, const model::Bundle& bundle,
                                        const std::vector<size_t>& order) {
    const std::string stopped = scheduler::state_name(scheduler::State::stopped);
    std::vector<std::string> out;
    for (size_t index : order) {
        const std::string& name = bundle.jobs[index].name;
        const model::JobRun* latest = record.find(name);
        if (!latest || (!latest->states.empty() && latest->states.back().state == stopped)) out.push_back(name);
    }
    return out;
}

std::vector<std::string> resume_stopped(const model::Config& config, store::StoredRun& run,
                                        const store::RunStore& runs, const model::Machine& machine,
                                        transport::Transport& transport, scheduler::Scheduler& scheduler,
                                        const Progress& progress, const std::function<void()>& starting) {
    const store::BundleStore bundles(config.local().path + "/jobs");
    const Plan plan = plan_bundle(bundles, run.record.bundle_file);
    {
        // Jobs a milex-run was submitting when it stopped are found by their tags (or forgotten
        // when they never reached the queue, and then submitted below as never submitted).
        util::FileLock lock = runs.lock(run.record.bundle, run.record.machine);
        run = runs.load(run.path);
        check_unchanged(plan, run);
        const bool intents = std::any_of(run.record.jobs.begin(), run.record.jobs.end(),
                                         [](const model::JobRun& job) { return job.job_id.empty(); });
        if (intents) {
            if (machine.remote())
                scheduler.wait_for_bundle(bundle_lock_path(machine, run.record.bundle, run.record.submission));
            adopt_interrupted(scheduler, runs, run);
            runs.note_saved(run);
        }
    }
    const auto jobs = observe::refresh(run, scheduler, runs);
    std::map<std::string, scheduler::State> states;
    for (const auto& job : jobs) states[job.name] = job.state.state;
    const std::vector<std::string> chosen = jobs_to_resume(run.record, plan.bundle, plan.order);
    std::vector<std::string> submitted;
    if (!chosen.empty()) {
        if (starting) starting();
        submitted = resubmit(machine, plan, run, runs, states, std::set<std::string>(chosen.begin(), chosen.end()),
                             {}, transport, scheduler, progress);
    }
    if (!run.record.stopped.empty()) {
        util::FileLock lock = runs.lock(run.record.bundle, run.record.machine);
        run = runs.load(run.path);
        run.record.stopped.clear();
        runs.save(run.path, run.record);
        runs.note_saved(run);
    }
    return submitted;
}

} // namespace milex::submit
