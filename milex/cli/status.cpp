#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/cli/status.hpp"
#include "milex/observe/notify.hpp"
#include "milex/observe/runs.hpp"
#include "milex/observe/status.hpp"
#include "milex/observe/status_json.hpp"
#include "milex/submit/snapshots.hpp"
#include "milex/util/error.hpp"
#include "milex/util/path.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

namespace {

/// The table: one line per job (and per array task), columns as wide as their widest cell.
std::vector<std::string> table(const store::StoredRun& run, const std::vector<observe::JobStatus>& jobs) {
    std::vector<std::array<std::string, 7>> rows = {{"JOB", "ID", "STATE", "EXIT", "ELAPSED", "NODE", "REASON"}};
    std::map<std::string, size_t> counts;
    for (const auto& job : jobs) {
        const auto& s = job.state;
        const std::string name = job.title();
        std::string reason = s.reason;
        if (s.state == scheduler::State::never_ran) reason = s.reason.empty() ? "" : s.reason;
        rows.push_back({name, job.job_id, observe::state_text(s), s.exit_code, s.elapsed, s.node, reason});
        ++counts[observe::state_text(s)];
        if (job.tasks.size() > 1 || (job.tasks.size() == 1 && job.tasks.begin()->first != "")) {
            for (const auto& [task, t] : job.tasks) {
                auto earlier = job.earlier_tasks.find(task);
                if (earlier == job.earlier_tasks.end())
                    rows.push_back({"  [" + task + "]", job.job_id + "_" + task, observe::state_text(t), t.exit_code,
                                    t.elapsed, t.node, t.reason});
                else
                    rows.push_back({fmt::format("  [{}] (attempt {})", task, earlier->second.attempt),
                                    earlier->second.job_id + "_" + earlier->second.index, observe::state_text(t),
                                    t.exit_code, t.elapsed, t.node, t.reason});
            }
        }
    }
    std::array<size_t, 7> width{};
    for (const auto& row : rows)
        for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    std::vector<std::string> summary;
    for (const auto& [state, n] : counts) summary.push_back(fmt::format("{} {}", n, state));
    std::vector<std::string> lines = {fmt::format("{} on {} (run {}): {}", run.record.bundle, run.record.machine,
                                                  run.record.submission, util::join(summary, ", "))};
    for (const auto& row : rows) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        lines.push_back(line);
    }
    for (const auto& job : jobs) {
        const model::JobRun* recorded = run.record.find(job.name);
        if (!recorded || !recorded->snapshot.is_object()) continue;
        lines.push_back(fmt::format("{}: code snapshot {}: {}", job.name, recorded->snapshot.value("id", "?"),
                                    submit::snapshot_summary(recorded->snapshot)));
    }
    return lines;
}

/// Seconds between polls: a few at first, then growing, capped so a busy controller is spared.
std::chrono::milliseconds next_pause(std::chrono::milliseconds pause) {
    return std::min(std::chrono::milliseconds(pause.count() * 3 / 2), std::chrono::milliseconds(30000));
}

} // namespace

int show_run(store::StoredRun& run, const store::RunStore& runs, const model::Machine& machine,
             transport::Transport& transport, scheduler::Scheduler& scheduler, bool watch, bool json) {
    const bool redraw = watch && !json && ::isatty(STDOUT_FILENO);
    size_t drawn = 0;
    bool saw_it_live = false;
    auto pause = util::seconds_from_environment("MILEX_WATCH_INTERVAL", std::chrono::milliseconds(2000));
    for (;;) {
        auto jobs = observe::refresh(run, scheduler, runs);
        const bool ended = observe::all_ended(jobs);
        if (json) {
            std::cout << observe::run_json(run, jobs).dump(watch ? -1 : 2) << std::endl;
        } else {
            auto lines = table(run, jobs);
            if (redraw && drawn > 0) std::cout << fmt::format("\033[{}F\033[J", drawn);
            for (const auto& line : lines) std::cout << line << "\n";
            if (watch && !redraw && !ended) std::cout << "\n";
            std::cout << std::flush;
            drawn = lines.size();
        }
        if (!watch) return 0;
        if (ended) {
            // The run ended while we watched (not before): the user hears of it.
            if (saw_it_live)
                if (auto problem = observe::notify_run_ended(machine, observe::run_summary(run, jobs)))
                    std::cerr << "milex: warning: " << *problem << std::endl;
            const bool all_completed = std::all_of(jobs.begin(), jobs.end(), [](const observe::JobStatus& j) {
                return j.state.state == scheduler::State::completed;
            });
            return all_completed ? 0 : 1;
        }
        saw_it_live = true;
        transport.idle(pause);
        pause = next_pause(pause);
    }
}

int status_command(const Args& args) {
    CLI::App app{"Show each job of a run: SLURM id, state, exit code, elapsed time, node, pending reason.\n"
                 "RUN is a bundle name (its newest run), a stem, or stem@machine[.N]; default: the newest run.",
                 "milex status"};
    std::string reference;
    std::optional<std::string> machine;
    bool watch = false, json = false;
    app.add_option("run", reference, "bundle name, bundle stem, or stem@machine[.N]");
    app.add_option("--machine", machine, "only runs on this machine");
    app.add_flag("--watch", watch,
                 "poll until every job has ended (exit 0 when all completed), then run the machine's notify_command");
    app.add_flag("--json", json, "print JSON");
    if (auto done = parse_strict(app, args)) return *done;

    auto [config, runs, run, access] = observe::open_run(load_config(), reference, machine);
    return show_run(run, runs, access.machine, *access.transport, *access.scheduler, watch, json);
}

} // namespace milex::cli
