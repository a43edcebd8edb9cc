# Cross-compiling with Zig's clang (musl, macOS and Windows, from one Linux host).
# The target and the zig program come from the environment, which CMake's own compiler
# checks (try_compile) inherit too: ZIG=/path/to/zig ZIG_TARGET=x86_64-linux-musl.
# scripts/build-prebuilds.js sets them. Targets: {x86_64,aarch64}-linux-musl,
# {x86_64,aarch64}-macos.11.0, {x86_64,aarch64}-windows-gnu.
if(NOT DEFINED ENV{ZIG} OR NOT DEFINED ENV{ZIG_TARGET})
  message(FATAL_ERROR "cmake/zig.cmake needs ZIG and ZIG_TARGET in the environment")
endif()
string(REGEX MATCH "^[^-]+" _zig_arch "$ENV{ZIG_TARGET}")
if("$ENV{ZIG_TARGET}" MATCHES "-linux")
  set(CMAKE_SYSTEM_NAME Linux)
elseif("$ENV{ZIG_TARGET}" MATCHES "-macos")
  set(CMAKE_SYSTEM_NAME Darwin)
  # The wrapper's -target names the version; keep CMake from adding its own.
  set(CMAKE_OSX_DEPLOYMENT_TARGET "" CACHE STRING "" FORCE)
  set(CMAKE_OSX_SYSROOT "" CACHE PATH "" FORCE)
elseif("$ENV{ZIG_TARGET}" MATCHES "-windows")
  set(CMAKE_SYSTEM_NAME Windows)
endif()
set(CMAKE_SYSTEM_PROCESSOR ${_zig_arch})
set(CMAKE_CXX_COMPILER "${CMAKE_CURRENT_LIST_DIR}/zig-c++")
set(CMAKE_AR "${CMAKE_CURRENT_LIST_DIR}/zig-ar" CACHE FILEPATH "" FORCE)
set(CMAKE_RANLIB "${CMAKE_CURRENT_LIST_DIR}/zig-ranlib" CACHE FILEPATH "" FORCE)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
