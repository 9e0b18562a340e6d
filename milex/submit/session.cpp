#include "milex/submit/submit.hpp"

#include <algorithm>
#include <random>
#include <unordered_map>

#include <fmt/format.h>

#include "milex/introspect/cli_protocol.hpp"
#include "milex/render/script.hpp"
#include "milex/submit/site_limits.hpp"
#include "milex/submit/submit_jobs.hpp"
#include "milex/util/error.hpp"
#include "milex/version.hpp"

namespace milex::submit {

namespace {

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

} // namespace

RunSession::RunSession(const model::Config& config, const model::Machine& machine, Plan plan)
    : m_config(config),
      m_machine(machine),
      m_plan(std::move(plan)),
      m_runs(run_store_of(config)),
      m_lock(m_runs.lock(m_plan.file.stem(), machine.name)) {
    auto runs = m_runs.runs(m_plan.file.stem(), machine.name, m_plan.file.path.string());
    if (!runs.empty()) m_last = std::move(runs.back());
}

void RunSession::check_not_stopped() const {
    // A stopped run goes on only when its user says so: milex resume submits what was stopped
    // with what was never submitted.
    if (previous() != Previous::partial || m_last->record.stopped.empty()) return;
    const std::string name = m_last->path.stem().string();
    throw Error(fmt::format("run {} was stopped with milex stop at {}; go on with milex resume {}, or submit the "
                            "bundle anew with milex-run --again",
                            name, m_last->record.stopped, name));
}

Previous RunSession::previous() const {
    if (!m_last) return Previous::none;
    return m_last->record.complete() ? Previous::complete : Previous::partial;
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
        // The applications found here are the ones the jobs run: note their code's commit, branch,
        // remote and whether the tree had changes.
        std::set<std::string> scripts;
        for (const auto& job : m_plan.bundle.jobs)
            if (job.runs_application()) scripts.insert(job.script);
        for (const auto& script : scripts) {
            const auto git = introspect::application_git(script);
            if (git.commit.empty()) continue;
            record.applications[script] = {{"git_commit", git.commit}, {"git_dirty", git.dirty}};
            if (!git.branch.empty()) record.applications[script]["git_branch"] = git.branch;
            if (!git.remote.empty()) record.applications[script]["git_remote"] = git.remote;
        }
    }
    return record;
}

store::StoredRun RunSession::submit(transport::Transport& transport, scheduler::Scheduler& scheduler, Again again,
                                    const Progress& progress, const ContainerPlan& containers,
                                    const SnapshotPlan& snapshots) {
    const auto& jobs = m_plan.bundle.jobs;
    const bool resume = again == Again::no && previous() == Previous::partial;
    store::StoredRun run;
    if (resume) {
        run = *m_last;
        check_not_stopped();
        check_unchanged(m_plan, run);
        run.record.job_count = jobs.size();
    } else {
        const int submission = m_runs.next_submission(m_plan.file.stem(), m_machine.name);
        run.record = new_record(submission);
        run.path = m_runs.path_for(m_plan.file.stem(), m_machine.name, submission);
    }

    // A loop that sent jobs in one go and outlived its connection stops at its next job: the
    // jobs it was sending are looked up by tag only once it has (its lock is free).
    const bool intents = std::any_of(run.record.jobs.begin(), run.record.jobs.end(),
                                     [](const model::JobRun& job) { return job.job_id.empty(); });
    if (intents && m_machine.remote())
        scheduler.wait_for_bundle(bundle_lock_path(m_machine, m_plan.file.stem(), run.record.submission));
    const size_t adopted_jobs = adopt_interrupted(scheduler, m_runs, run);
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
    target.snapshots = &snapshots;
    target.one_go = m_machine.remote() && one_go_enabled();
    target.convert = [&](const std::set<std::string>& images) {
        return submit_conversions(transport, scheduler, containers, images, run, progress);
    };
    if (!missing.empty()) make_script_folder(target);
    target.max_array = max_array_for(target, missing);
    measure_room(target, missing);
    try {
        m_waiting = submit_jobs(target, missing, ids, run, progress, jobs.size() - missing.size(), jobs.size());
    } catch (...) {
        m_last = run;  // what reached the record before the failure, for the caller's message
        throw;
    }
    m_waits_for = target.waits_for;
    m_last = run;
    return run;
}

} // namespace milex::submit
