#include "milex/web/machine_card.hpp"

#include <fmt/format.h>

#include "milex/observe/status.hpp"
#include "milex/observe/status_json.hpp"
#include "milex/util/clock.hpp"
#include "milex/util/error.hpp"
#include "milex/web/api.hpp"

namespace milex::web {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

MachineCard::MachineCard(const model::Config& config, std::string name, Hub& hub, std::chrono::milliseconds interval)
    : m_config(config), m_name(std::move(name)), m_hub(hub), m_interval(interval) {
    m_card = {{"name", m_name}, {"state", "connecting"}, {"resources", ordered_json::array()}};
}

MachineCard::~MachineCard() { stop(); }

void MachineCard::connect_locked() {
    try {
        m_access = observe::open_machine(m_config, m_name);
        std::lock_guard lock(m_card_mutex);
        m_card["state"] = "connected";
        m_card.erase("error");
        m_card["where"] = m_access->transport->where();
        m_card["via"] = m_access->transport->via();
    } catch (const Error& e) {
        lost(e.what());
        throw;
    }
}

void MachineCard::lost(const std::string& error) {
    m_access.reset();
    std::lock_guard lock(m_card_mutex);
    m_card["state"] = "unreachable";
    m_card["error"] = error;
}

void MachineCard::open() {
    std::lock_guard lock(m_access_mutex);
    try {
        connect_locked();
    } catch (const Error&) {
        // Kept on the card; the poller tries again.
    }
}

void MachineCard::with_access(const std::function<void(observe::MachineAccess&)>& use) {
    std::lock_guard lock(m_access_mutex);
    if (!m_access) connect_locked();
    try {
        use(*m_access);
    } catch (const transport::ConnectionLost& e) {
        lost(e.what());  // reopened on the next use; the card says why until then
        throw;
    }
}

void MachineCard::poll() {
    std::string digest;
    ordered_json resources;
    std::string error;
    try {
        with_access([&](observe::MachineAccess& access) {
            resources = observe::resources_json(access.scheduler->resources());
            digest += resources.dump();
            const store::RunStore runs = observe::run_store(m_config);
            for (const auto& file : runs.files()) {
                if (file.machine != m_name) continue;
                const std::string key = file.path.string();
                const std::string now = record_stamp(file.path);
                digest += key + "=" + now + ";";
                if (auto it = m_ended.find(key); it != m_ended.end() && it->second == now) continue;
                store::StoredRun run = runs.load(file.path);
                if (observe::all_ended(observe::recorded(run.record))) {
                    m_ended[key] = now;
                    continue;
                }
                const auto jobs = observe::refresh(run, *access.scheduler, runs);
                digest += observe::run_json(run, jobs).dump();
                if (observe::all_ended(jobs)) m_ended[key] = record_stamp(file.path);
            }
        });
    } catch (const Error& e) {
        error = e.what();
        digest = "error:" + error;
    }
    {
        std::lock_guard lock(m_card_mutex);
        if (error.empty()) {
            m_card["state"] = "connected";
            m_card.erase("error");
            m_card["resources"] = resources;
        } else {
            m_card["state"] = "unreachable";
            m_card["error"] = error;
        }
        m_card["polled"] = util::iso_utc(std::chrono::system_clock::now());
        m_card["polls"] = m_card.value("polls", 0) + 1;
        if (digest == m_digest) return;
        m_digest = digest;
    }
    m_hub.bump();
}

void MachineCard::start() {
    m_thread = std::thread([this] {
        for (;;) {
            poll();
            std::unique_lock lock(m_stop_mutex);
            if (m_wake.wait_for(lock, m_interval, [&] { return m_stopping; })) return;
        }
    });
}

void MachineCard::stop() {
    {
        std::lock_guard lock(m_stop_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

ordered_json MachineCard::card() const {
    std::lock_guard lock(m_card_mutex);
    return m_card;
}

} // namespace milex::web
