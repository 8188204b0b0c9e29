function(meshgate_warnings target)
  # -Wmismatched-new-delete: GCC 12 misreports Asio's recycling allocator for coroutine frames
  # (operator new/delete of awaitable_frame_base) at -O2.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers
                                           -Wno-mismatched-new-delete)
endfunction()
