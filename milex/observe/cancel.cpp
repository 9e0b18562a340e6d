#include "milex/observe/cancel.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "milex/observe/status.hpp"
#include "milex/util/clock.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::observe {

namespace {

void check_job_names(const store::StoredRun& run, const std::vector<JobStatus>& jobs,
                     const std::vector<std::string>& names) {
    std::vector<std::string> known;
    for (const auto& job : jobs) known.push_back(job.name);
    for (const auto& name : names) {
        if (std::find(known.begin(), known.end(), name) == known.end())
            throw Error(fmt::format("run {}@{} has no job \"{}\"{}; it has: {}", run.record.bundle, run.record.machine,
                                    name, util::did_you_mean(name, known), util::join(known, ", ")));
    }
}

/// Whether the job is still in the queue: it has not ended, or it is held forever behind a
/// failed dependency. A job that never reached the queue is not.
bool still_queued(const JobStatus& job) {
    if (job.job_id.empty()) return false;
    return !scheduler::is_final(job.state.state) || job.state.state == scheduler::State::never_ran;
}

/// `names` and every job of `jobs` waiting for one of them, directly or not (by the ids recorded
/// as each job's `after`).
std::set<std::string> with_dependents(const model::RunRecord& record, const std::vector<JobStatus>& jobs,
                                      const std::vector<std::string>& names) {
    std::set<std::string> chosen(names.begin(), names.end());
    for (bool grew = true; grew;) {
        grew = false;
        std::set<std::string> ids;
        for (const auto& name : chosen)
            if (const model::JobRun* job = record.find(name))
                for (const auto& id : job->ids()) ids.insert(id);
        for (const auto& job : jobs) {
            if (chosen.count(job.name)) continue;
            if (std::any_of(job.after.begin(), job.after.end(), [&](const std::string& id) { return ids.count(id); })) {
                chosen.insert(job.name);
                grew = true;
            }
        }
    }
    return chosen;
}

} // namespace

std::vector<std::string> cancel_jobs(store::StoredRun& run, const store::RunStore& runs,
                                     scheduler::Scheduler& scheduler, const std::vector<std::string>& names,
                                     const std::string& reason) {
    const auto jobs = refresh(run, scheduler, runs);
    check_job_names(run, jobs, names);
    std::vector<std::string> ids, cancelled;
    for (const auto& job : jobs) {
        if (!names.empty() && std::find(names.begin(), names.end(), job.name) == names.end()) continue;
        if (!still_queued(job)) continue;
        for (const auto& id : run.record.find(job.name)->ids()) ids.push_back(id);
        cancelled.push_back(job.name);
    }
    if (ids.empty()) return {};
    scheduler.cancel(ids);
    mark(run, runs, cancelled, scheduler::State::cancelled, reason);
    return cancelled;
}

Stopped stop_jobs(store::StoredRun& run, const store::RunStore& runs, scheduler::Scheduler& scheduler,
                  const std::vector<std::string>& names) {
    const auto jobs = refresh(run, scheduler, runs);
    check_job_names(run, jobs, names);
    const std::set<std::string> chosen = with_dependents(run.record, jobs, names);
    std::vector<std::string> ids, stopped;
    for (const auto& job : jobs) {
        if (!names.empty() && !chosen.count(job.name)) continue;
        if (!still_queued(job)) continue;
        for (const auto& id : run.record.find(job.name)->ids()) ids.push_back(id);
        if (job.state.state != scheduler::State::never_ran) stopped.push_back(job.name);
    }
    if (!ids.empty()) scheduler.cancel(ids);
    if (stopped.empty()) return {};
    Stopped out{stopped, util::iso_utc(std::chrono::system_clock::now())};
    mark(run, runs, stopped, scheduler::State::stopped, "stopped by you at " + out.time,
         [&](model::RunRecord& record) { record.stopped = out.time; });
    return out;
}

} // namespace milex::observe
