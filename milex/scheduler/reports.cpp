#include "milex/scheduler/reports.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "milex/model/slurm_options.hpp"

namespace milex::scheduler {

JobState combine_tasks(const std::map<std::string, JobState>& tasks) {
    JobState combined;
    if (tasks.empty()) return combined;
    auto any = [&](State s) {
        return std::any_of(tasks.begin(), tasks.end(), [&](const auto& t) { return t.second.state == s; });
    };
    if (any(State::running)) combined.state = State::running;
    else if (any(State::pending)) combined.state = State::pending;
    else if (std::all_of(tasks.begin(), tasks.end(), [](const auto& t) { return t.second.state == State::completed; }))
        combined.state = State::completed;
    else {
        combined.state = State::unknown;
        for (State bad : {State::failed, State::out_of_memory, State::timeout, State::node_fail, State::preempted,
                          State::cancelled, State::stopped, State::never_ran, State::unknown}) {
            if (any(bad)) {
                combined.state = bad;
                break;
            }
        }
    }
    size_t done = 0;
    for (const auto& [task, state] : tasks) {
        if (state.state == State::completed) ++done;
        if (combined.node.empty()) combined.node = state.node;
        if (combined.exit_code.empty() && state.state == combined.state) combined.exit_code = state.exit_code;
    }
    combined.reason = fmt::format("{} of {} tasks completed", done, tasks.size());
    return combined;
}

ReportBook::ReportBook(const std::vector<JobQuery>& jobs) {
    for (const auto& job : jobs) {
        m_by_id[job.id] = &job;
        m_ids.push_back(job.id);
        if (job.array.empty()) continue;
        m_expected[job.id] = model::array_indices(job.array);
        m_wanted[job.id] = std::set<std::string>(m_expected[job.id].begin(), m_expected[job.id].end());
    }
}

const JobQuery* ReportBook::job(const std::string& id) const {
    auto it = m_by_id.find(id);
    return it == m_by_id.end() ? nullptr : it->second;
}

void ReportBook::record(const std::string& id, const std::vector<std::string>& tasks, const JobState& state,
                        bool overwrite) {
    const JobQuery* query = job(id);
    if (!query) return;
    JobReport& report = m_reports[id];
    if (query->array.empty()) {
        if (overwrite || report.job.state == State::unknown) report.job = state;
        return;
    }
    const auto& wanted = m_wanted.at(id);
    for (const auto& task : tasks.empty() ? m_expected.at(id) : tasks) {
        if (!wanted.count(task)) continue;  // a list of tasks may run over a whole range
        if (overwrite || !report.tasks.count(task)) report.tasks[task] = state;
    }
}

void ReportBook::record_requeue(const std::string& id, const JobState& state) {
    if (job(id)) m_reports[id].requeues.push_back(state);
}

bool ReportBook::resolved(const std::string& id) const {
    auto it = m_reports.find(id);
    if (it == m_reports.end()) return false;
    if (m_by_id.at(id)->array.empty()) return it->second.job.state != State::unknown;
    for (const auto& index : m_expected.at(id))
        if (!it->second.tasks.count(index)) return false;
    return true;
}

std::vector<std::string> ReportBook::unresolved() const {
    std::vector<std::string> ids;
    for (const auto& id : m_ids)
        if (!resolved(id)) ids.push_back(id);
    return ids;
}

std::map<std::string, std::pair<std::string, std::string>> ReportBook::status_files(const std::string& dir) const {
    std::map<std::string, std::pair<std::string, std::string>> files;
    for (const auto& id : unresolved()) {
        const JobQuery& query = *m_by_id.at(id);
        auto add = [&](const std::string& task) {
            files[fmt::format("{}/{}-{}{}.status", dir, query.name, id, task.empty() ? "" : "_" + task)] = {id, task};
        };
        if (query.array.empty()) {
            add("");
            continue;
        }
        auto known = m_reports.find(id);
        for (const auto& task : m_expected.at(id))
            if (known == m_reports.end() || !known->second.tasks.count(task)) add(task);
    }
    return files;
}

std::map<std::string, JobReport> ReportBook::finish(const std::string& lost_reason) {
    for (const auto& id : m_ids) {
        JobReport& report = m_reports[id];
        if (!m_by_id.at(id)->array.empty()) {
            for (const auto& index : m_expected.at(id)) {
                if (report.tasks.count(index)) continue;
                JobState lost;
                lost.reason = lost_reason;
                report.tasks[index] = lost;
            }
            report.job = combine_tasks(report.tasks);
        } else if (report.job.state == State::unknown && report.job.reason.empty()) {
            report.job.reason = lost_reason;
        }
    }
    return std::move(m_reports);
}

} // namespace milex::scheduler
