#pragma once

#include <cstddef>
#include <cstdint>

namespace featurescope {

// Bulk uniform floats in [0, 1) from eight interleaved xoshiro256+ lanes. The lane loop is plain integer code that
// the compiler vectorises, so drawing a training batch costs well under a nanosecond per number.
class UniformStream {
public:
    static constexpr int kLanes = 8;

    explicit UniformStream(std::uint64_t seed);

    // Writes `count` floats in [0, 1), each with 24 random bits.
    void fill(float* out, std::size_t count);

private:
    alignas(64) std::uint64_t m_s0[kLanes];
    alignas(64) std::uint64_t m_s1[kLanes];
    alignas(64) std::uint64_t m_s2[kLanes];
    alignas(64) std::uint64_t m_s3[kLanes];
    alignas(64) float m_buffer[2 * kLanes];
    int m_buffered = 0;
};

} // namespace featurescope
