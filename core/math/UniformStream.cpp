#include "math/UniformStream.h"

#include "math/Rng.h"

#include <cstring>

namespace featurescope {

UniformStream::UniformStream(std::uint64_t seed)
{
    Rng seeder(seed);
    for (int l = 0; l < kLanes; ++l) {
        m_s0[l] = seeder.next();
        m_s1[l] = seeder.next();
        m_s2[l] = seeder.next();
        m_s3[l] = seeder.next() | 1; // never all zero
    }
}

void UniformStream::fill(float* out, std::size_t count)
{
    // Serve leftovers of the previous call first so the stream is one sequence whatever the call sizes.
    while (count > 0 && m_buffered > 0) {
        *out++ = m_buffer[2 * kLanes - m_buffered];
        --m_buffered;
        --count;
    }
    constexpr float kScale = 0x1.0p-24f;
    alignas(64) float block[2 * kLanes];
    while (count > 0) {
        for (int l = 0; l < kLanes; ++l) {
            const std::uint64_t result = m_s0[l] + m_s3[l];
            const std::uint64_t t = m_s1[l] << 17;
            m_s2[l] ^= m_s0[l];
            m_s3[l] ^= m_s1[l];
            m_s1[l] ^= m_s2[l];
            m_s0[l] ^= m_s3[l];
            m_s2[l] ^= t;
            m_s3[l] = (m_s3[l] << 45) | (m_s3[l] >> 19);
            // Two floats per 64-bit output, from the high bits of each half (the lowest bits of xoshiro+ are weak).
            block[l] = static_cast<float>(static_cast<std::uint32_t>(result >> 40)) * kScale;
            block[kLanes + l] = static_cast<float>(static_cast<std::uint32_t>((result >> 8) & 0xFFFFFFu)) * kScale;
        }
        if (count >= 2 * kLanes) {
            std::memcpy(out, block, sizeof(block));
            out += 2 * kLanes;
            count -= 2 * kLanes;
        } else {
            std::memcpy(m_buffer, block, sizeof(block));
            m_buffered = 2 * kLanes;
            while (count > 0) {
                *out++ = m_buffer[2 * kLanes - m_buffered];
                --m_buffered;
                --count;
            }
        }
    }
}

} // namespace featurescope
