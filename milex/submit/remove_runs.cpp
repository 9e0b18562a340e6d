#include "milex/submit/remove_runs.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "milex/observe/cancel.hpp"
#include "milex/observe/logs.hpp"
#include "milex/observe/status.hpp"
#include "milex/submit/submit.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::submit {

namespace fs = std::filesystem;

namespace {

constexpr std::chrono::seconds k_remove_timeout{600};
constexpr size_t k_entries_per_command = 1000;

/// Run on the machine with `dry` then entries `p:<path>` or `g:<pattern>`: prints `<bytes>\t<path>`
/// for each that exists (removing it unless dry), `failed\t<path>` for one rm could not remove. A
/// leading `~/` is the machine's home; a pattern is expanded by the shell there.
constexpr const char* k_remove_script = R"(milex_one() {
  [ -e "$1" ] || [ -L "$1" ] || return 0
  b=$(find "$1" -type f -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
  if [ "$dry" = 1 ] || rm -rf -- "$1" 2>/dev/null; then printf '%s\t%s\n' "${b:-0}" "$1"
  else printf 'failed\t%s\n' "$1"; fi
}
dry=$1; shift
for item; do
  p=${item#??}
  case $p in "~/"*) p=$HOME/${p#??};; esac
  case $item in
    g:*) IFS=''; for f in $p; do milex_one "$f"; done; unset IFS;;
    *) milex_one "$p";;
  esac
done
)";

std::string run_name(const store::StoredRun& run) { return run.path.stem().string(); }

/// The record and its journal: their sizes, removed unless dry.
void remove_record(const store::StoredRun& run, DryRun dry, Removal& removal) {
    for (const fs::path& path : {run.path, store::RunStore::journal_of(run.path)}) {
        std::error_code error;
        const auto bytes = fs::file_size(path, error);
        if (error) continue;  // no journal
        if (dry == DryRun::no && !fs::remove(path, error) && error) {
            removal.problems.push_back(fmt::format("could not remove {}: {}", path.string(), error.message()));
            continue;
        }
        removal.removed.push_back({"", path.string(), bytes});
    }
}

/// The bundle a record was submitted from, when it is still there (it names custom log paths).
std::optional<model::Bundle> bundle_of(const model::Config& config, const model::RunRecord& record) {
    try {
        const store::BundleStore bundles(config.local().path + "/jobs");
        return plan_bundle(bundles, record.bundle_file).bundle;
    } catch (const Error&) {
        return std::nullopt;  // gone or unreadable: the logs in their usual place are found by pattern
    }
}

/// Whether another record of `run`'s bundle on its machine exists (its checkpoints are then kept).
bool other_runs_of_bundle(const store::RunStore& runs, const store::StoredRun& run) {
    for (const auto& file : runs.files())
        if (file.bundle == run.record.bundle && file.machine == run.record.machine && file.path != run.path)
            return true;
    return false;
}

/// Waits (a minute at most) until none of `jobs` of `run` is pending or running any more.
void wait_out_of_queue(const store::StoredRun& run, const std::vector<std::string>& jobs,
                       scheduler::Scheduler& scheduler, transport::Transport& transport) {
    std::vector<scheduler::JobQuery> queries;
    for (const auto& name : jobs) {
        const model::JobRun* job = run.record.find(name);
        if (!job) continue;
        if (job->parts.empty()) queries.push_back({job->job_id, job->name, job->submitted, job->array, job->time_limit});
        for (const auto& part : job->parts)
            queries.push_back({part.job_id, job->name, job->submitted, part.array, job->time_limit});
    }
    std::chrono::milliseconds pause{300};
    for (auto waited = std::chrono::milliseconds(0); waited < std::chrono::seconds(60); waited += pause) {
        const auto reports = scheduler.query(queries);
        const bool queued = std::any_of(reports.begin(), reports.end(), [](const auto& report) {
            const auto s = report.second.job.state;
            return s == scheduler::State::pending || s == scheduler::State::running;
        });
        if (!queued) return;
        transport.idle(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(3000));
    }
}

} // namespace

std::string checkpoint_folder(const model::Machine& machine, const std::string& bundle_stem) {
    return machine.path + "/checkpoints/" + bundle_stem;
}

