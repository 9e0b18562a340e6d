#include "milex/scheduler/scheduler.hpp"

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

bool is_final(State state) {
    return state != State::pending && state != State::running && state != State::unknown;
}

} // namespace milex::scheduler
