// `wissen serve`: runs the HTTP server until SIGINT or SIGTERM, then shuts down cleanly.
#include <signal.h>

#include <cstdlib>
#include <iostream>

#include "cli.h"
#include "wissen/core/log.h"
#include "wissen/server/http_server.h"

namespace wissen::cli {

void RegisterServeCommand(CLI::App& app, CliContext& context) {
  auto* command = app.add_subcommand("serve", "answer the REST API and the web chat");
  command->callback([&context] {
    // Block the stop signals before any thread starts, so every thread inherits the mask and
    // only sigwait below sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    // A client that disconnects mid-response must not kill the process.
    signal(SIGPIPE, SIG_IGN);

    auto config = LoadConfigOrReport(context);
    if (!config) return;
    auto runtime = OpenRuntimeOrReport(context, *config);
    if (!runtime) return;
    auto server = server::HttpServer::Start(*runtime);
    if (!server) {
      std::cerr << "wissen serve: " << server.error().message << "\n";
      context.exit_code = kExitCouldNotRun;
      return;
    }
    std::cout << "Wissen is listening on " << (*server)->url() << "/ (Ctrl+C stops it)"
              << std::endl;
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    log::Info("server.stopping", {{"signal", signal_number}});
    const bool clean = (*server)->Stop();
    if (clean) server->reset();
    runtime.reset();  // stops the embedded PostgreSQL when this was its last user
    if (!clean) {
      // The listener's threads still hold a request; destructors would wait for them.
      std::cout.flush();
      std::_Exit(kExitOk);
    }
  });
}

}  // namespace wissen::cli
