#include "milex/cli/run.hpp"

#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/status.hpp"
#include "milex/cli/terminal.hpp"
#include "milex/introspect/cli_protocol.hpp"
#include "milex/image/local_images.hpp"
#include "milex/introspect/verify.hpp"
#include "milex/observe/runs.hpp"
#include "milex/scheduler/connect.hpp"
#include "milex/submit/local_containers.hpp"
#include "milex/submit/submit.hpp"
#include "milex/transport/connect.hpp"
#include "milex/util/error.hpp"
#include "milex/util/interrupt.hpp"
#include "milex/util/path.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

namespace {

std::string after_text(const model::JobRun& job) {
    return job.after.empty() ? std::string() : "  after " + util::join(job.after, ",");
}

/// Whether a complete earlier run may be submitted again: --again, or a yes on a terminal.
bool confirm_again(const submit::RunSession& session, const model::Machine& machine, bool again) {
    if (again) return true;
    const auto& last = session.last()->record;
    const std::string what = fmt::format("bundle {} was already submitted to machine \"{}\" at {} (run {}, {} jobs, "
                                         "record {})",
                                         last.bundle, machine.name, last.created, last.submission, last.jobs.size(),
                                         model::display_path(session.last()->path));
    if (interactive()) {
        std::cerr << "milex: " << what << "\n";
        return ask_yes_no("submit a second copy of every job?", false);
    }
    throw Error(fmt::format("{}; use --again to submit a second copy", what));
}

/// This host's podman or docker, the one the local machine runs when it says so.
std::unique_ptr<image::LocalImages> local_images(const model::Config& config) {
    const auto runtime = config.local().container_runtime;
    const bool engine = runtime == model::ContainerRuntime::podman || runtime == model::ContainerRuntime::docker;
    auto found = image::find_engine(engine ? model::runtime_name(runtime) : "");
    if (!found) return nullptr;
    return std::make_unique<image::EngineImages>(*found);
}

/// A bundle edited by hand, or written by the Python milex, is checked with its applications'
/// -cli before anything runs.
void verify(const submit::Plan& plan, const RunFlags& flags) {
    if (!flags.no_verify) {
        const size_t checked = introspect::verify_changed_jobs(plan.bundle, introspect::cli_timeout());
        if (checked > 0)
            std::cerr << fmt::format("milex-run: checked the arguments of {} job{} with {} -cli (edited since "
                                     "scheduled, or not scheduled by milex)\n",
                                     checked, checked == 1 ? "" : "s", checked == 1 ? "its application's" : "their applications'");
    }
}

/// --local-container: the container jobs, here, one after the other, each one's output shown.
int run_locally(const model::Config& config, const std::string& reference, const RunFlags& flags) {
    auto images = local_images(config);
    if (!images)
        throw Error("--local-container needs podman or docker on this host; install podman (apt-get install podman)");
    const model::Machine machine = submit::local_container_machine(flags.machine.resolve(config), images->engine());
    store::BundleStore bundles(config.local().path + "/jobs");
    const submit::Plan plan = submit::plan_bundle(bundles, reference);
    verify(plan, flags);
    transport::LocalTransport here;
    const submit::ContainerPlan containers = submit::plan_containers(plan.bundle, machine, &here, images.get());
    if (containers.images.empty())
        throw Error(fmt::format("bundle {} has no container jobs; give jobs an image with milex-schedule --image or "
                                "--container",
                                plan.file.stem()));
    if (flags.dry_run) {
        for (size_t index : plan.order) {
            const model::Job& job = plan.bundle.jobs[index];
            if (!job.container) continue;
            std::cout << fmt::format("# ---- job {}: run here by bash\n", job.name)
                      << submit::render_job(job, machine, plan.file.stem(), containers) << "\n";
        }
        std::cout << std::flush;
        std::cerr << fmt::format("milex-run: dry run of {} here with {}: nothing run\n", plan.file.stem(),
                                 model::runtime_name(machine.container_runtime));
        return 0;
    }
    std::cout << fmt::format("milex-run: running the container jobs of {} here with {}, without SLURM\n",
                             plan.file.stem(), model::runtime_name(machine.container_runtime))
              << std::flush;
    submit::LocalProgress progress;
    progress.skipped = [](const model::Job& job) {
        std::cout << fmt::format("milex-run: job {} has no container; skipped\n", job.name) << std::flush;
    };
    progress.starting = [](const model::Job& job, size_t number, size_t total) {
        std::cout << fmt::format("milex-run: job {} [{}/{}] in {}\n", job.name, number, total, job.container->image)
                  << std::flush;
    };
    progress.finished = [](const model::Job& job, const util::ProcessResult& result) {
        std::cout << result.out;
        if (!result.out.empty() && !result.out.ends_with('\n')) std::cout << '\n';
        std::cout << std::flush;
        std::cerr << result.err;
        if (!result.err.empty() && !result.err.ends_with('\n')) std::cerr << '\n';
        std::cerr << std::flush;
        std::cout << fmt::format("milex-run: job {} {}\n", job.name, result.succeeded() ? "succeeded" : result.describe_end())
                  << std::flush;
    };
    const std::string failed = submit::run_containers_here(plan, machine, containers, here, progress);
    if (!failed.empty())
        throw Error(fmt::format("job \"{}\" failed in its container; the jobs after it were not run", failed));
    return 0;
}

/// The error for a submission that stopped midway (a connection that broke, a scheduler that
/// stopped answering, a SIGINT): what the record holds, and that milex-run again submits the
/// rest (nothing twice). The exit code stays the cause's (130 for SIGINT).
Error stopped_midway(const submit::RunSession& session, const model::Machine& machine, const std::string& stem,
                     size_t total, const Error& e) {
    size_t recorded = 0;
    std::string record = "no record written";
    if (const auto& last = session.last()) {
        for (const auto& job : last->record.jobs) recorded += job.job_id.empty() ? 0 : 1;
        record = "record " + model::display_path(last->path);
    }
    Error stopped(fmt::format("machine \"{}\": {}; {} of {} jobs of {} were submitted ({}); run milex-run {} --machine {} "
                              "again to submit the rest",
                              machine.name, e.lines().empty() ? e.what() : e.lines().front(), recorded, total, stem,
                              record, stem, machine.name),
                  e.exit_code());
    if (!e.details().empty()) stopped.with_details(e.details());
    return stopped;
}

} // namespace

