# hako_module(NAME <name> SOURCES ... [DEPS ...] [PUBLIC_LIBS ...])
#   One folder = one namespace hako::<name> = one static library target hako_<name>.
#   DEPS lists other hako modules; scripts/check-includes.sh reads these lines to
#   verify that no #include crosses the module graph upward.
function(hako_module)
  cmake_parse_arguments(M "" "NAME" "SOURCES;DEPS;LIBS" ${ARGN})
  add_library(hako_${M_NAME} STATIC ${M_SOURCES})
  # -iquote, not -I: our "sys/mount.h" must never shadow the system's <sys/mount.h>.
  target_compile_options(hako_${M_NAME} PUBLIC -iquote ${PROJECT_SOURCE_DIR}/src)
  foreach(dep IN LISTS M_DEPS)
    target_link_libraries(hako_${M_NAME} PUBLIC hako_${dep})
  endforeach()
  if(M_LIBS)
    target_link_libraries(hako_${M_NAME} PUBLIC ${M_LIBS})
  endif()
endfunction()

# hako_test(NAME <name> SOURCES ... DEPS ...): a GoogleTest binary labelled "unit".
# Unit tests never need root.
function(hako_test)
  if(NOT HAKO_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  foreach(dep IN LISTS T_DEPS)
    target_link_libraries(${T_NAME} PRIVATE hako_${dep})
  endforeach()
  target_link_libraries(${T_NAME} PRIVATE GTest::gtest_main)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "unit" TIMEOUT 120)
endfunction()

# Executables that run inside or beside containers (runtime, shim, init) link
# libstdc++ and libgcc statically: they start faster and stay smaller.
function(hako_static_cxx target)
  target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
endfunction()

# Fully static (glibc, libseccomp too): no dynamic loader on the container start path. Only for
# programs that use no NSS (getpwnam and friends) - the runtime resolves nothing by name.
# Sanitizer builds cannot link statically; they keep the -static-libstdc++ form.
function(hako_static_exe target)
  if(CMAKE_CXX_FLAGS MATCHES "-fsanitize")
    hako_static_cxx(${target})
  else()
    target_link_options(${target} PRIVATE -static)
  endif()
endfunction()
