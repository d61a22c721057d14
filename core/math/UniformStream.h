#pragma once

#include <cstddef>
#include <cstdint>

namespace featurescope {

// Bulk uniform floats in [0, 1) from eight interleaved xoshiro256+ lanes. The lanes are stepped as one 8 x 64-bit
// vector held in registers for a whole fill, so drawing a training batch costs a fraction of a nanosecond per number.
class UniformStream {
public:
    static constexpr int kLanes = 8;

    explicit UniformStream(std::uint64_t seed);

    // Writes `count` floats in [0, 1), each with 24 random bits.
    void fill(float* out, std::size_t count);

    // The whole stream state (lane words s0..s3 lane by lane, the unread leftovers), for checkpoints.
    struct State {
        std::uint64_t words[4 * kLanes] = {};
        float buffer[2 * kLanes] = {};
        int buffered = 0; // 0 .. 2 kLanes
    };
    State state() const;
    void setState(const State& state); // `buffered` is clamped to its range

private:
    // No alignas: the state is copied in and out with memcpy, so heap placement never matters.
    std::uint64_t m_s0[kLanes];
    std::uint64_t m_s1[kLanes];
    std::uint64_t m_s2[kLanes];
    std::uint64_t m_s3[kLanes];
    float m_buffer[2 * kLanes];
    int m_buffered = 0;
};

} // namespace featurescope
