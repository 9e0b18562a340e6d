#pragma once
/// SIGINT and SIGTERM while milex records something that must stay whole (a bundle being
/// submitted): noted instead of ending milex at once, so that the sbatch under way finishes and
/// is recorded, and the work stops at the next safe point. A second signal ends milex at once.
#include <string>

#include "milex/util/error.hpp"

namespace milex::util {

/// Catches SIGINT and SIGTERM while it lives; the previous handlers come back after.
class InterruptGuard {
public:
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;
};

/// The signal noted by a live InterruptGuard (SIGINT or SIGTERM), or 0.
int interrupt_signal();

/// Work stopped at a safe point because of `signal`: exit code 128 + signal, as a shell reports
/// a program the signal ended.
class Interrupted : public Error {
public:
    Interrupted(std::string message, int sig) : Error(std::move(message), 128 + sig), m_signal(sig) {}
    int signal() const { return m_signal; }

private:
    int m_signal;
};

/// Throws Interrupted ("interrupted by SIGINT") when a signal was noted.
void stop_if_interrupted();

} // namespace milex::util
