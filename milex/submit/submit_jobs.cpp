#include "milex/submit/submit_jobs.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "milex/render/script.hpp"
#include "milex/scheduler/request.hpp"
#include "milex/submit/array_pieces.hpp"
#include "milex/util/clock.hpp"
#include "milex/util/error.hpp"
#include "milex/util/hash.hpp"
#include "milex/util/interrupt.hpp"

namespace milex::submit {

std::string job_hash(const model::Job& job) { return util::sha256_hex(job.to_json().dump()); }

std::string now_iso() { return util::iso_utc(std::chrono::system_clock::now()); }

scheduler::Submission submit_piece(scheduler::Scheduler& scheduler, const scheduler::SubmitRequest& request,
                                   const std::string& since, std::string& adopted) {
    try {
        return scheduler.submit(request);
    } catch (const Error& e) {
        // sbatch may fail after the controller accepted the job (a time-out on a busy
        // controller, a lost connection): adopt that job rather than submit a twin.
        std::optional<scheduler::Submission> found;
        const std::exception_ptr first = std::current_exception();
        try {
            found = scheduler.find_submitted(request, since);
        } catch (const transport::ConnectionLost&) {
            std::rethrow_exception(first);  // the connection is gone: its first failure says best why
        }
        if (!found) throw;
        adopted = fmt::format("found in the queue by its tag after: {}", e.what());
        return *found;
    }
}

void make_script_folder(Target& target) {
    try {
        target.transport.make_directories(target.machine.path + "/slurm");
    } catch (const Error& e) {
        throw Error(fmt::format("machine \"{}\": {}; fix its \"path\" with milex-configuration", target.machine.name,
                                e.what()));
    }
}

namespace {

/// A job whose script is written and whose split is known, waiting for its sbatch.
struct Pending {
    size_t index;
    int attempt;
    std::string path;
    std::string sha256;
    std::vector<Piece> pieces;
};

/// Renders and writes the scripts of the jobs at `indices` and computes every split, before the
/// first sbatch, so a bad path, a full disk or an array too large stops the run before anything
/// is queued.
std::vector<Pending> write_scripts(Target& target, const std::vector<size_t>& indices, const store::StoredRun& run,
                                   const std::map<std::string, std::vector<size_t>>& tasks) {
    const auto& jobs = target.plan.bundle.jobs;
    std::vector<Pending> pending;
    std::vector<transport::FileWrite> scripts;
    for (size_t index : indices) {
        const model::Job& job = jobs[index];
        const auto options = scheduler::job_request(job, target.machine);
        if (target.machine.scheduler == model::SchedulerKind::none && model::find_option(options, "array"))
            throw Error(fmt::format("job \"{}\" is an array (--array or a sweep), which needs a batch scheduler (SLURM "
                                    "or Grid Engine); machine \"{}\" runs jobs directly (\"scheduler\": \"none\")",
                                    job.name, target.machine.name));
        auto subset = tasks.find(job.name);
        auto pieces = pieces_of(job, options, subset == tasks.end() ? nullptr : &subset->second, target.max_array,
                                target.machine.name);
        const model::JobRun* before = run.record.find(job.name);
        const int attempt = before ? before->attempt + 1 : 1;
        std::string path = script_path(target.machine, target.plan.file.stem(), job.name, run.record.submission);
        if (attempt > 1) path.insert(path.size() - 3, fmt::format(".attempt{}", attempt));
        static const ContainerPlan k_no_containers;
        std::string script = render_job(job, target.machine, target.plan.file.stem(),
                                        target.containers ? *target.containers : k_no_containers, attempt);
        pending.push_back({index, attempt, path, util::sha256_hex(script), std::move(pieces)});
        scripts.push_back({std::move(path), std::move(script), transport::FileMode::executable});
    }
    // All in one go: over SSH, one round trip for the whole bundle.
    target.transport.write_files(scripts);
    return pending;
}

/// How many queue places `job` takes: the queue cap counts array tasks one by one.
size_t places_needed(const Target& target, const model::Job& job, const std::vector<Piece>& pieces) {
    const auto options = scheduler::job_request(job, target.machine);
    const auto* own_array = model::find_option(options, "array");
    size_t needed = 0;
    for (const auto& piece : pieces) {
        const std::string spec = !piece.array.empty() ? piece.array : own_array ? *own_array : "";
        needed += spec.empty() ? 1 : model::array_indices(spec).size();
    }
    return needed;
}

/// The ids `job` waits for: its image's conversion job, then its dependencies' ids.
std::vector<std::string> wait_list(const model::Job& job, const std::map<std::string, std::string>& conversions,
                                   const std::unordered_map<std::string, std::vector<std::string>>& ids) {
    std::vector<std::string> after;
    if (job.container)
        if (auto it = conversions.find(job.container->image); it != conversions.end()) after.push_back(it->second);
    for (const auto& dep : job.dependencies) {
        auto it = ids.find(dep);
        if (it == ids.end()) continue;
        for (const auto& id : it->second)
            if (std::find(after.begin(), after.end(), id) == after.end()) after.push_back(id);
    }
    return after;
}

/// The record's entry for `item` before its sbatch: the intent, which lets the next milex-run
/// look the tag up instead of submitting a twin if milex dies now.
model::JobRun intent(const Target& target, const model::Job& job, const Pending& item,
                     std::vector<std::string> after, const std::string& token) {
    model::JobRun job_run;
    job_run.name = job.name;
    job_run.submitted = now_iso();
    job_run.script = item.path;
    job_run.script_sha256 = item.sha256;
    job_run.job_sha256 = job_hash(job);
    job_run.after = std::move(after);
    job_run.attempt = item.attempt;
    job_run.tag = fmt::format("milex:{}:{}:{}", token, job.name, item.attempt);
    const auto options = scheduler::job_request(job, target.machine);
    const auto& pieces = item.pieces;
    if (const auto* array = model::find_option(options, "array")) job_run.array = *array;
    if (!pieces.front().array.empty() && pieces.size() == 1) job_run.array = pieces.front().array;
    if (const auto* time = model::find_option(options, "time")) job_run.time_limit = *time;
    if (pieces.size() > 1)
        for (size_t k = 0; k < pieces.size(); ++k)
            job_run.parts.push_back({"", pieces[k].offset, pieces[k].array, fmt::format("{}:p{}", job_run.tag, k)});
    job_run.states.push_back({"SUBMITTING", job_run.submitted, "", "", "", ""});
    return job_run;
}

/// Submits every piece of the record's last entry (`entry`); returns how it was adopted, if it
/// was. When a piece fails, what reached the queue is kept in the record and the error rethrown.
std::string submit_pieces(Target& target, const model::Job& job, const Pending& item, store::StoredRun& run,
                          size_t entry) {
    const auto& pieces = item.pieces;
    std::string adopted;
    for (size_t k = 0; k < pieces.size(); ++k) {
        model::JobRun& recorded = run.record.jobs.back();
        const std::string tag = pieces.size() > 1 ? recorded.parts[k].tag : recorded.tag;
        scheduler::SubmitRequest request{job.name, item.path, recorded.after, tag, pieces[k].array, pieces[k].offset,
                                          recorded.time_limit};
        scheduler::Submission submitted;
        try {
            submitted = submit_piece(target.scheduler, request, recorded.submitted, adopted);
        } catch (const Error&) {
            // Nothing of it reached the queue: forget the intent. Some parts did: keep them
            // (milex-run again submits the rest).
            if (k == 0) {
                run.record.jobs.pop_back();
                target.runs.record_truncation(run, run.record.jobs.size());
            }
            target.runs.save(run.path, run.record);
            throw;
        }
        if (pieces.size() > 1) recorded.parts[k].job_id = submitted.job_id;
        else recorded.job_id = submitted.job_id;
        recorded.cluster = submitted.cluster;
        if (pieces.size() > 1) target.runs.record_job(run, entry);
    }
    return adopted;
}

} // namespace

size_t submit_jobs(Target& target, const std::vector<size_t>& indices,
                   std::unordered_map<std::string, std::vector<std::string>>& ids, store::StoredRun& run,
                   const Progress& progress, size_t done, size_t total,
                   const std::map<std::string, std::vector<size_t>>& tasks) {
    const auto& jobs = target.plan.bundle.jobs;
    const std::vector<Pending> pending = write_scripts(target, indices, run, tasks);

    target.runs.save(run.path, run.record);
    // Conversions of the images the jobs still to submit use (a resumed run converts only those).
    std::set<std::string> images;
    for (const auto& item : pending)
        if (jobs[item.index].container) images.insert(jobs[item.index].container->image);
    const auto conversions = images.empty() || !target.convert ? std::map<std::string, std::string>{}
                                                                : target.convert(images);
    size_t submitted_now = 0;
    for (const auto& item : pending) {
        // A SIGINT or SIGTERM stops here, between two sbatch, with the record whole.
        if (util::interrupt_signal() != 0) {
            target.runs.save(run.path, run.record);
            util::stop_if_interrupted();
        }
        const model::Job& job = jobs[item.index];
        // What does not fit under the queue cap, or in the controller, waits for the next run.
        if (target.limit || target.held_limit) {
            const size_t needed = places_needed(target, job, item.pieces);
            if (target.limit && needed > *target.limit)
                throw Error(fmt::format("job \"{}\" has {} tasks, more than the {} jobs machine \"{}\" lets you have "
                                        "queued at once; raise \"max_queued\" or split the job",
                                        job.name, needed, *target.limit, target.machine.name));
            if (target.held_limit && needed > *target.held_limit)
                throw Error(fmt::format("job \"{}\" has {} tasks, more than the {} jobs the controller of machine \"{}\" "
                                        "takes for all its users (MaxJobCount {}); split the sweep into smaller ones",
                                        job.name, needed, *target.held_limit, target.machine.name,
                                        *target.held_limit + 1));
            const bool queue_full = target.limit && needed > target.room;
            if (queue_full || (target.held_limit && needed > target.held_room)) {
                target.waits_for =
                    queue_full ? fmt::format("at most {} queued on \"{}\"", *target.limit, target.machine.name)
                               : fmt::format("the controller of \"{}\" holds at most {} jobs of all users: MaxJobCount",
                                             target.machine.name, *target.held_limit + 1);
                target.runs.save(run.path, run.record);
                return pending.size() - submitted_now;
            }
            if (target.limit) target.room -= needed;
            if (target.held_limit) target.held_room -= needed;
        }
        run.record.jobs.push_back(intent(target, job, item, wait_list(job, conversions, ids), run.record.token));
        const size_t entry = run.record.jobs.size() - 1;
        target.runs.record_job(run, entry);

        const std::string adopted = submit_pieces(target, job, item, run, entry);
        model::JobRun& recorded = run.record.jobs.back();
        if (!recorded.parts.empty()) recorded.job_id = recorded.parts.front().job_id;
        recorded.states.push_back({"SUBMITTED", now_iso(), "", "", "", adopted});
        ids[job.name] = recorded.ids();
        target.runs.record_job(run, entry);
        ++submitted_now;
        if (progress.submitted) progress.submitted(recorded, ++done, total);
    }
    target.runs.save(run.path, run.record);  // the journal folded in
    return 0;
}

} // namespace milex::submit
