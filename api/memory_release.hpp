// Handing memory back to the operating system after the API's large answers (a page of large
// messages, one large message), so the daemon's RSS comes back down instead of staying at its peak.
#pragma once

#include <cstddef>

namespace outboxd::api {

// Call once before serving. glibc raises its mmap threshold each time it frees a mapped block, up to
// 32 MiB, after which blocks of that size come from its heaps and stay there when freed. A fixed
// threshold keeps every block of 256 KiB or more mapped on its own, so freeing it unmaps it at once
// (in whichever thread frees it: the HTTP layer's copy of an answer is freed after it is sent).
void map_large_blocks_on_their_own();

// Call after an answer of `bytes`: from 1 MiB up, trims what glibc keeps of the smaller blocks the
// answer freed (a page of many small messages is many small blocks).
void return_freed_memory(std::size_t bytes);

}  // namespace outboxd::api
