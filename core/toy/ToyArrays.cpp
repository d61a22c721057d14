#include "toy/ToyArrays.h"

#include "common/InputError.h"

#include <cmath>

namespace featurescope {

namespace {
using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
}

ArrayData ToyArrays::stackMatrices(const std::vector<const Eigen::MatrixXf*>& matrices, Eigen::Index rows,
                                   Eigen::Index cols)
{
    std::vector<float> values;
    values.reserve(matrices.size() * std::size_t(rows * cols));
    for (const Eigen::MatrixXf* m : matrices) {
        const RowMajor rowMajor = *m;
        values.insert(values.end(), rowMajor.data(), rowMajor.data() + rowMajor.size());
    }
    return ArrayData::fromFloats({matrices.size(), std::uint64_t(rows), std::uint64_t(cols)}, values.data());
}

ArrayData ToyArrays::stackVectors(const std::vector<const Eigen::VectorXf*>& vectors, Eigen::Index size)
{
    std::vector<float> values;
    values.reserve(vectors.size() * std::size_t(size));
    for (const Eigen::VectorXf* v : vectors)
        values.insert(values.end(), v->data(), v->data() + size);
    return ArrayData::fromFloats({vectors.size(), std::uint64_t(size)}, values.data());
}

namespace {

void checkFloatArray(const ArrayData& array, const ArrayData::Shape& shape, const std::string& name,
                     const std::string& where)
{
    if (array.shape() != shape)
        throw InputError(where + ": the array '" + name + "' is " + ArrayData::shapeText(array.shape()) +
                         ", expected " + ArrayData::shapeText(shape));
    if (!dtypeIsFloat(array.dtype()))
        throw InputError(where + ": the array '" + name + "' is not floating point (" + array.describe() + ")");
}

template <typename T>
std::vector<T> checkedFinite(std::vector<T> values, const std::string& name, const std::string& where)
{
    for (T x : values)
        if (!std::isfinite(x))
            throw InputError(where + ": the array '" + name + "' contains NaN or infinite values");
    return values;
}

} // namespace

std::vector<float> ToyArrays::finiteFloats(const ArrayData& array, const ArrayData::Shape& shape,
                                           const std::string& name, const std::string& where)
{
    checkFloatArray(array, shape, name, where);
    return checkedFinite(array.toFloatVector(), name, where);
}

std::vector<double> ToyArrays::finiteDoubles(const ArrayData& array, const ArrayData::Shape& shape,
                                             const std::string& name, const std::string& where)
{
    checkFloatArray(array, shape, name, where);
    return checkedFinite(array.toDoubleVector(), name, where);
}

Eigen::MatrixXf ToyArrays::matrixAt(const std::vector<float>& values, std::size_t index, int rows, int cols)
{
    return Eigen::Map<const RowMajor>(values.data() + index * std::size_t(rows) * std::size_t(cols), rows, cols);
}

Eigen::VectorXf ToyArrays::vectorAt(const std::vector<float>& values, std::size_t index, int size)
{
    return Eigen::Map<const Eigen::VectorXf>(values.data() + index * std::size_t(size), size);
}

} // namespace featurescope
