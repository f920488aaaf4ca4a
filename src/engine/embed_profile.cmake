# Writes OUTPUT, a .cc defining hako::engine::docker_default_seccomp_profile(), from INPUT (a JSON
# file) as a raw string literal. Run at build time so editing the profile rebuilds the binary.
file(READ "${INPUT}" content)
if(content MATCHES "\\)hako_profile\"")
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by embed_profile.cmake; do not edit.\n"
  "#include \"engine/seccomp_json.h\"\n\n"
  "namespace hako::engine {\n\n"
  "static constexpr char kProfile[] = R\"hako_profile(${content})hako_profile\";\n\n"
  "std::string_view docker_default_seccomp_profile() { return {kProfile, sizeof kProfile - 1}; }\n\n"
  "}  // namespace hako::engine\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
