#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/observe/runs.hpp"
#include "milex/model/bundle.hpp"
#include "milex/observe/logs.hpp"
#include "milex/observe/status.hpp"
#include "milex/store/bundle_store.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

namespace {

/// The run holding `job` (a name, or a SLURM id): in `reference` when given, else the newest
/// run that has it.
store::StoredRun run_with_job(const store::RunStore& runs, const std::string& job, const std::string& reference,
                              const std::optional<std::string>& machine) {
    if (!reference.empty()) return observe::select_run(runs, reference, machine);
    for (auto& run : runs.all()) {
        if (machine && run.record.machine != *machine) continue;
        for (const auto& j : run.record.jobs)
            if (j.name == job || j.job_id == job) return std::move(run);
    }
    throw Error(fmt::format("no run has a job \"{}\"; milex status lists the jobs of the newest run", job));
}

} // namespace

int logs_command(const Args& args) {
    CLI::App app{"Print a job's output (the file SLURM writes), locally or over SSH.", "milex logs"};
    std::string job, reference;
    std::optional<std::string> machine, task;
    bool follow = false, err = false;
    std::optional<size_t> lines;
    app.add_option("job", job, "job name (or SLURM id)")->required();
    app.add_option("--run", reference, "the run (bundle name, stem or stem@machine[.N]); default: the newest with that job");
    app.add_option("--machine", machine, "only runs on this machine");
    app.add_option("--task", task, "the array task (default: every task, one after the other)");
    app.add_flag("--follow,-f", follow, "print new lines as they come until the job ends");
    app.add_flag("--err", err, "the error file (when the job has its own --error)");
    app.add_option("--lines,-n", lines, "only the last N lines");
    if (auto done = parse_strict(app, args)) return *done;

    const model::Config config = load_config();
    const store::RunStore runs = observe::run_store(config);
    store::StoredRun run = run_with_job(runs, job, reference, machine);
    const model::JobRun* job_run = run.record.find(job);
    if (!job_run) {
        for (const auto& j : run.record.jobs)
            if (j.job_id == job) job_run = run.record.find(j.name);
    }
    if (!job_run) throw Error(fmt::format("run {}@{} has no job \"{}\"", run.record.bundle, run.record.machine, job));
    const std::string job_name = job_run->name;
    observe::MachineAccess access = observe::open_machine(config, run.record.machine);

    const model::Bundle bundle = store::read_bundle(run.record.bundle_file);
    const model::Job* definition = bundle.find(job_name);
    if (!definition) throw Error(fmt::format("{} no longer has a job \"{}\"", run.record.bundle_file, job_name));
    auto files = observe::job_log_files(*definition, access.machine, run.record, err, task);
    if (files.note) std::cerr << "milex logs: " << *files.note << "\n";

    observe::LogReader reader(*access.transport);
    std::string wandb;
    auto print = [&](const std::string& text) {
        std::cout << text << std::flush;
        if (auto url = observe::wandb_url(text)) wandb = *url;
    };
    for (size_t i = 0; i < files.paths.size(); ++i) {
        const std::string& path = files.paths[i];
        if (files.paths.size() > 1) std::cout << fmt::format("==> {} <==\n", path) << std::flush;
        if (!follow) {
            auto text = reader.read(path, lines);
            if (!text) throw Error(fmt::format("{} does not exist (yet): the job has not started, or writes elsewhere",
                                               path));
            print(*text);
            continue;
        }
        // Follow: what was appended since the last look, until the job has ended and the file is read.
        bool said_waiting = false;
        size_t offset = 0;
        auto pause = std::chrono::milliseconds(500);
        for (;;) {
            auto chunk = reader.read_from(path, offset);
            if (!chunk) {
                if (!said_waiting) std::cerr << fmt::format("milex logs: waiting for {}\n", path);
                said_waiting = true;
            } else if (!chunk->empty()) {
                offset += chunk->size();
                print(*chunk);
                continue;
            }
            auto statuses = observe::refresh(run, *access.scheduler, runs);
            bool ended = false;
            for (const auto& s : statuses)
                if (s.name == job_name) ended = scheduler::is_final(s.state.state);
            if (ended) {
                if (auto rest = reader.read_from(path, offset); rest && !rest->empty()) print(*rest);
                break;
            }
            access.transport->idle(pause);
            pause = std::min(pause * 2, std::chrono::milliseconds(2000));
        }
    }
    if (!wandb.empty()) std::cout << "wandb: " << wandb << "\n";
    return 0;
}

} // namespace milex::cli
