#include "milex/web/hub.hpp"

namespace milex::web {

void Hub::bump() {
    {
        std::lock_guard lock(m_mutex);
        ++m_version;
    }
    m_changed.notify_all();
}

std::uint64_t Hub::version() const {
    std::lock_guard lock(m_mutex);
    return m_version;
}

std::uint64_t Hub::wait(std::uint64_t seen, std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    m_changed.wait_for(lock, timeout, [&] { return m_version != seen || m_stopped; });
    return m_version;
}

void Hub::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopped = true;
    }
    m_changed.notify_all();
}

bool Hub::stopped() const {
    std::lock_guard lock(m_mutex);
    return m_stopped;
}

} // namespace milex::web
