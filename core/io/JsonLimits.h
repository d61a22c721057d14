#pragma once

#include <cstdint>

namespace featurescope {

// The one policy for JSON read from files (safetensors headers, sessions, cfg.json, token lists, presets).
// Depth is bounded so that no recursive walk (nlohmann's copy, comparison, dump) can overflow the stack; size and an
// estimate of the parsed document's memory are bounded so that a small file cannot expand 50x in memory;
// duplicate keys are an error (two readers could otherwise disagree about which value counts).
struct JsonLimits {
    static constexpr int kDefaultMaxDepth = 64;

    std::uint64_t maxBytes = 10'000'000;   // of JSON text
    int maxDepth = kDefaultMaxDepth;       // nested objects and arrays; the top-level container is depth 1
    std::uint64_t maxMemory = 256'000'000; // estimated bytes of the parsed document

    // maxMemory, lowered to the MemoryBudget of this machine when that is smaller.
    std::uint64_t memoryLimit() const;

    static JsonLimits withMaxBytes(std::uint64_t bytes)
    {
        JsonLimits limits;
        limits.maxBytes = bytes;
        return limits;
    }
};

} // namespace featurescope
