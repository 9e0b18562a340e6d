#include "milex/scheduler/slurm.hpp"

#include <chrono>
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::scheduler {

namespace {
constexpr std::chrono::seconds k_sbatch_timeout{120};
}

tl::expected<Submission, std::string> parse_parsable(const std::string& output) {
    // The id is on the last line; sites print notices before it.
    const std::string line = util::last_line(output);
    const size_t semicolon = line.find(';');
    Submission submission{line.substr(0, semicolon), semicolon == std::string::npos ? "" : line.substr(semicolon + 1)};
    const bool id_ok = !submission.job_id.empty() && submission.job_id.size() <= 18 &&
                       std::all_of(submission.job_id.begin(), submission.job_id.end(), ::isdigit);
    const bool cluster_ok = std::all_of(submission.cluster.begin(), submission.cluster.end(),
                                        [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; });
    if (!id_ok || !cluster_ok || (semicolon != std::string::npos && submission.cluster.empty()))
        return tl::unexpected(fmt::format("sbatch printed no job id (got \"{}\")", util::excerpt(output)));
    return submission;
}

std::vector<std::string> SlurmScheduler::submit_command(const SubmitRequest& request) const {
    std::vector<std::string> argv = {"sbatch", "--parsable"};
    if (!request.after_ok.empty()) argv.push_back("--dependency=afterok:" + util::join(request.after_ok, ":"));
    argv.push_back(request.script_path);
    return argv;
}

Submission SlurmScheduler::submit(const SubmitRequest& request) {
    auto result = m_transport.run(submit_command(request), k_sbatch_timeout);
    if (!result.succeeded()) {
        std::string reason = util::last_line(result.err);
        if (reason.empty()) reason = result.describe_end(k_sbatch_timeout);
        throw Error(fmt::format("sbatch refused job \"{}\" on {}: {}", request.job_name, m_transport.where(), reason))
            .with_details(result.err);
    }
    auto submission = parse_parsable(result.out);
    if (!submission) throw Error(fmt::format("job \"{}\": {}", request.job_name, submission.error()));
    return *submission;
}

} // namespace milex::scheduler
