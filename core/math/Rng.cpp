#include "math/Rng.h"

#include <cmath>

namespace featurescope {

namespace {
std::uint64_t splitMix64(std::uint64_t& x)
{
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
inline std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
} // namespace

Rng::Rng(std::uint64_t seed)
{
    for (auto& s : m_state)
        s = splitMix64(seed);
}

Rng::State Rng::state() const
{
    State s;
    for (int i = 0; i < 4; ++i)
        s.words[i] = m_state[i];
    s.spareNormal = m_spareNormal;
    s.hasSpare = m_hasSpare;
    return s;
}

void Rng::setState(const State& state)
{
    for (int i = 0; i < 4; ++i)
        m_state[i] = state.words[i];
    m_spareNormal = state.spareNormal;
    m_hasSpare = state.hasSpare;
}

std::uint64_t Rng::next()
{
    const std::uint64_t result = rotl(m_state[1] * 5, 7) * 9;
    const std::uint64_t t = m_state[1] << 17;
    m_state[2] ^= m_state[0];
    m_state[3] ^= m_state[1];
    m_state[1] ^= m_state[2];
    m_state[0] ^= m_state[3];
    m_state[2] ^= t;
    m_state[3] = rotl(m_state[3], 45);
    return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Rng::normal()
{
    if (m_hasSpare) {
        m_hasSpare = false;
        return m_spareNormal;
    }
    double u1 = uniform();
    while (u1 <= 0.0)
        u1 = uniform();
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * M_PI * u2;
    m_spareNormal = radius * std::sin(angle);
    m_hasSpare = true;
    return radius * std::cos(angle);
}

std::uint64_t Rng::below(std::uint64_t n)
{
    if (n == 0)
        return 0;
    // Rejection sampling so every value is equally likely.
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
    std::uint64_t x;
    do {
        x = next();
    } while (x >= limit);
    return x % n;
}

std::uint64_t Rng::deriveSeed(std::uint64_t seed, std::uint64_t stream)
{
    std::uint64_t x = seed ^ (0xD1B54A32D192ED03ull * (stream + 1));
    splitMix64(x);
    return splitMix64(x);
}

} // namespace featurescope