int run_bundle(const model::Config& config, const std::string& reference, const RunFlags& flags) {
    if (flags.local_container) return run_locally(config, reference, flags);
    model::Machine machine = flags.machine.resolve(config);
    store::BundleStore bundles(config.local().path + "/jobs");
    submit::Plan plan = submit::plan_bundle(bundles, reference);
    const std::string stem = plan.file.stem();
    const size_t total = plan.bundle.jobs.size();
    auto pause = util::seconds_from_environment("MILEX_WAIT_INTERVAL", std::chrono::milliseconds(10000));
    verify(plan, flags);

    auto images = local_images(config);
    transport::LocalTransport dry_transport;
    if (flags.dry_run) {
        // Nothing is connected to, locked or written. Container jobs: every problem (runtime,
        // GPUs, images, bind sources) is found; the machine is asked too when it is this host.
        auto scheduler = scheduler::make_scheduler(machine, dry_transport);
        const submit::ContainerPlan containers =
            submit::plan_containers(plan.bundle, machine, machine.remote() ? nullptr : &dry_transport, images.get());
        if (machine.remote())
            std::cout << fmt::format("# ---- machine \"{}\" is reached by {}; each command below runs in one remote "
                                     "/bin/sh there, the scripts are written there first (one tar stream), and {} is "
                                     "expanded there\n",
                                     machine.name, transport::describe_connection(machine), machine.path);
        const submit::SnapshotPlan snapshots = submit::plan_snapshots(
            plan.bundle, machine, config.local().path + "/code", machine.remote() ? nullptr : &dry_transport);
        submit::dry_run(
            config, machine, plan, *scheduler, [](std::string_view text) { std::cout << text; }, containers,
            snapshots);
        std::cout << std::flush;
        std::cerr << fmt::format("milex-run: dry run of {} ({} jobs) on machine \"{}\": nothing written or submitted\n",
                                 stem, total, machine.name);
        return 0;
    }

    // The lock and the record before the machine: a bundle submitted whole already is told so
    // without connecting (nor asking for a passphrase or an MFA code).
    submit::RunSession session(config, machine, std::move(plan));
    submit::Again again = flags.again ? submit::Again::yes : submit::Again::no;
    switch (session.previous()) {
    case submit::Previous::none:
        break;
    case submit::Previous::partial:  // resumed: progress.resuming says so
        if (!flags.again) session.check_not_stopped();
        break;
    case submit::Previous::complete:
        if (!confirm_again(session, machine, flags.again)) {
            std::cerr << "milex-run: nothing submitted\n";
            return 1;
        }
        again = submit::Again::yes;
        break;
    }

    // Then the machine, and every problem of container jobs before anything is written.
    std::unique_ptr<transport::Transport> transport = transport::connect(machine);
    auto scheduler = scheduler::make_scheduler(machine, *transport);
    const submit::ContainerPlan containers =
        submit::plan_containers(session.plan().bundle, machine, transport.get(), images.get());
    const submit::SnapshotPlan snapshots =
        submit::plan_snapshots(session.plan().bundle, machine, config.local().path + "/code", transport.get());

    std::cout << fmt::format("milex-run: submitting {} ({} jobs) to machine \"{}\"{}\n", stem, total, machine.name,
                             transport->via().empty()
                                 ? std::string()
                                 : fmt::format(" as {} over {}", transport->where(), transport->via()))
              << std::flush;
    for (const auto& image : containers.images)
        std::cout << fmt::format("milex-run: image {}: {}\n", image.image, image.summary(machine, containers.engine));
    submit::prepare_images(containers, machine, *transport, images.get(), config.local().path + "/containers/export",
                           [](const std::string& step) { std::cout << "milex-run: " << step << "\n" << std::flush; });
    for (const auto& snapshot : snapshots.snapshots)
        if (!snapshot.ship)
            std::cout << fmt::format("milex-run: code snapshot {}: on the machine already ({})\n", snapshot.id,
                                     snapshot.directory);
    submit::ship_snapshots(snapshots, machine, *transport,
                           [](const std::string& step) { std::cout << "milex-run: " << step << "\n" << std::flush; });
    submit::Progress progress;
    // Said once the jobs whose sbatch was under way when milex stopped were looked up by tag.
    progress.resuming = [&](const model::RunRecord& record, size_t kept, size_t adopted, size_t all) {
        std::cerr << fmt::format("milex-run: resuming run {} of {} on \"{}\": {} of {} jobs were submitted before{}\n",
                                 record.submission, stem, machine.name, kept, all,
                                 adopted == 0 ? std::string()
                                              : fmt::format(" ({} found in the queue by {} tag)", adopted,
                                                            adopted == 1 ? "its" : "their"));
    };
    progress.kept = [](const model::JobRun& job) {
        std::cout << fmt::format("  {:<20} {:>10}  (submitted before){}\n", job.name, job.job_id, after_text(job));
    };
    progress.submitted = [](const model::JobRun& job, size_t done, size_t all) {
        std::cout << fmt::format("  {:<20} {:>10}  [{}/{}]{}\n", job.name, job.job_id, done, all, after_text(job))
                  << std::flush;
    };
    progress.conversion = [](const submit::ImagePlan& image, const std::string& job_id, bool resumed) {
        std::cout << fmt::format("  {:<20} {:>10}  converts {}{}\n", image.conversion_job(), job_id, image.image,
                                 resumed ? " (submitted before)" : "")
                  << std::flush;
    };
    // From here a SIGINT or SIGTERM stops between two sbatch, the record whole.
    std::optional<util::InterruptGuard> interrupts(std::in_place);
    auto submit_missing = [&](submit::Again mode) {
        try {
            return session.submit(*transport, *scheduler, mode, progress, containers, snapshots);
        } catch (const transport::ConnectionLost& e) {
            throw stopped_midway(session, machine, stem, total, e);
        } catch (const util::Interrupted& e) {
            throw stopped_midway(session, machine, stem, total, e);
        } catch (const Error& e) {
            // A scheduler that stopped answering (slurmctld down), a full disk: once something
            // was recorded, the user must hear what is in the queue and how to go on.
            if (session.last() && !session.last()->record.jobs.empty()) throw stopped_midway(session, machine, stem, total, e);
            throw;
        }
    };
    store::StoredRun run = submit_missing(again);
    // Under a queue cap, what did not fit waits: for the next milex-run, or here with --wait.
    while (session.waiting() > 0 && flags.wait) {
        std::cout << fmt::format("milex-run: {} job{} wait for room in the queue ({})\n", session.waiting(),
                                 session.waiting() == 1 ? "" : "s", session.waits_for())
                  << std::flush;
        // Woken by a SIGINT or SIGTERM at once, not after the whole pause.
        for (auto slept = std::chrono::milliseconds(0); slept < pause && util::interrupt_signal() == 0;
             slept += std::chrono::milliseconds(100))
            transport->idle(std::min(std::chrono::milliseconds(100), pause - slept));
        pause = std::min(pause * 3 / 2, std::chrono::milliseconds(60000));
        progress.kept = nullptr;
        progress.resuming = nullptr;
        run = submit_missing(submit::Again::no);
    }
    size_t submitted = 0;
    for (const auto* job : run.record.latest()) submitted += job->job_id.empty() ? 0 : 1;
    std::cout << fmt::format("milex-run: {} jobs of {} on \"{}\" (run {}); record: {}\n", submitted, stem,
                             machine.name, run.record.submission, model::display_path(run.path));
    if (session.waiting() > 0)
        std::cout << fmt::format("milex-run: {} job{} wait for room in the queue ({}); run milex-run {} again "
                                 "later, or with --wait\n",
                                 session.waiting(), session.waiting() == 1 ? "" : "s", session.waits_for(), stem);
    if (!flags.wait) return 0;
    // --wait, like sbatch --wait: to the run's end, its status as `milex status --watch` shows it
    // (and the machine's notify_command then). Interrupted, the run goes on; status finds it.
    session.release();
    interrupts.reset();
    const store::RunStore runs = observe::run_store(config);
    return show_run(run, runs, machine, *transport, *scheduler, true, false);
}

