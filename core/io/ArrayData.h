#pragma once

#include "io/DType.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace featurescope {

class ProgressReporter;

// An n-dimensional array as stored in a file: element type, shape, C (row-major) or Fortran (column-major) order,
// and the raw little-endian bytes. The bytes are either owned or a view into memory kept alive by an owner (a
// memory-mapped file), so arrays from large files are not copied until converted. Immutable once built; copies
// share the bytes. Conversions return C order.
class ArrayData {
public:
    using Shape = std::vector<std::uint64_t>;

    ArrayData() = default;
    // Owns `bytes`, which must hold exactly product(shape) elements of `type` (throws std::invalid_argument).
    ArrayData(DType type, Shape shape, std::vector<std::uint8_t> bytes, bool fortranOrder = false);
    // A view of `data` (product(shape) elements of `type`) that keeps `owner` alive. The caller has checked the
    // size against the memory `owner` holds.
    static ArrayData view(DType type, Shape shape, std::shared_ptr<const void> owner, const std::uint8_t* data,
                          bool fortranOrder = false);
    // C-order values converted to `type` (rounded to nearest even for F16/BF16; integers truncated toward zero and
    // saturated).
    static ArrayData fromFloats(Shape shape, const float* values, DType type = DType::F32);
    static ArrayData fromDoubles(Shape shape, const double* values, DType type = DType::F64);
    static ArrayData fromInts(Shape shape, const std::int64_t* values, DType type = DType::I64);

    // Number of elements of a shape, or nullopt when the product overflows 2^63.
    static std::optional<std::uint64_t> elementCount(const Shape& shape);
    // "[3, 4]"
    static std::string shapeText(const Shape& shape);

    bool isNull() const { return !m_data && m_shape.empty() && m_size == 0; }
    DType dtype() const { return m_type; }
    const Shape& shape() const { return m_shape; }
    std::size_t rank() const { return m_shape.size(); }
    std::uint64_t elementCount() const;
    std::uint64_t byteSize() const { return m_size; }
    const std::uint8_t* data() const { return m_data; }
    bool fortranOrder() const { return m_fortran; }
    // "[3, 4] f32" (", Fortran order" when so)
    std::string describe() const;

    // Element `index` (in storage order) as a float / double.
    float floatAt(std::uint64_t storageIndex) const;
    double doubleAt(std::uint64_t storageIndex) const;

    // All elements converted to float in C order into out[0 .. elementCount()). Polls `progress` every few million
    // elements (reports the fraction done, throws Cancelled when cancelled).
    void toFloat(float* out, const ProgressReporter* progress = nullptr) const;
    std::vector<float> toFloatVector() const;
    std::vector<double> toDoubleVector() const;
    // Integer arrays exactly; float arrays only when every value is integral and in range (else InputError naming
    // `what` and the first offending element).
    std::vector<std::int64_t> toInt64Vector(const std::string& what = "array") const;

    // The same elements, C order, converted to `type` (owned copy).
    ArrayData converted(DType type) const;
    // The same bytes read as another type of the same size (e.g. U16 <-> BF16).
    ArrayData reinterpreted(DType type) const;
    // True when dtype, shape, order and bytes are equal.
    bool identical(const ArrayData& other) const;

    // IEEE half and bfloat16 conversions (round to nearest even; NaN stays NaN).
    static float halfToFloat(std::uint16_t bits);
    static std::uint16_t floatToHalf(float value);
    static float bf16ToFloat(std::uint16_t bits);
    static std::uint16_t floatToBf16(float value);

private:
    DType m_type = DType::F32;
    Shape m_shape;
    bool m_fortran = false;
    std::shared_ptr<const void> m_owner;
    const std::uint8_t* m_data = nullptr;
    std::uint64_t m_size = 0;
};

} // namespace featurescope
