#include "io/ArrayData.h"

#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "common/Cancelled.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace featurescope {

namespace {

template <typename T>
T load(const std::uint8_t* p)
{
    T value;
    std::memcpy(&value, p, sizeof(T));
    return value;
}

template <typename T>
void store(std::uint8_t* p, T value)
{
    std::memcpy(p, &value, sizeof(T));
}

// Float to an integer type: truncated toward zero, NaN -> 0, saturated at the type's range.
template <typename I>
I saturate(double value)
{
    if (std::isnan(value))
        return I(0);
    if (value <= double(std::numeric_limits<I>::lowest()))
        return std::numeric_limits<I>::lowest();
    if (value >= double(std::numeric_limits<I>::max()))
        return std::numeric_limits<I>::max();
    return I(value);
}

double elementAsDouble(DType type, const std::uint8_t* p)
{
    switch (type) {
    case DType::Bool: return p[0] ? 1.0 : 0.0;
    case DType::U8: return double(p[0]);
    case DType::I8: return double(load<std::int8_t>(p));
    case DType::I16: return double(load<std::int16_t>(p));
    case DType::U16: return double(load<std::uint16_t>(p));
    case DType::I32: return double(load<std::int32_t>(p));
    case DType::U32: return double(load<std::uint32_t>(p));
    case DType::I64: return double(load<std::int64_t>(p));
    case DType::U64: return double(load<std::uint64_t>(p));
    case DType::F16: return double(ArrayData::halfToFloat(load<std::uint16_t>(p)));
    case DType::BF16: return double(ArrayData::bf16ToFloat(load<std::uint16_t>(p)));
    case DType::F32: return double(load<float>(p));
    case DType::F64: return load<double>(p);
    }
    return 0.0;
}

void storeDouble(DType type, std::uint8_t* p, double value)
{
    switch (type) {
    case DType::Bool: p[0] = (value != 0.0 && !std::isnan(value)) ? 1 : 0; break;
    case DType::U8: p[0] = saturate<std::uint8_t>(value); break;
    case DType::I8: store(p, saturate<std::int8_t>(value)); break;
    case DType::I16: store(p, saturate<std::int16_t>(value)); break;
    case DType::U16: store(p, saturate<std::uint16_t>(value)); break;
    case DType::I32: store(p, saturate<std::int32_t>(value)); break;
    case DType::U32: store(p, saturate<std::uint32_t>(value)); break;
    case DType::I64: store(p, saturate<std::int64_t>(value)); break;
    case DType::U64: store(p, saturate<std::uint64_t>(value)); break;
    case DType::F16: store(p, ArrayData::floatToHalf(float(value))); break;
    case DType::BF16: store(p, ArrayData::floatToBf16(float(value))); break;
    case DType::F32: store(p, float(value)); break;
    case DType::F64: store(p, value); break;
    }
}

void storeInt(DType type, std::uint8_t* p, std::int64_t value)
{
    switch (type) {
    case DType::I64: store(p, value); break;
    case DType::U64: store(p, std::uint64_t(std::max<std::int64_t>(value, 0))); break;
    default: storeDouble(type, p, double(value)); break;
    }
}

// Calls f(storageIndex, cOrderIndex) for every element, in storage order.
template <typename F>
void forEachElement(const ArrayData::Shape& shape, bool fortran, std::uint64_t count, F&& f)
{
    if (!fortran || shape.size() < 2) {
        for (std::uint64_t i = 0; i < count; ++i)
            f(i, i);
        return;
    }
    // Fortran order: the first index varies fastest. Keep an odometer and the C-order strides.
    const std::size_t rank = shape.size();
    std::vector<std::uint64_t> cStride(rank, 1), index(rank, 0);
    for (std::size_t k = rank - 1; k > 0; --k)
        cStride[k - 1] = cStride[k] * shape[k];
    std::uint64_t cIndex = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
        f(i, cIndex);
        for (std::size_t k = 0; k < rank; ++k) {
            if (++index[k] < shape[k]) {
                cIndex += cStride[k];
                break;
            }
            cIndex -= cStride[k] * (shape[k] - 1);
            index[k] = 0;
        }
    }
}

} // namespace

