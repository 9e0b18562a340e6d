#include "milex/observe/logs.hpp"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "milex/model/slurm_options.hpp"
#include "milex/observe/status.hpp"
#include "milex/scheduler/dialect.hpp"
#include "milex/scheduler/request.hpp"
#include "milex/util/error.hpp"
#include "milex/util/path.hpp"

namespace milex::observe {

namespace {

constexpr std::chrono::seconds k_read_timeout{60};

} // namespace

LogFiles log_files(const model::Job& job, const model::Machine& machine, const model::JobRun& run, bool err,
                   const std::optional<std::string>& task) {
    const auto options = scheduler::job_request(job, machine);
    LogFiles files;
    const std::string* pattern = model::find_option(options, err ? "error" : "output");
    files.separate_stderr = model::find_option(options, "error") != nullptr;
    if (!pattern && err) {
        pattern = model::find_option(options, "output");
        files.note = "the job has no --error of its own: its stderr is in its output, shown here";
    }
    const std::string user = util::environment_variable("USER").value_or("");
    std::vector<std::string> tasks;
    if (task) tasks = {*task};
    else if (!run.array.empty()) tasks = model::array_indices(run.array);
    if (tasks.empty()) tasks = {""};
    for (const auto& t : tasks) {
        // A task of a split array lives in the part holding it, under its index there.
        std::string id = run.job_id, local = t;
        for (const auto& part : run.parts) {
            if (t.empty() || std::stoull(t) < part.offset) continue;
            id = part.job_id;
            local = std::to_string(std::stoull(t) - part.offset);
        }
        files.paths.push_back(scheduler::dialect_of(machine.scheduler).log_file({*pattern, job.name, id, local, user}));
    }
    return files;
}

LogFiles job_log_files(const model::Job& job, const model::Machine& machine, const model::RunRecord& record, bool err,
                       const std::optional<std::string>& task) {
    const model::JobRun* latest = record.find(job.name);
    if (!latest) throw Error(fmt::format("run {}@{} has no job \"{}\"", record.bundle, record.machine, job.name));
    const auto attempts = task_attempts(record, job.name);
    if (attempts.empty()) {
        if (task)
            throw Error(fmt::format("job \"{}\" is not an array job, so it has no task {}; leave out --task", job.name,
                                    *task));
        return log_files(job, machine, *latest, err, std::nullopt);
    }
    std::vector<size_t> indices;
    for (const auto& entry : attempts) indices.push_back(std::stoull(entry.first));
    std::sort(indices.begin(), indices.end());
    if (task) {
        auto it = attempts.find(*task);
        if (it == attempts.end())
            throw Error(fmt::format("job \"{}\" has no task {}; its tasks are {}", job.name, *task,
                                    model::fold_indices(indices)));
        return log_files(job, machine, *it->second, err, task);
    }
    LogFiles all;
    for (size_t index : indices) {
        const std::string name = std::to_string(index);
        LogFiles one = log_files(job, machine, *attempts.at(name), err, name);
        all.paths.insert(all.paths.end(), one.paths.begin(), one.paths.end());
        all.note = one.note;
        all.separate_stderr = one.separate_stderr;
    }
    return all;
}

std::optional<std::string> LogReader::read(const std::string& path, std::optional<size_t> lines) {
    std::vector<std::string> argv = lines ? std::vector<std::string>{"tail", "-n", std::to_string(*lines), "--", path}
                                          : std::vector<std::string>{"cat", "--", path};
    auto result = m_transport.run(argv, k_read_timeout);
    if (!result.succeeded()) return std::nullopt;
    return result.out;
}

std::optional<std::string> LogReader::read_from(const std::string& path, size_t offset) {
    auto result = m_transport.run({"tail", "-c", "+" + std::to_string(offset + 1), "--", path}, k_read_timeout);
    if (!result.succeeded()) return std::nullopt;
    return result.out;
}

std::optional<std::string> wandb_url(const std::string& text) {
    std::optional<std::string> found;
    for (size_t at = text.find("https://wandb.ai/"); at != std::string::npos; at = text.find("https://wandb.ai/", at + 1)) {
        size_t end = at;
        while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '"' &&
               text[end] != '\'' && text[end] != ')' && text[end] != ']')
            ++end;
        found = text.substr(at, end - at);
    }
    return found;
}

} // namespace milex::observe
