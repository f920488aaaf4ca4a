#include "shim/health.h"

#include "sys/file.h"

namespace hako::shim {

Result<json::Value> HealthChecker::probe_process(const std::string& bundle) const {
  HAKO_TRY_ASSIGN(std::string text, sys::read_file(bundle + "/config.json", 16 << 20));
  HAKO_TRY_ASSIGN(json::Value spec, json::parse(text, "config.json"));
  json::Value p = spec.value("process", json::Value::object());
  json::Value args = json::Value::array();
  if (config_.test[0] == "CMD-SHELL") {
    args = {"/bin/sh", "-c", config_.test.size() > 1 ? config_.test[1] : ""};
  } else {
    for (size_t i = 1; i < config_.test.size(); ++i) args.push_back(config_.test[i]);
  }
  if (args.empty()) return invalid_argument("healthcheck: the test has no command");
  p["args"] = args;
  p["terminal"] = false;
  return p;
}

void HealthChecker::reset() {
  status_ = "starting";
  streak_ = 0;
}

void HealthChecker::record(int exit_code, std::string output, std::string start, std::string end,
                           int64_t running_ns) {
  // Docker keeps at most 4 KiB of a probe's output.
  if (output.size() > 4096) output.resize(4096);
  log_.push_back({{"Start", start}, {"End", end}, {"ExitCode", exit_code}, {"Output", output}});
  while (log_.size() > 5) log_.pop_front();
  if (exit_code == 0) {
    status_ = "healthy";
    streak_ = 0;
    return;
  }
  if (status_ == "starting" && running_ns < config_.start_period_ns) return;
  ++streak_;
  if (streak_ >= config_.retries) status_ = "unhealthy";
}

std::string HealthChecker::log_json() const {
  json::Value a = json::Value::array();
  for (const auto& e : log_) a.push_back(e);
  return a.dump();
}

}  // namespace hako::shim
