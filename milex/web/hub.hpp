#pragma once
/// What the server's parts tell each other: a version number that goes up whenever something a
/// page shows changed (a state, a machine's resources, a new run), and waiting for it. One
/// event stream per browser tab waits here; none of them asks a scheduler.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace milex::web {

class Hub {
public:
    /// Something changed: wakes every waiter.
    void bump();
    std::uint64_t version() const;
    /// Waits until the version differs from `seen`, the hub stops, or `timeout` passes; returns
    /// the version then.
    std::uint64_t wait(std::uint64_t seen, std::chrono::milliseconds timeout);
    /// Wakes every waiter for good (the server is stopping).
    void stop();
    bool stopped() const;

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::uint64_t m_version = 1;
    bool m_stopped = false;
};

} // namespace milex::web
