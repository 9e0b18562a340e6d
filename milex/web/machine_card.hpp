#pragma once
/// One machine as the dashboard holds it: one connection for the server's lifetime, and one
/// poller thread that asks its scheduler, once per interval, for the resources and for the
/// states of the runs there that have not ended, saving them to the run records. Every browser
/// reads the cached result: N open pages cost one poll per interval, not N.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "milex/observe/runs.hpp"
#include "milex/web/hub.hpp"

namespace milex::web {

class MachineCard {
public:
    MachineCard(const model::Config& config, std::string name, Hub& hub, std::chrono::milliseconds interval);
    ~MachineCard();
    MachineCard(const MachineCard&) = delete;
    MachineCard& operator=(const MachineCard&) = delete;

    const std::string& name() const { return m_name; }

    /// Connects now (in the caller's terminal, where a passphrase can be typed); a failure is
    /// kept for the card and retried by the poller.
    void open();
    /// Starts polling in a thread of its own; stop() ends it.
    void start();
    void stop();

    /// {name, state: "connected"|"unreachable"|"connecting", error?, where, via, resources: [...],
    /// polled, polls}: what the machines page shows, from the last poll (`polls` counts them).
    nlohmann::ordered_json card() const;

    /// Runs `use` with the machine's connection, one caller at a time (the poller included).
    /// Throws the connection's error when the machine cannot be reached.
    void with_access(const std::function<void(observe::MachineAccess&)>& use);

    /// Polls once now (the poller thread does this every interval).
    void poll();

private:
    void connect_locked();
    /// The connection is gone (or never came): dropped, and the card says why.
    void lost(const std::string& error);

    model::Config m_config;
    std::string m_name;
    Hub& m_hub;
    std::chrono::milliseconds m_interval;

    std::mutex m_access_mutex;  ///< one user of the connection at a time
    std::optional<observe::MachineAccess> m_access;

    mutable std::mutex m_card_mutex;
    nlohmann::ordered_json m_card;
    std::string m_digest;  ///< of what the last poll saw, to tell a change

    /// Run records of this machine already seen ended, by path → modification stamp.
    std::map<std::string, std::string> m_ended;

    std::mutex m_stop_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace milex::web
