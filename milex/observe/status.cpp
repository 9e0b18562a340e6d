#include "milex/observe/status.hpp"

#include <fmt/format.h>

#include "milex/scheduler/reports.hpp"
#include "milex/scheduler/slurm_parse.hpp"
#include "milex/util/clock.hpp"
#include "milex/util/error.hpp"

namespace milex::observe {

using scheduler::JobState;
using scheduler::State;

namespace {

JobState from_change(const model::StateChange& change) {
    JobState state;
    state.state = scheduler::state_from_name(change.state);
    if (change.state == "SUBMITTED") state.state = State::pending;
    state.exit_code = change.exit_code;
    state.elapsed = change.elapsed;
    state.node = change.node;
    state.reason = change.reason;
    return state;
}

model::StateChange to_change(const JobState& state, const std::string& time) {
    return {scheduler::state_name(state.state), time, state.exit_code, state.elapsed, state.node, state.reason};
}

bool bad_end(State s) {
    return s == State::failed || s == State::timeout || s == State::cancelled || s == State::out_of_memory ||
           s == State::node_fail || s == State::preempted || s == State::never_ran || s == State::stopped;
}

/// The last recorded state of a job, if it ended.
bool ended_in_record(const model::JobRun& job) {
    return !job.states.empty() && job.states.back().state != "SUBMITTED" &&
           scheduler::is_final(scheduler::state_from_name(job.states.back().state));
}

JobStatus status_from_record(const model::JobRun& job) {
    JobStatus status;
    status.name = job.name;
    status.job_id = job.job_id;
    status.attempt = job.attempt;
    status.after = job.after;
    status.requeues = job.requeues;
    status.retries = job.retries;
    if (!job.states.empty()) status.state = from_change(job.states.back());
    for (const auto& [task, change] : job.tasks) status.tasks[task] = from_change(change);
    return status;
}

/// The global task indices `attempt` ran: its array's, or its parts' plus their offsets.
std::vector<std::string> indices_of(const model::JobRun& attempt) {
    if (attempt.parts.empty())
        return attempt.array.empty() ? std::vector<std::string>{} : model::array_indices(attempt.array);
    std::vector<std::string> out;
    for (const auto& part : attempt.parts)
        for (const auto& index : model::array_indices(part.array))
            out.push_back(std::to_string(part.offset + std::stoull(index)));
    return out;
}

/// Adds to `status` (the latest attempt's) the tasks earlier attempts ran and it did not, as
/// recorded when those attempts ended; once the latest has ended, the job's state counts all.
void add_earlier_tasks(const model::RunRecord& record, JobStatus& status) {
    if (status.attempt <= 1) return;  // no earlier attempt (and no walk over every job of the record)
    bool added = false;
    for (const auto& [task, attempt] : task_attempts(record, status.name)) {
        if (attempt->attempt == status.attempt || status.tasks.count(task)) continue;
        auto recorded = attempt->tasks.find(task);
        if (recorded == attempt->tasks.end()) continue;
        status.tasks[task] = from_change(recorded->second);
        EarlierTask earlier{attempt->job_id, task, attempt->attempt};
        for (const auto& part : attempt->parts) {
            if (std::stoull(task) < part.offset) continue;
            earlier.job_id = part.job_id;
            earlier.index = std::to_string(std::stoull(task) - part.offset);
        }
        status.earlier_tasks[task] = earlier;
        added = true;
    }
    if (!added || !scheduler::is_final(status.state.state)) return;
    const JobState whole = scheduler::combine_tasks(status.tasks);
    status.state.state = whole.state;
    status.state.exit_code = whole.exit_code;
    status.state.reason = whole.reason;
}

} // namespace

std::map<std::string, const model::JobRun*> task_attempts(const model::RunRecord& record, const std::string& job) {
    std::map<std::string, const model::JobRun*> out;
    for (const auto& attempt : record.jobs) {  // in the order submitted: a later attempt wins
        if (attempt.name != job) continue;
        for (const auto& index : indices_of(attempt)) out[index] = &attempt;
    }
    return out;
}

std::string JobStatus::title() const {
    if (retries > 0) return fmt::format("{} (attempt {} of {})", name, current_attempt(), attempt + retries);
    if (current_attempt() > 1) return fmt::format("{} (attempt {})", name, current_attempt());
    return name;
}

std::string state_text(const JobState& state) {
    if (state.state == State::never_ran) return "never ran: dependency failed";
    return scheduler::state_name(state.state);
}

bool all_ended(const std::vector<JobStatus>& jobs) {
    for (const auto& job : jobs)
        if (!scheduler::is_final(job.state.state)) return false;
    return true;
}

std::vector<JobStatus> recorded(const model::RunRecord& record) {
    std::vector<JobStatus> out;
    model::RunRecord copy = record;
    for (const model::JobRun* job : copy.latest()) {
        out.push_back(status_from_record(*job));
        add_earlier_tasks(record, out.back());
    }
    return out;
}

void mark(store::StoredRun& run, const store::RunStore& runs, const std::vector<std::string>& jobs,
          scheduler::State state, const std::string& reason, const std::function<void(model::RunRecord&)>& also) {
    util::FileLock lock = runs.lock(run.record.bundle, run.record.machine);
    run = runs.load(run.path);
    const std::string now = util::iso_utc(std::chrono::system_clock::now());
    for (const auto& name : jobs) {
        if (model::JobRun* job = run.record.find(name)) {
            JobState s;
            s.state = state;
            s.reason = reason;
            job->states.push_back(to_change(s, now));
        }
    }
    if (also) also(run.record);
    runs.save(run.path, run.record);
}

std::vector<JobStatus> refresh(store::StoredRun& run, scheduler::Scheduler& scheduler, const store::RunStore& runs) {
    // Another milex may be submitting or observing this run: read it again under its lock.
    util::FileLock lock = runs.lock(run.record.bundle, run.record.machine);
    runs.reload_if_changed(run);

    std::vector<model::JobRun*> latest = run.record.latest();
    std::vector<scheduler::JobQuery> queries;
    for (const model::JobRun* job : latest) {
        if (ended_in_record(*job) || job->job_id.empty()) continue;
        if (job->parts.empty())
            queries.push_back({job->job_id, job->name, job->submitted, job->array, job->time_limit, job->requeue});
        for (const auto& part : job->parts)
            queries.push_back({part.job_id, job->name, job->submitted, part.array, job->time_limit, false});
    }
    auto reports = scheduler.query(queries);
    // A split array is one job: its parts' tasks, numbered from each part's offset.
    for (const model::JobRun* job : latest) {
        if (job->parts.empty() || ended_in_record(*job) || job->job_id.empty()) continue;
        scheduler::JobReport whole;
        for (const auto& part : job->parts) {
            for (const auto& [task, state] : reports[part.job_id].tasks)
                whole.tasks[std::to_string(part.offset + std::stoull(task))] = state;
        }
        whole.job = scheduler::combine_tasks(whole.tasks);
        reports[job->job_id] = whole;
    }

    // Ids of every attempt's job → its state now, to tell who never ran because of whom.
    std::map<std::string, JobState> by_id;
    for (const model::JobRun* job : latest) {
        if (ended_in_record(*job)) by_id[job->job_id] = from_change(job->states.back());
        else if (reports.count(job->job_id)) by_id[job->job_id] = reports[job->job_id].job;
    }

    bool changed = false;
    const std::string now = util::iso_utc(std::chrono::system_clock::now());
    std::vector<JobStatus> out;
    for (model::JobRun* job : latest) {
        if (ended_in_record(*job)) {
            out.push_back(status_from_record(*job));
            add_earlier_tasks(run.record, out.back());
            continue;
        }
        if (job->job_id.empty()) {
            JobStatus status = status_from_record(*job);
            status.state.state = State::unknown;
            status.state.reason = "milex-run stopped while submitting it; run milex-run again";
            out.push_back(std::move(status));
            continue;
        }
        scheduler::JobReport& report = reports[job->job_id];
        JobState state = report.job;
        // Every earlier run under this id lands in the record once, as the attempt it was.
        for (size_t i = job->requeues.size(); i < report.requeues.size(); ++i) {
            const JobState& earlier = report.requeues[i];
            job->requeues.push_back({job->attempt + static_cast<int>(i), job->job_id,
                                     earlier.state == State::pending ? "REQUEUED" : scheduler::state_name(earlier.state),
                                     earlier.start, earlier.end, earlier.reason});
            changed = true;
        }
        if (state.state == State::unknown) {
            for (const auto& dep : job->after) {
                auto it = by_id.find(dep);
                if (it != by_id.end() && bad_end(it->second.state)) {
                    state.state = State::never_ran;
                    state.reason = fmt::format("dependency {} {}", dep, scheduler::state_name(it->second.state));
                    by_id[job->job_id] = state;
                    break;
                }
            }
        }
        const std::string last = job->states.empty() ? "" : job->states.back().state;
        if (scheduler::state_name(state.state) != last && state.state != State::unknown) {
            job->states.push_back(to_change(state, now));
            changed = true;
        }
        if (scheduler::is_final(state.state) && !report.tasks.empty()) {
            for (const auto& [task, task_state] : report.tasks) job->tasks[task] = to_change(task_state, now);
            changed = true;
        }
        JobStatus status = status_from_record(*job);
        status.state = state;
        status.tasks = report.tasks;
        add_earlier_tasks(run.record, status);
        out.push_back(std::move(status));
    }
    if (changed) {
        runs.save(run.path, run.record);
        runs.note_saved(run);
    }
    return out;
}

} // namespace milex::observe
