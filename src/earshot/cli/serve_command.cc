// earshot serve: the real-time service (docs/serving.md). Builds everything from the config
// file, prints the address it listens on, and runs until SIGINT or SIGTERM.
#include <csignal>
#include <iostream>
#include <memory>
#include <string>

#include "earshot/cli/commands.h"
#include "earshot/cli/model_paths.h"
#include "earshot/server/service.h"
#include "earshot/server/service_config.h"

namespace earshot::cli {
namespace {

constexpr const char* kHelp =
    "Run the real-time service: POST /api/v1/pulses in, located and classified shots,\n"
    "incidents, CAP alerts and live push (Server-Sent Events) out. docs/serving.md has the\n"
    "config (config/serve.example.json), the routes and what a restart keeps.\n"
    "Prints 'listening on http://ADDRESS:PORT' once ready; stops on SIGINT or SIGTERM.\n"
    "Exit status: 0 stopped by a signal, 2 a refused config, database or model.";

struct ServeArgs {
  std::string config_path;
  int port = -1;
};

int Run(const ServeArgs& args) {
  auto config = server::LoadServiceConfig(args.config_path);
  if (!config) {
    std::cerr << "earshot serve: " << config.error().ToString() << "\n";
    return 2;
  }
  if (args.port >= 0) config->port = static_cast<std::uint16_t>(args.port);
  server::ServiceFiles files;
  files.shot_classifier_path =
      FindDataFile(config->shot_classifier_path, "models/shot_classifier.json");
  files.dispatch_path = FindOptionalDataFile(config->dispatch_path, "config/dispatch.json");
  files.openapi_path = FindDataFile("", "docs/api/openapi.yaml");

  // Block the signals before any thread starts, so that every thread inherits the mask and
  // only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto service = server::Service::Create(*config, files);
  if (!service) {
    std::cerr << "earshot serve: " << service.error().ToString() << "\n";
    return 2;
  }
  auto port = (*service)->Start();
  if (!port) {
    std::cerr << "earshot serve: " << port.error().ToString() << "\n";
    return 2;
  }
  std::cout << "listening on http://" << (*service)->listen_address() << ":" << *port << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  std::cerr << "earshot serve: stopping on signal " << received << "\n";
  (*service)->Stop();
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* command = app.add_subcommand("serve", kHelp);
  command->add_option("--config", args->config_path, "service config (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--port", args->port, "listen on this port instead (0: any free port)")
      ->check(CLI::Range(0, 65535));
  command->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace earshot::cli
