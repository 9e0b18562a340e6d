#include "milex/scheduler/slurm.hpp"

#include <chrono>
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "milex/scheduler/reports.hpp"
#include "milex/scheduler/slurm_parse.hpp"
#include "milex/scheduler/status_files.hpp"
#include "milex/util/clock.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::scheduler {

namespace {
constexpr std::chrono::seconds k_sbatch_timeout{120};

/// The rows of `squeue -h -o %i`: one job, or one array task with -r.
size_t squeue_rows(const std::string& out) {
    size_t count = 0;
    for (const auto& line : util::split(out, '\n'))
        if (!util::trim(line).empty()) ++count;
    return count;
}
constexpr std::chrono::seconds k_query_timeout{120};

/// Whether a SLURM id (answering for `query`) is the job milex submitted: SLURM reuses ids, so
/// the name must match and the submit time be within a day (clusters print local time).
bool ours(const JobQuery& query, const std::string& name, const std::string& submitted) {
    if (!name.empty() && name != query.name) return false;
    const auto mine = slurm::epoch_of(query.submitted, true);
    const auto theirs = slurm::epoch_of(submitted, false);
    if (!mine || !theirs) return true;
    // A requeued job's submit time is that of its requeue: any time after ours.
    if (query.requeue && *theirs >= *mine - 26 * 3600) return true;
    return std::llabs(*mine - *theirs) <= 26 * 3600;
}

std::string joined_ids(const std::vector<std::string>& ids) { return util::join(ids, ","); }

} // namespace

tl::expected<Submission, std::string> parse_parsable(const std::string& output) {
    // The id is on the last line; sites print notices before it.
    const std::string line = util::last_line(output);
    const size_t semicolon = line.find(';');
    Submission submission{line.substr(0, semicolon), semicolon == std::string::npos ? "" : line.substr(semicolon + 1)};
    const bool id_ok = !submission.job_id.empty() && submission.job_id.size() <= 18 &&
                       std::all_of(submission.job_id.begin(), submission.job_id.end(), ::isdigit);
    const bool cluster_ok = std::all_of(submission.cluster.begin(), submission.cluster.end(),
                                        [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; });
    if (!id_ok || !cluster_ok || (semicolon != std::string::npos && submission.cluster.empty()))
        return tl::unexpected(fmt::format("sbatch printed no job id (got \"{}\")", util::excerpt(output)));
    return submission;
}

std::vector<std::string> SlurmScheduler::submit_command(const SubmitRequest& request) const {
    std::vector<std::string> argv = {"sbatch", "--parsable"};
    if (!request.tag.empty()) argv.push_back("--comment=" + request.tag);
    if (!request.array.empty()) argv.push_back("--array=" + request.array);
    // The job's environment gets its tag (the script writes it into its exit-status file, where
    // find_submitted looks once the job has ended: sacct keeps comments only with
    // AccountingStoreFlags=job_comment) and its array offset. --export splits at commas.
    std::vector<std::string> exports;
    if (!request.tag.empty() && request.tag.find(',') == std::string::npos) exports.push_back("MILEX_TAG=" + request.tag);
    if (request.task_offset > 0) exports.push_back(fmt::format("MILEX_TASK_OFFSET={}", request.task_offset));
    if (!exports.empty()) argv.push_back("--export=ALL," + util::join(exports, ","));
    if (!request.after_ok.empty()) argv.push_back("--dependency=afterok:" + util::join(request.after_ok, ":"));
    argv.push_back(request.script_path);
    return argv;
}

Submission SlurmScheduler::submit(const SubmitRequest& request) {
    return submission_of(request, m_transport.run(submit_command(request), k_sbatch_timeout));
}

Submission SlurmScheduler::submission_of(const SubmitRequest& request, const util::ProcessResult& result) const {
    if (!result.succeeded()) {
        std::string reason = util::last_line(result.err);
        if (reason.empty()) reason = result.describe_end(k_sbatch_timeout);
        throw Error(fmt::format("sbatch refused job \"{}\" on {}: {}", request.job_name, m_transport.where(), reason))
            .with_details(result.err);
    }
    auto submission = parse_parsable(result.out);
    if (!submission) throw Error(fmt::format("job \"{}\": {}", request.job_name, submission.error()));
    return *submission;
}

