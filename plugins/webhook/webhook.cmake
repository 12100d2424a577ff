# webhook: signed, concurrent HTTP delivery with libcurl (docs/plugin-webhook.md). Included from
# plugins/CMakeLists.txt so the module lands flat in <build>/plugins like the others.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)

# The logic (config, signing, SSRF rules, classification, the curl loop) is a static library, so
# tests/webhook links it directly; the module adds only the ABI glue.
add_library(webhook_core STATIC
  ${CMAKE_CURRENT_LIST_DIR}/webhook_config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/webhook_host_addresses.cpp
  ${CMAKE_CURRENT_LIST_DIR}/webhook_outcome.cpp
  ${CMAKE_CURRENT_LIST_DIR}/webhook_request.cpp
  ${CMAKE_CURRENT_LIST_DIR}/webhook_sender.cpp
  ${CMAKE_CURRENT_LIST_DIR}/webhook_signing.cpp
  ${CMAKE_CURRENT_LIST_DIR}/webhook_ssrf.cpp)
set_target_properties(webhook_core PROPERTIES
  POSITION_INDEPENDENT_CODE ON
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON)
target_include_directories(webhook_core PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_CURRENT_LIST_DIR})
target_compile_options(webhook_core PRIVATE ${OUTBOXD_WARNINGS})
# The User-Agent names outboxd's version; the plugin reports the same version.
target_compile_definitions(webhook_core PUBLIC OUTBOXD_WEBHOOK_VERSION="${PROJECT_VERSION}")
target_link_libraries(webhook_core PUBLIC CURL::libcurl OpenSSL::Crypto nlohmann_json::nlohmann_json
                                          Threads::Threads outboxd_plugin_common)

outboxd_add_plugin(webhook ${CMAKE_CURRENT_LIST_DIR}/webhook_plugin.cpp)
target_link_libraries(webhook PRIVATE webhook_core)
