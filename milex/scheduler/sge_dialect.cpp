#include "milex/scheduler/sge_dialect.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "milex/model/slurm_options.hpp"
#include "milex/scheduler/request.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::scheduler {

namespace sge {

namespace {
bool digits(const std::string& s) { return !s.empty() && s.size() < 10 && s.find_first_not_of("0123456789") == std::string::npos; }
} // namespace

std::vector<std::string> array_words(const std::string& spec, const std::string& where) {
    const auto percent = spec.find('%');
    const std::string range = spec.substr(0, percent);
    std::string first = range, last = range, step;
    if (const auto dash = range.find('-'); dash != std::string::npos) {
        first = range.substr(0, dash);
        last = range.substr(dash + 1);
        if (const auto colon = last.find(':'); colon != std::string::npos) {
            step = last.substr(colon + 1);
            last = last.substr(0, colon);
        }
    }
    std::vector<std::string> words;
    if (digits(first) && digits(last) && (step.empty() || digits(step))) {
        words = {"-t", fmt::format("{}-{}", std::stoull(first) + 1, std::stoull(last) + 1)};
        if (!step.empty()) words.back() += ":" + step;
    } else {
        // A list ("1,3,7", as resubmit --failed makes): one range over all of them, and the
        // tasks not in the list end at once (SgeDialect::environment reads MILEX_TASKS).
        const auto indices = model::array_indices(spec);
        if (indices.empty()) throw Error(fmt::format("{}: \"{}\" is not an array spec", where, spec));
        std::vector<unsigned long long> numbers;
        for (const auto& index : indices) numbers.push_back(std::stoull(index));
        std::sort(numbers.begin(), numbers.end());
        words = {"-t", fmt::format("{}-{}", numbers.front() + 1, numbers.back() + 1), "-v",
                 "MILEX_TASKS=" + util::join(indices, ":")};
    }
    if (percent != std::string::npos) {
        words.push_back("-tc");
        words.push_back(spec.substr(percent + 1));
    }
    return words;
}

std::string output_pattern(const std::string& pattern, const std::string& where) {
    std::string out;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] != '%' || i + 1 >= pattern.size()) {
            out += pattern[i];
            continue;
        }
        const char c = pattern[++i];
        if (c == 'x') out += "$JOB_NAME";
        else if (c == 'j' || c == 'A') out += "$JOB_ID";
        else if (c == 'a') out += "$TASK_ID";
        else if (c == '%') out += '%';
        else
            throw Error(fmt::format("{}: output \"{}\" uses %{}, which Grid Engine cannot fill in; use %x, %j, %A or "
                                    "%a",
                                    where, pattern, c));
    }
    return out;
}

unsigned long long memory_megabytes(const std::string& value) {
    size_t digits_end = 0;
    while (digits_end < value.size() && value[digits_end] >= '0' && value[digits_end] <= '9') ++digits_end;
    unsigned long long n = digits_end ? std::stoull(value.substr(0, digits_end)) : 0;
    const char unit = digits_end < value.size() ? static_cast<char>(std::toupper(static_cast<unsigned char>(value[digits_end]))) : 'M';
    switch (unit) {
    case 'K':
        return (n + 1023) / 1024;
    case 'G':
        return n * 1024;
    case 'T':
        return n * 1024 * 1024;
    default:
        return n;
    }
}

std::string mail_letters(const std::string& types, const std::string& where) {
    std::string letters;
    auto add = [&](char letter) {
        if (letters.find(letter) == std::string::npos) letters += letter;
    };
    for (const auto& type : util::split(types, ',')) {
        if (type == "NONE") add('n');
        else if (type == "BEGIN") add('b');
        else if (type == "END") add('e');
        else if (type == "FAIL") add('a');
        else if (type == "ALL") { add('b'); add('e'); add('a'); }
        else
            throw Error(fmt::format("{}: Grid Engine cannot mail on \"{}\" (it knows BEGIN, END, FAIL, ALL and NONE); "
                                    "change the machine's \"mail_type\"",
                                    where, type));
    }
    // `n` with anything else is a contradiction Grid Engine refuses; the others win.
    if (letters.size() > 1) letters.erase(std::remove(letters.begin(), letters.end(), 'n'), letters.end());
    return letters;
}

} // namespace sge

