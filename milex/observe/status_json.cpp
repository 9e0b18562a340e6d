#include "milex/observe/status_json.hpp"

namespace milex::observe {

namespace {

using nlohmann::ordered_json;

ordered_json state_json(const scheduler::JobState& state) {
    ordered_json j = {{"state", scheduler::state_name(state.state)}};
    if (!state.exit_code.empty()) j["exit_code"] = state.exit_code;
    if (!state.elapsed.empty()) j["elapsed"] = state.elapsed;
    if (!state.node.empty()) j["node"] = state.node;
    if (!state.reason.empty()) j["reason"] = state.reason;
    return j;
}

} // namespace

ordered_json run_json(const store::StoredRun& run, const std::vector<JobStatus>& jobs) {
    ordered_json out = {{"bundle", run.record.bundle},
                        {"machine", run.record.machine},
                        {"submission", run.record.submission},
                        {"record", run.path.string()}};
    ordered_json list = ordered_json::array();
    for (const auto& job : jobs) {
        ordered_json j = {{"name", job.name}, {"job_id", job.job_id}, {"attempt", job.current_attempt()}};
        if (job.retries > 0) j["attempts_allowed"] = job.attempt + job.retries;
        if (!job.requeues.empty()) {
            ordered_json earlier = ordered_json::array();
            for (const auto& q : job.requeues)
                earlier.push_back({{"attempt", q.attempt}, {"job_id", q.job_id}, {"state", q.state}, {"start", q.start},
                                   {"end", q.end}, {"reason", q.reason}});
            j["requeues"] = earlier;
        }
        j.update(state_json(job.state));
        if (!job.tasks.empty()) {
            ordered_json tasks = ordered_json::object();
            for (const auto& [task, state] : job.tasks) {
                tasks[task] = state_json(state);
                if (auto earlier = job.earlier_tasks.find(task); earlier != job.earlier_tasks.end()) {
                    tasks[task]["job_id"] = earlier->second.job_id + "_" + earlier->second.index;
                    tasks[task]["attempt"] = earlier->second.attempt;
                }
            }
            j["tasks"] = tasks;
        }
        if (const model::JobRun* recorded = run.record.find(job.name); recorded && recorded->snapshot.is_object())
            j["snapshot"] = recorded->snapshot;
        list.push_back(j);
    }
    out["jobs"] = list;
    return out;
}

ordered_json resources_json(const std::vector<scheduler::PartitionResources>& rows) {
    ordered_json out = ordered_json::array();
    for (const auto& r : rows)
        out.push_back({{"partition", r.partition},
                       {"gpu_type", r.gpu_type},
                       {"gpus_free", r.gpus_free},
                       {"gpus_total", r.gpus_total},
                       {"cpus_free", r.cpus_free},
                       {"cpus_total", r.cpus_total},
                       {"nodes_with_free_gpus", r.nodes_with_free_gpus},
                       {"pending_gpu_jobs", r.pending_gpu_jobs}});
    return out;
}

ordered_json usage_json(const scheduler::Usage& usage) {
    ordered_json accounts = ordered_json::array();
    for (const auto& a : usage.accounts) {
        ordered_json limits = ordered_json::array();
        for (const auto& limit : a.limits) limits.push_back({{"name", limit.name}, {"value", limit.value}, {"from", limit.from}});
        ordered_json j = {{"account", a.account}, {"jobs", a.jobs}, {"cpu_hours", a.cpu_hours}, {"gpu_hours", a.gpu_hours}};
        if (a.fair_share) j["fair_share"] = *a.fair_share;
        if (a.share_of_account) j["share_of_account"] = *a.share_of_account;
        j["limits"] = limits;
        accounts.push_back(j);
    }
    return {{"user", usage.user}, {"cluster", usage.cluster}, {"accounts", accounts}};
}

} // namespace milex::observe
