#include "io/JsonLimits.h"

#include "common/MemoryBudget.h"

#include <algorithm>

namespace featurescope {

std::uint64_t JsonLimits::memoryLimit() const { return std::min(maxMemory, MemoryBudget::limitBytes()); }

} // namespace featurescope