std::vector<std::string> SgeDialect::directives(const model::Job& job, const model::Machine& machine) const {
    const auto request = job_request(job, machine);
    const std::string where = fmt::format("job \"{}\" on machine \"{}\"", job.name, machine.name);
    if (job.retries > 0)
        throw Error(fmt::format("{}: retries on the cluster need SLURM's requeue; Grid Engine has no such thing "
                                "milex can drive (remove \"retries\", or run the job on a SLURM machine)",
                                where));
    auto refuse = [&](const std::string& key, const std::string& why) {
        return Error(fmt::format("{}: Grid Engine cannot express \"{}\"{}; remove it from the job (or from the "
                                 "machine's \"sbatch\" defaults) or run the job on a SLURM machine",
                                 where, key, why));
    };
    auto find = [&](const char* key) { return model::find_option(request, key); };
    std::vector<std::string> lines = {"#$ -S /bin/bash", "#$ -cwd", "#$ -V"};
    auto add = [&](const std::string& words) { lines.push_back("#$ " + words); };
    // Slots: tasks × CPUs per task, through the machine's parallel environment.
    unsigned long long slots = 1;
    for (const char* key : {"tasks", "ntasks", "cpus_per_task"})
        if (const auto* v = find(key)) slots *= std::stoull(*v);
    std::string gpus;
    for (const auto& option : request) {
        const std::string& key = option.key;
        const std::string& v = option.value;
        if (key == "job_name") add("-N " + v);
        else if (key == "output") add("-o " + sge::output_pattern(v, where));
        else if (key == "error") add("-e " + sge::output_pattern(v, where));
        else if (key == "account") add("-A " + v);
        else if (key == "partition") add("-q " + v);
        else if (key == "time") {
            const long long seconds = model::time_limit_seconds(v);
            if (seconds > 0) add(fmt::format("-l h_rt={}", seconds));
        } else if (key == "mem") {
            // SLURM's --mem is per node (here: per job); a memory complex counts per slot.
            const unsigned long long mb = sge::memory_megabytes(v);
            add(fmt::format("-l {}={}M", machine.memory_complex, (mb + slots - 1) / slots));
        } else if (key == "mem_per_cpu") {
            add(fmt::format("-l {}={}M", machine.memory_complex, sge::memory_megabytes(v)));
        } else if (key == "tasks" || key == "ntasks" || key == "cpus_per_task") {
            continue;  // slots, below
        } else if (key == "nodes") {
            if (v != "1" && v != "1-1") throw refuse(key, fmt::format(" {} (a job runs on one host there)", v));
        } else if (key == "gres") {
            auto ask = gpu_ask(v);
            if (!ask) throw refuse(key, fmt::format(" {} (only GPUs, through the consumable complex gpu)", v));
            if (!ask->type.empty())
                throw refuse(key, fmt::format(" {} (the gpu complex counts GPUs; it has no types)", v));
            gpus = ask->count;
        } else if (key == "gpus" || key == "gpus_per_node") {
            if (v.find(':') != std::string::npos)
                throw refuse(key, fmt::format(" {} (the gpu complex counts GPUs; it has no types)", v));
            gpus = v;
        } else if (key == "signal") {
            // Grid Engine sends SIGUSR1 when a job passes its soft run-time limit (s_rt), and
            // SIGKILL at the hard one (h_rt): USR1 some seconds before the limit is s_rt.
            const auto signal = model::parse_signal(v);
            const std::string* time = find("time");
            const long long limit = time ? model::time_limit_seconds(*time) : 0;
            if (signal->name != "USR1")
                throw refuse(key, fmt::format(" {} (it sends only USR1 before a time limit, at s_rt; use USR1@SECONDS)", v));
            if (limit <= 0)
                throw refuse(key, fmt::format(" {} without a time limit (s_rt is counted from the start; give --time)", v));
            add(fmt::format("-l s_rt={}", std::max<long long>(1, limit - signal->seconds)));
        } else if (key == "requeue") {
            add(v == "true" ? "-r y" : "-r n");
        } else if (key == "mail_user") {
            add("-M " + v);
        } else if (key == "mail_type") {
            add("-m " + sge::mail_letters(v, where));
        } else if (key == "array") {
            const auto words = sge::array_words(v, where);
            for (size_t i = 0; i + 1 < words.size(); i += 2) add(words[i] + " " + words[i + 1]);
        } else {
            throw refuse(key, "");
        }
    }
    if (slots > 1) {
        if (machine.parallel_environment.empty())
            throw Error(fmt::format("{}: {} CPUs need a parallel environment; set \"parallel_environment\" of machine "
                                    "\"{}\" (qconf -spl lists them)",
                                    where, slots, machine.name));
        add(fmt::format("-pe {} {}", machine.parallel_environment, slots));
    }
    if (!gpus.empty()) add("-l gpu=" + gpus);
    // SLURM puts stderr with stdout unless --error is given.
    if (!find("error")) add("-j y");
    return lines;
}

