#include "milex/scheduler/slurm_dialect.hpp"

#include <fmt/format.h>

#include "milex/scheduler/request.hpp"
#include "milex/util/error.hpp"

namespace milex::scheduler {

std::vector<std::string> SlurmDialect::directives(const model::Job& job, const model::Machine& machine) const {
    const auto request = job_request(job, machine);
    if (auto problem = retry_problem(job, request)) throw Error(*problem);
    if (job.retries > 0 && machine.scheduler == model::SchedulerKind::none)
        throw Error(fmt::format("job \"{}\": machine \"{}\" runs jobs directly (\"scheduler\": \"none\"): nothing "
                                "preempts or requeues them there, so it cannot retry; remove \"retries\" or run the "
                                "job on a SLURM machine",
                                job.name, machine.name));
    std::vector<std::string> lines;
    for (const auto& option : request) {
        if (option.key == "signal") {
            // B: the batch shell gets it, and passes it on to the application, which runs
            // without srun and so is no job step that SLURM would signal itself.
            const auto signal = model::parse_signal(option.value);
            lines.push_back(fmt::format("#SBATCH --signal={}:{}@{}", signal->prefix.empty() ? "B" : signal->prefix,
                                        signal->name, signal->seconds));
        } else if (option.key == "requeue") {
            lines.push_back(option.value == "true" ? "#SBATCH --requeue" : "#SBATCH --no-requeue");
        } else {
            lines.push_back(fmt::format("#SBATCH {}={}", model::sbatch_option(option.key), option.value));
        }
    }
    // SLURM truncates the log when a requeued job starts again: keep every attempt's.
    const std::string* requeue = model::find_option(request, "requeue");
    if ((requeue && *requeue == "true") || job.retries > 0) lines.push_back("#SBATCH --open-mode=append");
    return lines;
}

std::string SlurmDialect::attempt_start(const model::Job& job) const {
    if (job.retries == 0 || !job.retries_on(model::RetryOn::preempted)) return {};
    return fmt::format(R"sh(# The last of {} retries: SLURM must not requeue this attempt when it is preempted or its node fails.
if [ "${{SLURM_RESTART_COUNT:-0}}" -ge {} ]; then
  scontrol update jobid="$SLURM_JOB_ID" requeue=0 >/dev/null 2>&1 || echo "milex: could not make attempt $MILEX_ATTEMPT the last (scontrol update requeue=0 failed)" >&2
fi
)sh",
                       job.retries, job.retries);
}

std::string SlurmDialect::attempt_end(const model::Job& job, const std::string& signal, const std::string& lock) const {
    if (job.retries == 0 || !job.retries_on(model::RetryOn::timeout)) return {};
    // `requeue Incomplete` takes only a job that still runs: never one that milex cancel or
    // resubmit ended meanwhile. The run's lock orders it with milex resubmit.
    return fmt::format(R"sh(# Retry on timeout: the application ended after SLURM's {} before the time limit. SLURM queues the
# job again under its id (its dependents keep waiting) while a retry is left ({} in all).
if [ "${{milex_signal:-}}" = {} ] && [ "${{SLURM_RESTART_COUNT:-0}}" -lt {} ]; then
  milex_lock={}
  echo "milex: attempt $MILEX_ATTEMPT stopped before the time limit; queueing it again (retry $(( ${{SLURM_RESTART_COUNT:-0}} + 1 )) of {})"
  if command -v flock >/dev/null 2>&1; then
    flock -w 120 "$milex_lock" scontrol requeue Incomplete "$SLURM_JOB_ID"
  else
    scontrol requeue Incomplete "$SLURM_JOB_ID"
  fi || echo "milex: SLURM did not queue the job again (cancelled meanwhile?)" >&2
fi
)sh",
                       signal, job.retries, signal, job.retries, lock, job.retries);
}

std::string SlurmDialect::environment() const {
    return R"sh(# SLURM's variables as milex's (the direct runner sets SLURM_JOB_ID and SLURM_JOB_NAME too)
if [ -n "${SLURM_ARRAY_JOB_ID:-}" ]; then milex_id="${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"; else milex_id="${SLURM_JOB_ID:-$$}"; fi
export MILEX_JOB_ID="${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-$$}}"
export MILEX_TASK_ID=$(( ${SLURM_ARRAY_TASK_ID:-0} + ${MILEX_TASK_OFFSET:-0} ))
milex_name="${SLURM_JOB_NAME:-}"
)sh";
}

std::string SlurmDialect::log_file(const LogName& name) const { return fill_slurm_pattern(name); }

} // namespace milex::scheduler
