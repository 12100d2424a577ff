# outboxd_layer_include_dir(<layer> <visible layers...>): makes ${OUTBOXD_LAYER_DIR}/<layer>, a
# directory in the build tree holding one symlink per layer that <layer> may include (for example
# core/ -> the source tree's core/). A target of that layer puts this directory, not the source
# root, on its include path, so `#include "api/routes.hpp"` resolves in api/ and daemon/ but is
# "No such file" in core/. The sources keep their "layer/file.hpp" include lines unchanged.
set(OUTBOXD_LAYER_DIR ${CMAKE_BINARY_DIR}/layers)

function(outboxd_layer_include_dir layer)
  set(dir ${OUTBOXD_LAYER_DIR}/${layer})
  # Start empty, so a layer dropped from the list in a later configure stops being visible.
  file(REMOVE_RECURSE ${dir})
  file(MAKE_DIRECTORY ${dir})
  foreach(visible IN LISTS ARGN)
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${visible} ${dir}/${visible} SYMBOLIC)
  endforeach()
endfunction()
