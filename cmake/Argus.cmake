# Shared build rules: every module under src/<name>/ is a static library built
# from its *.cc files; its *_test.cc files form one GoogleTest binary.
add_library(argus_options INTERFACE)
target_compile_options(argus_options INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
if(ARGUS_WERROR)
  target_compile_options(argus_options INTERFACE -Werror)
endif()
if(ARGUS_SANITIZE)
  # UBSan stops the program at the first undefined behaviour (GCC's default only prints it,
  # and a test would pass). Its null and alignment checks instrument every pointer use and
  # cost 39% of the ASan build's compile time (measured on six of our files: 165 -> 101 s
  # of CPU); ASan already stops on a null dereference, and x86 loads unaligned data.
  set(argus_sanitizers -fsanitize=address,undefined -fno-sanitize=alignment,null)
  target_compile_options(argus_options INTERFACE ${argus_sanitizers}
                         -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(argus_options INTERFACE ${argus_sanitizers})
endif()
if(ARGUS_FUZZ)
  # Coverage for libFuzzer in every library; the fuzz targets link the fuzzer itself.
  target_compile_options(argus_options INTERFACE
      -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer)
  target_link_options(argus_options INTERFACE -fsanitize=address,undefined)
endif()
target_include_directories(argus_options INTERFACE ${PROJECT_SOURCE_DIR}/src)

# argus_module(NAME DEPS <targets...>)
function(argus_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB all_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  file(GLOB test_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  set(lib_sources ${all_sources})
  if(test_sources)
    list(REMOVE_ITEM lib_sources ${test_sources})
  endif()
  if(lib_sources)
    add_library(argus_${name} STATIC ${lib_sources})
    target_link_libraries(argus_${name} PUBLIC argus_options ${ARG_DEPS})
  else()  # header-only so far
    add_library(argus_${name} INTERFACE)
    target_link_libraries(argus_${name} INTERFACE argus_options ${ARG_DEPS})
  endif()
  if(ARGUS_BUILD_TESTS AND test_sources)
    add_executable(argus_${name}_test ${test_sources})
    target_link_libraries(argus_${name}_test PRIVATE argus_${name} ${ARG_TEST_DEPS}
                          GTest::gtest GTest::gmock GTest::gtest_main)
    target_compile_definitions(argus_${name}_test PRIVATE
        ARGUS_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        ARGUS_BINARY="${CMAKE_BINARY_DIR}/bin/argus")
    gtest_discover_tests(argus_${name}_test DISCOVERY_TIMEOUT 60
                         PROPERTIES ENVIRONMENT "ARGUS_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  endif()
endfunction()
