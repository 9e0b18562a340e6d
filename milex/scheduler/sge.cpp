#include "milex/scheduler/sge.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "milex/model/slurm_options.hpp"
#include "milex/scheduler/bundle_loop.hpp"
#include "milex/scheduler/reports.hpp"
#include "milex/scheduler/sge_dialect.hpp"
#include "milex/scheduler/sge_parse.hpp"
#include "milex/scheduler/slurm_parse.hpp"
#include "milex/scheduler/status_files.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::scheduler {

namespace {
constexpr std::chrono::seconds k_qsub_timeout{120};
constexpr std::chrono::seconds k_sge_query_timeout{120};

/// The user's jobs, as XML: qstat shows everyone's unless told.
const std::vector<std::string> k_qstat_mine = {"sh", "-c", "exec qstat -xml -u \"$(id -un)\""};
} // namespace

std::vector<std::string> SgeScheduler::submit_command(const SubmitRequest& request) const {
    // -w e: a job no queue could ever run (more GPUs, slots or memory than any host has) is
    // refused now; accepted, it would wait in the queue forever.
    std::vector<std::string> argv = {"qsub", "-terse", "-w", "e"};
    if (!request.tag.empty()) argv.insert(argv.end(), {"-ac", "milex_tag=" + request.tag});
    if (!request.array.empty()) {
        const auto words = sge::array_words(request.array, fmt::format("job \"{}\"", request.job_name));
        argv.insert(argv.end(), words.begin(), words.end());
    }
    std::vector<std::string> variables;
    // The script writes the tag into its exit-status file (find_submitted reads it there once
    // the job has left the queue). -v splits at commas: a tag with one is only in the context.
    if (!request.tag.empty() && request.tag.find(',') == std::string::npos) variables.push_back("MILEX_TAG=" + request.tag);
    if (request.task_offset > 0) variables.push_back(fmt::format("MILEX_TASK_OFFSET={}", request.task_offset));
    if (!request.after_ok.empty()) {
        // -hold_jid waits for the end; the script checks how they ended (SgeDialect::dependency_check).
        argv.insert(argv.end(), {"-hold_jid", util::join(request.after_ok, ",")});
        variables.push_back("MILEX_AFTER=" + util::join(request.after_ok, ":"));
    }
    if (!variables.empty()) argv.insert(argv.end(), {"-v", util::join(variables, ",")});
    argv.push_back(request.script_path);
    return argv;
}

Submission SgeScheduler::submit(const SubmitRequest& request) {
    return submission_of(request, m_transport.run(submit_command(request), k_qsub_timeout));
}

void SgeScheduler::submit_bundle(const std::vector<BundleJob>& jobs, const std::string& lock,
                                 const BundleSubmitted& submitted) {
    const LoopDialect dialect{
        [this](const SubmitRequest& request) { return submit_command(request); },
        [this](const SubmitRequest& request, const util::ProcessResult& result) { return submission_of(request, result); },
        "i=${o%%.*}"};
    if (!submit_in_one_go(m_transport, jobs, lock, dialect, submitted))
        Scheduler::submit_bundle(jobs, lock, submitted);  // no flock(1) there: one by one
}

void SgeScheduler::wait_for_bundle(const std::string& lock) { wait_for_lock(m_transport, lock); }

Submission SgeScheduler::submission_of(const SubmitRequest& request, const util::ProcessResult& result) const {
    if (!result.succeeded()) {
        // qsub ends its refusals with a line "Exiting.": the reason is the line before.
        std::string reason;
        for (const auto& line : util::split(result.err, '\n'))
            if (const std::string trimmed(util::trim(line)); !trimmed.empty() && trimmed != "Exiting.") reason = trimmed;
        if (reason.empty()) reason = result.describe_end(k_qsub_timeout);
        if (reason.find("no suitable queues") != std::string::npos)
            reason += " (no queue of this cell can ever run it: it asks for more slots, GPUs or memory than any "
                      "host has, or for a queue it may not use; lower the request)";
        throw Error(fmt::format("qsub refused job \"{}\" on {}: {}", request.job_name, m_transport.where(), reason))
            .with_details(result.err);
    }
    auto id = sge::parse_terse(result.out);
    if (!id)
        throw Error(fmt::format("job \"{}\": qsub printed no job id (got \"{}\")", request.job_name,
                                util::excerpt(result.out)));
    return {*id, ""};
}

util::ProcessResult SgeScheduler::call(const std::vector<std::string>& argv, bool allow_failure) {
    auto result = m_transport.run(argv, k_sge_query_timeout);
    if (!result.succeeded() && !allow_failure) {
        std::string reason = util::last_line(result.err);
        if (reason.empty()) reason = result.describe_end(k_sge_query_timeout);
        // The commands run through sh are qstat's (k_qstat_mine); the others allow failure.
        const std::string program = argv[0] == "sh" ? "qstat" : argv[0];
        throw Error(fmt::format("{} failed on {}: {}", program, m_transport.where(), reason))
            .with_details(result.err);
    }
    return result;
}

