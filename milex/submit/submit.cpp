#include "milex/submit/submit.hpp"

#include <map>
#include <random>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "milex/graph/order.hpp"
#include "milex/introspect/cli_protocol.hpp"
#include "milex/render/script.hpp"
#include "milex/scheduler/slurm_parse.hpp"
#include "milex/util/clock.hpp"
#include "milex/util/error.hpp"
#include "milex/util/hash.hpp"
#include "milex/util/text.hpp"
#include "milex/version.hpp"

namespace milex::submit {

namespace {

std::string job_hash(const model::Job& job) { return util::sha256_hex(job.to_json().dump()); }

std::string now_iso() { return util::iso_utc(std::chrono::system_clock::now()); }

/// 48 random bits as hex: tells this run's jobs from every other's in the queue.
std::string random_token() {
    std::random_device device;
    std::uniform_int_distribution<unsigned long long> pick(0, (1ULL << 48) - 1);
    return fmt::format("{:012x}", pick(device));
}

store::RunStore run_store_of(const model::Config& config) {
    const std::string dir = config.local().path + "/runs";
    if (auto made = util::make_directories(dir); !made) throw Error(made.error());
    return store::RunStore(dir);
}


/// Everything submit_jobs works with.
struct Target {
    Target(const model::Machine& m, const Plan& p, const store::RunStore& r, transport::Transport& t,
           scheduler::Scheduler& s)
        : machine(m), plan(p), runs(r), transport(t), scheduler(s) {}
    const model::Machine& machine;
    const Plan& plan;
    const store::RunStore& runs;
    transport::Transport& transport;
    scheduler::Scheduler& scheduler;
    size_t max_array = 0;  ///< the site's MaxArraySize; 0 when no array needs to know
    std::optional<size_t> limit;  ///< the most jobs the user may have queued, if capped
    size_t room = 0;              ///< with a limit: how many more fit now
    const ContainerPlan* containers = nullptr;  ///< the images of container jobs, when any
    /// Submits the conversion jobs of these images (once each) and gives image → job id.
    std::function<std::map<std::string, std::string>(const std::set<std::string>&)> convert;
};

/// One sbatch of a job: the script's own array (empty), or the tasks to run and the offset the
/// batch script adds to their indices.
struct Piece {
    std::string array;
    size_t offset = 0;
};

/// How `job` is submitted: one sbatch, or, for a sweep beyond the site's largest array index,
/// one per slice of indices. `tasks` (global indices) when only some run again.
std::vector<Piece> pieces_of(const model::Job& job, const model::SlurmOptions& options,
                             const std::vector<size_t>* tasks, size_t max_array, const std::string& machine) {
    const std::string* spec = model::find_option(options, "array");
    if (!spec) return {Piece{}};
    const auto percent = spec->find('%');
    const std::string limit = percent == std::string::npos ? "" : spec->substr(percent);
    std::vector<size_t> indices;
    if (tasks) {
        indices = *tasks;
    } else {
        for (const auto& index : scheduler::slurm::array_indices(*spec)) indices.push_back(std::stoull(index));
    }
    std::sort(indices.begin(), indices.end());
    const size_t largest = indices.empty() ? 0 : indices.back();
    if (max_array == 0 || largest < max_array) {
        if (!tasks) return {Piece{}};
        return {Piece{scheduler::slurm::fold_indices(indices) + limit, 0}};
    }
    if (!job.sweep)
        throw Error(fmt::format("job \"{}\": array {} goes beyond index {}, the largest machine \"{}\" accepts "
                                "(MaxArraySize {}); make it a --sweep, which milex splits, or use smaller indices",
                                job.name, *spec, max_array - 1, machine, max_array));
    std::vector<Piece> pieces;
    std::vector<size_t> local;
    size_t chunk = indices.front() / max_array;
    auto flush = [&] {
        if (local.empty()) return;
        pieces.push_back({scheduler::slurm::fold_indices(local) + limit, chunk * max_array});
        local.clear();
    };
    for (size_t index : indices) {
        if (index / max_array != chunk) {
            flush();
            chunk = index / max_array;
        }
        local.push_back(index - chunk * max_array);
    }
    flush();
    return pieces;
}

/// Submits one piece, adopting it when sbatch failed after the scheduler took it; nullopt when
/// it did not reach the queue (the caller decides what to keep, then rethrows).
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

/// Writes the scripts of the jobs at `indices` (in dependency order), then submits them one by
/// one: each dependency in `ids` is waited for (afterok on all its ids), one that is not has
/// ended well already. The record gets every job as it is submitted, as the next attempt of
/// that job, its intent saved before each sbatch. `tasks` lists, for array jobs that run again
/// in part, the task indices to run.
size_t submit_jobs(Target& target, const std::vector<size_t>& indices,
                   std::unordered_map<std::string, std::vector<std::string>>& ids, store::StoredRun& run,
                   const Progress& progress, size_t done, size_t total,
                   const std::map<std::string, std::vector<size_t>>& tasks = {}) {
    const auto& jobs = target.plan.bundle.jobs;
    // Every script is rendered and written, and every split computed, before the first sbatch,
    // so a bad path, a full disk or an array too large stops the run before anything is queued.
    struct Pending {
        size_t index;
        int attempt;
        std::string path;
        std::string sha256;
        std::vector<Piece> pieces;
    };
    std::vector<Pending> pending;
    std::vector<transport::FileWrite> scripts;
    for (size_t index : indices) {
        const model::Job& job = jobs[index];
        const auto options = render::script_options(job, target.machine);
        if (target.machine.scheduler == model::SchedulerKind::none && model::find_option(options, "array"))
            throw Error(fmt::format("job \"{}\" is an array (--array or a sweep), which needs SLURM; machine \"{}\" "
                                    "runs jobs directly (\"scheduler\": \"none\")",
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
                                        target.containers ? *target.containers : k_no_containers);
        pending.push_back({index, attempt, path, util::sha256_hex(script), std::move(pieces)});
        scripts.push_back({std::move(path), std::move(script), transport::FileMode::executable});
    }
    // All in one go: over SSH, one round trip for the whole bundle.
    target.transport.write_files(scripts);

    target.runs.save(run.path, run.record);
    // Conversions of the images the jobs still to submit use (a resumed run converts only those).
    std::set<std::string> images;
    for (const auto& item : pending)
        if (jobs[item.index].container) images.insert(jobs[item.index].container->image);
    const auto conversions = images.empty() || !target.convert ? std::map<std::string, std::string>{}
                                                                : target.convert(images);
    size_t submitted_now = 0;
    for (const auto& [index, attempt, path, sha256, pieces] : pending) {
        const model::Job& job = jobs[index];
        // The queue cap counts array tasks one by one; what does not fit waits for the next run.
        if (target.limit) {
            const auto* own_array = model::find_option(render::script_options(job, target.machine), "array");
            size_t needed = 0;
            for (const auto& piece : pieces) {
                const std::string spec = !piece.array.empty() ? piece.array : own_array ? *own_array : "";
                needed += spec.empty() ? 1 : scheduler::slurm::array_indices(spec).size();
            }
            if (needed > *target.limit)
                throw Error(fmt::format("job \"{}\" has {} tasks, more than the {} jobs machine \"{}\" lets you have "
                                        "queued at once; raise \"max_queued\" or split the job",
                                        job.name, needed, *target.limit, target.machine.name));
            if (needed > target.room) {
                target.runs.save(run.path, run.record);
                return pending.size() - submitted_now;
            }
            target.room -= needed;
        }
        std::vector<std::string> after;
        if (job.container)
            if (auto it = conversions.find(job.container->image); it != conversions.end()) after.push_back(it->second);
        for (const auto& dep : job.dependencies) {
            auto it = ids.find(dep);
            if (it == ids.end()) continue;
            for (const auto& id : it->second)
                if (std::find(after.begin(), after.end(), id) == after.end()) after.push_back(id);
        }

        // The intent is on disk before sbatch runs: if milex dies now, the next milex-run looks
        // the tag up instead of submitting a twin.
        model::JobRun job_run;
        job_run.name = job.name;
        job_run.submitted = now_iso();
        job_run.script = path;
        job_run.script_sha256 = sha256;
        job_run.job_sha256 = job_hash(job);
        job_run.after = after;
        job_run.attempt = attempt;
        job_run.tag = fmt::format("milex:{}:{}:{}", run.record.token, job.name, attempt);
        const auto options = render::script_options(job, target.machine);
        if (const auto* array = model::find_option(options, "array")) job_run.array = *array;
        if (!pieces.front().array.empty() && pieces.size() == 1) job_run.array = pieces.front().array;
        if (const auto* time = model::find_option(options, "time")) job_run.time_limit = *time;
        if (pieces.size() > 1)
            for (size_t k = 0; k < pieces.size(); ++k)
                job_run.parts.push_back({"", pieces[k].offset, pieces[k].array, fmt::format("{}:p{}", job_run.tag, k)});
        job_run.states.push_back({"SUBMITTING", job_run.submitted, "", "", "", ""});
        run.record.jobs.push_back(std::move(job_run));
        const size_t entry = run.record.jobs.size() - 1;
        target.runs.record_job(run, entry);

        std::string adopted;
        for (size_t k = 0; k < pieces.size(); ++k) {
            model::JobRun& recorded = run.record.jobs.back();
            const std::string tag = pieces.size() > 1 ? recorded.parts[k].tag : recorded.tag;
            scheduler::SubmitRequest request{job.name, path, after, tag, pieces[k].array, pieces[k].offset,
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

/// The site's MaxSubmitJobs for the user. Asking sacctmgr costs a slurmdbd round (180 ms here, more
/// on a busy site) on every milex-run, so the answer, limit or none, is kept in the machine's cache
/// for an hour: limits change rarely, and a lowered one is still enforced by sbatch, which refuses
/// the job with its own error.
std::optional<size_t> site_submit_limit(Target& target) {
    using namespace std::chrono;
    const long long now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
    constexpr long long kept_for = 3600;
    if (auto cached = target.runs.machine_cache(target.machine.name, "max_submit_jobs"); cached && cached->is_object()) {
        const auto asked = cached->find("asked_at");
        const auto value = cached->find("value");
        if (asked != cached->end() && asked->is_number_integer() && value != cached->end() &&
            now - asked->get<long long>() < kept_for && now >= asked->get<long long>()) {
            if (value->is_number_unsigned()) return value->get<size_t>();
            if (value->is_null()) return std::nullopt;
        }
    }
    auto limit = target.scheduler.submit_limit();
    nlohmann::ordered_json entry = {{"value", nullptr}, {"asked_at", now}};
    if (limit) entry["value"] = *limit;
    target.runs.set_machine_cache(target.machine.name, "max_submit_jobs", entry);
    return limit;
}

/// Makes the machine's slurm/ folder, where the scripts go: the first thing a submission writes, so
/// that an unusable `path` stops it before anything else (a cache, a record) is written.
void make_script_folder(Target& target) {
    try {
        target.transport.make_directories(target.machine.path + "/slurm");
    } catch (const Error& e) {
        throw Error(fmt::format("machine \"{}\": {}; fix its \"path\" with milex-configuration", target.machine.name,
                                e.what()));
    }
}

/// The queue cap of the machine (max_queued, else the site's MaxSubmitJobs) and the room left.
void measure_room(Target& target) {
    target.limit = target.machine.max_queued;
    if (!target.limit) target.limit = site_submit_limit(target);
    if (!target.limit) return;
    const size_t queued = target.scheduler.queued_jobs();
    target.room = queued >= *target.limit ? 0 : *target.limit - queued;
}

/// The site's MaxArraySize when a job of `indices` is an array (kept in the machine's cache:
/// asked once per machine); 0 when none is.
size_t max_array_for(Target& target, const std::vector<size_t>& indices) {
    bool arrays = false;
    for (size_t index : indices)
        arrays = arrays || model::find_option(render::script_options(target.plan.bundle.jobs[index], target.machine),
                                              "array");
    if (!arrays) return 0;
    if (target.machine.max_array_size) return *target.machine.max_array_size;
    if (auto cached = target.runs.machine_cache(target.machine.name, "max_array_size"); cached && cached->is_number())
        return cached->get<size_t>();
    auto size = target.scheduler.max_array_size();
    if (!size) return 0;
    target.runs.set_machine_cache(target.machine.name, "max_array_size", *size);
    return *size;
}

} // namespace

Plan plan_bundle(const store::BundleStore& bundles, const std::string& reference) {
    Plan plan;
    plan.file = bundles.locate(reference);
    auto text = util::read_file(plan.file.path);
    if (!text) throw Error(text.error());
    const std::string source = model::display_path(plan.file.path);
    // Every problem at once: the jobs' own, then unknown dependencies and a cycle.
    auto [bundle, problems] = model::read_bundle_text(*text, source);
    try {
        plan.order = graph::dependency_order(bundle, source);
    } catch (const Error& e) {
        problems.insert(problems.end(), e.lines().begin(), e.lines().end());
    }
    if (!problems.empty()) throw Error(problems);
    plan.bundle = std::move(bundle);
    plan.bundle_sha256 = util::sha256_hex(*text);
    return plan;
}

std::string script_path(const model::Machine& machine, const std::string& bundle_stem, const std::string& job,
                        int submission) {
    if (submission <= 1) return fmt::format("{}/slurm/{}_{}.sh", machine.path, bundle_stem, job);
    return fmt::format("{}/slurm/{}_{}.run{}.sh", machine.path, bundle_stem, job, submission);
}

RunSession::RunSession(const model::Config& config, const model::Machine& machine, Plan plan)
    : m_config(config),
      m_machine(machine),
      m_plan(std::move(plan)),
      m_runs(run_store_of(config)),
      m_lock(m_runs.lock(m_plan.file.stem(), machine.name)) {
    auto runs = m_runs.runs(m_plan.file.stem(), machine.name, m_plan.file.path.string());
    if (!runs.empty()) m_last = std::move(runs.back());
}

Previous RunSession::previous() const {
    if (!m_last) return Previous::none;
    return m_last->record.complete() ? Previous::complete : Previous::partial;
}

std::string render_job(const model::Job& job, const model::Machine& machine, const std::string& bundle_stem,
                       const ContainerPlan& containers) {
    const render::RuntimeImage* image = job.container ? &containers.of(job.container->image).runtime_image : nullptr;
    return render::render_script({job, machine, bundle_stem, version(), image});
}

std::map<std::string, std::string> RunSession::submit_conversions(transport::Transport& transport,
                                                                  scheduler::Scheduler& scheduler,
                                                                  const ContainerPlan& containers,
                                                                  const std::set<std::string>& used,
                                                                  store::StoredRun& run, const Progress& progress) {
    std::map<std::string, std::string> ids;  // image → its conversion job
    for (const auto& image : containers.images) {
        if (!image.convert || !used.count(image.image)) continue;
        std::string job_id;
        for (const auto& entry : run.record.images)  // resumed: the conversion submitted before
            if (entry.value("id", "") == image.id && entry.contains("conversion_job"))
                job_id = entry["conversion_job"].get<std::string>();
        const bool resumed = !job_id.empty();
        if (!resumed) {
            const std::string path =
                script_path(m_machine, m_plan.file.stem(), image.conversion_job(), run.record.submission);
            transport.write_file(path,
                                 render::render_conversion_script({image.conversion_job(), image.archive, image.sif,
                                                                   fmt::format("{} (image id {})", image.image, image.id)},
                                                                  m_machine, m_plan.file.stem(), version()),
                                 transport::FileMode::executable);
            job_id = scheduler
                         .submit({image.conversion_job(), path, {},
                                  fmt::format("milex:{}:{}:1", run.record.token, image.conversion_job()), "", 0, ""})
                         .job_id;
            run.record.images.push_back(
                {{"image", image.image}, {"id", image.id}, {"sif", image.sif}, {"conversion_job", job_id}});
            m_runs.save(run.path, run.record);
        }
        ids[image.image] = job_id;
        if (progress.conversion) progress.conversion(image, job_id, resumed);
    }
    return ids;
}

model::RunRecord RunSession::new_record(int submission) const {
    model::RunRecord record;
    record.bundle = m_plan.file.stem();
    record.bundle_file = m_plan.file.path.string();
    record.bundle_sha256 = m_plan.bundle_sha256;
    record.machine = m_machine.name;
    record.machine_settings = m_machine.to_json();
    record.submission = submission;
    record.milex_version = version();
    record.created = now_iso();
    record.token = random_token();
    record.job_count = m_plan.bundle.jobs.size();
    if (!m_machine.remote()) {
        // The applications found here are the ones the jobs run: note their code's commit.
        std::set<std::string> scripts;
        for (const auto& job : m_plan.bundle.jobs)
            if (job.runs_application()) scripts.insert(job.script);
        for (const auto& script : scripts) {
            std::string commit = introspect::application_commit(script);
            if (!commit.empty()) record.applications[script] = {{"git_commit", commit}};
        }
    }
    return record;
}

store::StoredRun RunSession::submit(transport::Transport& transport, scheduler::Scheduler& scheduler, Again again,
                                    const Progress& progress, const ContainerPlan& containers) {
    const auto& jobs = m_plan.bundle.jobs;
    const bool resume = again == Again::no && previous() == Previous::partial;
    store::StoredRun run;
    if (resume) {
        run = *m_last;
        for (const auto& kept : run.record.jobs) {
            const model::Job* job = m_plan.bundle.find(kept.name);
            if (!job || job_hash(*job) != kept.job_sha256)
                throw Error(fmt::format("job \"{}\" was changed in {} after it was submitted as {} (run {}); submit the "
                                        "bundle anew with --again",
                                        kept.name, model::display_path(m_plan.file.path), kept.job_id,
                                        run.record.submission));
        }
        run.record.job_count = jobs.size();
    } else {
        const int submission = m_runs.next_submission(m_plan.file.stem(), m_machine.name);
        run.record = new_record(submission);
        run.path = m_runs.path_for(m_plan.file.stem(), m_machine.name, submission);
    }

    // A submission under way when milex stopped: adopt what the scheduler has (found by tag);
    // a job that never reached the queue is forgotten and submitted below; the missing parts
    // of a split array are submitted now.
    const std::string stopped = "found in the queue by its tag after milex stopped";
    size_t adopted_jobs = 0;
    for (size_t i = 0; i < run.record.jobs.size();) {
        model::JobRun& entry = run.record.jobs[i];
        if (!entry.job_id.empty()) {
            ++i;
            continue;
        }
        if (entry.parts.empty()) {
            scheduler::SubmitRequest request{entry.name, entry.script, entry.after, entry.tag, "", 0, entry.time_limit};
            if (auto found = scheduler.find_submitted(request, entry.submitted)) {
                entry.job_id = found->job_id;
                entry.states.push_back({"SUBMITTED", now_iso(), "", "", "", stopped});
                ++adopted_jobs;
                ++i;
            } else {
                run.record.jobs.erase(run.record.jobs.begin() + static_cast<long>(i));
            }
        } else {
            bool found_part = false;
            for (auto& part : entry.parts) {
                if (!part.job_id.empty()) continue;
                scheduler::SubmitRequest request{entry.name, entry.script, entry.after, part.tag,
                                                  part.array, part.offset, entry.time_limit};
                std::string adopted;
                if (auto found = scheduler.find_submitted(request, entry.submitted)) {
                    part.job_id = found->job_id;
                    found_part = true;
                } else {
                    part.job_id = submit_piece(scheduler, request, now_iso(), adopted).job_id;
                }
                m_runs.save(run.path, run.record);
            }
            adopted_jobs += found_part ? 1 : 0;
            entry.job_id = entry.parts.front().job_id;
            entry.states.push_back({"SUBMITTED", now_iso(), "", "", "", stopped});
            ++i;
        }
        m_runs.save(run.path, run.record);
    }
    if (resume && progress.resuming) progress.resuming(run.record, run.record.jobs.size(), adopted_jobs, jobs.size());
    std::unordered_map<std::string, std::vector<std::string>> ids;
    for (const auto& kept : run.record.jobs) {
        ids[kept.name] = kept.ids();
        if (progress.kept) progress.kept(kept);
    }

    std::vector<size_t> missing;
    for (size_t index : m_plan.order)
        if (!ids.count(jobs[index].name)) missing.push_back(index);
    Target target{m_machine, m_plan, m_runs, transport, scheduler};
    target.containers = &containers;
    target.convert = [&](const std::set<std::string>& images) {
        return submit_conversions(transport, scheduler, containers, images, run, progress);
    };
    if (!missing.empty()) make_script_folder(target);
    target.max_array = max_array_for(target, missing);
    measure_room(target);
    try {
        m_waiting = submit_jobs(target, missing, ids, run, progress, jobs.size() - missing.size(), jobs.size());
    } catch (...) {
        m_last = run;  // what reached the record before the failure, for the caller's message
        throw;
    }
    m_limit = target.limit;
    m_last = run;
    return run;
}

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

    util::FileLock lock = runs.lock(run.record.bundle, run.record.machine);
    run = runs.load(run.path);
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
    measure_room(target);
    const size_t waiting = submit_jobs(target, indices, ids, run, progress, 0, indices.size(), tasks);
    if (waiting > 0)
        throw Error(fmt::format("{} of the jobs to resubmit do not fit in the queue of machine \"{}\" (at most {} "
                                "queued); the others were submitted: run milex resubmit with --job for the rest later",
                                waiting, machine.name, *target.limit));
    return names;
}

void dry_run(const model::Config& config, const model::Machine& machine, const Plan& plan,
             const scheduler::Scheduler& scheduler, const std::function<void(std::string_view)>& emit,
             const ContainerPlan& containers) {
    const store::RunStore runs(config.local().path + "/runs");
    const int submission = runs.next_submission(plan.file.stem(), machine.name);
    for (const auto& image : containers.images) {
        emit(fmt::format("# ---- image {}: {}\n", image.image, image.summary(machine, containers.engine)));
        if (!image.convert) continue;
        const std::string path = script_path(machine, plan.file.stem(), image.conversion_job(), submission);
        emit(fmt::format("# ---- job {}: {}\n", image.conversion_job(), path));
        emit(render::render_conversion_script({image.conversion_job(), image.archive, image.sif,
                                               fmt::format("{} (image id {})", image.image, image.id)},
                                              machine, plan.file.stem(), version()));
        emit(fmt::format("# ---- submitted as <{}> by:\n{}\n\n", image.conversion_job(),
                         util::join(scheduler.submit_command({image.conversion_job(), path, {}, "", "", 0, ""}), " ")));
    }
    for (size_t index : plan.order) {
        const model::Job& job = plan.bundle.jobs[index];
        const std::string path = script_path(machine, plan.file.stem(), job.name, submission);
        const auto* time = model::find_option(render::script_options(job, machine), "time");
        scheduler::SubmitRequest request{job.name, path, {}, fmt::format("milex:<run token>:{}:1", job.name), "", 0,
                                         time ? *time : ""};
        if (job.container && containers.of(job.container->image).convert)
            request.after_ok.push_back("<" + containers.of(job.container->image).conversion_job() + ">");
        for (const auto& dep : job.dependencies) request.after_ok.push_back("<" + dep + ">");
        emit(fmt::format("# ---- job {}: {}\n", job.name, path));
        emit(render_job(job, machine, plan.file.stem(), containers));
        emit(fmt::format("# ---- submitted as <{}> by:\n{}\n\n", job.name,
                         util::join(scheduler.submit_command(request), " ")));
    }
}

} // namespace milex::submit
