#include "milex/scheduler/slurm.hpp"

#include <chrono>
#include <regex>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::scheduler {

namespace {
constexpr std::chrono::seconds k_sbatch_timeout{120};
}

tl::expected<Submission, std::string> parse_parsable(const std::string& output) {
    // The id is on the last line; sites print notices before it.
    static const std::regex k_line(R"(^(\d+)(?:;([A-Za-z0-9_.-]+))?$)");
    std::smatch m;
    const std::string line = util::last_line(output);
    if (!std::regex_match(line, m, k_line))
        return tl::unexpected(fmt::format("sbatch printed no job id (got \"{}\")", util::excerpt(output)));
    return Submission{m[1].str(), m[2].str()};
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