std::optional<Submission> SgeScheduler::find_submitted(const SubmitRequest& request, const std::string&) {
    if (request.tag.empty()) return std::nullopt;
    // The queue, by name: each job's context holds its tag.
    auto jobs = call({"qstat", "-xml", "-j", request.job_name}, true);
    for (const auto& [id, tag] : sge::parse_tags(jobs.out))
        if (tag == request.tag) return Submission{id, ""};
    // Gone from the queue (qacct keeps no context): the script wrote the tag into its exit-status
    // file, `<name>-<id>[_<task>].status`.
    if (auto id = find_tagged_status(m_transport, m_status_dir, request.job_name, request.tag, k_sge_query_timeout); !id.empty())
        return Submission{id, ""};
    return std::nullopt;
}

std::map<std::string, JobReport> SgeScheduler::query(const std::vector<JobQuery>& jobs) {
    if (jobs.empty()) return {};
    ReportBook book(jobs);
    auto one = [](const std::string& task) { return std::vector<std::string>{task}; };

    // 1. The live queue (the user's jobs, one call). Ids are reused after a restart of the
    // cell: a job of another name is not ours.
    auto queue = call(k_qstat_mine);
    for (const auto& entry : sge::parse_qstat(queue.out)) {
        const JobQuery* job = book.job(entry.job_id);
        if (!job || entry.name != job->name) continue;
        JobState state = sge::state_of(entry.state);
        state.node = entry.node;
        if (!entry.start.empty()) state.start = entry.start;
        if (entry.tasks.empty() && job->array.empty()) book.record(entry.job_id, {}, state, true);
        for (size_t task : entry.tasks) book.record(entry.job_id, one(std::to_string(task - 1)), state, true);
    }

    // 2. What left the queue: the exit-status files the scripts wrote, read in one command.
    const auto file_of = book.status_files(m_status_dir);
    if (!file_of.empty()) {
        std::vector<std::string> paths;
        for (const auto& entry : file_of) paths.push_back(entry.first);
        for (const auto& [file, text] : read_status_files(m_transport, paths, k_sge_query_timeout)) {
            const auto& [id, task] = file_of.at(file);
            auto state = slurm::parse_status_file(text);
            // A start without an end: killed before its trap ran (time limit, qdel): qacct says.
            if (!state || state->state == State::running) continue;
            book.record(id, task.empty() ? std::vector<std::string>{} : one(task), *state, false);
        }
    }

    // 3. Still missing: accounting, one qacct per job in one command.
    const auto missing = book.unresolved();
    if (!missing.empty()) {
        std::vector<std::string> argv = {"sh", "-c", "for j; do qacct -j \"$j\" 2>/dev/null; done", "milex-qacct"};
        argv.insert(argv.end(), missing.begin(), missing.end());
        auto accounting = call(argv, true);
        for (const auto& entry : sge::parse_qacct(accounting.out)) {
            const JobQuery* job = book.job(entry.job_id);
            if (!job || entry.name != job->name) continue;
            // A task's line names it; a line without one, for an array, says nothing of its tasks.
            if (entry.task.empty() && !job->array.empty()) continue;
            const std::string task = entry.task.empty() ? "" : std::to_string(std::stoull(entry.task) - 1);
            book.record(entry.job_id, task.empty() ? std::vector<std::string>{} : one(task), entry.state, false);
        }
    }

    // 4. The rest vanished without a trace (deleted before they ran leave no accounting);
    // arrays take the state of their tasks.
    return book.finish("gone from the queue without accounting: deleted before it ran?");
}

void SgeScheduler::cancel(const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    std::vector<std::string> argv = {"qdel"};
    argv.insert(argv.end(), ids.begin(), ids.end());
    auto result = call(argv, true);
    // qdel exits 1 when any id is gone already ("denied: job "5" does not exist"): ignored.
    if (!result.succeeded()) {
        for (const auto& line : util::split(result.err + result.out, '\n')) {
            const std::string trimmed(util::trim(line));
            if (trimmed.empty() || trimmed.find("does not exist") != std::string::npos ||
                trimmed.find("registered the job") != std::string::npos ||
                trimmed.find("has deleted job") != std::string::npos)
                continue;
            throw Error(fmt::format("qdel failed on {}: {}", m_transport.where(), trimmed)).with_details(result.err);
        }
    }
}

size_t SgeScheduler::queued_jobs() {
    auto queue = call(k_qstat_mine);
    size_t count = 0;
    for (const auto& entry : sge::parse_qstat(queue.out)) count += entry.tasks.empty() ? 1 : entry.tasks.size();
    return count;
}

std::optional<size_t> SgeScheduler::submit_limit() {
    auto config = call({"qconf", "-sconf"}, true);
    if (!config.succeeded()) return std::nullopt;
    return sge::config_limit(config.out, "max_u_jobs");
}

std::optional<size_t> SgeScheduler::max_array_size() {
    auto config = call({"qconf", "-sconf"}, true);
    if (!config.succeeded()) return std::nullopt;
    return sge::config_limit(config.out, "max_aj_tasks");
}

std::vector<PartitionResources> SgeScheduler::resources() {
    auto queues = call({"qstat", "-f", "-xml", "-F", "gpu"});
    auto hosts = call({"sh", "-c", "for h in $(qconf -sel); do qconf -se \"$h\"; done"}, true);
    auto pending = call({"qstat", "-xml", "-s", "p", "-r", "-u", "*"}, true);
    return sge::parse_resources(queues.out, hosts.out, pending.out);
}

} // namespace milex::scheduler
