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

UniformStream::State UniformStream::state() const
{
    State s;
    std::memcpy(s.words, m_s0, sizeof m_s0);
    std::memcpy(s.words + kLanes, m_s1, sizeof m_s1);
    std::memcpy(s.words + 2 * kLanes, m_s2, sizeof m_s2);
    std::memcpy(s.words + 3 * kLanes, m_s3, sizeof m_s3);
    std::memcpy(s.buffer, m_buffer, sizeof m_buffer);
    s.buffered = m_buffered;
    return s;
}

void UniformStream::setState(const State& state)
{
    std::memcpy(m_s0, state.words, sizeof m_s0);
    std::memcpy(m_s1, state.words + kLanes, sizeof m_s1);
    std::memcpy(m_s2, state.words + 2 * kLanes, sizeof m_s2);
    std::memcpy(m_s3, state.words + 3 * kLanes, sizeof m_s3);
    std::memcpy(m_buffer, state.buffer, sizeof m_buffer);
    m_buffered = state.buffered < 0 ? 0 : state.buffered > 2 * kLanes ? 2 * kLanes : state.buffered;
}

void UniformStream::fill(float* out, std::size_t count)
{
    // Serve leftovers of the previous call first so the stream is one sequence whatever the call sizes.
    while (count > 0 && m_buffered > 0) {
        *out++ = m_buffer[2 * kLanes - m_buffered];
        --m_buffered;
        --count;
    }
    // Eight lanes as one vector (GCC/Clang vector extensions; split into narrower registers on older machines).
    using Lanes = std::uint64_t __attribute__((vector_size(8 * kLanes)));
    using Floats = float __attribute__((vector_size(4 * kLanes)));
    using Ints = std::int32_t __attribute__((vector_size(4 * kLanes)));
    Lanes s0, s1, s2, s3;
    std::memcpy(&s0, m_s0, sizeof(s0));
    std::memcpy(&s1, m_s1, sizeof(s1));
    std::memcpy(&s2, m_s2, sizeof(s2));
    std::memcpy(&s3, m_s3, sizeof(s3));
    constexpr float kScale = 0x1.0p-24f;
    while (count > 0) {
        const Lanes result = s0 + s3;
        const Lanes t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 45) | (s3 >> 19);
        // Two floats per 64-bit output, from the high bits of each half (the lowest bits of xoshiro+ are weak):
        // lanes' high halves first, then their low halves.
        const Floats high = __builtin_convertvector(__builtin_convertvector(result >> 40, Ints), Floats) * kScale;
        const Floats low =
            __builtin_convertvector(__builtin_convertvector((result >> 8) & 0xFFFFFFu, Ints), Floats) * kScale;
        if (count >= 2 * kLanes) {
            // Straight to the output: staging both halves in a local block and copying it out as one wide load
            // defeated store forwarding and cost more than the generator itself.
            std::memcpy(out, &high, sizeof(high));
            std::memcpy(out + kLanes, &low, sizeof(low));
            out += 2 * kLanes;
            count -= 2 * kLanes;
        } else {
            std::memcpy(m_buffer, &high, sizeof(high));
            std::memcpy(m_buffer + kLanes, &low, sizeof(low));
            m_buffered = 2 * kLanes;
            while (count > 0) {
                *out++ = m_buffer[2 * kLanes - m_buffered];
                --m_buffered;
                --count;
            }
        }
    }
    std::memcpy(m_s0, &s0, sizeof(s0));
    std::memcpy(m_s1, &s1, sizeof(s1));
    std::memcpy(m_s2, &s2, sizeof(s2));
    std::memcpy(m_s3, &s3, sizeof(s3));
}

} // namespace featurescope
