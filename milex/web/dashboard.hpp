#pragma once
/// `milex dashboard`'s server: the JSON API, the event stream and the embedded front end over
/// HTTP on 127.0.0.1, behind the token (see security.hpp). It calls the same library functions
/// as the commands; nothing here prints.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "milex/model/machine.hpp"

namespace milex::web {

struct DashboardOptions {
    int port = 0;                        ///< 0: a free port
    std::vector<std::string> machines;   ///< empty: every machine of the config
    std::chrono::milliseconds interval{5000};  ///< between two polls of a machine
    size_t threads = 32;                 ///< the server's worker threads; each open event stream holds one
    std::chrono::milliseconds ping{15000};     ///< `: ping` on an idle event stream
    std::string token;                   ///< empty: a new random one
};

class Dashboard {
public:
    Dashboard(model::Config config, DashboardOptions options);
    ~Dashboard();
    Dashboard(const Dashboard&) = delete;
    Dashboard& operator=(const Dashboard&) = delete;

    /// Connects to every machine now, while a terminal may still answer a passphrase; a machine
    /// that cannot be reached gets a card that says why, and the rest works.
    void open_machines();
    /// Binds 127.0.0.1 (the port of the options, or a free one) and returns the port.
    int bind();
    /// Starts one poller per machine.
    void start_polling();
    /// Serves until stop() (from another thread).
    void serve();
    void stop();

    const std::string& token() const;
    int port() const;
    /// `http://127.0.0.1:PORT/?token=...`: the URL to open once.
    std::string url() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace milex::web
