#include "milex/submit/submit.hpp"

#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "milex/graph/order.hpp"
#include "milex/introspect/cli_protocol.hpp"
#include "milex/render/script.hpp"
#include "milex/util/clock.hpp"
#include "milex/util/error.hpp"
#include "milex/util/hash.hpp"
#include "milex/util/text.hpp"
#include "milex/version.hpp"

namespace milex::submit {

namespace {

std::string job_hash(const model::Job& job) { return util::sha256_hex(job.to_json().dump()); }

std::string now_iso() { return util::iso_utc(std::chrono::system_clock::now()); }

store::RunStore run_store_of(const model::Config& config) {
    const std::string dir = config.local().path + "/runs";
    if (auto made = util::make_directories(dir); !made) throw Error(made.error());
    return store::RunStore(dir);
}

} // namespace

Plan plan_bundle(const store::BundleStore& bundles, const std::string& reference) {
    Plan plan;
    plan.file = bundles.locate(reference);
    auto text = util::read_file(plan.file.path);
    if (!text) throw Error(text.error());
    const std::string source = model::display_path(plan.file.path);
    plan.bundle = model::parse_bundle(*text, source);
    plan.order = graph::dependency_order(plan.bundle, source);
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

std::string RunSession::render(const model::Job& job, const ContainerPlan& containers) const {
    return render_job(job, m_machine, m_plan.file.stem(), containers);
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
            job_id = scheduler.submit({image.conversion_job(), path, {}}).job_id;
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

    std::unordered_map<std::string, std::string> ids;
    for (const auto& kept : run.record.jobs) {
        ids[kept.name] = kept.job_id;
        if (progress.kept) progress.kept(kept);
    }

    // Every script is rendered and written before the first sbatch, so a bad path or a full
    // disk stops the run before anything reaches the queue.
    const int submission = run.record.submission;
    struct Pending {
        size_t index;
        std::string path;
        std::string sha256;
    };
    std::vector<Pending> pending;
    bool made_directory = false;
    for (size_t index : m_plan.order) {
        const model::Job& job = jobs[index];
        if (ids.count(job.name)) continue;
        if (!made_directory) {
            try {
                transport.make_directories(m_machine.path + "/slurm");
            } catch (const Error& e) {
                throw Error(fmt::format("machine \"{}\": {}; fix its \"path\" with milex-configuration", m_machine.name,
                                        e.what()));
            }
            made_directory = true;
        }
        std::string path = script_path(m_machine, m_plan.file.stem(), job.name, submission);
        std::string script = render(job, containers);
        transport.write_file(path, script, transport::FileMode::executable);
        pending.push_back({index, std::move(path), util::sha256_hex(script)});
    }

    m_runs.save(run.path, run.record);
    std::set<std::string> images;  // of the jobs still to submit: a resumed run converts only those
    for (const auto& item : pending)
        if (jobs[item.index].container) images.insert(jobs[item.index].container->image);
    const auto conversions = submit_conversions(transport, scheduler, containers, images, run, progress);
    size_t done = run.record.jobs.size();
    for (const auto& [index, path, sha256] : pending) {
        const model::Job& job = jobs[index];
        scheduler::SubmitRequest request{job.name, path, {}};
        std::vector<std::string> after;
        if (job.container) {
            if (auto it = conversions.find(job.container->image); it != conversions.end()) after.push_back(it->second);
        }
        for (const auto& dep : job.dependencies) after.push_back(ids.at(dep));
        for (const auto& id : after) {
            if (std::find(request.after_ok.begin(), request.after_ok.end(), id) == request.after_ok.end())
                request.after_ok.push_back(id);
        }
        scheduler::Submission submitted = scheduler.submit(request);

        model::JobRun job_run;
        job_run.name = job.name;
        job_run.job_id = submitted.job_id;
        job_run.cluster = submitted.cluster;
        job_run.submitted = now_iso();
        job_run.script = path;
        job_run.script_sha256 = sha256;
        job_run.job_sha256 = job_hash(job);
        job_run.after = request.after_ok;
        job_run.states.push_back({"SUBMITTED", job_run.submitted});
        ids[job.name] = submitted.job_id;
        run.record.jobs.push_back(std::move(job_run));
        m_runs.save(run.path, run.record);
        if (progress.submitted) progress.submitted(run.record.jobs.back(), ++done, jobs.size());
    }
    m_last = run;
    return run;
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
                         util::join(scheduler.submit_command({image.conversion_job(), path, {}}), " ")));
    }
    for (size_t index : plan.order) {
        const model::Job& job = plan.bundle.jobs[index];
        const std::string path = script_path(machine, plan.file.stem(), job.name, submission);
        scheduler::SubmitRequest request{job.name, path, {}};
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
