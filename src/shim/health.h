// HealthChecker: Docker's HEALTHCHECK state machine for one container. The monitor runs the
// probe (an exec into the container) every interval, kills it after the timeout, and hands the
// result here: exit 0 is healthy and resets the failing streak; any other result (a timeout is
// exit -1, as Docker reports it) adds to the streak, and `retries` in a row make the container
// unhealthy. Failures within the start period do not count, unless a probe succeeds. The last
// five results are kept for inspect's State.Health.Log. Value type; no I/O but reading the
// bundle's process spec once.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "base/result.h"
#include "json/reader.h"
#include "shim/shim_config.h"

namespace hako::shim {

class HealthChecker {
 public:
  explicit HealthChecker(HealthConfig config) : config_(std::move(config)) {}

  bool enabled() const { return !config_.test.empty(); }
  const HealthConfig& config() const { return config_; }
  // The probe's OCI process (JSON), from the container's own process in bundle/config.json:
  // its env, user and cwd, with args from the test (CMD-SHELL: /bin/sh -c).
  Result<json::Value> probe_process(const std::string& bundle) const;

  // A (re)started container: "starting", empty streak; the log is kept, as Docker.
  void reset();
  // One probe's end. running_ns: how long the container has run (for the start period).
  void record(int exit_code, std::string output, std::string start, std::string end,
              int64_t running_ns);

  const std::string& status() const { return status_; }
  int failing_streak() const { return streak_; }
  std::string log_json() const;

 private:
  HealthConfig config_;
  std::string status_;
  int streak_ = 0;
  std::deque<json::Value> log_;
};

}  // namespace hako::shim
