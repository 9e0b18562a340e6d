#include "milex/scheduler/direct.hpp"

#include <ctime>

#include <fmt/format.h>

#include "milex/scheduler/slurm_parse.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::scheduler {

namespace {

constexpr std::chrono::seconds k_timeout{60};

/// Seconds between the TERM at a job's time limit and the KILL of what is left of it (SLURM's
/// KillWait is 30 s by default; a laptop's jobs are smaller).
constexpr int k_kill_grace_seconds = 10;

// Started by bash on the machine: detaches the job (a session of its own, no terminal), prints
// its process id, and in the job waits for each dependency's exit-status file before running
// the batch script. A dependency that failed, or vanished without a status, stops it. With a
// time limit (seconds, 0 for none) the job's first process stays as a timer, as SLURM does: at
// the limit it notes "timeout" in the exit-status file and sends TERM to the whole process
// group; what still runs after the grace period is killed, and the end written for it. (Bash's
// SECONDS ticks with the wall clock's seconds, hence the +1: a job gets its limit, never less.)
constexpr const char* k_launcher = R"sh(name=$1 script=$2 dir=$3 limit=$4 grace=$5; shift 5
setsid bash -c '
name=$1 script=$2 dir=$3 limit=$4 grace=$5; shift 5
export SLURM_JOB_NAME="$name" SLURM_JOB_ID=$$
exec >"$dir/$name-$$.out" 2>&1 </dev/null
never() { printf "never-ran %s\n" "$1" >"$dir/$name-$$.status"; echo "milex: never ran: dependency $1 did not complete"; exit 1; }
for dep in "$@"; do
  while :; do
    f=$(ls "$dir"/*-"$dep".status 2>/dev/null | head -n 1)
    if [ -n "$f" ] && grep -q "^never-ran" "$f"; then never "$dep"; fi
    if [ -n "$f" ] && grep -q "^end " "$f"; then
      grep -q "^end [0-9]* exit 0$" "$f" && break
      never "$dep"
    fi
    kill -0 "$dep" 2>/dev/null || { sleep 1; [ -n "$f" ] && grep -q "^end " "$f" || never "$dep"; }
    sleep 1
  done
done
[ "$limit" -gt 0 ] || exec bash "$script"
trap : TERM
bash "$script" &
job=$! status="$dir/$name-$$.status"
until_gone() {
  local end=$((SECONDS + $1 + 1))
  while kill -0 "$job" 2>/dev/null && [ $SECONDS -lt $end ]; do sleep 1; done
  ! kill -0 "$job" 2>/dev/null
}
if ! until_gone "$limit"; then
  printf "timeout %s\n" "$(date +%s)" >>"$status"
  kill -TERM -- -$$
  if ! until_gone "$grace"; then
    printf "end %s exit 137 signal KILL\n" "$(date +%s)" >>"$status"
    kill -KILL -- -$$
  fi
fi
wait "$job"
' milex-job "$name" "$script" "$dir" "$limit" "$grace" "$@" >/dev/null 2>&1 </dev/null &
echo $!
)sh";

// Prints, for each id, "== <id> alive|gone" and its exit-status file.
constexpr const char* k_probe = R"(dir=$1; shift
for id in "$@"; do
  if kill -0 "$id" 2>/dev/null; then echo "== $id alive"; else echo "== $id gone"; fi
  cat "$dir"/*-"$id".status 2>/dev/null
done
true
)";

} // namespace

std::vector<std::string> DirectScheduler::submit_command(const SubmitRequest& request) const {
    std::vector<std::string> argv = {"bash",
                                     "-c",
                                     k_launcher,
                                     "milex-direct",
                                     request.job_name,
                                     request.script_path,
                                     m_dir,
                                     std::to_string(slurm::time_limit_seconds(request.time_limit)),
                                     std::to_string(k_kill_grace_seconds)};
    argv.insert(argv.end(), request.after_ok.begin(), request.after_ok.end());
    return argv;
}

Submission DirectScheduler::submit(const SubmitRequest& request) {
    auto result = m_transport.run(submit_command(request), k_timeout);
    const std::string pid(util::trim(result.out));
    if (!result.succeeded() || pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos)
        throw Error(fmt::format("could not start job \"{}\" on {}: {}", request.job_name, m_transport.where(),
                                util::last_line(result.err + result.out)))
            .with_details(result.err);
    return {pid, ""};
}

std::map<std::string, JobReport> parse_direct_probe(const std::string& text, long long now) {
    std::map<std::string, JobReport> reports;
    std::string current;
    bool alive = false;
    std::map<std::string, std::string> files;
    std::map<std::string, bool> alive_of;
    for (const auto& line : util::split(text, '\n')) {
        if (line.starts_with("== ")) {
            auto words = util::split(line.substr(3), ' ');
            current = words[0];
            alive = words.size() > 1 && words[1] == "alive";
            alive_of[current] = alive;
            files[current];
        } else if (!current.empty()) {
            files[current] += line + "\n";
        }
    }
    for (const auto& [id, text_of_file] : files) {
        JobState state;
        auto parsed = slurm::parse_status_file(text_of_file);
        const bool running = alive_of[id];
        if (parsed) state = *parsed;
        if (parsed && parsed->state == State::running) {
            if (!running) {
                state.state = State::unknown;
                state.reason = "ended without writing its exit status (killed?)";
            } else if (auto start = slurm::epoch_of(parsed->start, true)) {
                state.elapsed = slurm::duration_text(now - *start);
                state.reason.clear();
            }
        } else if (parsed && state.reason == "stopped by SIGTERM") {
            state.state = State::cancelled;
        } else if (!parsed) {
            if (running) {
                state.state = State::pending;
                state.reason = "Dependency";
            } else {
                state.state = State::unknown;
                state.reason = "gone without an exit-status file";
            }
        }
        reports[id].job = state;
    }
    return reports;
}

std::map<std::string, JobReport> DirectScheduler::query(const std::vector<JobQuery>& jobs) {
    if (jobs.empty()) return {};
    std::vector<std::string> argv = {"bash", "-c", k_probe, "milex-probe", m_dir};
    for (const auto& job : jobs) argv.push_back(job.id);
    auto result = m_transport.run(argv, k_timeout);
    if (!result.succeeded())
        throw Error(fmt::format("could not look at the jobs on {}: {}", m_transport.where(), util::last_line(result.err)));
    auto reports = parse_direct_probe(result.out, static_cast<long long>(std::time(nullptr)));
    for (const auto& job : jobs) reports[job.id];  // every id answered, unknown at worst
    return reports;
}

void DirectScheduler::cancel(const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    // Each job leads a session of its own: signal the whole group, the application included.
    std::vector<std::string> argv = {"bash", "-c", "for id; do kill -TERM -- \"-$id\" 2>/dev/null; done; true",
                                     "milex-cancel"};
    argv.insert(argv.end(), ids.begin(), ids.end());
    m_transport.run(argv, k_timeout);
}

std::vector<PartitionResources> DirectScheduler::resources() {
    auto result = m_transport.run({"bash", "-c", "nproc; (nvidia-smi -L 2>/dev/null || true) | grep -c '^GPU' || true"},
                                  k_timeout);
    auto lines = util::split(std::string(util::trim(result.out)), '\n');
    PartitionResources row;
    row.partition = "(no scheduler)";
    if (!lines.empty() && !lines[0].empty()) row.cpus_total = row.cpus_free = std::stoi(lines[0]);
    if (lines.size() > 1 && !lines[1].empty()) row.gpus_total = row.gpus_free = std::stoi(lines[1]);
    return {row};
}

} // namespace milex::scheduler