LoopDialect SlurmScheduler::loop_dialect() const {
    return {[this](const SubmitRequest& request) { return submit_command(request); },
            [this](const SubmitRequest& request, const util::ProcessResult& result) { return submission_of(request, result); },
            "i=${o%%;*}"};
}

void SlurmScheduler::submit_bundle(const std::vector<BundleJob>& jobs, const std::string& lock,
                                   const BundleSubmitted& submitted) {
    if (!submit_in_one_go(m_transport, jobs, lock, loop_dialect(), submitted))
        Scheduler::submit_bundle(jobs, lock, submitted);  // no flock(1) there: one by one
}

void SlurmScheduler::wait_for_bundle(const std::string& lock) { wait_for_lock(m_transport, lock); }

} // namespace milex::scheduler

namespace milex::scheduler {

util::ProcessResult SlurmScheduler::call(const std::vector<std::string>& argv, bool allow_failure) {
    auto result = m_transport.run(argv, k_query_timeout);
    if (!result.succeeded() && !allow_failure) {
        std::string reason = util::last_line(result.err);
        if (reason.empty()) reason = result.describe_end(k_query_timeout);
        throw Error(fmt::format("{} failed on {}: {}", argv[0], m_transport.where(), reason)).with_details(result.err);
    }
    return result;
}

std::map<std::string, JobReport> SlurmScheduler::query(const std::vector<JobQuery>& jobs) {
    if (jobs.empty()) return {};
    ReportBook book(jobs);
    auto tasks_of = [](const std::string& spec) {
        return spec.empty() ? std::vector<std::string>{} : slurm::array_indices(spec);
    };
    std::vector<std::string> ids;
    for (const auto& job : jobs) ids.push_back(job.id);

    // 1. The live queue, for every job at once. squeue refuses a list of ids it all forgot.
    auto queue = call({"squeue", "-h", "-j", joined_ids(ids), "-o", slurm::queue_format()}, true);
    if (!queue.succeeded() && queue.err.find("Invalid job id") == std::string::npos)
        throw Error(fmt::format("squeue failed on {}: {}", m_transport.where(), util::last_line(queue.err)))
            .with_details(queue.err);
    for (const auto& row : slurm::parse_queue(queue.out)) {
        const JobQuery* job = book.job(row.job_id);
        if (!job || !ours(*job, row.name, row.submitted)) continue;
        book.record(row.job_id, tasks_of(row.tasks), row.state, true);
    }

    // 1b. Jobs SLURM may have queued again under their ids: each earlier run is a line of
    // `sacct -D` (oldest first), the last line the run of now. One sacct for all of them.
    const long long now_seconds = static_cast<long long>(std::time(nullptr));
    auto since_of = [&](const std::vector<std::string>& of) {
        long long oldest = 0;
        for (const auto& id : of)
            if (auto t = slurm::epoch_of(book.job(id)->submitted, true)) oldest = std::max(oldest, now_seconds - *t);
        // sacct looks back only to midnight without -S; a day more than the oldest job covers clock skew.
        return fmt::format("now-{}", oldest + 86400);
    };
    std::vector<std::string> requeueable;
    for (const auto& job : jobs)
        if (job.requeue && job.array.empty()) requeueable.push_back(job.id);
    if (!requeueable.empty() && m_site.accounting.value_or(true)) {
        auto runs = call({"sacct", "-D", "-X", "-n", "-P", "-j", joined_ids(requeueable), "-S", since_of(requeueable),
                          "-o", slurm::accounting_fields()},
                         true);
        if (runs.succeeded()) {
            std::map<std::string, std::vector<slurm::AccountingRow>> by_id;
            for (auto& row : slurm::parse_accounting(runs.out)) {
                const JobQuery* job = book.job(row.job_id);
                if (job && row.tasks.empty() && ours(*job, row.name, row.submitted))
                    by_id[row.job_id].push_back(std::move(row));
            }
            for (auto& [id, rows] : by_id) {
                for (size_t i = 0; i + 1 < rows.size(); ++i) {
                    JobState earlier = rows[i].state;
                    // sacct says REQUEUED for a job that asked for it itself (retry on timeout).
                    if (earlier.state == State::pending) earlier.reason = "requeued before its time limit";
                    book.record_requeue(id, earlier);
                }
                if (is_final(rows.back().state.state)) book.record(id, {}, rows.back().state, false);
            }
        }
    }

    // 2. What the queue forgot: accounting, when the site keeps it.
    std::string accounting_silent;
    auto missing = book.unresolved();
    if (!missing.empty() && m_site.accounting.value_or(true)) {
        auto accounting = call({"sacct", "-X", "-n", "-P", "-j", joined_ids(missing), "-S", since_of(missing), "-o",
                                slurm::accounting_fields()},
                               true);
        if (accounting.succeeded()) {
            for (const auto& row : slurm::parse_accounting(accounting.out)) {
                const JobQuery* job = book.job(row.job_id);
                if (!job || !ours(*job, row.name, row.submitted)) continue;
                // slurmdbd lags behind the controller: a job the queue no longer has, which
                // accounting still calls pending or running, has ended in a way sacct has not
                // heard of yet. The exit-status file will say.
                if (!is_final(row.state.state)) continue;
                book.record(row.job_id, tasks_of(row.tasks), row.state, false);
            }
        } else if (accounting.err.find("disabled") != std::string::npos ||
                   accounting.err.find("not enabled") != std::string::npos) {
            m_site.accounting = false;  // asked once per milex; exit-status files from now on
        } else {
            // slurmdbd down or overloaded: the queue and the exit-status files still tell most;
            // what they cannot tell says why (and the next status asks sacct again).
            accounting_silent = fmt::format("accounting (sacct) did not answer: {}", util::excerpt(util::last_line(accounting.err), 100));
        }
    }

    // 3. Still missing: the exit-status files the batch scripts wrote, read in one command.
    if (!m_site.status_dir.empty()) {
        const auto file_of = book.status_files(m_site.status_dir);
        std::vector<std::string> paths;
        for (const auto& entry : file_of) paths.push_back(entry.first);
        const auto contents = paths.empty() ? std::map<std::string, std::string>{}
                                            : read_status_files(m_transport, paths, k_query_timeout);
        for (const auto& [file, text] : contents) {
            const auto& [id, task] = file_of.at(file);
            auto state = slurm::parse_status_file(text);
            if (!state) continue;
            if (state->state == State::running) {
                // Gone from the queue with a start and no end: killed before its trap ran.
                state->state = State::unknown;
                state->reason = "ended without writing its exit status (time limit, memory, cancel or node failure)";
            }
            if (state->reason == "stopped by SIGTERM") {
                // SLURM's SIGTERM: at the time limit it is a time-out, before it a cancel. The
                // script writes its start when it runs, which on a loaded node is 20 s and more
                // after SLURM started the job (measured here at load 9: 22–25 s), so a TERM in
                // the last 30 s (or tenth) of the limit counts as the limit.
                const long long limit = slurm::time_limit_seconds(book.job(id)->time_limit);
                const auto start = slurm::epoch_of(state->start, true), end = slurm::epoch_of(state->end, true);
                const long long slack = std::max<long long>(30, limit / 10);
                const bool at_limit = limit > 0 && start && end && *end - *start >= limit - slack;
                state->state = at_limit ? State::timeout : State::cancelled;
                state->exit_code.clear();  // the shell's 143 says nothing more than the state
            }
            book.record(id, task.empty() ? std::vector<std::string>{} : std::vector<std::string>{task}, *state, false);
        }
    }

    // 4. The rest vanished without a trace; arrays take the state of their tasks.
    return book.finish(accounting_silent.empty() ? "gone from the queue without an exit-status file" : accounting_silent);
}

std::optional<Submission> SlurmScheduler::find_submitted(const SubmitRequest& request, const std::string& since) {
    if (request.tag.empty()) return std::nullopt;
    // The queue first: a job accepted moments ago is there, with its comment.
    auto queue = call({"squeue", "-h", "--me", "-n", request.job_name, "-o", "%F|%k"}, true);
    if (queue.succeeded()) {
        for (const auto& line : util::split(queue.out, '\n')) {
            const auto bar = line.find('|');
            if (bar != std::string::npos && line.substr(bar + 1) == request.tag) return Submission{line.substr(0, bar), ""};
        }
    }
    // Already ended: the exit-status file the script wrote its tag into, then accounting, when
    // the site keeps it (and keeps comments).
    if (auto id = find_tagged_status(m_transport, m_site.status_dir, request.job_name, request.tag, k_query_timeout);
        !id.empty())
        return Submission{id, ""};
    if (!m_site.accounting.value_or(true)) return std::nullopt;
    const auto start = slurm::epoch_of(since, true);
    const long long back = start ? std::max<long long>(0, static_cast<long long>(std::time(nullptr)) - *start) + 3600 : 86400;
    auto accounting = call({"sacct", "-X", "-n", "-P", "--name=" + request.job_name, "-S", fmt::format("now-{}", back),
                            "-o", "JobID,Comment"},
                           true);
    if (!accounting.succeeded()) return std::nullopt;
    for (const auto& line : util::split(accounting.out, '\n')) {
        const auto bar = line.find('|');
        if (bar == std::string::npos || line.substr(bar + 1) != request.tag) continue;
        return Submission{line.substr(0, std::min(line.find('_'), bar)), ""};
    }
    return std::nullopt;
}

void SlurmScheduler::cancel(const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    std::vector<std::string> argv = {"scancel"};
    argv.insert(argv.end(), ids.begin(), ids.end());
    call(argv);
}

size_t SlurmScheduler::queued_jobs() {
    return squeue_rows(call({"squeue", "-h", "--me", "-r", "-t", "PENDING,RUNNING,CONFIGURING,COMPLETING,SUSPENDED",
                             "-o", "%i"}).out);
}

std::optional<size_t> SlurmScheduler::submit_limit() {
    if (!m_site.accounting.value_or(true)) return std::nullopt;
    // The user's associations; the smallest MaxSubmitJobs set among them binds.
    auto direct = call({"sh", "-c", "sacctmgr -n -P show assoc where user=\"$(id -un)\" format=MaxSubmit"}, true);
    if (!direct.succeeded()) return std::nullopt;
    return slurm::parse_submit_limit(direct.out);
}

std::optional<size_t> SlurmScheduler::max_array_size() {
    auto config = call({"scontrol", "show", "config"});
    return slurm::config_count(config.out, "MaxArraySize");
}

std::optional<size_t> SlurmScheduler::max_job_count() {
    auto config = call({"scontrol", "show", "config"});
    return slurm::config_count(config.out, "MaxJobCount");
}

size_t SlurmScheduler::held_jobs() {
    return squeue_rows(call({"squeue", "-h", "-a", "-r", "-t", "all", "-o", "%i"}).out);
}

std::vector<PartitionResources> SlurmScheduler::resources() {
    auto nodes = call({"scontrol", "show", "node", "-o", "-d"});
    auto pending = call({"squeue", "-h", "-t", "PENDING", "-o", "%P|%b"});
    return slurm::parse_resources(nodes.out, pending.out);
}

std::optional<Usage> SlurmScheduler::usage(std::chrono::seconds since) {
    // One round trip: the user's jobs in the window (sacct, times cut to it), the fair-share
    // tree above the user (sshare), the associations of the user's accounts and the QOS
    // (sacctmgr); each section ends with its command's exit status.
    const std::string script = fmt::format(R"sh(u=$(id -un)
printf '@user %s\n' "$u"
printf '@cluster %s\n' "$(scontrol show config 2>/dev/null | sed -n 's/^ClusterName *= *//p')"
printf '@jobs\n'; sacct -X -D -T -n -P -u "$u" -S now-{0} -E now -o {1} 2>&1; printf '@status %s\n' $?
printf '@shares\n'; sshare -n -P -o {2} 2>&1; printf '@status %s\n' $?
accounts=$(sacctmgr -n -P show assoc where user="$u" format=Account 2>/dev/null | sort -u | paste -sd, -)
printf '@assoc\n'; [ -z "$accounts" ] || sacctmgr -n -P show assoc where accounts="$accounts" format={3} 2>&1; printf '@status %s\n' $?
printf '@qos\n'; sacctmgr -n -P show qos format={4} 2>&1; printf '@status %s\n' $?
)sh",
                                           since.count(), slurm::usage_job_fields(), slurm::usage_share_fields(),
                                           slurm::usage_assoc_fields(), slurm::usage_qos_fields());
    auto result = call({"sh", "-c", script});
    auto usage = slurm::parse_usage(result.out);
    if (!usage) throw Error(fmt::format("milex usage on {}: {}", m_transport.where(), usage.error()));
    return *usage;
}

} // namespace milex::scheduler