float ArrayData::halfToFloat(std::uint16_t h)
{
    const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1Fu;
    std::uint32_t mantissa = h & 0x3FFu;
    std::uint32_t bits;
    if (exponent == 0x1F) {
        bits = sign | 0x7F800000u | (mantissa << 13); // inf or NaN (payload kept)
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else {
        // Subnormal half: normalise.
        int e = -1;
        do {
            ++e;
            mantissa <<= 1;
        } while ((mantissa & 0x400u) == 0);
        bits = sign | (std::uint32_t(112 - e) << 23) | ((mantissa & 0x3FFu) << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

std::uint16_t ArrayData::floatToHalf(float value)
{
    std::uint32_t bits;
    std::memcpy(&bits, &value, 4);
    const std::uint16_t sign = std::uint16_t((bits >> 16) & 0x8000u);
    const std::uint32_t absBits = bits & 0x7FFFFFFFu;
    if (absBits >= 0x7F800000u) // inf or NaN
        return std::uint16_t(sign | 0x7C00u | (absBits > 0x7F800000u ? 0x200u | ((absBits >> 13) & 0x3FFu) : 0u));
    if (absBits >= 0x477FF000u) // rounds to >= 65520: overflow to infinity
        return std::uint16_t(sign | 0x7C00u);
    if (absBits < 0x38800000u) { // below the smallest normal half (2^-14): subnormal or zero
        if (absBits < 0x33000000u) // below half of the smallest subnormal (2^-25): zero
            return sign;
        const std::uint32_t exponent = absBits >> 23;
        const std::uint32_t mantissa = (absBits & 0x7FFFFFu) | 0x800000u;
        const std::uint32_t shift = 126 - exponent; // 14 + (113 - exponent) - 1 ... shift so that 2^-24 is the unit
        std::uint32_t half = mantissa >> shift;
        const std::uint32_t remainder = mantissa & ((1u << shift) - 1u);
        const std::uint32_t halfway = 1u << (shift - 1);
        if (remainder > halfway || (remainder == halfway && (half & 1u)))
            ++half;
        return std::uint16_t(sign | half);
    }
    // Normal: rebias the exponent, round the mantissa to 10 bits (nearest even; a carry may bump the exponent).
    std::uint32_t half = ((absBits >> 13) - (112u << 10));
    const std::uint32_t remainder = absBits & 0x1FFFu;
    if (remainder > 0x1000u || (remainder == 0x1000u && (half & 1u)))
        ++half;
    return std::uint16_t(sign | half);
}

float ArrayData::bf16ToFloat(std::uint16_t bits)
{
    const std::uint32_t wide = std::uint32_t(bits) << 16;
    float f;
    std::memcpy(&f, &wide, 4);
    return f;
}

std::uint16_t ArrayData::floatToBf16(float value)
{
    std::uint32_t bits;
    std::memcpy(&bits, &value, 4);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) // NaN: keep it a (quiet) NaN
        return std::uint16_t((bits >> 16) | 0x40u);
    const std::uint32_t rounding = 0x7FFFu + ((bits >> 16) & 1u);
    return std::uint16_t((bits + rounding) >> 16);
}

std::optional<std::uint64_t> ArrayData::elementCount(const Shape& shape)
{
    std::uint64_t count = 1;
    constexpr std::uint64_t kLimit = std::uint64_t(1) << 63;
    for (std::uint64_t d : shape) {
        if (d != 0 && count > kLimit / d)
            return std::nullopt;
        count *= d;
    }
    return count;
}

std::string ArrayData::shapeText(const Shape& shape)
{
    std::string text = "[";
    for (std::size_t k = 0; k < shape.size(); ++k)
        text += (k ? ", " : "") + std::to_string(shape[k]);
    return text + "]";
}

namespace {
std::uint64_t checkedBytes(DType type, const ArrayData::Shape& shape)
{
    const auto count = ArrayData::elementCount(shape);
    if (!count || *count > std::numeric_limits<std::uint64_t>::max() / 16)
        throw std::invalid_argument("array shape " + ArrayData::shapeText(shape) + " overflows");
    return *count * dtypeSize(type);
}
} // namespace

ArrayData::ArrayData(DType type, Shape shape, std::vector<std::uint8_t> bytes, bool fortranOrder)
    : m_type(type), m_shape(std::move(shape)), m_fortran(fortranOrder)
{
    const std::uint64_t size = checkedBytes(m_type, m_shape);
    if (size != bytes.size())
        throw std::invalid_argument("array data of " + std::to_string(bytes.size()) + " bytes for shape " +
                                    shapeText(m_shape) + " of " + dtypeShortName(m_type) + " (" +
                                    std::to_string(size) + " bytes)");
    auto owned = std::make_shared<std::vector<std::uint8_t>>(std::move(bytes));
    m_data = owned->data();
    m_size = size;
    m_owner = std::move(owned);
}

ArrayData ArrayData::view(DType type, Shape shape, std::shared_ptr<const void> owner, const std::uint8_t* data,
                          bool fortranOrder)
{
    ArrayData array;
    array.m_type = type;
    array.m_shape = std::move(shape);
    array.m_fortran = fortranOrder;
    array.m_size = checkedBytes(type, array.m_shape);
    array.m_owner = std::move(owner);
    array.m_data = data;
    return array;
}

ArrayData ArrayData::fromFloats(Shape shape, const float* values, DType type)
{
    const std::uint64_t bytes = checkedBytes(type, shape);
    std::vector<std::uint8_t> out(bytes);
    const std::size_t size = dtypeSize(type);
    const std::uint64_t count = bytes / size;
    if (type == DType::F32 && count)
        std::memcpy(out.data(), values, bytes);
    else
        for (std::uint64_t i = 0; i < count; ++i)
            storeDouble(type, out.data() + i * size, double(values[i]));
    return ArrayData(type, std::move(shape), std::move(out));
}

ArrayData ArrayData::fromDoubles(Shape shape, const double* values, DType type)
{
    const std::uint64_t bytes = checkedBytes(type, shape);
    std::vector<std::uint8_t> out(bytes);
    const std::size_t size = dtypeSize(type);
    for (std::uint64_t i = 0; i < bytes / size; ++i)
        storeDouble(type, out.data() + i * size, values[i]);
    return ArrayData(type, std::move(shape), std::move(out));
}

ArrayData ArrayData::fromInts(Shape shape, const std::int64_t* values, DType type)
{
    const std::uint64_t bytes = checkedBytes(type, shape);
    std::vector<std::uint8_t> out(bytes);
    const std::size_t size = dtypeSize(type);
    for (std::uint64_t i = 0; i < bytes / size; ++i)
        storeInt(type, out.data() + i * size, values[i]);
    return ArrayData(type, std::move(shape), std::move(out));
}

std::uint64_t ArrayData::elementCount() const { return m_size / dtypeSize(m_type); }

std::string ArrayData::describe() const
{
    return shapeText(m_shape) + " " + dtypeShortName(m_type) + (m_fortran && rank() > 1 ? ", Fortran order" : "");
}

float ArrayData::floatAt(std::uint64_t storageIndex) const
{
    const std::uint8_t* p = m_data + storageIndex * dtypeSize(m_type);
    switch (m_type) {
    case DType::F32: return load<float>(p);
    case DType::F16: return halfToFloat(load<std::uint16_t>(p));
    case DType::BF16: return bf16ToFloat(load<std::uint16_t>(p));
    default: return float(elementAsDouble(m_type, p));
    }
}

double ArrayData::doubleAt(std::uint64_t storageIndex) const
{
    return elementAsDouble(m_type, m_data + storageIndex * dtypeSize(m_type));
}

void ArrayData::toFloat(float* out, const ProgressReporter* progress) const
{
    const std::uint64_t count = elementCount();
    constexpr std::uint64_t kPoll = std::uint64_t(1) << 22;
    std::uint64_t nextPoll = kPoll;
    auto poll = [&](std::uint64_t done) {
        if (!progress || done < nextPoll)
            return;
        nextPoll = done + kPoll;
        if (progress->isCancelled())
            throw Cancelled();
        progress->report(double(done) / double(count));
    };
    if (!m_fortran || rank() < 2) {
        // Fast paths in chunks, so the cancel flag is polled while large arrays convert.
        for (std::uint64_t begin = 0; begin < count; begin += kPoll) {
            const std::uint64_t end = std::min(count, begin + kPoll);
            if (m_type == DType::F32) {
                std::memcpy(out + begin, m_data + begin * 4, (end - begin) * 4);
            } else if (m_type == DType::F16) {
                for (std::uint64_t i = begin; i < end; ++i)
                    out[i] = halfToFloat(load<std::uint16_t>(m_data + 2 * i));
            } else if (m_type == DType::BF16) {
                for (std::uint64_t i = begin; i < end; ++i)
                    out[i] = bf16ToFloat(load<std::uint16_t>(m_data + 2 * i));
            } else {
                const std::size_t size = dtypeSize(m_type);
                for (std::uint64_t i = begin; i < end; ++i)
                    out[i] = float(elementAsDouble(m_type, m_data + i * size));
            }
            poll(end);
        }
        return;
    }
    forEachElement(m_shape, m_fortran, count, [&](std::uint64_t storage, std::uint64_t c) {
        out[c] = floatAt(storage);
        if ((storage & (kPoll - 1)) == kPoll - 1)
            poll(storage + 1);
    });
}

std::vector<float> ArrayData::toFloatVector() const
{
    std::vector<float> out(static_cast<std::size_t>(elementCount()));
    toFloat(out.data());
    return out;
}

std::vector<double> ArrayData::toDoubleVector() const
{
    std::vector<double> out(static_cast<std::size_t>(elementCount()));
    forEachElement(m_shape, m_fortran, elementCount(),
                   [&](std::uint64_t storage, std::uint64_t c) { out[c] = doubleAt(storage); });
    return out;
}

std::vector<std::int64_t> ArrayData::toInt64Vector(const std::string& what) const
{
    std::vector<std::int64_t> out(static_cast<std::size_t>(elementCount()));
    forEachElement(m_shape, m_fortran, elementCount(), [&](std::uint64_t storage, std::uint64_t c) {
        const std::uint8_t* p = m_data + storage * dtypeSize(m_type);
        if (m_type == DType::I64) {
            out[c] = load<std::int64_t>(p);
        } else if (m_type == DType::U64) {
            const std::uint64_t v = load<std::uint64_t>(p);
            if (v > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
                throw InputError(what + ": element " + std::to_string(c) + " (" + std::to_string(v) +
                                 ") does not fit a signed 64-bit integer");
            out[c] = std::int64_t(v);
        } else {
            const double v = elementAsDouble(m_type, p);
            if (!(v >= -9.2e18 && v <= 9.2e18) || v != std::floor(v))
                throw InputError(what + ": element " + std::to_string(c) + " is not an integer");
            out[c] = std::int64_t(v);
        }
    });
    return out;
}

ArrayData ArrayData::converted(DType type) const
{
    if (type == m_type && (!m_fortran || rank() < 2)) {
        std::vector<std::uint8_t> bytes(m_data, m_data + m_size);
        return ArrayData(type, m_shape, std::move(bytes));
    }
    std::vector<std::uint8_t> bytes(std::size_t(elementCount() * dtypeSize(type)));
    const std::size_t inSize = dtypeSize(m_type), outSize = dtypeSize(type);
    const bool integers = dtypeIsInteger(m_type) && dtypeIsInteger(type);
    forEachElement(m_shape, m_fortran, elementCount(), [&](std::uint64_t storage, std::uint64_t c) {
        const std::uint8_t* in = m_data + storage * inSize;
        std::uint8_t* out = bytes.data() + c * outSize;
        if (type == m_type)
            std::memcpy(out, in, inSize);
        else if (integers && m_type == DType::I64)
            storeInt(type, out, load<std::int64_t>(in));
        else if (integers && m_type == DType::U64 && type == DType::I64)
            store(out, saturate<std::int64_t>(double(load<std::uint64_t>(in))));
        else
            storeDouble(type, out, elementAsDouble(m_type, in));
    });
    return ArrayData(type, m_shape, std::move(bytes));
}

ArrayData ArrayData::reinterpreted(DType type) const
{
    if (dtypeSize(type) != dtypeSize(m_type))
        throw std::invalid_argument("cannot reinterpret " + dtypeShortName(m_type) + " as " + dtypeShortName(type));
    ArrayData copy = *this;
    copy.m_type = type;
    return copy;
}

bool ArrayData::identical(const ArrayData& other) const
{
    return m_type == other.m_type && m_shape == other.m_shape && (m_fortran && rank() > 1) == (other.m_fortran && other.rank() > 1) &&
           m_size == other.m_size && (m_size == 0 || std::memcmp(m_data, other.m_data, std::size_t(m_size)) == 0);
}

} // namespace featurescope
