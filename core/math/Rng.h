#pragma once

#include <cstdint>

namespace featurescope {

// Scalar xoshiro256** generator: seeding, initialisation and the few draws that are not in a hot loop.
// Same seed, same build => same numbers on every machine (no std:: distributions, whose output is unspecified).
class Rng {
public:
    explicit Rng(std::uint64_t seed);

    std::uint64_t next();
    double uniform();                    // [0, 1)
    double normal();                     // standard normal (Box-Muller, both values used)
    std::uint64_t below(std::uint64_t n); // uniform integer in [0, n)

    // A seed for an independent sub-stream (one per instance, restart, worker).
    static std::uint64_t deriveSeed(std::uint64_t seed, std::uint64_t stream);

    // The whole generator state, so that a checkpointed run continues with the very same numbers.
    struct State {
        std::uint64_t words[4] = {};
        double spareNormal = 0.0;
        bool hasSpare = false;
    };
    State state() const;
    void setState(const State& state);

private:
    std::uint64_t m_state[4];
    double m_spareNormal = 0.0;
    bool m_hasSpare = false;
};

} // namespace featurescope
