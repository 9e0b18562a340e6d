#pragma once
#include <tl/expected.hpp>

#include "milex/scheduler/scheduler.hpp"
#include "milex/transport/transport.hpp"

namespace milex::scheduler {

/// SLURM through its commands (`sbatch --parsable`), run on the machine by a Transport.
class SlurmScheduler : public Scheduler {
public:
    explicit SlurmScheduler(transport::Transport& transport) : m_transport(transport) {}
    Submission submit(const SubmitRequest& request) override;
    std::vector<std::string> submit_command(const SubmitRequest& request) const override;

private:
    transport::Transport& m_transport;
};

/// Reads `sbatch --parsable` output: `1234` or `1234;cluster`, possibly after warning lines.
tl::expected<Submission, std::string> parse_parsable(const std::string& output);

} // namespace milex::scheduler
