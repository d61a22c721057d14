#include "common/MemoryBudget.h"

#include "common/InputError.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace featurescope {

double MemoryBudget::share()
{
    const char* text = std::getenv("FEATURESCOPE_MEMORY_SHARE");
    if (!text || !*text)
        return kDefaultShare;
    char* end = nullptr;
    const double value = std::strtod(text, &end);
    // A malformed setting must not turn the guard off: fall back to the default.
    if (end == text || *end != '\0' || !std::isfinite(value) || value <= 0.0 || value > 1.0)
        return kDefaultShare;
    return value;
}

std::uint64_t MemoryBudget::availableBytes()
{
    std::ifstream meminfo("/proc/meminfo");
    std::string line;
    while (std::getline(meminfo, line)) {
        if (line.rfind("MemAvailable:", 0) != 0)
            continue;
        std::istringstream fields(line.substr(13));
        std::uint64_t kib = 0;
        if (fields >> kib)
            return kib * 1024;
    }
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGESIZE);
    if (pages > 0 && pageSize > 0)
        return std::uint64_t(pages) * std::uint64_t(pageSize);
    return std::uint64_t(1) << 30; // unknown: assume a small machine
}

std::uint64_t MemoryBudget::limitBytes()
{
    return static_cast<std::uint64_t>(share() * static_cast<double>(availableBytes()));
}

std::string MemoryBudget::describeBytes(std::uint64_t bytes)
{
    if (bytes >= 10'000'000)
        return std::to_string(bytes / 1'000'000) + " MB";
    if (bytes >= 10'000)
        return std::to_string(bytes / 1'000) + " KB";
    return std::to_string(bytes) + " bytes";
}

void MemoryBudget::require(const std::string& path, const std::string& what, std::uint64_t bytes)
{
    const std::uint64_t limit = limitBytes();
    if (bytes <= limit)
        return;
    std::ostringstream message;
    message << path << ": " << what << " needs " << describeBytes(bytes) << ", more than the " << describeBytes(limit)
            << " allowed (" << share() * 100.0 << "% of the " << describeBytes(availableBytes())
            << " available; FEATURESCOPE_MEMORY_SHARE sets the share)";
    throw InputError(message.str());
}

} // namespace featurescope
