#include "milex/cli/run.hpp"

#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/terminal.hpp"
#include "milex/introspect/cli_protocol.hpp"
#include "milex/introspect/verify.hpp"
#include "milex/scheduler/connect.hpp"
#include "milex/submit/submit.hpp"
#include "milex/transport/connect.hpp"
#include "milex/util/error.hpp"
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

} // namespace

int run_bundle(const model::Config& config, const std::string& reference, const RunFlags& flags) {
    const model::Machine machine = flags.machine.resolve(config);
    store::BundleStore bundles(config.local().path + "/jobs");
    submit::Plan plan = submit::plan_bundle(bundles, reference);
    const std::string stem = plan.file.stem();
    const size_t total = plan.bundle.jobs.size();

    // Resolved before the lock and before anything is written: an unreachable machine or an
    // unsupported scheduler stops here.
    // A bundle edited by hand, or written by the Python milex, is checked with its applications'
    // -cli before anything reaches the queue.
    if (!flags.no_verify) {
        const size_t checked = introspect::verify_changed_jobs(plan.bundle, introspect::cli_timeout());
        if (checked > 0)
            std::cerr << fmt::format("milex-run: checked the arguments of {} job{} with {} -cli (edited since "
                                     "scheduled, or not scheduled by milex)\n",
                                     checked, checked == 1 ? "" : "s", checked == 1 ? "its application's" : "their applications'");
    }

    std::unique_ptr<transport::Transport> transport;
    if (!flags.dry_run) transport = transport::connect(machine);
    transport::LocalTransport dry_transport;
    auto scheduler = scheduler::make_scheduler(machine, transport ? *transport : dry_transport);

    if (flags.dry_run) {
        submit::dry_run(config, machine, plan, *scheduler, [](std::string_view text) { std::cout << text; });
        std::cout << std::flush;
        std::cerr << fmt::format("milex-run: dry run of {} ({} jobs) on machine \"{}\": nothing written or submitted\n",
                                 stem, total, machine.name);
        return 0;
    }

    submit::RunSession session(config, machine, std::move(plan));
    submit::Again again = flags.again ? submit::Again::yes : submit::Again::no;
    switch (session.previous()) {
    case submit::Previous::none:
        break;
    case submit::Previous::partial:
        if (!flags.again) {
            const auto& last = session.last()->record;
            std::cerr << fmt::format("milex-run: resuming run {} of {} on \"{}\": {} of {} jobs were submitted before\n",
                                     last.submission, stem, machine.name, last.jobs.size(), total);
        }
        break;
    case submit::Previous::complete:
        if (!confirm_again(session, machine, flags.again)) {
            std::cerr << "milex-run: nothing submitted\n";
            return 1;
        }
        again = submit::Again::yes;
        break;
    }

    std::cout << fmt::format("milex-run: submitting {} ({} jobs) to machine \"{}\"\n", stem, total, machine.name)
              << std::flush;
    submit::Progress progress;
    progress.kept = [](const model::JobRun& job) {
        std::cout << fmt::format("  {:<20} {:>10}  (submitted before){}\n", job.name, job.job_id, after_text(job));
    };
    progress.submitted = [](const model::JobRun& job, size_t done, size_t all) {
        std::cout << fmt::format("  {:<20} {:>10}  [{}/{}]{}\n", job.name, job.job_id, done, all, after_text(job))
                  << std::flush;
    };
    store::StoredRun run = session.submit(*transport, *scheduler, again, progress);
    // Under a queue cap, what did not fit waits: for the next milex-run, or here with --wait.
    auto pause = std::chrono::milliseconds(10000);
    if (auto first = util::environment_variable("MILEX_WAIT_INTERVAL"))
        pause = std::chrono::milliseconds(static_cast<long long>(std::stod(*first) * 1000));
    while (session.waiting() > 0 && flags.wait) {
        std::cout << fmt::format("milex-run: {} job{} wait for room in the queue (at most {} queued on \"{}\")\n",
                                 session.waiting(), session.waiting() == 1 ? "" : "s", *session.queue_limit(),
                                 machine.name)
                  << std::flush;
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 3 / 2, std::chrono::milliseconds(60000));
        progress.kept = nullptr;
        run = session.submit(*transport, *scheduler, submit::Again::no, progress);
    }
    size_t submitted = 0;
    for (const auto* job : run.record.latest()) submitted += job->job_id.empty() ? 0 : 1;
    std::cout << fmt::format("milex-run: {} jobs of {} on \"{}\" (run {}); record: {}\n", submitted, stem,
                             machine.name, run.record.submission, model::display_path(run.path));
    if (session.waiting() > 0)
        std::cout << fmt::format("milex-run: {} job{} wait for room in the queue (at most {} queued on \"{}\"); run "
                                 "milex-run {} again later, or with --wait\n",
                                 session.waiting(), session.waiting() == 1 ? "" : "s", *session.queue_limit(),
                                 machine.name, stem);
    return 0;
}

int run_command(const Args& args) {
    CLI::App app{"Submit a bundle to a machine: one batch script per job, submitted in dependency order.",
                 "milex-run"};
    std::string bundle;
    RunFlags flags;
    app.add_option("bundle", bundle, "bundle name (its newest file), file stem, or path to a bundle file")->required();
    flags.machine.add_to(app);
    app.add_flag("--dry-run,--dry_run", flags.dry_run, "print the scripts and sbatch commands; write and submit nothing");
    app.add_flag("--again", flags.again, "submit a second copy of a bundle that was submitted to this machine before");
    app.add_flag("--wait", flags.wait, "under a queue cap (max_queued), keep submitting as room frees up");
    app.add_flag("--no-verify,--no_verify", flags.no_verify,
                 "do not check hand-edited jobs with their applications' -cli (for a slow -cli)");
    if (auto done = parse_strict(app, args)) return *done;
    const model::Config config = model::load_config(model::config_path());
    return run_bundle(config, bundle, flags);
}

} // namespace milex::cli