RunFiles run_files(const model::RunRecord& record, const model::Machine& machine, const model::Bundle* bundle,
                   bool checkpoints) {
    RunFiles files;
    const std::string slurm = machine.path + "/slurm/";
    for (const auto& attempt : record.jobs) {
        if (!attempt.script.empty()) files.paths.push_back(attempt.script);
        for (const auto& id : attempt.ids()) {
            if (id.empty()) continue;
            // Logs where they go by default, and the exit-status files: <job>-<id>[_<task>].<ext>.
            files.patterns.push_back(fmt::format("{}{}-{}.*", slurm, attempt.name, id));
            files.patterns.push_back(fmt::format("{}{}-{}_*.*", slurm, attempt.name, id));
        }
        const model::Job* job = bundle ? bundle->find(attempt.name) : nullptr;
        if (!job || attempt.job_id.empty()) continue;
        for (bool err : {false, true}) {
            const auto logs = observe::log_files(*job, machine, attempt, err, std::nullopt);
            if (err && !logs.separate_stderr) continue;
            files.paths.insert(files.paths.end(), logs.paths.begin(), logs.paths.end());
        }
    }
    files.paths.push_back(bundle_lock_path(machine, record.bundle, record.submission));
    if (checkpoints) files.paths.push_back(checkpoint_folder(machine, record.bundle));
    // Code snapshots, once milex makes them, join here: a run's snapshot folder, removed when no
    // kept run uses it (as the checkpoint folder above).
    std::sort(files.paths.begin(), files.paths.end());
    files.paths.erase(std::unique(files.paths.begin(), files.paths.end()), files.paths.end());
    return files;
}

std::vector<RemovedPath> remove_on_machine(transport::Transport& transport, const std::string& machine,
                                           const RunFiles& files, DryRun dry, std::vector<std::string>& problems) {
    std::vector<std::string> entries;
    for (const auto& path : files.paths) entries.push_back("p:" + path);
    for (const auto& pattern : files.patterns) entries.push_back("g:" + pattern);
    std::vector<RemovedPath> removed;
    std::set<std::string> seen;
    for (size_t first = 0; first < entries.size(); first += k_entries_per_command) {
        std::vector<std::string> argv = {"sh", "-c", k_remove_script, "milex-remove", dry == DryRun::yes ? "1" : "0"};
        const size_t last = std::min(entries.size(), first + k_entries_per_command);
        argv.insert(argv.end(), entries.begin() + static_cast<long>(first), entries.begin() + static_cast<long>(last));
        const auto result = transport.run(argv, k_remove_timeout);
        if (!result.succeeded())
            throw Error(fmt::format("machine \"{}\": removing the run's files failed on {}: {}", machine,
                                    transport.where(), util::last_line(result.err)));
        for (const auto& line : util::split(result.out, '\n')) {
            const auto tab = line.find('\t');
            if (tab == std::string::npos) continue;
            const std::string size = line.substr(0, tab), path = line.substr(tab + 1);
            if (size == "failed") {
                problems.push_back(fmt::format("machine \"{}\": could not remove {}", machine, path));
                continue;
            }
            if (!seen.insert(path).second) continue;  // named twice (a path and a pattern)
            removed.push_back({machine, path, std::stoull(size)});
        }
    }
    return removed;
}

Removal delete_run(const model::Config& config, store::StoredRun& run, const store::RunStore& runs,
                   observe::MachineAccess& access, std::vector<std::string>& cancelled) {
    cancelled = observe::cancel_jobs(run, runs, *access.scheduler, {}, "cancelled by milex delete");
    if (!cancelled.empty()) wait_out_of_queue(run, cancelled, *access.scheduler, *access.transport);

    util::FileLock lock = runs.lock(run.record.bundle, run.record.machine);
    if (!fs::exists(run.path))
        throw Error(fmt::format("run {} was removed meanwhile by another milex", run_name(run)));
    run = runs.load(run.path);
    // A job another milex submitted meanwhile (a resume) leaves the queue too.
    std::vector<std::string> late;
    for (const model::JobRun* job : run.record.latest()) {
        const bool ended = !job->states.empty() &&
                           scheduler::is_final(scheduler::state_from_name(job->states.back().state)) &&
                           job->states.back().state != "SUBMITTED";
        if (!ended && !job->job_id.empty())
            for (const auto& id : job->ids()) late.push_back(id);
    }
    if (!late.empty()) access.scheduler->cancel(late);

    Removal removal;
    const auto bundle = bundle_of(config, run.record);
    const RunFiles files =
        run_files(run.record, access.machine, bundle ? &*bundle : nullptr, !other_runs_of_bundle(runs, run));
    removal.removed = remove_on_machine(*access.transport, access.machine.name, files, DryRun::no, removal.problems);
    if (!removal.problems.empty()) return removal;  // the record stays, to try again
    remove_record(run, DryRun::no, removal);
    removal.runs.push_back(run_name(run));
    return removal;
}