int run_command(const Args& args) {
    CLI::App app{"Submit a bundle to a machine: one batch script per job, submitted in dependency order.",
                 "milex-run"};
    std::string bundle;
    RunFlags flags;
    app.add_option("bundle", bundle, "bundle name (its newest file), file stem, or path to a bundle file")->required();
    flags.machine.add_to(app);
    app.add_flag("--dry-run,--dry_run", flags.dry_run,
                 "print the scripts and sbatch commands (with --local-container: the scripts); write, submit and run "
                 "nothing");
    app.add_flag("--again", flags.again, "submit a second copy of a bundle that was submitted to this machine before");
    app.add_flag("--wait", flags.wait,
                 "wait for the run to end (exit 0 when every job completed), submitting what waits under a queue cap "
                 "(max_queued) as room frees up; then run the machine's notify_command");
    app.add_flag("--no-verify,--no_verify", flags.no_verify,
                 "do not check hand-edited jobs with their applications' -cli (for a slow -cli)");
    app.add_flag("--local-container,--local_container", flags.local_container,
                 "run the bundle's container jobs here with podman or docker, in order, without SLURM");
    if (auto done = parse_strict(app, args)) return *done;
    const model::Config config = load_config();
    return run_bundle(config, bundle, flags);
}

} // namespace milex::cli
