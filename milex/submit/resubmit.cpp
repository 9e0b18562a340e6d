#include "milex/submit/submit.hpp"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "milex/submit/site_limits.hpp"
#include "milex/submit/submit_jobs.hpp"
#include "milex/util/error.hpp"

namespace milex::submit {

std::vector<std::string> resubmit(const model::Machine& machine, const Plan& plan, store::StoredRun& run,
                                  const store::RunStore& runs, const std::map<std::string, scheduler::State>& states,
                                  std::set<std::string> chosen, const std::map<std::string, std::vector<size_t>>& tasks,
                                  transport::Transport& transport, scheduler::Scheduler& scheduler,
                                  const Progress& progress) {
    const auto& jobs = plan.bundle.jobs;
    // Everything downstream of a chosen job runs again too.
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& job : jobs) {
            if (chosen.count(job.name)) continue;
            for (const auto& dep : job.dependencies) {
                if (chosen.count(dep)) {
                    chosen.insert(job.name);
                    grew = true;
                    break;
                }
            }
        }
    }
    auto state_of = [&](const std::string& name) {
        auto it = states.find(name);
        return it == states.end() ? scheduler::State::unknown : it->second;
    };
    for (const auto& name : chosen) {
        const model::Job* job = plan.bundle.find(name);
        if (!job) throw Error(fmt::format("bundle {} has no job \"{}\"", plan.file.stem(), name));
        for (const auto& dep : job->dependencies) {
            const auto s = state_of(dep);
            if (chosen.count(dep) || s == scheduler::State::completed || s == scheduler::State::pending ||
                s == scheduler::State::running)
                continue;
            throw Error(fmt::format("job \"{}\" would wait for \"{}\", which is {}; resubmit that one too "
                                    "(--job {} or --failed)",
                                    name, dep, scheduler::state_name(s), dep));
        }
    }

    // The states were read before this lock: a job another milex submitted again meanwhile (a
    // resubmit or resume at the same time) is not submitted a second time.
    std::map<std::string, int> seen;
    for (const auto& name : chosen) seen[name] = run.record.find(name) ? run.record.find(name)->attempt : 0;
    util::FileLock lock = runs.lock(run.record.bundle, run.record.machine);
    run = runs.load(run.path);
    // A job of the run that queues itself again (a retry on timeout) does so under the run's
    // lock on the machine: wait until none does, so that what is cancelled and submitted below
    // is never a retry under way. (Its `scontrol requeue Incomplete` never takes a job we cancel.)
    const std::string machine_lock = bundle_lock_path(machine, run.record.bundle, run.record.submission);
    try {
        scheduler.wait_for_bundle(machine_lock);
    } catch (const Error& e) {
        throw Error(fmt::format("the run's lock {} on machine \"{}\" is still held (a job of the run queueing itself "
                                "again, or a submission); nothing was resubmitted: try again in a minute",
                                machine_lock, machine.name))
            .with_details(e.details());
    }
    for (const auto& [name, attempt] : seen) {
        const model::JobRun* now = run.record.find(name);
        if ((now ? now->attempt : 0) != attempt)
            throw Error(fmt::format("job \"{}\" of run {} was submitted again by another milex meanwhile (attempt {}); "
                                    "nothing was submitted: see milex status {}",
                                    name, run.path.stem().string(), now ? now->attempt : 0, run.path.stem().string()));
    }
    std::vector<std::string> stale;
    std::unordered_map<std::string, std::vector<std::string>> ids;
    for (model::JobRun* job : run.record.latest()) {
        const auto s = state_of(job->name);
        const bool queued = s == scheduler::State::pending || s == scheduler::State::running ||
                            s == scheduler::State::never_ran;
        if (chosen.count(job->name) && queued && !tasks.count(job->name))
            for (const auto& id : job->ids()) stale.push_back(id);
        else if (!chosen.count(job->name) && (s == scheduler::State::completed || s == scheduler::State::pending ||
                                               s == scheduler::State::running))
            ids[job->name] = job->ids();  // SLURM takes afterok on a job that completed (or was purged) as met
    }
    if (!stale.empty()) {
        scheduler.cancel(stale);
        const std::string now = now_iso();
        for (model::JobRun* job : run.record.latest())
            if (std::find(stale.begin(), stale.end(), job->job_id) != stale.end())
                job->states.push_back({"CANCELLED", now, "", "", "", "replaced by a new attempt"});
        runs.save(run.path, run.record);
    }
    std::vector<size_t> indices;
    std::vector<std::string> names;
    for (size_t index : plan.order) {
        if (!chosen.count(jobs[index].name)) continue;
        indices.push_back(index);
        names.push_back(jobs[index].name);
    }
    Target target{machine, plan, runs, transport, scheduler};
    if (!indices.empty()) make_script_folder(target);
    target.max_array = max_array_for(target, indices);
    measure_room(target, indices);
    const size_t waiting = submit_jobs(target, indices, ids, run, progress, 0, indices.size(), tasks);
    if (waiting > 0)
        throw Error(fmt::format("{} of the jobs to resubmit do not fit in the queue of machine \"{}\" ({}); the "
                                "others were submitted: run milex resubmit with --job for the rest later",
                                waiting, machine.name, target.waits_for));
    return names;
}

} // namespace milex::submit