std::string SgeDialect::environment() const {
    return R"sh(# Grid Engine's variables as milex's: its array tasks count from 1, milex's from 0
if [ "${SGE_TASK_ID:-undefined}" != undefined ]; then
  # An array of listed tasks runs over their whole range: the others end here, leaving nothing.
  if [ -n "${MILEX_TASKS:-}" ] && [[ ":$MILEX_TASKS:" != *":$(( SGE_TASK_ID - 1 )):"* ]]; then
    rm -f "${SGE_STDOUT_PATH:-}" "${SGE_STDERR_PATH:-}"
    exit 0
  fi
  milex_id="${JOB_ID}_$(( SGE_TASK_ID - 1 ))"
  export MILEX_TASK_ID=$(( SGE_TASK_ID - 1 + ${MILEX_TASK_OFFSET:-0} ))
else
  milex_id="${JOB_ID:-$$}"
  export MILEX_TASK_ID=0
fi
export MILEX_JOB_ID="${JOB_ID:-$$}"
milex_name="${JOB_NAME:-}"
# The submitting shell's PATH, as SLURM passes it (the job's shell may have read a profile since)
if [ -n "${SGE_O_PATH:-}" ]; then export PATH="$SGE_O_PATH"; fi
)sh";
}

std::string SgeDialect::dependency_check() const {
    // -hold_jid waits for the end of a job whatever its exit status (Grid Engine has no afterok).
    // The dependencies' exit-status files say how they ended: unless each says "exit 0", this job
    // ends now as never-run, without running anything, and so do the jobs waiting for it. This
    // holds with the submitting laptop off; exit 100 (Grid Engine's error state) would instead
    // leave the job and its dependents queued until someone deletes them.
    return R"sh(# Dependencies (qsub -hold_jid waits for their end, whatever their exit status): each must
# have ended well, as its exit-status file says, or this job ends as never-run.
for milex_dep in ${MILEX_AFTER//:/ }; do
  milex_ok=0
  for milex_file in "$MILEX"/slurm/*-"$milex_dep".status "$MILEX"/slurm/*-"$milex_dep"_*.status; do
    [ -e "$milex_file" ] || continue
    if grep -qx "end [0-9]* exit 0" "$milex_file"; then milex_ok=1; else milex_ok=0; break; fi
  done
  if [ "$milex_ok" != 1 ]; then
    printf 'never-ran %s\n' "$milex_dep" >"$milex_status_file"
    [ -z "${MILEX_TAG:-}" ] || printf 'tag %s\n' "$MILEX_TAG" >>"$milex_status_file"
    echo "milex: dependency $milex_dep did not complete: this job does not run" >&2
    exit 0
  fi
done
)sh";
}

std::string SgeDialect::log_file(const LogName& name) const {
    // Grid Engine numbers array tasks from 1: task i of milex is $TASK_ID i+1 in the file name.
    // %j is the job's id for every task (Grid Engine's tasks have no ids of their own).
    LogName shifted = name;
    if (!name.task.empty()) {
        shifted.task = std::to_string(std::stoull(name.task) + 1);
        for (size_t at = shifted.pattern.find("%j"); at != std::string::npos; at = shifted.pattern.find("%j", at + 2))
            if (at == 0 || shifted.pattern[at - 1] != '%') shifted.pattern[at + 1] = 'A';
    }
    return fill_slurm_pattern(shifted);
}

} // namespace milex::scheduler
