#include "milex/submit/submit_jobs.hpp"

#include <algorithm>
#include <cstdlib>

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

bool one_go_enabled() {
    const char* value = std::getenv("MILEX_ONE_GO");
    return !value || std::string(value) != "0";
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
                                        target.containers ? *target.containers : k_no_containers, attempt,
                                        run.record.submission);
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
/// look the tag up instead of submitting a twin if milex dies now. A job run again (resubmit)
/// runs the code snapshot of its first attempt, shipped then.
model::JobRun intent(const Target& target, const model::Job& job, const Pending& item,
                     std::vector<std::string> after, const model::RunRecord& record) {
    const std::string& token = record.token;
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
    // Retries on timeout requeue the job from its script, whatever its requeue option.
    const auto* requeue = model::find_option(options, "requeue");
    job_run.requeue = (requeue && *requeue == "true") || job.retries > 0;
    job_run.retries = job.retries;
    if (pieces.size() > 1)
        for (size_t k = 0; k < pieces.size(); ++k)
            job_run.parts.push_back({"", pieces[k].offset, pieces[k].array, fmt::format("{}:p{}", job_run.tag, k)});
    if (job.snapshot && target.snapshots)
        if (const auto* snapshot = target.snapshots->of(job.snapshot->id())) job_run.snapshot = snapshot->details;
    if (const model::JobRun* before = record.find(job.name);
        job.snapshot && job_run.snapshot.is_null() && before && before->snapshot.is_object() &&
        before->snapshot.value("id", "") == job.snapshot->id())
        job_run.snapshot = before->snapshot;
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

namespace {

/// Submits `segment` (single-piece jobs, in order, that fit under the queue cap) in one go
/// (Scheduler::submit_bundle): every job's intent is journalled first, then each id as it comes
/// back. A refusal keeps what was submitted before it (a job the scheduler took after all is
/// adopted by its tag, and the rest is left to the caller); anything else keeps the intents of
/// the jobs not yet reported, for the resume to look up by tag. Returns how many of `segment`
/// are submitted.
size_t submit_in_one_go(Target& target, const std::vector<const Pending*>& segment,
                        const std::map<std::string, std::string>& conversions,
                        std::unordered_map<std::string, std::vector<std::string>>& ids, store::StoredRun& run,
                        const Progress& progress, size_t& done, size_t total) {
    const auto& jobs = target.plan.bundle.jobs;
    const size_t first = run.record.jobs.size();
    std::unordered_map<std::string, size_t> position;
    std::vector<scheduler::BundleJob> bundle;
    for (const Pending* item : segment) {
        const model::Job& job = jobs[item->index];
        run.record.jobs.push_back(intent(target, job, *item, wait_list(job, conversions, ids), run.record));
        target.runs.record_job(run, run.record.jobs.size() - 1);
        const model::JobRun& recorded = run.record.jobs.back();
        scheduler::BundleJob entry{{job.name, item->path, recorded.after, recorded.tag, item->pieces.front().array,
                                    item->pieces.front().offset, recorded.time_limit},
                                   {}};
        for (const auto& dep : job.dependencies)
            if (auto it = position.find(dep); it != position.end()) entry.after_jobs.push_back(it->second);
        position[job.name] = bundle.size();
        bundle.push_back(std::move(entry));
    }
    auto submitted = [&](size_t k, const scheduler::Submission& submission, const std::string& how) {
        const model::Job& job = jobs[segment[k]->index];
        model::JobRun& recorded = run.record.jobs[first + k];
        recorded.job_id = submission.job_id;
        recorded.cluster = submission.cluster;
        recorded.after = wait_list(job, conversions, ids);  // now with the ids of this bundle's jobs
        recorded.states.push_back({"SUBMITTED", now_iso(), "", "", "", how});
        ids[job.name] = recorded.ids();
        target.runs.record_job(run, first + k);
        if (progress.submitted) progress.submitted(recorded, ++done, total);
    };
    const std::string lock =
        bundle_lock_path(target.machine, target.plan.file.stem(), run.record.submission);
    try {
        target.scheduler.submit_bundle(bundle, lock, [&](size_t k, const scheduler::Submission& submission) {
            submitted(k, submission, "");
            // A SIGINT or SIGTERM drops the loop (it stops at its next job, its lock with it):
            // the jobs not reported yet stay intents, for the resume.
            util::stop_if_interrupted();
        });
    } catch (const scheduler::JobRefused& e) {
        // As with one job (submit_piece): the scheduler may have taken it after all.
        const size_t k = e.index();
        std::optional<scheduler::Submission> found;
        try {
            found = target.scheduler.find_submitted(bundle[k].request, run.record.jobs[first + k].submitted);
        } catch (const transport::ConnectionLost&) {
        }
        // The loop stopped at `k`: nothing after it reached the queue.
        const size_t kept = first + k + (found ? 1 : 0);
        if (found) submitted(k, *found, fmt::format("found in the queue by its tag after: {}", e.what()));
        run.record.jobs.resize(kept);
        target.runs.record_truncation(run, kept);
        target.runs.save(run.path, run.record);
        if (!found) throw;
        return k + 1;
    } catch (...) {
        // A lost connection, a time-out: each job not reported may or may not be queued. The
        // intents stay; the resume waits for the lock and looks them up by tag.
        target.runs.save(run.path, run.record);
        throw;
    }
    return segment.size();
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
    // Whether `item` fits under the queue cap and in the controller (MaxJobCount) now, taking its
    // places if so and saying what it waits for if not; throws when it never can.
    auto fits = [&](const Pending& item) {
        if (!target.limit && !target.held_limit) return true;
        const model::Job& job = jobs[item.index];
        const size_t needed = places_needed(target, job, item.pieces);
        if (target.limit && needed > *target.limit)
            throw Error(fmt::format("job \"{}\" has {} tasks, more than the {} jobs machine \"{}\" lets you have "
                                    "queued at once; raise \"max_queued\" or split the job",
                                    job.name, needed, *target.limit, target.machine.name));
        if (target.held_limit && needed > *target.held_limit)
            throw Error(fmt::format("job \"{}\" has {} tasks, more than the {} jobs the controller of machine \"{}\" "
                                    "takes for all its users (MaxJobCount {}); split the sweep into smaller ones",
                                    job.name, needed, *target.held_limit, target.machine.name, *target.held_limit + 1));
        const bool queue_full = target.limit && needed > target.room;
        if (queue_full || (target.held_limit && needed > target.held_room)) {
            target.waits_for = queue_full ? fmt::format("at most {} queued on \"{}\"", *target.limit, target.machine.name)
                                          : fmt::format("the controller of \"{}\" holds at most {} jobs of all users: "
                                                        "MaxJobCount",
                                                        target.machine.name, *target.held_limit + 1);
            return false;
        }
        if (target.limit) target.room -= needed;
        if (target.held_limit) target.held_room -= needed;
        return true;
    };
    size_t submitted_now = 0;
    while (submitted_now < pending.size()) {
        // A SIGINT or SIGTERM stops here, between two sbatch, with the record whole.
        if (util::interrupt_signal() != 0) {
            target.runs.save(run.path, run.record);
            util::stop_if_interrupted();
        }
        const Pending& item = pending[submitted_now];
        const model::Job& job = jobs[item.index];
        if (target.one_go && item.pieces.size() == 1) {
            // The jobs from here that are one sbatch each and fit under the cap: in one go.
            std::vector<const Pending*> segment;
            for (size_t k = submitted_now; k < pending.size() && pending[k].pieces.size() == 1 && fits(pending[k]); ++k)
                segment.push_back(&pending[k]);
            if (segment.empty()) break;  // what does not fit under the queue cap waits for the next run
            const size_t sent = submit_in_one_go(target, segment, conversions, ids, run, progress, done, total);
            for (size_t k = sent; k < segment.size(); ++k) {  // the places of those never reached are free again
                const size_t places = places_needed(target, jobs[segment[k]->index], segment[k]->pieces);
                if (target.limit) target.room += places;
                if (target.held_limit) target.held_room += places;
            }
            submitted_now += sent;
            continue;
        }
        // What does not fit under the queue cap, or in the controller, waits for the next run.
        if (!fits(item)) break;
        run.record.jobs.push_back(intent(target, job, item, wait_list(job, conversions, ids), run.record));
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
    return pending.size() - submitted_now;
}

} // namespace milex::submit