std::vector<CleanPick> pick_runs_to_clean(const std::vector<RunAge>& runs, fs::file_time_type cutoff,
                                          const std::optional<std::string>& machine) {
    std::vector<CleanPick> picks;
    std::map<std::pair<std::string, std::string>, size_t> kept;  // (bundle, machine) → runs not picked
    for (size_t i = 0; i < runs.size(); ++i) {
        const RunAge& run = runs[i];
        const bool picked = run.ended && run.modified < cutoff && (!machine || run.machine == *machine);
        if (picked) picks.push_back({i, false});
        else ++kept[{run.bundle, run.machine}];
    }
    for (auto& pick : picks) pick.checkpoints = !kept.count({runs[pick.index].bundle, runs[pick.index].machine});
    return picks;
}

Removal clean_runs(const model::Config& config, std::chrono::seconds older_than,
                   const std::optional<std::string>& machine, DryRun dry) {
    const store::RunStore runs = observe::run_store(config);
    const auto now = fs::file_time_type::clock::now();
    const auto cutoff = now - std::chrono::duration_cast<fs::file_time_type::duration>(older_than);
    Removal removal;
    if (machine) (void)config.get(*machine);  // an unknown machine is an Error naming the known ones

    // Machines are reached only for old runs recorded as live, and for the removal: once each.
    std::map<std::string, observe::MachineAccess> machines;
    auto reach = [&](const std::string& name) -> observe::MachineAccess& {
        auto it = machines.find(name);
        if (it == machines.end()) it = machines.emplace(name, observe::open_machine(config, name)).first;
        return it->second;
    };

    const std::vector<store::RunFile> files = runs.files();
    std::vector<RunAge> ages;
    std::vector<std::optional<store::StoredRun>> loaded(files.size());
    for (size_t i = 0; i < files.size(); ++i) {
        const auto& file = files[i];
        RunAge age{file.bundle, file.machine, file.modified, false};
        if (file.modified < cutoff && (!machine || file.machine == *machine)) {
            try {
                store::StoredRun run = runs.load(file.path);
                age.ended = observe::all_ended(observe::recorded(run.record));
                if (!age.ended) {
                    // Recorded as live long ago: ask its machine once whether it still is.
                    observe::MachineAccess& access = reach(file.machine);
                    age.ended = observe::all_ended(observe::refresh(run, *access.scheduler, runs));
                    // The look wrote what it learnt into the record; it does not make the run
                    // younger (else a --dry-run would keep the next clean from picking it).
                    std::error_code ec;
                    fs::last_write_time(file.path, file.modified, ec);
                }
                loaded[i] = std::move(run);
            } catch (const Error& e) {
                removal.problems.push_back(fmt::format("run {} is kept: {}", file.path.stem().string(), e.what()));
            }
        }
        ages.push_back(age);
    }

    std::map<std::string, std::vector<CleanPick>> by_machine;
    for (const auto& pick : pick_runs_to_clean(ages, cutoff, machine))
        by_machine[files[pick.index].machine].push_back(pick);
    for (const auto& [name, picks] : by_machine) {
        try {
            observe::MachineAccess& access = reach(name);
            // Held until the records are gone, so that no milex-run, resume or status of these
            // runs works meanwhile (one lock per bundle and machine: its runs share it).
            std::map<std::string, util::FileLock> locks;
            RunFiles all;
            std::vector<store::StoredRun> chosen;
            for (const auto& pick : picks) {
                store::StoredRun& run = *loaded[pick.index];
                if (!locks.count(run.record.bundle))
                    locks.emplace(run.record.bundle, runs.lock(run.record.bundle, run.record.machine));
                runs.reload_if_changed(run);
                if (!observe::all_ended(observe::recorded(run.record))) continue;  // resumed meanwhile
                const auto bundle = bundle_of(config, run.record);
                const RunFiles files_of_run =
                    run_files(run.record, access.machine, bundle ? &*bundle : nullptr, pick.checkpoints);
                all.paths.insert(all.paths.end(), files_of_run.paths.begin(), files_of_run.paths.end());
                all.patterns.insert(all.patterns.end(), files_of_run.patterns.begin(), files_of_run.patterns.end());
                chosen.push_back(run);
            }
            std::vector<std::string> problems;
            auto removed = remove_on_machine(*access.transport, name, all, dry, problems);
            removal.removed.insert(removal.removed.end(), removed.begin(), removed.end());
            removal.problems.insert(removal.problems.end(), problems.begin(), problems.end());
            if (!problems.empty()) continue;  // the records stay, to try again
            for (const auto& run : chosen) {
                remove_record(run, dry, removal);
                removal.runs.push_back(run_name(run));
            }
        } catch (const Error& e) {
            removal.problems.push_back(fmt::format("the runs on machine \"{}\" are kept: {}", name, e.what()));
        }
    }
    return removal;
}

} // namespace milex::submit
