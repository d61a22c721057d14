#pragma once

#include <cstdint>
#include <string>

namespace featurescope {

// How much memory one reader may take: a share of what the machine has available right now (MemAvailable in
// /proc/meminfo), 0.5 unless FEATURESCOPE_MEMORY_SHARE gives another fraction in (0, 1]. Readers call require()
// BEFORE inflating or allocating something whose size a file declares, so a small hostile file cannot make the
// process take gigabytes or be killed by the kernel.
class MemoryBudget {
public:
    static constexpr double kDefaultShare = 0.5;

    static double share();                  // FEATURESCOPE_MEMORY_SHARE when valid, else kDefaultShare
    static std::uint64_t availableBytes();  // MemAvailable, or physical memory when /proc/meminfo is unreadable
    static std::uint64_t limitBytes();      // share() x availableBytes()

    // Throws InputError "<path>: <what> needs N MB, more than the M MB allowed ..." when bytes > limitBytes().
    static void require(const std::string& path, const std::string& what, std::uint64_t bytes);
    // "123 MB" (or KB / bytes for small values), for messages.
    static std::string describeBytes(std::uint64_t bytes);
};

} // namespace featurescope
