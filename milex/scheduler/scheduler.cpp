#include "milex/scheduler/scheduler.hpp"

#include "milex/transport/transport.hpp"

namespace milex::scheduler {

namespace {
struct Name {
    State state;
    const char* name;
};
constexpr Name k_names[] = {
    {State::pending, "PENDING"},     {State::running, "RUNNING"},
    {State::completed, "COMPLETED"}, {State::failed, "FAILED"},
    {State::timeout, "TIMEOUT"},     {State::cancelled, "CANCELLED"},
    {State::out_of_memory, "OUT_OF_MEMORY"}, {State::node_fail, "NODE_FAIL"},
    {State::preempted, "PREEMPTED"}, {State::never_ran, "NEVER_RAN"},
    {State::stopped, "STOPPED"},
    {State::unknown, "UNKNOWN"},
};
} // namespace

std::string state_name(State state) {
    for (const auto& n : k_names)
        if (n.state == state) return n.name;
    return "UNKNOWN";
}

State state_from_name(const std::string& name) {
    for (const auto& n : k_names)
        if (name == n.name) return n.state;
    return State::unknown;
}

void Scheduler::submit_bundle(const std::vector<BundleJob>& jobs, const std::string&,
                              const BundleSubmitted& submitted) {
    std::vector<std::string> ids;
    for (size_t k = 0; k < jobs.size(); ++k) {
        SubmitRequest request = jobs[k].request;
        for (size_t before : jobs[k].after_jobs) request.after_ok.push_back(ids.at(before));
        Submission submission;
        try {
            submission = submit(request);
        } catch (const transport::ConnectionLost&) {
            throw;  // the job may or may not have reached the queue
        } catch (const Error& e) {
            throw JobRefused(e, k);
        }
        ids.push_back(submission.job_id);
        submitted(k, submission);
    }
}

bool is_final(State state) {
    return state != State::pending && state != State::running && state != State::unknown;
}

} // namespace milex::scheduler
